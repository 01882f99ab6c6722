"""The original GAN: Goodfellow et al. 2014, "Generative Adversarial Nets".

Course sections 1 and 2. Read this file top to bottom as the lesson:

1. the dense generator and discriminator whose Keras layer tables the slides
   print (`dense_generator`, `dense_discriminator`);
2. the introductory lesson's convolutional pair: a CNN classifier as the
   discriminator and a transposed-convolution generator (`conv_generator`,
   `conv_discriminator`);
3. `GANStep`, the record of one training step that every loss reads;
4. the `GAN` model that trains any such pair with `fit()`: the discriminator
   learns to tell real (label 1) from fake (label 0), then the generator learns
   to make D say "real" for its fakes, alternating.

Later models (DCGAN, WGAN, InfoGAN, ...) reuse `GAN` with other networks, an
other adversarial loss or regularisers (`gan_keras.objectives`); they never
copy its train loop.
"""

import keras
import numpy as np
from keras import layers, ops

from gan_keras import backend
from gan_keras._checks import check_positive_int
from gan_keras.layers import PrependReferenceBatch
from gan_keras.models._common import (
    MNIST_SHAPE,
    GenerativeModel,
    check_image_shape,
    compile_with_optimizers,
    couples_batch,
    default_jit_compile,
    descend,
    images_of,
    objective_of,
    resolve_optimizer,
)
from gan_keras.objectives import Regularizer, get_adversarial_loss

LATENT_DISTRIBUTIONS = ("normal", "uniform")

__all__ = [
    "GAN",
    "GANStep",
    "mlp_generator",
    "toy_networks",
    "mlp_discriminator",
    "dense_generator",
    "dense_discriminator",
    "conv_generator",
    "conv_discriminator",
    "default_jit_compile",
]



# --------------------------------------------------------------------------- #
# 1. The dense networks of the slides (course section 1)
# --------------------------------------------------------------------------- #
def dense_generator(latent_dim=100, image_shape=MNIST_SHAPE, leak=0.2, batchnorm_momentum=0.8):
    """The course's dense MNIST generator: z (100-D normal) -> 28x28x1 image in [-1, 1].

    Layer table for the defaults (the slides' `model.summary()`):

    | layer              | output shape      | params  |
    |--------------------|-------------------|---------|
    | Dense              | (None, 256)       | 25,856  |
    | LeakyReLU          | (None, 256)       | 0       |
    | BatchNormalization | (None, 256)       | 1,024   |
    | Dense              | (None, 512)       | 131,584 |
    | LeakyReLU          | (None, 512)       | 0       |
    | BatchNormalization | (None, 512)       | 2,048   |
    | Dense              | (None, 1024)      | 525,312 |
    | LeakyReLU          | (None, 1024)      | 0       |
    | BatchNormalization | (None, 1024)      | 4,096   |
    | Dense              | (None, 784)       | 803,600 |
    | Reshape            | (None, 28, 28, 1) | 0       |

    Total 1,493,520 parameters: 1,489,936 trainable and 3,584 non-trainable
    (the BatchNorm moving means and variances).

    Args:
        latent_dim: size of the noise vector z.
        image_shape: (height, width, channels) of the images made.
        leak: slope of LeakyReLU for negative inputs (0.2 in the course).
        batchnorm_momentum: momentum of the BatchNorm moving statistics (0.8
            in the course's Keras code).
    """
    check_positive_int("latent_dim", latent_dim)
    image_shape = check_image_shape(image_shape)
    model = keras.Sequential(name="dense_generator")
    model.add(keras.Input(shape=(latent_dim,), name="z"))
    for units in (256, 512, 1024):
        model.add(layers.Dense(units))
        model.add(layers.LeakyReLU(negative_slope=leak))
        model.add(layers.BatchNormalization(momentum=batchnorm_momentum))
    # tanh: the images live in [-1, 1], like the real data after scaling.
    model.add(layers.Dense(int(np.prod(image_shape)), activation="tanh"))
    model.add(layers.Reshape(image_shape))
    return model


