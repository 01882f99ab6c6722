"""Pieces that every model of the package shares: one copy, used by all.

The training helpers (`objective_of`, `descend`) are what a `train_step`
does with a loss; `default_jit_compile` is the XLA setting of every model.
"""

import keras
import numpy as np
from keras import ops

MNIST_SHAPE = (28, 28, 1)


def default_jit_compile():
    """XLA on or off for GAN training: on, on every device.

    Keras's own "auto" turns XLA off on a CPU, but `benchmarks/speed.py`
    measured the dense course GAN on 2 CPU cores at about a quarter less CPU
    time per step with XLA than without (README, "Measured results"). On a
    GPU, XLA fuses the many small ops of a GAN step; the GPU measurement is
    still to be recorded in the README.
    """
    return True


# --------------------------------------------------------------------------- #
def images_of(data):
    """The images of a batch that may be `images` or `(images, labels)`."""
    if isinstance(data, (tuple, list)):
        return data[0]
    return data


# Layers whose output for one image depends on the other images of the batch
# (in training mode). Later layers of that kind (minibatch discrimination)
# set `couples_batch = True`.
_BATCH_COUPLED_LAYERS = (keras.layers.BatchNormalization,)


def couples_batch(network):
    return any(
        isinstance(layer, _BATCH_COUPLED_LAYERS) or getattr(layer, "couples_batch", False)
        for layer in network._flatten_layers(include_self=False)
    )


def objective_of(loss, network, optimizer):
    """What the optimiser minimises: `loss` plus the network's weight penalties
    (if it declares any), scaled for mixed precision (a no-op otherwise)."""
    if network.losses:
        loss = loss + ops.sum(ops.stack(network.losses))
    return optimizer.scale_loss(loss)


def descend(tape, objective, network, optimizer):
    """One optimiser step on `network`'s trainable weights only."""
    weights = network.trainable_weights
    optimizer.apply(tape.gradient(objective, weights), weights)


def with_loss_scaling(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def check_image_shape(image_shape):
    shape = tuple(image_shape) if isinstance(image_shape, (tuple, list)) else None
    if shape is None or len(shape) != 3 or not all(
        isinstance(s, (int, np.integer)) and s > 0 for s in shape
    ):
        raise ValueError(
            "Invalid value for argument `image_shape`. Expected (height, width, "
            f"channels) of positive integers. Received: image_shape={image_shape!r}"
        )
    return tuple(int(s) for s in shape)
