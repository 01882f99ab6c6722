"""GANs told what to make: the conditional GAN and InfoGAN (course section 6).

Read this file top to bottom as the lesson:

1. the conditional GAN (Mirza & Osindero 2014, "Conditional Generative
   Adversarial Nets"): G and D both receive the class label y, so G learns
   p(x | y) and D judges whether x is a real image *of class y*. The paper's
   MNIST networks (`cgan_generator`, `cgan_discriminator`, with maxout) and a
   convolutional pair on DCGAN's rules (`conditional_dcgan_generator`,
   `conditional_dcgan_discriminator`);
2. `ConditionalGAN`: the `GAN` of section 1 with labels passed to both
   networks, through `GAN`'s hooks; its train loop is `GAN`'s;
3. InfoGAN (Chen et al. 2016, "InfoGAN: Interpretable Representation Learning
   by Information Maximizing Generative Adversarial Nets"): no labels at all.
   G's input is split into noise z and a code c (a 10-way categorical and 2
   continuous values); a head Q on D's body predicts c from G(z, c), and the
   loss lambda * L_I (cross-entropy for the categorical code, Gaussian
   negative log-likelihood for the continuous ones) is added to both G's and
   D/Q's losses. Maximising this bound on the mutual information I(c; G(z, c))
   makes c visible in the images: on MNIST the categorical code becomes the
   digit class and the continuous codes rotation and stroke width;
4. `InfoGAN`: again `GAN`'s loop, with the code in the prior and the L_I hook.
"""

import keras
import numpy as np
from keras import layers, ops

from gan_keras._checks import check_number, check_positive_int
from gan_keras.layers import Maxout
from gan_keras.models._common import MNIST_SHAPE, check_image_shape, images_of
from gan_keras.models.dcgan import dcgan_discriminator, dcgan_generator
from gan_keras.models.gan import GAN
from gan_keras.objectives import MutualInformation

__all__ = [
    "ConditionalGAN",
    "InfoGAN",
    "cgan_discriminator",
    "cgan_generator",
    "conditional_dcgan_discriminator",
    "conditional_dcgan_generator",
    "infogan_discriminator",
    "infogan_generator",
]


# --------------------------------------------------------------------------- #
# 1. Conditional networks: the label is a second input
# --------------------------------------------------------------------------- #
def cgan_generator(latent_dim=100, num_classes=10, image_shape=MNIST_SHAPE, dropout=0.5):
    """Mirza & Osindero's MNIST generator: [z, one-hot y] -> image.

    z -> Dense 200 ReLU and y -> Dense 1000 ReLU, joined into Dense 1200
    ReLU, then Dense 784 -> 28x28x1. The paper's output is a sigmoid for
    pixels in [0, 1]; tanh here, because the package's images live in
    [-1, 1]. Dropout 0.5 on the hidden layers, as in the paper.
    """
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("num_classes", num_classes)
    image_shape = check_image_shape(image_shape)
    noise = keras.Input((latent_dim,), name="z")
    label = keras.Input((num_classes,), name="label")
    hidden = layers.Dropout(dropout)(layers.Dense(200, activation="relu", name="z_hidden")(noise))
    label_hidden = layers.Dropout(dropout)(layers.Dense(1000, activation="relu", name="label_hidden")(label))
    joint = layers.Concatenate(name="join")([hidden, label_hidden])
    joint = layers.Dropout(dropout)(layers.Dense(1200, activation="relu", name="joint_hidden")(joint))
    pixels = layers.Dense(int(np.prod(image_shape)), activation="tanh", name="pixels")(joint)
    return keras.Model([noise, label], layers.Reshape(image_shape)(pixels), name="cgan_generator")