def dense_discriminator(image_shape=MNIST_SHAPE, leak=0.2):
    """The course's dense MNIST discriminator: image -> one logit.

    | layer     | output shape | params  |
    |-----------|--------------|---------|
    | Flatten   | (None, 784)  | 0       |
    | Dense     | (None, 512)  | 401,920 |
    | LeakyReLU | (None, 512)  | 0       |
    | Dense     | (None, 256)  | 131,328 |
    | LeakyReLU | (None, 256)  | 0       |
    | Dense     | (None, 1)    | 257     |

    Total 533,505 parameters, all trainable. The last layer is linear: it
    returns a logit, and D(x) = sigmoid(logit) is the probability that x is
    real. Losses are computed from the logit, which is numerically safer than
    a sigmoid followed by a log.
    """
    image_shape = check_image_shape(image_shape)
    model = keras.Sequential(name="dense_discriminator")
    model.add(keras.Input(shape=image_shape, name="image"))
    model.add(layers.Flatten())
    for units in (512, 256):
        model.add(layers.Dense(units))
        model.add(layers.LeakyReLU(negative_slope=leak))
    model.add(layers.Dense(1))
    return model


# --------------------------------------------------------------------------- #
# 2. The convolutional pair of the introductory lesson (course section 2)
# --------------------------------------------------------------------------- #
def conv_generator(latent_dim=100, image_shape=MNIST_SHAPE):
    """Noise -> many small feature maps -> transposed convolutions -> image.

    For 28x28x1: Dense to 7x7x64, then two stride-2 5x5 transposed
    convolutions ("deconvolutions") grow 7x7 -> 14x14x32 -> 28x28x1, tanh out.
    BatchNorm and ReLU between them keep the signal well scaled. The widths
    are modest so that the lesson trains on a laptop CPU in minutes. Height
    and width must be multiples of 4.
    """
    check_positive_int("latent_dim", latent_dim)
    height, width, channels = check_image_shape(image_shape)
    if height % 4 or width % 4:
        raise ValueError(
            "conv_generator grows images by two stride-2 transposed convolutions, "
            f"so height and width must be multiples of 4. Received: image_shape={image_shape}"
        )
    start = (height // 4, width // 4, 64)
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,), name="z"),
            layers.Dense(int(np.prod(start)), use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Reshape(start),
            layers.Conv2DTranspose(32, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2DTranspose(channels, 5, strides=2, padding="same", activation="tanh"),
        ],
        name="conv_generator",
    )


def conv_discriminator(image_shape=MNIST_SHAPE, leak=0.2):
    """The CNN classifier of the CNN lesson, with one output logit.

    Two blocks of 5x5 convolution + pooling (32 then 64 filters), a dense layer
    of 1,024 units, and a linear output. Two choices differ from a plain
    classifier, both standard for GAN discriminators: LeakyReLU instead of ReLU
    and average instead of max pooling, so that every input pixel receives a
    gradient, which is the generator's only learning signal.
    """
    image_shape = check_image_shape(image_shape)
    return keras.Sequential(
        [
            keras.Input(shape=image_shape, name="image"),
            layers.Conv2D(32, 5, padding="same"),
            layers.LeakyReLU(negative_slope=leak),
            layers.AveragePooling2D(2),
            layers.Conv2D(64, 5, padding="same"),
            layers.LeakyReLU(negative_slope=leak),
            layers.AveragePooling2D(2),
            layers.Flatten(),
            layers.Dense(1024),
            layers.LeakyReLU(negative_slope=leak),
            layers.Dense(1),
        ],
        name="conv_discriminator",
    )


def mlp_generator(latent_dim=2, output_dim=2, units=128, depth=3, kernel_initializer="glorot_uniform"):
    """A small ReLU perceptron for 2-D toy data: z -> a point (linear output).

    Toy problems (a ring of Gaussians) make mode collapse visible at a glance:
    every mode the generator misses is an empty blob on the plot. With
    `units=512, kernel_initializer="he_uniform"` it is the generator of the
    WGAN-GP paper's toy experiments (`toy_networks`).
    """
    check_positive_int("latent_dim", latent_dim)
    model = keras.Sequential([keras.Input(shape=(latent_dim,), name="z")], name="mlp_generator")
    for _ in range(depth):
        model.add(layers.Dense(units, activation="relu", kernel_initializer=kernel_initializer))
    model.add(layers.Dense(output_dim, kernel_initializer=kernel_initializer))
    return model


def mlp_discriminator(input_dim=2, units=128, depth=3, leak=0.2, kernel_initializer="glorot_uniform"):
    """A small perceptron judging 2-D points: point -> one logit (or critic score).

    Hidden layers are LeakyReLU with slope `leak`, or plain ReLU for `leak=0`.
    """
    model = keras.Sequential([keras.Input(shape=(input_dim,), name="point")], name="mlp_discriminator")
    for _ in range(depth):
        model.add(layers.Dense(units, kernel_initializer=kernel_initializer))
        model.add(layers.LeakyReLU(negative_slope=leak) if leak else layers.ReLU())
    model.add(layers.Dense(1, kernel_initializer=kernel_initializer))
    return model


