"""The original GAN: Goodfellow et al. 2014, "Generative Adversarial Nets".

Course sections 1 and 2. Read this file top to bottom as the lesson:

1. the dense generator and discriminator whose Keras layer tables the slides
   print (`dense_generator`, `dense_discriminator`);
2. the introductory lesson's convolutional pair: a CNN classifier as the
   discriminator and a transposed-convolution generator (`conv_generator`,
   `conv_discriminator`);
3. the `GAN` model that trains any such pair with `fit()`: the discriminator
   learns to tell real (label 1) from fake (label 0), then the generator learns
   to make D say "real" for its fakes, alternating.

Later models (DCGAN, WGAN, InfoGAN, ...) reuse `GAN` by overriding its loss
hooks (`discriminator_loss`, `generator_loss`) or passing other networks; they
never copy its train loop.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from gan_keras import losses
from gan_keras._checks import check_positive_int
from gan_keras.layers import PrependReferenceBatch
from gan_keras.models._common import (
    MNIST_SHAPE,
    check_image_shape,
    couples_batch,
    default_jit_compile,
    descend,
    images_of,
    objective_of,
    with_loss_scaling,
)

LATENT_DISTRIBUTIONS = ("normal", "uniform")

__all__ = [
    "GAN",
    "mlp_generator",
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


def mlp_generator(latent_dim=2, output_dim=2, units=128, depth=3):
    """A small ReLU perceptron for 2-D toy data: z -> a point (linear output).

    Toy problems (a ring of Gaussians) make mode collapse visible at a glance:
    every mode the generator misses is an empty blob on the plot.
    """
    check_positive_int("latent_dim", latent_dim)
    model = keras.Sequential([keras.Input(shape=(latent_dim,), name="z")], name="mlp_generator")
    for _ in range(depth):
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(output_dim))
    return model


def mlp_discriminator(input_dim=2, units=128, depth=3, leak=0.2):
    """A small LeakyReLU perceptron judging 2-D points: point -> one logit."""
    model = keras.Sequential([keras.Input(shape=(input_dim,), name="point")], name="mlp_discriminator")
    for _ in range(depth):
        model.add(layers.Dense(units))
        model.add(layers.LeakyReLU(negative_slope=leak))
    model.add(layers.Dense(1))
    return model


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


# --------------------------------------------------------------------------- #
# 3. The adversarial game as a keras.Model
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class GAN(keras.Model):
    """A generator and a discriminator trained against each other with `fit()`.

    Goodfellow et al. 2014, "Generative Adversarial Nets", Algorithm 1: each
    batch of real images gives one discriminator update (real label 1, fake
    label 0); after every `discriminator_steps` such updates, the generator is
    updated once through D, whose weights stay fixed during that update, to
    make D label its fakes as real.

    Args:
        generator: a model mapping noise of shape (latent_dim,) to images.
        discriminator: a model mapping images to one logit per image.
        generator_loss: "non_saturating" (default, -log D(G(z))) or "minimax"
            (log(1 - D(G(z))), which saturates early in training).
        discriminator_steps: k, the number of discriminator updates (each on
            a fresh batch) per generator update. The paper used k = 1.
        latent_distribution: the prior of z: "normal" (N(0, I), default) or
            "uniform" (U(-1, 1) in every dimension, as in DCGAN).
        real_label: D's target for real images; 0.9 is one-sided label
            smoothing (Salimans et al. 2016, section 3.4).
        feature_matching: False (G maximises D's output), True (G matches the
            batch means of the input of D's last layer, Salimans et al. 2016,
            section 3.1), or the name of the D layer whose output to match.
        historical_averaging: weight lambda of the penalty
            lambda * ||theta - mean of past thetas||^2 added to both players'
            losses (section 3.3); 0 turns it off.
        seed: seed of the model's `SeedGenerator`, from which all training
            noise is drawn.

    The progress bar shows the means over the epoch of `d_loss`, `g_loss`,
    `D_x` (mean D(x) on real images) and `D_G_z` (mean D(G(z)) on fakes). At
    the ideal end of training D_x = D_G_z = 0.5.

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
        generator_loss="non_saturating",
        discriminator_steps=1,
        latent_distribution="normal",
        real_label=1.0,
        feature_matching=False,
        historical_averaging=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"Invalid value for argument `latent_distribution`. Expected one of {LATENT_DISTRIBUTIONS}. "
                f"Received: latent_distribution={latent_distribution!r}"
            )
        for role, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.Model):
                raise ValueError(
                    f"Invalid value for argument `{role}`. Expected a keras.Model. "
                    f"Received: {role}={network!r}"
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
        self.generator_loss_name = generator_loss
        self._generator_loss_fn = losses.get_generator_loss(generator_loss)
        self.discriminator_steps = int(discriminator_steps)
        self.latent_distribution = latent_distribution
        _check_reference_batches(generator, latent_distribution)
        self._discriminator_couples_batch = couples_batch(discriminator)
        self._set_improved_techniques(real_label, feature_matching, historical_averaging)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_score_tracker = keras.metrics.Mean(name="D_x")
        self.fake_score_tracker = keras.metrics.Mean(name="D_G_z")
        # Both networks are built from Inputs, so the wrapper is complete now;
        # saying so lets save(), BackupAndRestore and distribution strategies work.
        self.built = True

    def _set_improved_techniques(self, real_label, feature_matching, historical_averaging):
        """The switches of Salimans et al. 2016 that live in the training, not in the networks."""
        if not isinstance(real_label, (int, float)) or not 0.5 < real_label <= 1.0:
            raise ValueError(f"Invalid value for argument `real_label`. Expected a number in (0.5, 1] "
                             f"(1: no smoothing, 0.9: one-sided label smoothing). Received: real_label={real_label!r}")
        self.real_label = float(real_label)

        self.feature_matching = feature_matching
        self._feature_extractor = None
        if feature_matching:
            if feature_matching is True:
                features = self.discriminator.layers[-1].input  # what D's last layer sees
            else:
                try:
                    features = self.discriminator.get_layer(feature_matching).output
                except ValueError:
                    names = [layer.name for layer in self.discriminator.layers]
                    raise ValueError(f"Invalid value for argument `feature_matching`: the discriminator has no layer "
                                     f"{feature_matching!r}. Expected True or one of {names}.") from None
            inputs = self.discriminator.inputs
            self._feature_extractor = keras.Model(
                inputs[0] if len(inputs) == 1 else inputs, features, name="discriminator_features"
            )

        if not isinstance(historical_averaging, (int, float)) or historical_averaging < 0:
            raise ValueError(f"Invalid value for argument `historical_averaging`. Expected a weight >= 0 "
                             f"(0: off). Received: historical_averaging={historical_averaging!r}")
        self.historical_averaging = float(historical_averaging)
        self._history = {}
        if self.historical_averaging:
            # The running mean of each weight over all past steps, saved with the model.
            for role, network in (("generator", self.generator), ("discriminator", self.discriminator)):
                self._history[role] = [
                    self.add_weight(shape=weight.shape, initializer="zeros", trainable=False,
                                    name=f"{role}_history_{index}")
                    for index, weight in enumerate(network.trainable_weights)
                ]
                for average, weight in zip(self._history[role], network.trainable_weights):
                    average.assign(weight)

    def call(self, noise, training=False):
        """Images made from `noise` (shape (batch, latent_dim))."""
        return self.generator(noise, training=training)

    # ----------------------------------------------------------- compile -- #
    def compile(self, d_optimizer="auto", g_optimizer="auto", jit_compile="auto", **kwargs):
        """Sets one optimiser per network.

        Args:
            d_optimizer, g_optimizer: optimiser instances, names, or "auto" for
                the course's Adam(learning_rate=2e-4, beta_1=0.5) (Radford et
                al. 2016's setting, used by the course for every GAN).
            jit_compile: True/False, or "auto" for `default_jit_compile()`.
            **kwargs: passed on to `keras.Model.compile` (e.g. `run_eagerly`,
                `steps_per_execution`).
        """
        d_optimizer = self._resolve_optimizer("d_optimizer", d_optimizer)
        g_optimizer = self._resolve_optimizer("g_optimizer", g_optimizer)
        if d_optimizer is g_optimizer:
            raise ValueError(
                "`d_optimizer` and `g_optimizer` must be two different optimizer "
                "objects: each keeps its own moment estimates for its own network."
            )
        # Saved as given, so a model saved on one device picks its own XLA
        # setting when loaded on another.
        self._compile_arguments = {"jit_compile": jit_compile, **kwargs}
        if jit_compile == "auto" and not kwargs.get("run_eagerly"):
            jit_compile = default_jit_compile()
        super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)
        if keras.config.dtype_policy().name == "mixed_float16":
            d_optimizer = with_loss_scaling(d_optimizer)
            g_optimizer = with_loss_scaling(g_optimizer)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Create the optimiser variables now, not lazily in the first step: then
        # load_model restores them, and BackupAndRestore finds them.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @staticmethod
    def _resolve_optimizer(argument, optimizer):
        if isinstance(optimizer, str) and optimizer == "auto":
            return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)
        try:
            return keras.optimizers.get(optimizer)
        except ValueError:
            raise ValueError(
                f"Invalid value for argument `{argument}`. Expected 'auto', an "
                "optimizer name such as 'adam', or a keras.optimizers.Optimizer. "
                f"Received: {argument}={optimizer!r}"
            ) from None

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
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_score_tracker,
            self.fake_score_tracker,
        ]

    # --------------------------------------------------- the loss hooks -- #
    def discriminator_loss(self, real_logits, fake_logits):
        """D's loss: cross-entropy with real label `real_label` (1) and fake label 0."""
        return losses.minimax_discriminator_loss(real_logits, fake_logits, real_label=self.real_label)

    def generator_loss(self, fake_logits):
        """G's loss, chosen by `generator_loss` at construction."""
        return self._generator_loss_fn(fake_logits)

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
    # and InfoGAN (gan_keras.models.conditional) override these four methods
    # and nothing else of the loop below.
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

    def latent_code_loss(self, latent, auxiliary_outputs):
        """An extra loss on the fakes' latent vectors, added to both players' (InfoGAN's); 0 here."""
        return 0.0

    # ----------------------------------------------------- the training -- #
    def train_step(self, data):
        real_images, labels = self.split_batch(data)
        batch_size = ops.shape(real_images)[0]
        # The discriminator goes first: the generator's update needs a D that
        # already reacts to the current fakes, otherwise its gradient points
        # nowhere useful.
        self._train_discriminator(real_images, labels, batch_size)
        if self.discriminator_steps == 1:
            self._train_generator(real_images, labels, batch_size)
        else:
            # Every batch trains D once; G trains after every k-th D update,
            # so each of the k D updates sees fresh real data (Algorithm 1).
            tf.cond(
                self.d_optimizer.iterations % self.discriminator_steps == 0,
                lambda: self._train_generator(real_images, labels, batch_size),
                lambda: None,
            )
        return {metric.name: metric.result() for metric in self.metrics}

    def _train_discriminator(self, real_images, labels, batch_size):
        # The fakes are inputs to D here, not something to train: G's weights
        # receive no gradient in this update. They are made for the real
        # batch's labels, so a conditional D sees both classes equally often.
        latent = self.sample_latent(batch_size)
        fake_images = self.generator(self.generator_inputs(latent, labels), training=True)
        with tf.GradientTape() as tape:
            real_outputs, fake_outputs = self._judge(real_images, fake_images, labels, training=True)
            real_logits, _ = self.split_discriminator_outputs(real_outputs)
            fake_logits, fake_auxiliary = self.split_discriminator_outputs(fake_outputs)
            d_loss = self.discriminator_loss(real_logits, fake_logits)
            extra = self.latent_code_loss(latent, fake_auxiliary) + self._historical_penalty("discriminator")
            objective = objective_of(d_loss + extra, self.discriminator, self.d_optimizer)
        descend(tape, objective, self.discriminator, self.d_optimizer)
        self._update_history("discriminator", self.d_optimizer)

        self.d_loss_tracker.update_state(d_loss)
        self.real_score_tracker.update_state(ops.sigmoid(ops.cast(real_logits, "float32")))
        self.fake_score_tracker.update_state(ops.sigmoid(ops.cast(fake_logits, "float32")))

    def _judge(self, real_images, fake_images, labels, training):
        """D's outputs for the real and the fake batch.

        A discriminator without batch-coupled layers treats each image on its
        own, so one call on both batches together gives the same outputs as
        two calls and runs faster (one larger matrix product). With BatchNorm
        the batch statistics would mix real and fake images, so each batch
        gets its own call, as in DCGAN.
        """
        real_inputs = self.discriminator_inputs(real_images, labels)
        fake_inputs = self.discriminator_inputs(ops.cast(fake_images, real_images.dtype), labels)
        if self._discriminator_couples_batch:
            return (
                self.discriminator(real_inputs, training=training),
                self.discriminator(fake_inputs, training=training),
            )
        both = keras.tree.map_structure(lambda real, fake: ops.concatenate([real, fake], axis=0), real_inputs, fake_inputs)
        outputs = self.discriminator(both, training=training)
        count = ops.shape(real_images)[0]
        return (
            keras.tree.map_structure(lambda output: output[:count], outputs),
            keras.tree.map_structure(lambda output: output[count:], outputs),
        )

    def _train_generator(self, real_images, labels, batch_size):
        # Fresh noise, and only G's weights are updated: D is held fixed while
        # G learns to fool it (the "stacked G -> D with D frozen" of the slides).
        latent = self.sample_latent(batch_size)
        with tf.GradientTape() as tape:
            fake_images = self.generator(self.generator_inputs(latent, labels), training=True)
            g_loss, fake_auxiliary = self._generator_objective(real_images, fake_images, labels, training=True)
            extra = self.latent_code_loss(latent, fake_auxiliary) + self._historical_penalty("generator")
            objective = objective_of(g_loss + extra, self.generator, self.g_optimizer)
        descend(tape, objective, self.generator, self.g_optimizer)
        self._update_history("generator", self.g_optimizer)
        self.g_loss_tracker.update_state(g_loss)

    def _generator_objective(self, real_images, fake_images, labels, training):
        """G's loss on a batch of fakes, and D's auxiliary outputs for them.

        The loss is D's verdict, or with feature matching the distance between
        D's mean features on real and fake images.
        """
        fake_outputs = self.discriminator(self.discriminator_inputs(fake_images, labels), training=training)
        fake_logits, fake_auxiliary = self.split_discriminator_outputs(fake_outputs)
        if self._feature_extractor is None:
            return self.generator_loss(fake_logits), fake_auxiliary
        real_features = self._feature_extractor(self.discriminator_inputs(real_images, labels), training=training)
        fake_features = self._feature_extractor(
            self.discriminator_inputs(ops.cast(fake_images, real_images.dtype), labels), training=training
        )
        return losses.feature_matching_loss(ops.stop_gradient(real_features), fake_features), fake_auxiliary

    # ------------------------------------------------ historical averaging -- #
    def _historical_penalty(self, role):
        if not self.historical_averaging:
            return 0.0
        network = self.generator if role == "generator" else self.discriminator
        return self.historical_averaging * losses.historical_average_penalty(
            network.trainable_weights, self._history[role]
        )

    def _update_history(self, role, optimizer):
        """The running mean over the weights after every update so far (and the initial ones)."""
        if not self.historical_averaging:
            return
        network = self.generator if role == "generator" else self.discriminator
        count = ops.cast(optimizer.iterations, "float32") + 1.0
        for average, weight in zip(self._history[role], network.trainable_weights):
            average.assign(average + (ops.cast(weight, average.dtype) - average) / count)

    def test_step(self, data):
        """The same losses and scores on held-out real images, without updates.

        A discriminator whose held-out D_x falls far below its training D_x is
        memorising the training set.
        """
        real_images, labels = self.split_batch(data)
        batch_size = ops.shape(real_images)[0]
        latent = self.sample_latent(batch_size)
        fake_images = self.generator(self.generator_inputs(latent, labels), training=False)
        real_outputs, fake_outputs = self._judge(real_images, fake_images, labels, training=False)
        real_logits, _ = self.split_discriminator_outputs(real_outputs)
        fake_logits, fake_auxiliary = self.split_discriminator_outputs(fake_outputs)
        self.latent_code_loss(latent, fake_auxiliary)  # InfoGAN tracks its info_loss here
        g_loss, _ = self._generator_objective(real_images, fake_images, labels, training=False)
        self.d_loss_tracker.update_state(self.discriminator_loss(real_logits, fake_logits))
        self.g_loss_tracker.update_state(g_loss)
        self.real_score_tracker.update_state(ops.sigmoid(ops.cast(real_logits, "float32")))
        self.fake_score_tracker.update_state(ops.sigmoid(ops.cast(fake_logits, "float32")))
        return {metric.name: metric.result() for metric in self.metrics}

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
            "generator_loss": self.generator_loss_name,
            "discriminator_steps": self.discriminator_steps,
            "latent_distribution": self.latent_distribution,
            "real_label": self.real_label,
            "feature_matching": self.feature_matching,
            "historical_averaging": self.historical_averaging,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for role in ("generator", "discriminator"):
            config[role] = keras.saving.deserialize_keras_object(config[role])
        return cls(**config)
