"""Pieces that every model of the package shares: one copy, used by all.

The training helpers (`objective_of`, `descend`) are what a `train_step`
does with a loss; `default_jit_compile` is the XLA setting of every model.
"""

import keras
import numpy as np
import tensorflow as tf
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


def check_images(images, image_shape):
    """`images` as a float32 NumPy array, refused unless shaped (N, *image_shape)."""
    images = np.asarray(images, dtype="float32")
    if images.shape[1:] != tuple(image_shape):
        raise ValueError(
            f"Expected images of shape (N, {', '.join(map(str, image_shape))}). "
            f"Received an array of shape {images.shape}."
        )
    return images


# --------------------------------------------------------------------------- #
# One train loop for every model with one optimiser and one objective
# --------------------------------------------------------------------------- #
class OneOptimizerModel(keras.Model):
    """A model trained with one optimiser on the losses of `compute_losses`.

    The VAE, the autoencoder and PixelCNN share this loop. A subclass sets
    `LOSS_NAMES` (the first is what the optimiser minimises), implements
    `compute_losses(data, training)` returning a dict of scalars under those
    names, and may override `default_optimizer()`. This class turns that into
    `train_step`, `test_step`, the progress-bar trackers and a `compile()`
    that builds the optimiser at once (so `load_model` and `BackupAndRestore`
    restore its state).
    """

    LOSS_NAMES = ("loss",)

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Invalid value for argument `seed`. Expected an int or None. Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.trackers = [keras.metrics.Mean(name=name) for name in self.LOSS_NAMES]
        # The sub-networks are built from Inputs, so the model is complete.
        self.built = True

    def default_optimizer(self):
        return keras.optimizers.Adam(learning_rate=1e-3)

    def default_jit_compile(self):
        """XLA for this model's train step when `compile(jit_compile="auto")`."""
        return default_jit_compile()

    def compile(self, optimizer="auto", jit_compile="auto", **kwargs):
        """Sets the optimiser ("auto": `default_optimizer()`) and XLA
        ("auto": `self.default_jit_compile()`); other arguments go to `keras.Model.compile`."""
        if isinstance(optimizer, str) and optimizer == "auto":
            optimizer = self.default_optimizer()
        self._compile_arguments = {"jit_compile": jit_compile, **kwargs}
        if jit_compile == "auto" and not kwargs.get("run_eagerly"):
            jit_compile = self.default_jit_compile()
        super().compile(optimizer=optimizer, jit_compile=jit_compile, **kwargs)
        self.optimizer.build(self.trainable_variables)

    def get_compile_config(self):
        return {"optimizer": keras.saving.serialize_keras_object(self.optimizer), **self._compile_arguments}

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(optimizer=keras.saving.deserialize_keras_object(config.pop("optimizer")), **config)

    @property
    def metrics(self):
        return self.trackers

    def compute_losses(self, data, training):
        raise NotImplementedError(f"{type(self).__name__} must implement compute_losses(data, training).")

    def train_step(self, data):
        with tf.GradientTape() as tape:
            batch_losses = self.compute_losses(data, training=True)
            objective = objective_of(batch_losses[self.LOSS_NAMES[0]], self, self.optimizer)
        descend(tape, objective, self, self.optimizer)
        return self._track(batch_losses)

    def test_step(self, data):
        return self._track(self.compute_losses(data, training=False))

    def _track(self, batch_losses):
        for tracker in self.trackers:
            tracker.update_state(batch_losses[tracker.name])
        return {tracker.name: tracker.result() for tracker in self.trackers}