def toy_networks(units=512):
    """(generator, discriminator) of the WGAN-GP paper's toy experiments
    (Gulrajani et al. 2017, gan_toy.py): z ~ N(0, I) in 2-D; each network
    three ReLU layers of 512 units with He initialisation and a linear
    output (a 2-D point; one score)."""
    return (
        mlp_generator(latent_dim=2, output_dim=2, units=units, depth=3, kernel_initializer="he_uniform"),
        mlp_discriminator(input_dim=2, units=units, depth=3, leak=0.0, kernel_initializer="he_uniform"),
    )


def _check_reference_batches(generator, latent_distribution):
    """A virtual-batch-normalised generator must draw its reference latents
    from the prior the GAN feeds it."""
    for layer in generator.layers:
        distribution = getattr(layer, "distribution", None)
        if isinstance(layer, PrependReferenceBatch) and distribution != latent_distribution:
            raise ValueError(
                f"The generator's reference batch (layer {layer.name!r}) is drawn from a {distribution} "
                f"distribution, but the GAN's latent_distribution is {latent_distribution!r}: build the generator "
                "with the same latent_distribution."
            )


# 3. One record of a training step
# --------------------------------------------------------------------------- #
class GANStep:
    """Everything one update of a GAN can read, each part computed once, when first read.

    The losses and regularisers of `gan_keras.objectives` take this record:
    `real_images`, `labels` (None for an unconditional GAN), `latent` (fresh
    noise from the prior), `fake_images` = G(latent), the discriminator's
    outputs for both batches (`real_logits`, `fake_logits`, and D's other
    outputs `real_auxiliary` / `fake_auxiliary`, e.g. InfoGAN's Q), and
    `discriminator` itself with `judge_logits(images)` for penalties.

    Nothing is computed that the update does not read: the generator's
    update never runs D on the real batch unless its loss asks for it.
    """

    def __init__(self, gan, real_images, labels, training):
        self.gan = gan
        self.real_images = real_images
        self.labels = labels
        self.training = training
        self.latent = gan.sample_latent(ops.shape(real_images)[0])
        self._computed = {}

    @property
    def discriminator(self):
        return self.gan.discriminator

    @property
    def generator(self):
        return self.gan.generator

    def _once(self, name, compute):
        if name not in self._computed:
            self._computed[name] = compute()
        return self._computed[name]

    @property
    def fake_images(self):
        gan = self.gan
        return self._once(
            "fake_images",
            lambda: ops.cast(gan.generator(gan.generator_inputs(self.latent, self.labels), training=self.training),
                             self.real_images.dtype),
        )

    def _judge(self, images):
        return self.gan.discriminator(self.gan.discriminator_inputs(images, self.labels), training=self.training)

    def _judge_both(self):
        """D's outputs for the real and the fake batch.

        A discriminator without batch-coupled layers treats each image on its
        own, so one call on both batches together gives the same outputs as
        two calls and runs faster (one larger matrix product). With BatchNorm
        the batch statistics would mix real and fake images, so each batch
        gets its own call, as in DCGAN.
        """
        if self.gan.discriminator_couples_batch:
            return self._judge(self.real_images), self._judge(self.fake_images)
        both = ops.concatenate([self.real_images, self.fake_images], axis=0)
        outputs = self.gan.discriminator(self.gan.discriminator_inputs(both, self._both_labels()), training=self.training)
        count = ops.shape(self.real_images)[0]
        return (
            keras.tree.map_structure(lambda output: output[:count], outputs),
            keras.tree.map_structure(lambda output: output[count:], outputs),
        )

    def _both_labels(self):
        return None if self.labels is None else ops.concatenate([self.labels, self.labels], axis=0)

    @property
    def real_outputs(self):
        if "real_outputs" not in self._computed:
            if "fake_outputs" in self._computed:
                self._computed["real_outputs"] = self._judge(self.real_images)
            else:  # whoever reads D(x) reads D(G(z)) too: judge both at once
                self._computed["real_outputs"], self._computed["fake_outputs"] = self._judge_both()
        return self._computed["real_outputs"]

    @property
    def fake_outputs(self):
        return self._once("fake_outputs", lambda: self._judge(self.fake_images))

    @property
    def real_logits(self):
        return self.gan.split_discriminator_outputs(self.real_outputs)[0]

    @property
    def fake_logits(self):
        return self.gan.split_discriminator_outputs(self.fake_outputs)[0]

    @property
    def real_auxiliary(self):
        return self.gan.split_discriminator_outputs(self.real_outputs)[1]

    @property
    def fake_auxiliary(self):
        return self.gan.split_discriminator_outputs(self.fake_outputs)[1]

    def judge_logits(self, images):
        """D's logits for any images (with this step's labels): for penalties."""
        return self.gan.split_discriminator_outputs(self._judge(images))[0]

    def features(self, extractor, images):
        """A model sharing D's layers (e.g. D's features) applied to images with this step's labels."""
        return extractor(self.gan.discriminator_inputs(images, self.labels), training=self.training)