def cgan_discriminator(image_shape=MNIST_SHAPE, num_classes=10, dropout=0.5):
    """Mirza & Osindero's MNIST discriminator: [image, one-hot y] -> logit.

    The image -> maxout 240 units x 5 pieces, y -> maxout 50 units x 5
    pieces, joined into maxout 240 units x 4 pieces, then one linear logit
    (the paper's sigmoid is in the loss). Dropout 0.5 on the hidden layers.
    """
    check_positive_int("num_classes", num_classes)
    image_shape = check_image_shape(image_shape)
    image = keras.Input(image_shape, name="image")
    label = keras.Input((num_classes,), name="label")
    hidden = layers.Dropout(dropout)(Maxout(240, 5, name="image_maxout")(layers.Flatten()(image)))
    label_hidden = layers.Dropout(dropout)(Maxout(50, 5, name="label_maxout")(label))
    joint = layers.Concatenate(name="join")([hidden, label_hidden])
    joint = layers.Dropout(dropout)(Maxout(240, 4, name="joint_maxout")(joint))
    return keras.Model([image, label], layers.Dense(1, name="logit")(joint), name="cgan_discriminator")


def conditional_dcgan_generator(latent_dim=100, num_classes=10, image_shape=MNIST_SHAPE, **dcgan_options):
    """DCGAN's generator fed [z, one-hot y] joined into one vector."""
    check_positive_int("num_classes", num_classes)
    noise = keras.Input((latent_dim,), name="z")
    label = keras.Input((num_classes,), name="label")
    body = dcgan_generator(latent_dim + num_classes, image_shape, **dcgan_options)
    images = body(layers.Concatenate(name="join")([noise, label]))
    return keras.Model([noise, label], images, name="conditional_dcgan_generator")


def conditional_dcgan_discriminator(image_shape=MNIST_SHAPE, num_classes=10, **dcgan_options):
    """DCGAN's discriminator on the image with the one-hot label added as
    `num_classes` constant channels: every position sees the class."""
    check_positive_int("num_classes", num_classes)
    height, width, channels = check_image_shape(image_shape)
    image = keras.Input((height, width, channels), name="image")
    label = keras.Input((num_classes,), name="label")
    label_maps = layers.UpSampling2D((height, width), name="label_maps")(layers.Reshape((1, 1, num_classes))(label))
    body = dcgan_discriminator((height, width, channels + num_classes), **dcgan_options)
    logit = body(layers.Concatenate(name="join")([image, label_maps]))
    return keras.Model([image, label], logit, name="conditional_dcgan_discriminator")


# --------------------------------------------------------------------------- #
# 2. The conditional GAN: labels through GAN's hooks
# --------------------------------------------------------------------------- #
def _check_labels(labels, count, num_classes):
    labels = np.asarray(labels)
    if labels.ndim == 0:
        labels = np.full(count, labels)
    if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"Expected `labels` to be one int or {count} ints in [0, {num_classes}). "
            f"Received: {labels.dtype} array of shape {labels.shape}"
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(f"Labels must lie in [0, {num_classes}). Received: min {labels.min()}, max {labels.max()}")
    return labels.astype("int32")


