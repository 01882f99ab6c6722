"""Pieces that every model of the package shares: one copy, used by all.

`GenerativeModel` is what every model is: it says what it can do
(`conditional`, `has_likelihood`, `has_codes`), shows itself with
`preview(n, seed)`, and runs its stateful `train_batch` / `test_batch` on
either backend through `gan_keras.backend`. `OneOptimizerModel` is the one
train loop of the models with one optimiser; `compile_with_optimizers` gives
a model one optimiser per network. `objective_of` is what an optimiser
minimises; `default_jit_compile` is the XLA setting of every model.
"""

import re

import keras
import numpy as np
from keras import ops

from gan_keras import backend
from gan_keras.pixels import check_model_range

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


def descend(objective, network, optimizer):
    """One optimiser step of `network`'s trainable weights on `objective()`,
    which returns `(scalar, values)`; returns the values."""
    return descend_together(objective, [(network, optimizer)])


def descend_together(objective, networks_and_optimizers, scale_jointly=False):
    """One step of several networks on one `objective()` (CycleGAN's two
    generators): the gradient with respect to all their weights at once, each
    network's part applied by its own optimiser; returns the values.

    `scale_jointly=True` scales an unscaled objective for loss scaling
    (mixed_float16), where each network's optimiser keeps its own scale: the
    loss is multiplied by the smallest of them and each network's gradient
    rescaled to its optimiser's scale, which `apply` divides out (skipping
    that network's step if its gradient is not finite). With optimisers
    without loss scaling every factor is 1 and nothing changes.
    """
    weights = [network.trainable_variables for network, _ in networks_and_optimizers]
    if scale_jointly:
        scales = [ops.cast(optimizer.scale_loss(1.0), "float32") for _, optimizer in networks_and_optimizers]
        common = ops.min(ops.stack(scales))
        unscaled = objective

        def objective():
            loss, values = unscaled()
            return loss * common, values

    _, values, gradients = backend.value_and_gradients(objective, [w for group in weights for w in group])
    start = 0
    for index, ((_, optimizer), group) in enumerate(zip(networks_and_optimizers, weights)):
        part = gradients[start : start + len(group)]
        if scale_jointly:
            part = [None if gradient is None else gradient * (scales[index] / common) for gradient in part]
        optimizer.apply(part, group)
        start += len(group)
    return values