# --------------------------------------------------------------------------- #
# 4. The adversarial game as a keras.Model
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class GAN(GenerativeModel):
    """A generator and a discriminator trained against each other with `fit()`.

    Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1: each
    batch of real images gives one discriminator update (real label 1, fake
    label 0); after every `discriminator_steps` such updates, the generator is
    updated once through D, whose weights stay fixed during that update, to
    make D label its fakes as real.

    Args:
        generator: a model mapping noise of shape (latent_dim,) to images.
        discriminator: a model mapping images to one logit per image.
        loss: what the two networks minimise: "non_saturating" (default,
            G minimises -log D(G(z))), "minimax" (log(1 - D(G(z))), which
            saturates early in training), or an `AdversarialLoss` object from
            `gan_keras.objectives`, e.g. `CrossEntropyLoss(real_label=0.9)`
            (one-sided label smoothing) or `FeatureMatching()`.
        regularizers: penalties added to the networks' objectives, e.g.
            `[HistoricalAveraging(1e-3)]` or `[GradientPenalty(10.0)]`.
        discriminator_steps: k, the number of discriminator updates (each on
            a fresh batch) per generator update. The paper used k = 1.
        latent_distribution: the prior of z: "normal" (N(0, I), default) or
            "uniform" (U(-1, 1) in every dimension, as in DCGAN).
        seed: seed of the model's `SeedGenerator`, from which all training
            noise is drawn.

    The progress bar shows the means over the epoch of what the loss and the
    regularisers declare: for the default loss `d_loss`, `g_loss`, `D_x`
    (mean D(x) on real images) and `D_G_z` (mean D(G(z)) on fakes). At the
    ideal end of training D_x = D_G_z = 0.5.

    Example:

    ```python
    gan = GAN(dense_generator(), dense_discriminator(), seed=0)
    gan.compile()  # Adam(2e-4, beta_1=0.5) for both networks
    gan.fit(gan_keras.data.load_dataset("mnist", batch_size=64), epochs=5)
    images = gan.generate(16, seed=0)  # (16, 28, 28, 1) in [-1, 1]
    ```
    """

    def __init__(
        self,
        generator,
        discriminator,
        loss="non_saturating",
        regularizers=(),
        discriminator_steps=1,
        latent_distribution="normal",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"Invalid value for argument `latent_distribution`. Expected one of {LATENT_DISTRIBUTIONS}. "
                f"Received: latent_distribution={latent_distribution!r}"
            )
        for argument, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.Model):
                raise ValueError(
                    f"Invalid value for argument `{argument}`. Expected a keras.Model. "
                    f"Received: {argument}={network!r}"
                )
        # The first input of each network is the noise / the image; conditional
        # networks take the label as a second input.
        generated_shape = tuple(generator.outputs[0].shape[1:])
        judged_shape = tuple(discriminator.inputs[0].shape[1:])
        if generated_shape != judged_shape:
            raise ValueError(
                "The generator's output shape must equal the discriminator's input "
                f"shape. Received: generator output {generated_shape}, "
                f"discriminator input {judged_shape}."
            )
        check_positive_int("discriminator_steps", discriminator_steps)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.image_shape = generated_shape
        self.discriminator_steps = int(discriminator_steps)
        self.latent_distribution = latent_distribution
        _check_reference_batches(generator, latent_distribution)
        self.discriminator_couples_batch = couples_batch(discriminator)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

        self.loss_terms = get_adversarial_loss(loss)
        if isinstance(regularizers, Regularizer) or not all(isinstance(r, Regularizer) for r in regularizers):
            raise ValueError(
                "Invalid value for argument `regularizers`. Expected a list of gan_keras.objectives.Regularizer "
                f"objects, e.g. [HistoricalAveraging(1e-3)]. Received: regularizers={regularizers!r}"
            )
        self.regularizers = list(regularizers)
        for term in (self.loss_terms, *self.regularizers):
            term.attach(self)
        names = list(dict.fromkeys([*self.loss_terms.metric_names, *(n for r in self.regularizers for n in r.metric_names)]))
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}
        # Both networks are built from Inputs, so the wrapper is complete now;
        # saying so lets save(), BackupAndRestore and distribution strategies work.
        self.built = True

    def call(self, noise, training=False):
        """Images made from `noise` (shape (batch, latent_dim))."""
        return self.generator(noise, training=training)

    # ----------------------------------------------------------- compile -- #
    def default_optimizers(self):
        """The course's Adam(learning_rate=2e-4, beta_1=0.5) for each network
        (Radford et al. 2016's setting, used by the course for every GAN)."""
        return {
            "d_optimizer": keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5),
            "g_optimizer": keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5),
        }

    def default_jit_compile(self):
        """XLA (the package default), except with k > 1 discriminator updates
        per generator update on TensorFlow on a CPU: there the generator's
        update runs under a condition, which XLA makes several times slower
        (`gan_keras.backend.xla_is_slow_for_loops_and_conditions`)."""
        if self.discriminator_steps > 1 and backend.xla_is_slow_for_loops_and_conditions():
            return False
        return default_jit_compile()

    def compile(self, d_optimizer="auto", g_optimizer="auto", jit_compile="auto", **kwargs):
        """Sets one optimiser per network.

        Args:
            d_optimizer, g_optimizer: optimiser instances, names, or "auto"
                for `default_optimizers()`.
            jit_compile: True/False, or "auto" for `default_jit_compile()`.
            **kwargs: passed on to `keras.Model.compile` (e.g. `run_eagerly`,
                `steps_per_execution`).
        """
        defaults = self.default_optimizers()
        d_optimizer = resolve_optimizer("d_optimizer", d_optimizer, defaults["d_optimizer"])
        g_optimizer = resolve_optimizer("g_optimizer", g_optimizer, defaults["g_optimizer"])
        if d_optimizer is g_optimizer:
            raise ValueError(
                "`d_optimizer` and `g_optimizer` must be two different optimizer "
                "objects: each keeps its own moment estimates for its own network."
            )
        self.d_optimizer, self.g_optimizer = compile_with_optimizers(
            self, {self.discriminator: d_optimizer, self.generator: g_optimizer}, jit_compile, kwargs
        )

    def get_compile_config(self):
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            **self._compile_arguments,
        }

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config.pop("d_optimizer")),
            g_optimizer=keras.saving.deserialize_keras_object(config.pop("g_optimizer")),
            **config,
        )

    @property
    def metrics(self):
        # Listing the trackers here lets Keras reset them at each epoch start.
        return list(self.trackers.values())

    # ------------------------------------------------------ the prior -- #
    def sample_latent(self, batch_size, seed=None):
        """A batch of noise vectors z from the prior (`latent_distribution`).

        `seed`: None draws from the model's SeedGenerator (new noise every
        call); an int gives the same vectors every time.
        """
        seed = self.seed_generator if seed is None else int(seed)
        shape = (batch_size, self.latent_dim)
        if self.latent_distribution == "uniform":
            return keras.random.uniform(shape, minval=-1.0, maxval=1.0, seed=seed)
        return keras.random.normal(shape, seed=seed)

    # ------------------------------------- hooks for conditional models -- #
    # A plain GAN ignores labels and has one output per image. ConditionalGAN
    # and InfoGAN (gan_keras.models.conditional) override these methods.
    def split_batch(self, data):
        """(real images, labels or None) of a training batch."""
        return images_of(data), None

    def generator_inputs(self, latent, labels):
        """What G receives for the latent vectors (and the labels, if conditional)."""
        return latent

    def discriminator_inputs(self, images, labels):
        """What D receives for a batch of images (and their labels, if conditional)."""
        return images

    def split_discriminator_outputs(self, outputs):
        """(real/fake logits, auxiliary outputs or None) of D's outputs."""
        return outputs, None

    def updates_done(self):
        """How many times the generator has been updated so far (once every
        `discriminator_steps` batches)."""
        return int(ops.convert_to_numpy(self.g_optimizer.iterations))

    # ----------------------------------------------------- the training -- #
    def train_batch(self, data):
        """Algorithm 1 on one batch of real images."""
        real_images, labels = self.split_batch(data)
        # The discriminator goes first: it learns to tell the real images from
        # fakes. The generator's update needs a D that already reacts to the
        # current fakes, otherwise its gradient points nowhere useful.
        self.update(self.discriminator, self.d_optimizer, self.loss_terms.discriminator_loss, real_images, labels)
        # Then the generator learns to make D call its (fresh) fakes real,
        # after every k-th discriminator update: each of the k D updates
        # sees a fresh batch of real data. With k = 1 (the paper's choice)
        # the condition is a plain True and nothing conditional is compiled.
        every_kth = self.discriminator_steps == 1 or self.d_optimizer.iterations % self.discriminator_steps == 0
        backend.run_if(
            every_kth,
            lambda: self.update(self.generator, self.g_optimizer, self.loss_terms.generator_loss, real_images, labels),
        )
        return self.results()

    def update(self, network, optimizer, loss_of, real_images, labels):
        """One optimiser step of `network` alone on `loss_of(step)` plus the
        regularisers that concern it, for fresh noise; the other network's
        weights are inputs, not trained."""

        def objective():
            step = GANStep(self, real_images, labels, training=True)
            loss, values = self.network_loss(step, network, loss_of)
            return objective_of(loss, network, optimizer), values

        values = descend(objective, network, optimizer)
        for term in (self.loss_terms, *self.regularizers):
            for variable, value in term.state_updates(network, values):
                variable.assign(value)
        self.track(values)

    def network_loss(self, step, network, loss_of):
        """`loss_of(step)` plus the penalties of the regularisers that concern
        `network`: (loss, the values to show in the progress bar)."""
        loss, values = loss_of(step)
        for regularizer in self.regularizers:
            penalty = regularizer.penalty(step, network)
            if penalty is not None:
                loss = loss + penalty[0]
                values = {**values, **penalty[1]}
        return loss, values

    def track(self, values):
        for name, value in values.items():
            self.trackers[name].update_state(value)

    def results(self):
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def test_batch(self, data):
        """The same losses and values on held-out real images, without updates.

        A discriminator whose held-out D_x falls far below its training D_x is
        memorising the training set.
        """
        real_images, labels = self.split_batch(data)
        step = GANStep(self, real_images, labels, training=False)
        for network, loss_of in ((self.discriminator, self.loss_terms.discriminator_loss),
                                 (self.generator, self.loss_terms.generator_loss)):
            self.track(self.network_loss(step, network, loss_of)[1])
        return self.results()

    # ------------------------------------------------------- sampling -- #
    def generate(self, num_images, seed=None, batch_size=256):
        """`num_images` new samples as a float32 NumPy array (images: in [-1, 1]).

        Args:
            num_images: how many images.
            seed: an int gives the same images every call (for the same
                weights); None draws fresh noise from the model's SeedGenerator.
            batch_size: images generated per forward pass.
        """
        check_positive_int("num_images", num_images)
        return self.generate_from(self.sample_latent(num_images, seed=seed), batch_size=batch_size)

    def generate_from(self, latent, labels=None, batch_size=256):
        """The images made from given latent vectors (N, latent_dim): float32
        NumPy, for interpolations and latent arithmetic. `labels` (N,) only
        for conditional models."""
        latent = ops.convert_to_tensor(latent, dtype="float32")
        if len(latent.shape) != 2 or latent.shape[1] != self.latent_dim:
            raise ValueError(
                f"Expected latent vectors of shape (N, {self.latent_dim}). Received: shape {tuple(latent.shape)}"
            )
        labels = self._check_generation_labels(labels, latent.shape[0])
        images = []
        for start in range(0, latent.shape[0], batch_size):
            chunk_labels = None if labels is None else labels[start : start + batch_size]
            inputs = self.generator_inputs(latent[start : start + batch_size], chunk_labels)
            images.append(ops.convert_to_numpy(self.generator(inputs, training=False)))
        return np.concatenate(images).astype("float32")

    def _check_generation_labels(self, labels, count):
        if labels is not None:
            raise ValueError(f"This {type(self).__name__} is not conditional: generate without labels.")
        return None

    # -------------------------------------------------- serialisation -- #
    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "loss": keras.saving.serialize_keras_object(self.loss_terms),
            "regularizers": [keras.saving.serialize_keras_object(r) for r in self.regularizers],
            "discriminator_steps": self.discriminator_steps,
            "latent_distribution": self.latent_distribution,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator", "loss"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        config["regularizers"] = [keras.saving.deserialize_keras_object(r) for r in config.get("regularizers", [])]
        return cls(**config)