@keras.saving.register_keras_serializable(package="gan_keras")
class ConditionalGAN(GAN):
    """The conditional GAN of Mirza & Osindero 2014, trained with `fit()` on
    `(images, labels)` batches.

    `GAN`'s training, with the batch's labels (one-hot) given to G beside z
    and to D beside the image: D learns to reject real-looking images of the
    wrong class, so G must make the class it is asked for. All of `GAN`'s
    options (losses, label smoothing, ...) apply.

    Args:
        generator: [z, one-hot label] -> image, e.g. `conditional_dcgan_generator()`.
        discriminator: [image, one-hot label] -> logit.
        **kwargs: `GAN`'s arguments.

    Example:

    ```python
    cgan = ConditionalGAN(conditional_dcgan_generator(), conditional_dcgan_discriminator(), seed=0)
    cgan.compile()
    cgan.fit(load_dataset("mnist", batch_size=64, with_labels=True), epochs=20)
    sevens = cgan.generate(8, labels=7)
    ```
    """

    conditional = True

    def __init__(self, generator, discriminator, **kwargs):
        for role, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.Model) or len(network.inputs) != 2:
                raise ValueError(
                    f"ConditionalGAN's {role} must be a keras.Model with two inputs, "
                    f"[{'z' if role == 'generator' else 'image'}, one-hot label]. Received: {network!r}"
                )
        generator_classes, discriminator_classes = int(generator.inputs[1].shape[-1]), int(discriminator.inputs[1].shape[-1])
        if generator_classes != discriminator_classes:
            raise ValueError(
                f"The generator knows {generator_classes} classes and the discriminator {discriminator_classes}: "
                "they must agree."
            )
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = generator_classes

    # The hooks: the label is the networks' second input.
    def split_batch(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "ConditionalGAN trains on (images, labels) batches, e.g. "
                "load_dataset('mnist', with_labels=True). Received batches of images alone."
            )
        return data[0], data[1]

    def _one_hot(self, labels):
        return ops.one_hot(ops.cast(ops.reshape(labels, (-1,)), "int32"), self.num_classes)

    def generator_inputs(self, latent, labels):
        return [latent, self._one_hot(labels)]

    def discriminator_inputs(self, images, labels):
        images = ops.convert_to_tensor(images)
        return [images, ops.cast(self._one_hot(labels), images.dtype)]

    # Sampling: every image is made for a label.
    def generate(self, num_images, seed=None, labels=None, batch_size=256):
        """`num_images` images of the given `labels` (one int, or one per
        image); None cycles through the classes 0, 1, ..., num_classes - 1."""
        check_positive_int("num_images", num_images)
        if labels is None:
            labels = np.arange(num_images) % self.num_classes
        labels = _check_labels(labels, num_images, self.num_classes)
        return self.generate_from(self.sample_latent(num_images, seed=seed), labels=labels, batch_size=batch_size)

    def _check_generation_labels(self, labels, count):
        if labels is None:
            raise ValueError("A ConditionalGAN makes images of given classes: pass `labels`.")
        return _check_labels(labels, count, self.num_classes)