def with_loss_scaling(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    if keras.config.backend() == "jax":
        raise ValueError(
            "The mixed_float16 policy needs loss scaling, which gan_keras supports on the TensorFlow backend. "
            "On JAX use keras.mixed_precision.set_global_policy('mixed_bfloat16') (no loss scaling needed)."
        )
    return keras.optimizers.LossScaleOptimizer(optimizer)


def resolve_optimizer(argument, optimizer, default):
    """An optimiser from "auto" (`default`), a name or an instance; a one-line error otherwise."""
    if isinstance(optimizer, str) and optimizer == "auto":
        return default
    try:
        return keras.optimizers.get(optimizer)
    except ValueError:
        raise ValueError(
            f"Invalid value for argument `{argument}`. Expected 'auto', an "
            "optimizer name such as 'adam', or a keras.optimizers.Optimizer. "
            f"Received: {argument}={optimizer!r}"
        ) from None


# --------------------------------------------------------------------------- #
# One optimiser per network
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class NetworkOptimizers(keras.optimizers.MultiOptimizer):
    """One optimiser per network, held as the model's single `optimizer`.

    Keras's JAX trainer carries `model.optimizer.variables` through each
    compiled step, so every network's optimiser must be reachable there:
    `keras.optimizers.MultiOptimizer` holds them (each network's variables
    map to its own optimiser by their path). The train step applies each
    optimiser to its own network's gradients.

    Learning-rate callbacks (`LearningRateScheduler`, `ReduceLROnPlateau`)
    read `learning_rate`, the first network's rate, and setting it scales
    every network's rate by the same factor, so a decay keeps their ratio
    (a GAN's D and G may learn at different rates).
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(optimizer_map, loss_scale_factor=loss_scale_factor, name=name)

    @classmethod
    def for_networks(cls, optimizers_by_network):
        """From a dict {network: optimizer}, the first network's optimiser the default."""
        (_, first), *others = optimizers_by_network.items()
        optimizer_map = keras.optimizers.OptimizerMap(
            default_optimizer=first,
            optimizer_map={f"{re.escape(network.name)}/.*": optimizer for network, optimizer in others},
        )
        return cls(optimizer_map)

    def build(self, var_list):
        """Maps each variable to its network's optimiser. Unlike
        `MultiOptimizer.build`, accepts loss-scaling optimisers (each network's
        own, under the mixed_float16 policy) and does not build them again."""
        if self.built:
            return
        self._var_to_optimizer_idx, self._trainable_variables_indices = {}, {}
        for index, variable in enumerate(var_list):
            key = self._var_key(variable)
            self._var_to_optimizer_idx[key] = self._inner_optimizers.index(self._optimizer_map(variable))
            self._trainable_variables_indices[key] = index
        keras.optimizers.Optimizer.build(self, var_list)

    @property
    def learning_rate(self):
        return self.optimizers[0].learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        old = float(ops.convert_to_numpy(self.optimizers[0].learning_rate))
        factor = None if old == 0 else float(value) / old
        for optimizer in self.optimizers:
            current = float(ops.convert_to_numpy(optimizer.learning_rate))
            optimizer.learning_rate = float(value) if factor is None else current * factor


def compile_with_optimizers(model, optimizers_by_network, jit_compile, compile_arguments):
    """`keras.Model.compile` for a model with one optimiser per network.

    Builds each optimiser on its network's weights now (so that `load_model`
    and `BackupAndRestore` restore their state), wraps them for loss scaling
    under the mixed_float16 policy, and gives Keras a `NetworkOptimizers` of
    all of them. Returns the optimisers in the order given.
    """
    model._compile_arguments = {"jit_compile": jit_compile, **compile_arguments}
    if jit_compile == "auto" and not compile_arguments.get("run_eagerly"):
        jit_compile = model.default_jit_compile()
    if keras.config.dtype_policy().name == "mixed_float16":
        optimizers_by_network = {n: with_loss_scaling(o) for n, o in optimizers_by_network.items()}
    names = [network.name for network in optimizers_by_network]
    if len(set(names)) != len(names):
        raise ValueError(f"Each network needs its own name (its weights' paths start with it). Received: {names}")
    for network, optimizer in optimizers_by_network.items():
        optimizer.build(network.trainable_variables)
    container = NetworkOptimizers.for_networks(optimizers_by_network)
    container.build([v for network in optimizers_by_network for v in network.trainable_variables])
    keras.Model.compile(model, optimizer=container, jit_compile=jit_compile, **compile_arguments)
    model.optimizer = container  # not wrapped again: each network's optimiser scales its own loss
    return list(optimizers_by_network.values())


# --------------------------------------------------------------------------- #
# What every model is
# --------------------------------------------------------------------------- #
class GenerativeModel(keras.Model):
    """The protocol of the package's models.

    A model has an `image_shape` (height, width, channels: what it makes,
    and what `fit()` checks its data against) and says what it can do
    instead of being probed: `conditional`
    (trains on `(images, labels)` and generates given labels),
    `has_likelihood` (`likelihood_report(images, labels)`), `has_codes`
    (`predict_codes(images)`, InfoGAN). `preview(num_images, seed)` is what
    `SampleGrid`, the command line and `samples.png` show: samples here; a
    translating model shows translations.

    Training: a subclass writes the stateful `train_batch(data)` (and
    `test_batch(data)`) returning the progress-bar values; `train_step` and
    `test_step` run them on the current backend (`gan_keras.backend`).
    """

    conditional = False
    has_likelihood = False
    has_codes = False

    def default_jit_compile(self):
        """XLA for this model's train step when `compile(jit_compile="auto")`."""
        return default_jit_compile()

    def preview(self, num_images, seed=0):
        """What this model shows of itself: `num_images` samples (a float32 array in [-1, 1])."""
        return self.generate(num_images, seed=seed)

    def compiled_for_inference(self, method):
        """`method` of this model compiled once for repeated inference (one
        call per pixel when sampling), reading the current weights at every
        call; kept for the model's lifetime."""
        cache = self.__dict__.get("_compiled_methods")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_compiled_methods", cache)  # not a tracked attribute
        if method.__name__ not in cache:
            cache[method.__name__] = backend.compiled(method, self.variables)
        return cache[method.__name__]

    # What the model trains on: a wrong shape or range would otherwise train
    # silently on nonsense (uint8 pixels cast into D) or fail deep in a layer.
    def fit(self, x=None, y=None, *args, validation_data=None, **kwargs):
        """`keras.Model.fit`, after a look at the data: images of this model's
        `image_shape` as floats in [-1, 1] (and labels, for a conditional
        model), or a one-line ValueError that says how to convert them."""
        x = check_training_input(self, x, y)
        if isinstance(validation_data, tuple):  # (x, y) or (x, y, sample_weight) arrays
            validation_data = (
                check_training_input(self, validation_data[0], validation_data[1], "validation_data"),
                *validation_data[1:],
            )
        elif validation_data is not None:
            validation_data = check_training_input(self, validation_data, what="validation_data")
        return super().fit(x, y, *args, validation_data=validation_data, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.evaluate`, after the same look at the data as `fit`."""
        if not kwargs.get("_use_cached_eval_dataset"):  # fit() checked its validation data
            x = check_training_input(self, x, y)
        return super().evaluate(x, y, *args, **kwargs)

    # Saving: Keras saves each layer's weights but not the state of its
    # random-number generators, so a reloaded model would draw the noise it
    # drew at the start of training again. The model saves them all.
    def _seed_states(self):
        return [generator.state for layer in self._flatten_layers() for generator in layer._seed_generators]

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for index, state in enumerate(self._seed_states()):
            store[f"seed_state_{index}"] = state

    def load_own_variables(self, store):
        own_count = len(self._trainable_variables) + len(self._non_trainable_variables)
        super().load_own_variables({str(index): store[str(index)] for index in range(own_count)})
        for index, state in enumerate(self._seed_states()):
            if f"seed_state_{index}" in store:  # files saved before the states were
                state.assign(store[f"seed_state_{index}"])

    # A model whose networks change during a run (ProGAN grows them) says
    # where one `fit()` must end and readies itself for the next; the command
    # line and `ProGAN.fit_progressively` ask every model.
    def plan_training(self, total_steps):
        """Fits the model's training schedule to a new run of `total_steps` batches (most models have none)."""

    def training_breaks(self):
        """The steps of a run at which training must pause between two `fit()` calls (none for most models)."""
        return ()

    def prepare_to_train(self, step):
        """Readies the model to train on from step `step` of its run (nothing to do for most models)."""

    def schedule_callbacks(self, total_epochs):
        """The callbacks that give a run of `total_epochs` epochs the paper's
        schedule (CycleGAN's learning-rate decay); none for most models. The
        command line's `train` adds them."""
        return []

    def updates_done(self):
        """How many times the model's weights (a GAN's generator's) have been updated so far."""
        return int(ops.convert_to_numpy(self.optimizer.iterations))

    def train_step(self, *args):
        return backend.stateful_step(self, self._train_batch_and_count, args, training=True)

    def _train_batch_and_count(self, data):
        logs = self.train_batch(data)
        if isinstance(self.optimizer, NetworkOptimizers):  # its networks' optimisers count their own updates
            self.optimizer.iterations.assign_add(1)
        return logs

    def test_step(self, *args):
        return backend.stateful_step(self, self.test_batch, args, training=False)

    def train_batch(self, data):
        raise NotImplementedError(f"{type(self).__name__} must implement train_batch(data).")

    def test_batch(self, data):
        raise NotImplementedError(f"{type(self).__name__} must implement test_batch(data).")


# --------------------------------------------------------------------------- #
# The data given to fit() and evaluate()
# --------------------------------------------------------------------------- #
def _first_batch(data):
    """The first batch of `data` without using it up, and `data` to train on.

    Arrays are looked at whole; a `keras.utils.PyDataset` gives its batch 0;
    a generator gives its first batch, which is then put back in front.
    """
    if isinstance(data, keras.utils.PyDataset):
        return (data[0] if len(data) else None), data
    if hasattr(data, "__next__"):
        try:
            first = next(data)
        except StopIteration:
            return None, iter(())

        def with_first_put_back():
            yield first
            yield from data

        return first, with_first_put_back()
    return data, data


def _describe(shape):
    return "(" + ", ".join("batch" if i == 0 else str(d) for i, d in enumerate(shape)) + ")"


def check_training_input(model, x, y=None, what="the training data"):
    """Refuses data that `model` would train on silently wrong; returns `x` to use.

    Images must have the model's `image_shape` and be floats in the model
    range [-1, 1] (`gan_keras.data.to_model_range` converts [0, 255] pixels);
    a conditional model also needs the labels. A tf.data dataset is checked
    by its element spec (dtype and shape) without reading from it: reading
    ahead would move its shuffling on. Other data (arrays, a PyDataset, a
    generator) are checked by value on their first batch (the range: images
    only, not the points of a toy 2-D GAN).
    """
    if x is None:
        return x
    expected = (None, *model.image_shape)
    if hasattr(x, "element_spec"):  # tf.data: dtype and shape, not values
        spec = x.element_spec
        images, has_labels = (spec[0], len(spec) > 1) if isinstance(spec, (tuple, list)) else (spec, False)
        shape, dtype = tuple(images.shape), images.dtype
        if not dtype.is_floating:
            raise ValueError(
                f"{type(model).__name__} trains on float images in [-1, 1]; {what} holds {dtype.name} pixels. "
                "Convert them with gan_keras.data.to_model_range (or use gan_keras.data.load_dataset)."
            )
        batch = None
    else:
        batch, x = _first_batch(x)
        if batch is None:
            return x
        images, has_labels = (batch[0], len(batch) > 1) if isinstance(batch, (tuple, list)) else (batch, y is not None)
        images = np.asarray(images)
        shape = images.shape
    if len(shape) != len(expected) or any(d is not None and e is not None and d != e for d, e in zip(shape, expected)):
        hint = " (add the channel axis: images[..., None])" if tuple(shape[1:]) == tuple(model.image_shape[:-1]) else ""
        raise ValueError(
            f"{type(model).__name__} expects images of shape {_describe(expected)} (its image_shape); "
            f"{what} holds images of shape {_describe(shape)}{hint}."
        )
    if batch is not None and len(expected) == 4:  # images; points (a toy 2-D GAN) may lie anywhere
        check_model_range(images, f"{what} of {type(model).__name__}")
    if model.conditional and not has_labels:
        raise ValueError(
            f"{type(model).__name__} trains on (images, labels); {what} holds images alone. Pass fit(images, labels) "
            "or batches of (images, labels) pairs, e.g. load_batches(name, with_labels=True)."
        )
    return x


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
class OneOptimizerModel(GenerativeModel):
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

    def train_batch(self, data):
        def objective():
            batch_losses = self.compute_losses(data, training=True)
            return objective_of(batch_losses[self.LOSS_NAMES[0]], self, self.optimizer), batch_losses

        return self._track(descend(objective, self, self.optimizer))

    def test_batch(self, data):
        return self._track(self.compute_losses(data, training=False))

    def _track(self, batch_losses):
        for tracker in self.trackers:
            tracker.update_state(batch_losses[tracker.name])
        return {tracker.name: tracker.result() for tracker in self.trackers}