# --------------------------------------------------------------------------- #
# 3. InfoGAN's networks (Chen et al. 2016, Appendix C.1, MNIST)
# --------------------------------------------------------------------------- #
def infogan_generator(noise_dim=62, num_categories=10, num_continuous=2, image_shape=MNIST_SHAPE):
    """InfoGAN's MNIST generator: [z (62), c (10 + 2)] joined (74) -> image.

    Dense 1024, BN, ReLU; Dense 7x7x128, BN, ReLU; 4x4 stride-2 transposed
    convolution to 64 channels, BN, ReLU; 4x4 stride-2 transposed
    convolution to the image, tanh (the paper's sigmoid, for [-1, 1] images).
    """
    height, width, channels = check_image_shape(image_shape)
    if height % 4 or width % 4:
        raise ValueError(f"infogan_generator grows 4x: height and width must be multiples of 4. "
                         f"Received: image_shape={tuple(image_shape)}")
    latent = keras.Input((noise_dim + num_categories + num_continuous,), name="z_and_code")
    hidden = layers.ReLU()(layers.BatchNormalization()(layers.Dense(1024, use_bias=False)(latent)))
    hidden = layers.Dense(height // 4 * width // 4 * 128, use_bias=False)(hidden)
    hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    hidden = layers.Reshape((height // 4, width // 4, 128))(hidden)
    hidden = layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False)(hidden)
    hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    images = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh", name="to_image")(hidden)
    return keras.Model(latent, images, name="infogan_generator")


def infogan_discriminator(image_shape=MNIST_SHAPE, num_categories=10, num_continuous=2, leak=0.1):
    """InfoGAN's MNIST discriminator with its Q head: image -> [logit, Q's outputs].

    Shared body: 4x4 stride-2 convolution to 64 channels, LeakyReLU(0.1);
    4x4 stride-2 convolution to 128, BN, LeakyReLU; Dense 1024, LeakyReLU
    (the paper: with BN, which stops training here; see the comment in the
    code). D: Dense 1 (a logit). Q: Dense 128, BN, LeakyReLU, then
    `num_categories` logits of the categorical code and `num_continuous`
    means of the continuous codes (a factored Gaussian with unit variance).
    """
    image_shape = check_image_shape(image_shape)
    image = keras.Input(image_shape, name="image")
    hidden = layers.LeakyReLU(leak)(layers.Conv2D(64, 4, strides=2, padding="same")(image))
    hidden = layers.Conv2D(128, 4, strides=2, padding="same", use_bias=False)(hidden)
    hidden = layers.LeakyReLU(leak)(layers.BatchNormalization()(hidden))
    # The paper puts BatchNorm after this layer too. Here D judges real and
    # fake batches in separate calls (as DCGAN does, and as `GAN` does for
    # every D with BatchNorm), and a BatchNorm this close to the linear logit
    # then gives both batches nearly the same mean logit: measured, D could
    # no longer teach G anything (classifier score 1.0, noise, after 2
    # epochs). Without it the model trains.
    body = layers.LeakyReLU(leak, name="shared_body")(layers.Dense(1024, name="shared_dense")(layers.Flatten()(hidden)))
    logit = layers.Dense(1, name="logit")(body)
    q_hidden = layers.LeakyReLU(leak)(layers.BatchNormalization()(layers.Dense(128, use_bias=False, name="q_hidden")(body)))
    q_outputs = layers.Dense(num_categories + num_continuous, name="q_outputs")(q_hidden)
    return keras.Model(image, [logit, q_outputs], name="infogan_discriminator")


# --------------------------------------------------------------------------- #
# 4. InfoGAN: the code in the prior, L_I through GAN's hooks
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class InfoGAN(GAN):
    """InfoGAN (Chen et al. 2016), trained with `fit()` on images alone.

    The latent vector is [z, c]: z noise (`latent_distribution`), c a
    one-hot categorical code of `num_categories` values (uniform) and
    `num_continuous` codes uniform in [-1, 1]. D has two outputs: the
    real/fake logit and Q's prediction of c. After each D and each G step's
    usual loss, `info_weight` * L_I is added, where

        L_I = CE(c_cat, softmax(Q_cat)) + sum_j (c_j - Q_j)^2 / 2,

    the negative log-likelihood of c under Q (up to the constant of the unit
    Gaussian), i.e. minus the paper's lower bound on I(c; G(z, c)) plus the
    code's fixed entropy. In D's step it trains Q (and the shared body); in
    G's step it trains G to make c recoverable. `info_loss` (the mean of L_I
    over both steps) joins the progress bar.

    Args:
        generator: [z, c] joined -> image, e.g. `infogan_generator()`.
        discriminator: image -> [logit, Q outputs (num_categories + num_continuous)].
        num_categories, num_continuous: the code's sizes (10 and 2 for MNIST).
        info_weight: lambda (1 in the paper's MNIST experiment; the paper
            notes that continuous codes often want a smaller lambda).
        **kwargs: `GAN`'s arguments.

    `compile()` defaults to the paper's learning rates: Adam 2e-4 for D and
    Q, 1e-3 for G (beta_1 = 0.5).
    """

    has_codes = True

    def __init__(self, generator, discriminator, num_categories=10, num_continuous=2, info_weight=1.0, **kwargs):
        check_positive_int("num_categories", num_categories)
        if not isinstance(num_continuous, int) or num_continuous < 0:
            raise ValueError(f"Invalid value for argument `num_continuous`. Expected an int >= 0. "
                             f"Received: num_continuous={num_continuous!r}")
        if not isinstance(discriminator, keras.Model) or len(discriminator.outputs) != 2:
            raise ValueError("InfoGAN's discriminator must be a keras.Model with two outputs, [logit, Q outputs], "
                             f"e.g. infogan_discriminator(). Received: {discriminator!r}")
        code_size = num_categories + num_continuous
        if int(discriminator.outputs[1].shape[-1]) != code_size:
            raise ValueError(f"Q must output {num_categories} category logits and {num_continuous} continuous means "
                             f"({code_size} values). Received: {int(discriminator.outputs[1].shape[-1])}")
        check_number("info_weight", info_weight, "a number >= 0", lambda value: value >= 0)
        # lambda * L_I joins both networks' objectives as a regulariser.
        self.information = MutualInformation(num_categories, num_continuous, weight=info_weight, name="information")
        regularizers = [r for r in kwargs.pop("regularizers", ()) if not isinstance(r, MutualInformation)]
        super().__init__(generator, discriminator, regularizers=[self.information, *regularizers], **kwargs)
        self.noise_dim = self.latent_dim - code_size
        if self.noise_dim < 1:
            raise ValueError(f"The generator's input ({self.latent_dim}) must hold the noise and the "
                             f"{code_size}-value code.")
        self.num_categories, self.num_continuous = num_categories, num_continuous
        self.info_weight = float(info_weight)

    def default_optimizers(self):
        """The paper's learning rates: Adam 2e-4 for D and Q, 1e-3 for G (beta_1 = 0.5)."""
        return {**super().default_optimizers(), "g_optimizer": keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.5)}

    # ---------------------------------------------------- the code c -- #
    def sample_latent(self, batch_size, seed=None):
        """[z, one-hot category, continuous codes] drawn from the prior."""
        seed = self.seed_generator if seed is None else int(seed)
        noise_seed, category_seed, continuous_seed = (
            (seed, seed, seed) if not isinstance(seed, int) else (seed, seed + 1, seed + 2)
        )
        noise_shape = (batch_size, self.noise_dim)
        if self.latent_distribution == "uniform":
            noise = keras.random.uniform(noise_shape, -1.0, 1.0, seed=noise_seed)
        else:
            noise = keras.random.normal(noise_shape, seed=noise_seed)
        categories = keras.random.randint((batch_size,), 0, self.num_categories, seed=category_seed)
        continuous = keras.random.uniform((batch_size, self.num_continuous), -1.0, 1.0, seed=continuous_seed)
        return ops.concatenate([noise, ops.one_hot(categories, self.num_categories), continuous], axis=-1)

    def latent_with_codes(self, noise, categories, continuous):
        """Latent vectors with chosen codes, for traversals.

        Args:
            noise: (N, noise_dim).
            categories: (N,) ints in [0, num_categories).
            continuous: (N, num_continuous) values (the prior's range is [-1, 1]).
        """
        noise = np.asarray(noise, "float32")
        count = len(noise)
        categories = _check_labels(categories, count, self.num_categories)
        continuous = np.asarray(continuous, "float32").reshape(count, self.num_continuous)
        one_hot = np.eye(self.num_categories, dtype="float32")[categories]
        return np.concatenate([noise, one_hot, continuous], axis=1)

    def split_discriminator_outputs(self, outputs):
        logits, q_outputs = outputs
        return logits, q_outputs

    def predict_codes(self, images, batch_size=256):
        """Q's reading of images: (category probabilities (N, K), continuous means (N, num_continuous))."""
        images = np.asarray(images_of(images), "float32")
        probabilities, means = [], []
        for start in range(0, len(images), batch_size):
            _, q_outputs = self.discriminator(images[start : start + batch_size], training=False)
            q_outputs = ops.convert_to_numpy(ops.cast(q_outputs, "float32"))
            probabilities.append(ops.convert_to_numpy(ops.softmax(q_outputs[:, : self.num_categories])))
            means.append(q_outputs[:, self.num_categories :])
        return np.concatenate(probabilities), np.concatenate(means)

    def get_config(self):
        return {
            **super().get_config(),
            "num_categories": self.num_categories,
            "num_continuous": self.num_continuous,
            "info_weight": self.info_weight,
        }
