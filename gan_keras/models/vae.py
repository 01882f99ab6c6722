"""Autoencoders and the variational autoencoder (course section 3).

Kingma & Welling 2014, "Auto-Encoding Variational Bayes". Read this file top
to bottom as the lesson:

1. encoder and decoder builders, dense (the paper's MNIST networks: one
   hidden layer of 500 tanh units) and convolutional (for sharper digits);
2. `Autoencoder`: x -> code -> x_hat with an L2 reconstruction loss, and an
   optional corruption of its input (a denoising autoencoder, Vincent et al.
   2008). It compresses, but nothing tells us which codes decode to digits,
   so it cannot generate;
3. `VAE`: the encoder outputs a Gaussian q(z|x) = N(mean, diag(exp(log_var))),
   the decoder a distribution p(x|z), the prior is p(z) = N(0, I), and
   training maximises the evidence lower bound

       log p(x) >= ELBO = E_q[log p(x|z)] - KL(q(z|x) || p(z)),

   with z drawn by the reparameterisation trick (`gan_keras.layers.
   GaussianSampling`) and the KL in closed form. New digits: decode z ~ N(0, I).

Both models share one train loop (`OneOptimizerModel`, which PixelCNN uses
too): each computes its losses in `compute_losses`, and the base class does
the gradient step and the progress-bar trackers, for `fit()` and `evaluate()`.
"""

import math

import keras
import numpy as np
from keras import layers, ops

from gan_keras import losses
from gan_keras._checks import check_positive_int
from gan_keras.layers import GaussianSampling
from gan_keras.models._common import MNIST_SHAPE, OneOptimizerModel, check_image_shape, check_images, images_of

__all__ = [
    "Autoencoder",
    "VAE",
    "classifier_on_encoder",
    "conv_decoder",
    "conv_encoder",
    "dense_decoder",
    "dense_encoder",
]

LIKELIHOODS = ("bernoulli", "gaussian")


# --------------------------------------------------------------------------- #
# 1. Encoders and decoders
# --------------------------------------------------------------------------- #
def _encoder_inputs(image_shape, num_classes):
    images = keras.Input(image_shape, name="images")
    if num_classes is None:
        return [images], images, None
    labels = keras.Input((num_classes,), name="one_hot_labels")
    return [images, labels], images, labels


def _encoder_head(features, latent_dim, variational):
    """The code, or the mean and log-variance of q(z|x) for a VAE."""
    if not variational:
        return layers.Dense(latent_dim, name="code")(features)
    # Linear outputs: the mean is any real vector and the log-variance any
    # real number (the variance exp(log_var) is then always positive).
    return [layers.Dense(latent_dim, name="mean")(features), layers.Dense(latent_dim, name="log_variance")(features)]


def _decoder_inputs(latent_dim, num_classes):
    codes = keras.Input((latent_dim,), name="latent")
    if num_classes is None:
        return [codes], codes
    labels = keras.Input((num_classes,), name="one_hot_labels")
    return [codes, labels], layers.Concatenate(name="latent_and_label")([codes, labels])


def _check_output_activation(output_activation):
    if output_activation not in (None, "tanh"):
        raise ValueError(
            "Invalid value for argument `output_activation`. Expected None (logits or "
            f"Gaussian means, for a VAE) or 'tanh' (images in [-1, 1], for an autoencoder). "
            f"Received: output_activation={output_activation!r}"
        )


def _single_input(inputs):
    return inputs[0] if len(inputs) == 1 else inputs


def dense_encoder(latent_dim=20, image_shape=MNIST_SHAPE, hidden_units=500, variational=True, num_classes=None):
    """Kingma & Welling 2014's MNIST encoder: one hidden layer of 500 tanh units.

    Args:
        latent_dim: size of z (the paper tried 2 to 200; 20 for its results).
        image_shape: (height, width, channels) of the images.
        hidden_units: units of the hidden layer (500 in the paper).
        variational: True: outputs [mean, log_variance] of q(z|x) (a VAE);
            False: outputs the code itself (an autoencoder).
        num_classes: for a conditional model, the number of classes; the
            encoder then takes [images, one_hot_labels].
    """
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("hidden_units", hidden_units)
    inputs, images, labels = _encoder_inputs(check_image_shape(image_shape), num_classes)
    hidden = layers.Flatten()(images)
    if labels is not None:
        hidden = layers.Concatenate(name="features_and_label")([hidden, labels])
    hidden = layers.Dense(hidden_units, activation="tanh")(hidden)
    outputs = _encoder_head(hidden, latent_dim, variational)
    return keras.Model(_single_input(inputs), outputs, name="dense_encoder")


def dense_decoder(latent_dim=20, image_shape=MNIST_SHAPE, hidden_units=500, output_activation=None, num_classes=None):
    """Kingma & Welling 2014's MNIST decoder: z -> 500 tanh units -> pixels.

    Args:
        latent_dim, image_shape, hidden_units, num_classes: as for `dense_encoder`.
        output_activation: None gives unbounded outputs (a VAE's Bernoulli
            logits or Gaussian means); "tanh" gives images in [-1, 1] (an
            autoencoder).
    """
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("hidden_units", hidden_units)
    _check_output_activation(output_activation)
    image_shape = check_image_shape(image_shape)
    inputs, codes = _decoder_inputs(latent_dim, num_classes)
    hidden = layers.Dense(hidden_units, activation="tanh")(codes)
    pixels = layers.Dense(int(np.prod(image_shape)), activation=output_activation)(hidden)
    return keras.Model(_single_input(inputs), layers.Reshape(image_shape)(pixels), name="dense_decoder")


def conv_encoder(
    latent_dim=16,
    image_shape=MNIST_SHAPE,
    filters=(32, 64),
    dense_units=256,
    convs_per_resolution=1,
    variational=True,
    num_classes=None,
):
    """A convolutional encoder: per filter count, a 3x3 conv of stride 2.

    For 28x28x1 and the defaults: 14x14x32 -> 7x7x64, then a dense layer of
    256 units and the head. ReLU everywhere but the head.

    Args:
        latent_dim: size of z (16 by default: enough for sharp MNIST samples;
            use 2 to draw the latent space).
        image_shape: (height, width, channels), height and width divisible by
            2 ** len(filters).
        filters: the channels at each resolution.
        convs_per_resolution: 3x3 convolutions per resolution, the last of
            them with stride 2.
        dense_units: units of the dense layer before the head.
        variational, num_classes: as for `dense_encoder`.
    """
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("dense_units", dense_units)
    image_shape = _check_divisible(image_shape, len(filters))
    inputs, images, labels = _encoder_inputs(image_shape, num_classes)
    hidden = images
    for count in filters:
        for _ in range(convs_per_resolution - 1):
            hidden = layers.Conv2D(count, 3, padding="same", activation="relu")(hidden)
        hidden = layers.Conv2D(count, 3, strides=2, padding="same", activation="relu")(hidden)
    hidden = layers.Flatten()(hidden)
    if labels is not None:
        hidden = layers.Concatenate(name="features_and_label")([hidden, labels])
    hidden = layers.Dense(dense_units, activation="relu")(hidden)
    outputs = _encoder_head(hidden, latent_dim, variational)
    return keras.Model(_single_input(inputs), outputs, name="conv_encoder")


def conv_decoder(
    latent_dim=16,
    image_shape=MNIST_SHAPE,
    filters=(32, 16),
    dense_units=256,
    convs_per_resolution=1,
    output_activation=None,
    num_classes=None,
):
    """The mirror of `conv_encoder`: two dense layers, then per filter count a
    stride-2 3x3 transposed conv (and `convs_per_resolution - 1` 3x3 convs),
    then a 3x3 conv to the pixels. ReLU everywhere but the output.

    For 28x28x1 and the defaults: 256 -> 7x7x32 -> 14x14x32 -> 28x28x16 -> 28x28x1.
    Few channels at full resolution keep it fast on a CPU; on the offline
    digits wider decoders (64, 32) fitted the training set better but not the
    held-out digits.

    Args:
        latent_dim, image_shape, dense_units, num_classes: as for `conv_encoder`.
        filters: the channels at each resolution, coarsest first.
        convs_per_resolution: convolutions per resolution, the strided one included.
        output_activation: as for `dense_decoder`.
    """
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("dense_units", dense_units)
    _check_output_activation(output_activation)
    height, width, channels = _check_divisible(image_shape, len(filters))
    scale = 2 ** len(filters)
    inputs, codes = _decoder_inputs(latent_dim, num_classes)
    hidden = layers.Dense(dense_units, activation="relu")(codes)
    hidden = layers.Dense(height // scale * width // scale * filters[0], activation="relu")(hidden)
    hidden = layers.Reshape((height // scale, width // scale, filters[0]))(hidden)
    for count in filters:
        hidden = layers.Conv2DTranspose(count, 3, strides=2, padding="same", activation="relu")(hidden)
        for _ in range(convs_per_resolution - 1):
            hidden = layers.Conv2D(count, 3, padding="same", activation="relu")(hidden)
    pixels = layers.Conv2D(channels, 3, padding="same", activation=output_activation)(hidden)
    return keras.Model(_single_input(inputs), pixels, name="conv_decoder")


def _check_divisible(image_shape, halvings):
    height, width, channels = check_image_shape(image_shape)
    if halvings < 1 or height % 2**halvings or width % 2**halvings:
        raise ValueError(
            f"The convolutional encoder/decoder halves the image {halvings} times, so height "
            f"and width must be divisible by {2 ** halvings} (and `filters` non-empty). "
            f"Received: image_shape={tuple(image_shape)}"
        )
    return height, width, channels


# --------------------------------------------------------------------------- #
# The shared parts of both models (the train loop is in models/_common.py)
# --------------------------------------------------------------------------- #
class _EncoderDecoderModel(OneOptimizerModel):
    """An encoder and a decoder trained with one optimiser on `compute_losses`
    (the train loop is `OneOptimizerModel`'s)."""

    def __init__(self, encoder, decoder, seed=None, **kwargs):
        for role, network in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(network, keras.Model):
                raise ValueError(
                    f"Invalid value for argument `{role}`. Expected a keras.Model. Received: {role}={network!r}"
                )
        super().__init__(seed=seed, **kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.image_shape = tuple(decoder.output_shape[1:])

    def default_optimizer(self):
        """AdamW(learning_rate=1e-3, weight_decay=1e-2), what `compile()` uses by default.

        Kingma & Welling 2014 used Adagrad with "a small weight decay term
        corresponding to a prior p(theta) = N(0, I)"; Adam (Kingma's next
        paper) with decoupled weight decay is the current form of the same
        recipe, and on the 4,500 offline digits the decay narrowed the gap
        between training and held-out nats.
        """
        return keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=1e-2)

    # -------------------------------------------------------- helpers -- #
    def _predict(self, network, inputs, batch_size=500):
        """A network applied in inference mode, in batches, as NumPy."""
        inputs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        count = len(inputs[0])
        pieces = []
        for start in range(0, count, batch_size):
            batch = [np.asarray(x[start : start + batch_size], dtype="float32") for x in inputs]
            outputs = network(batch[0] if len(batch) == 1 else batch, training=False)
            pieces.append(outputs)
        if isinstance(pieces[0], (list, tuple)):
            return [np.concatenate([ops.convert_to_numpy(p[i]) for p in pieces]) for i in range(len(pieces[0]))]
        return np.concatenate([ops.convert_to_numpy(p) for p in pieces])

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for role in ("encoder", "decoder"):
            config[role] = keras.saving.deserialize_keras_object(config[role])
        return cls(**config)


# --------------------------------------------------------------------------- #
# 2. The autoencoder
# --------------------------------------------------------------------------- #
CORRUPTIONS = (None, "gaussian", "masking")


@keras.saving.register_keras_serializable(package="gan_keras")
class Autoencoder(_EncoderDecoderModel):
    """x -> encoder -> code -> decoder -> x_hat, trained to make x_hat = x.

    The loss is the L2 reconstruction error, the mean over pixels of
    (x_hat - x)^2 (shown as `loss`). With a `corruption`, the encoder sees a
    corrupted x and the decoder must still produce the clean one: a denoising
    autoencoder (Vincent et al. 2008), whose codes must capture the structure
    of digits rather than copy pixels.

    Args:
        encoder: images -> codes (e.g. `conv_encoder(variational=False)`).
        decoder: codes -> images in [-1, 1] (e.g. `conv_decoder(output_activation="tanh")`).
        corruption: None, "gaussian" (add N(0, level^2) noise, then clip to
            [-1, 1]) or "masking" (set a random share `level` of the pixels
            to -1, the background, as Vincent et al. 2008 did).
        corruption_level: the noise's standard deviation or the masked share.
        seed: seed of the corruption noise.

    Example:

    ```python
    autoencoder = Autoencoder(conv_encoder(32, variational=False),
                              conv_decoder(32, output_activation="tanh"))
    autoencoder.compile()
    autoencoder.fit(load_dataset("mnist", batch_size=64), epochs=10)
    codes = autoencoder.encode(images)
    ```
    """

    LOSS_NAMES = ("loss",)

    def __init__(self, encoder, decoder, corruption=None, corruption_level=0.5, seed=None, **kwargs):
        super().__init__(encoder, decoder, seed=seed, **kwargs)
        if corruption not in CORRUPTIONS:
            raise ValueError(
                f"Invalid value for argument `corruption`. Expected one of {list(CORRUPTIONS)}. "
                f"Received: corruption={corruption!r}"
            )
        level_limit = 1.0 if corruption == "masking" else math.inf
        if not (isinstance(corruption_level, (int, float)) and 0 <= corruption_level < level_limit):
            raise ValueError(
                "Invalid value for argument `corruption_level`. Expected a number >= 0 (and < 1 "
                f"for masking). Received: corruption_level={corruption_level!r}"
            )
        self.corruption = corruption
        self.corruption_level = float(corruption_level)

    def call(self, images, training=False):
        return self.decoder(self.encoder(images, training=training), training=training)

    def corrupt(self, images):
        """The input the encoder sees during training (the images themselves
        when `corruption` is None)."""
        if self.corruption == "gaussian":
            noise = keras.random.normal(ops.shape(images), stddev=self.corruption_level, seed=self.seed_generator)
            return ops.clip(images + noise, -1.0, 1.0)
        if self.corruption == "masking":
            kept = keras.random.uniform(ops.shape(images), seed=self.seed_generator) >= self.corruption_level
            return ops.where(kept, images, -ops.ones_like(images))
        return images

    def compute_losses(self, data, training):
        images = images_of(data)
        inputs = self.corrupt(images) if training else images
        reconstructions = self(inputs, training=training)
        return {"loss": ops.mean(ops.square(ops.cast(reconstructions, "float32") - ops.cast(images, "float32")))}

    def encode(self, images, batch_size=500):
        """The codes of `images` (N, H, W, C) in [-1, 1], as a NumPy array."""
        return self._predict(self.encoder, images, batch_size)

    def decode(self, codes, batch_size=500):
        """The images (in [-1, 1]) that the decoder makes from `codes`."""
        return self._predict(self.decoder, codes, batch_size)

    def reconstruct(self, images, batch_size=500):
        """decode(encode(images))."""
        return self.decode(self.encode(images, batch_size), batch_size)

    def get_config(self):
        return {**super().get_config(), "corruption": self.corruption, "corruption_level": self.corruption_level}


def classifier_on_encoder(encoder, num_classes=10, fresh=False, name=None):
    """A classifier made of an (autoencoder's) encoder and a softmax layer.

    The lecture's point about autoencoders: with few labels, starting from an
    encoder trained without labels beats starting from random weights. Build
    both with this function (`fresh=True` gives the same architecture with
    new random weights) and compare. The encoder is fine-tuned with the head.

    Args:
        encoder: images -> codes (e.g. `autoencoder.encoder`).
        num_classes: outputs of the softmax layer.
        fresh: True for a copy of the encoder's architecture with new weights.

    Returns:
        An uncompiled `keras.Model` from images to class probabilities.
    """
    check_positive_int("num_classes", num_classes)
    if isinstance(encoder.output, (list, tuple)):
        raise ValueError(
            "Expected an encoder with one output (an autoencoder's codes); received one with "
            f"{len(encoder.output)} outputs. For a VAE's encoder, build a model on its mean output."
        )
    body = keras.models.clone_model(encoder) if fresh else encoder
    images = keras.Input(encoder.input_shape[1:], name="images")
    probabilities = layers.Dense(num_classes, activation="softmax", name="class_probabilities")(body(images))
    return keras.Model(images, probabilities, name=name or ("fresh_classifier" if fresh else "pretrained_classifier"))


# --------------------------------------------------------------------------- #
# 3. The variational autoencoder
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class VAE(_EncoderDecoderModel):
    """The variational autoencoder of Kingma & Welling 2014, trained with `fit()`.

    Per image x, training minimises the negative ELBO in nats,

        -ELBO(x) = E_{q(z|x)}[-log p(x|z)] + KL(q(z|x) || N(0, I)),

    estimated with one reparameterised sample z = mean + sigma * eps (the
    paper's L = 1) and the KL in closed form. The progress bar and
    `evaluate()` show its batch means: `reconstruction_loss` (the first
    term), `kl_loss` (the second) and `loss` (their sum, or with a beta-VAE
    weight, reconstruction_loss + beta * kl_loss).

    Args:
        encoder: images (and one-hot labels, if conditional) -> [mean,
            log_variance], e.g. `conv_encoder()` or `dense_encoder()`.
        decoder: z (and one-hot labels) -> the parameters of p(x|z) per pixel:
            logits for "bernoulli", means for "gaussian".
        likelihood: "bernoulli" (binary pixels, the paper's MNIST model; an
            image in [-1, 1] is read as pixel probabilities (x + 1) / 2) or
            "gaussian" (grey levels in [-1, 1], with one learned noise level
            shared by all pixels unless `gaussian_scale` fixes it).
        beta: the weight of the KL term (1: the ELBO; > 1: a beta-VAE,
            Higgins et al. 2017, trading reconstruction for a smoother,
            more disentangled latent space).
        dynamic_binarization: for "bernoulli", draw fresh binary pixels
            x ~ Bernoulli((x + 1) / 2) for every training batch (the usual
            protocol for grey MNIST, and a strong regulariser on small data).
            Evaluation uses the pixels as given: pass binary images
            (`gan_keras.data.binarize`) to report binarized-MNIST nats.
        num_classes: None, or the number of classes of a conditional VAE
            (Sohn et al. 2015): encoder and decoder then also see the one-hot
            label, and the data must be (images, labels) pairs.
        gaussian_scale: for "gaussian", a fixed standard deviation of p(x|z),
            or None to learn it.
        seed: seed of the sampling noise and the binarization.

    Example:

    ```python
    vae = VAE(conv_encoder(latent_dim=16), conv_decoder(latent_dim=16), seed=0)
    vae.compile()  # AdamW(1e-3, weight decay 1e-2)
    vae.fit(load_dataset("mnist", batch_size=100), epochs=10)
    vae.generate(16, seed=0)                 # new digits, in [-1, 1]
    vae.likelihood_report(binarize(test))    # held-out nats: -ELBO and IWAE bound
    ```
    """

    LOSS_NAMES = ("loss", "reconstruction_loss", "kl_loss")
    has_likelihood = True

    def __init__(
        self,
        encoder,
        decoder,
        likelihood="bernoulli",
        beta=1.0,
        dynamic_binarization=True,
        num_classes=None,
        gaussian_scale=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(encoder, decoder, seed=seed, **kwargs)
        if likelihood not in LIKELIHOODS:
            raise ValueError(
                f"Invalid value for argument `likelihood`. Expected one of {list(LIKELIHOODS)}. "
                f"Received: likelihood={likelihood!r}"
            )
        if not (isinstance(beta, (int, float)) and beta >= 0):
            raise ValueError(f"Invalid value for argument `beta`. Expected a number >= 0. Received: beta={beta!r}")
        if num_classes is not None:
            check_positive_int("num_classes", num_classes)
        if gaussian_scale is not None and not (isinstance(gaussian_scale, (int, float)) and gaussian_scale > 0):
            raise ValueError(
                "Invalid value for argument `gaussian_scale`. Expected None (learned) or a number > 0. "
                f"Received: gaussian_scale={gaussian_scale!r}"
            )
        self.likelihood = likelihood
        self.beta = float(beta)
        self.dynamic_binarization = bool(dynamic_binarization)
        self.num_classes = num_classes
        self.gaussian_scale = gaussian_scale
        self._check_networks()
        self.latent_dim = int(self._decoder_latent_shape()[-1])
        # The sampling noise has its own seed stream, distinct from the
        # binarization noise drawn from self.seed_generator.
        self.sampling = GaussianSampling(seed=None if self.seed is None else self.seed + 1)
        if likelihood == "gaussian":
            initial = 0.0 if gaussian_scale is None else math.log(gaussian_scale)
            self.log_scale = self.add_weight(
                shape=(), initializer=keras.initializers.Constant(initial),
                trainable=gaussian_scale is None, name="gaussian_log_scale",
            )

    @property
    def conditional(self):
        """A conditional VAE (num_classes set) trains on (images, labels) and generates given labels."""
        return self.num_classes is not None

    def _decoder_latent_shape(self):
        shapes = self.decoder.input_shape
        return shapes[0] if self.num_classes is not None else shapes

    def _check_networks(self):
        conditional = self.num_classes is not None
        for role, network in (("encoder", self.encoder), ("decoder", self.decoder)):
            takes_labels = isinstance(network.input_shape, list)
            if takes_labels != conditional:
                raise ValueError(
                    f"The {role} {'takes' if takes_labels else 'does not take'} a label input, but "
                    f"num_classes={self.num_classes}: build both networks with the same `num_classes` "
                    "as the VAE (None for an unconditional VAE)."
                )
        if not (isinstance(self.encoder.output, (list, tuple)) and len(self.encoder.output) == 2):
            raise ValueError(
                "The VAE's encoder must output [mean, log_variance] (build it with variational=True). "
                f"Received an encoder with outputs {self.encoder.output}."
            )

    # ----------------------------------------------------- the maths -- #
    def _one_hot(self, labels):
        return ops.one_hot(ops.reshape(ops.cast(labels, "int32"), (-1,)), self.num_classes)

    def _split(self, data):
        """(images, one-hot labels or None) from a batch."""
        images = images_of(data)
        if self.num_classes is None:
            return images, None
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                f"This VAE is conditional (num_classes={self.num_classes}): train and evaluate it on "
                "(images, labels) pairs, e.g. load_dataset(..., with_labels=True)."
            )
        return images, self._one_hot(data[1])

    def _with_labels(self, inputs, one_hot):
        return inputs if one_hot is None else [inputs, one_hot]

    def _pixel_targets(self, images, training):
        """What p(x|z) must explain: bits for "bernoulli", grey levels for "gaussian"."""
        images = ops.cast(images, "float32")
        if self.likelihood == "gaussian":
            return images
        probabilities = (images + 1.0) / 2.0
        if training and self.dynamic_binarization:
            uniform = keras.random.uniform(ops.shape(probabilities), seed=self.seed_generator)
            return ops.cast(uniform < probabilities, "float32")
        return probabilities

    def _reconstruction_nll(self, targets, decoded):
        if self.likelihood == "bernoulli":
            return losses.bernoulli_negative_log_likelihood(targets, decoded)
        return losses.gaussian_negative_log_likelihood(targets, decoded, self.log_scale)

    def _encoder_input(self, targets):
        # The encoder reads the same pixels that the decoder must explain, in
        # the package's [-1, 1] convention.
        return targets * 2.0 - 1.0 if self.likelihood == "bernoulli" else targets

    def compute_losses(self, data, training):
        images, one_hot = self._split(data)
        targets = self._pixel_targets(images, training)
        mean, log_variance = self.encoder(self._with_labels(self._encoder_input(targets), one_hot), training=training)
        latent = self.sampling((mean, log_variance))
        decoded = self.decoder(self._with_labels(latent, one_hot), training=training)
        reconstruction = ops.mean(self._reconstruction_nll(targets, decoded))
        kl = ops.mean(losses.gaussian_kl_divergence(mean, log_variance))
        return {"loss": reconstruction + self.beta * kl, "reconstruction_loss": reconstruction, "kl_loss": kl}

    def call(self, inputs, training=False):
        """Reconstructions in [-1, 1] (decoded posterior means) of `inputs`:
        images, or [images, int labels] for a conditional VAE."""
        images, one_hot = self._split(inputs)
        targets = self._pixel_targets(images, training=False)
        mean, _ = self.encoder(self._with_labels(self._encoder_input(targets), one_hot), training=training)
        return self._to_images(self.decoder(self._with_labels(mean, one_hot), training=training))

    def _to_images(self, decoded):
        """The mean of p(x|z) in the package's [-1, 1] range."""
        decoded = ops.cast(decoded, "float32")
        if self.likelihood == "bernoulli":
            return 2.0 * ops.sigmoid(decoded) - 1.0
        return ops.clip(decoded, -1.0, 1.0)

    # ------------------------------------------------------ the bound -- #
    def log_likelihood_bound(self, images, labels=None, num_samples=1, seed=0, batch_size=100, chunk_size=None):
        """Per-image lower bounds on log p(x) in nats, from k posterior samples.

        With z_1..z_k ~ q(z|x) and w_i = p(x|z_i) p(z_i) / q(z_i|x), returns

            log (1/k sum_i w_i)   (Burda et al. 2016, the IWAE bound),

        which is the ELBO for k = 1 and rises towards log p(x) as k grows.
        Evaluation mode: the pixels are used as given (binary images for
        binarized-MNIST nats).

        Args:
            images: (N, H, W, C) in [-1, 1].
            labels: (N,) int labels, for a conditional VAE.
            num_samples: k (Burda et al. report k = 5000).
            seed: seed of the posterior samples (the result is repeatable).
            batch_size: images per pass.
            chunk_size: samples per image per pass (default: as many as fit
                in about 20,000 decoded images).

        Returns:
            (bound, elbo): two float64 arrays of shape (N,): the k-sample
            bound and the mean of the k single-sample ELBOs.
        """
        check_positive_int("num_samples", num_samples)
        check_positive_int("batch_size", batch_size)
        images = check_images(images, self.image_shape)
        one_hot = self._check_labels(labels, len(images))
        chunk_size = chunk_size or max(1, min(num_samples, 20_000 // batch_size))
        rng = np.random.default_rng(seed)
        log_importance_weights = self.compiled_for_inference(self._log_importance_weights)
        bounds, elbos = [], []
        for start in range(0, len(images), batch_size):
            batch = images[start : start + batch_size]
            batch_one_hot = None if one_hot is None else one_hot[start : start + batch_size]
            log_weights = []
            for done in range(0, num_samples, chunk_size):
                count = min(chunk_size, num_samples - done)
                epsilon = rng.standard_normal((count, len(batch), self.latent_dim)).astype("float32")
                log_weights.append(ops.convert_to_numpy(log_importance_weights(batch, batch_one_hot, epsilon)))
            log_weights = np.concatenate(log_weights).astype("float64")  # (k, batch)
            peak = log_weights.max(axis=0)
            bounds.append(peak + np.log(np.mean(np.exp(log_weights - peak), axis=0)))
            elbos.append(log_weights.mean(axis=0))
        return np.concatenate(bounds), np.concatenate(elbos)

    def _log_importance_weights(self, images, one_hot, epsilon):
        """log p(x|z) + log p(z) - log q(z|x) for k samples z = mean + sigma * eps."""
        count, batch = ops.shape(epsilon)[0], ops.shape(epsilon)[1]
        targets = self._pixel_targets(images, training=False)
        mean, log_variance = self.encoder(self._with_labels(self._encoder_input(targets), one_hot), training=False)
        mean, log_variance = ops.cast(mean, "float32"), ops.cast(log_variance, "float32")
        latent = mean[None] + ops.exp(0.5 * log_variance)[None] * epsilon  # (k, batch, latent)
        flat_latent = ops.reshape(latent, (-1, self.latent_dim))
        repeated = lambda x: ops.reshape(  # noqa: E731 - (batch, ...) -> (k * batch, ...)
            ops.broadcast_to(x[None], (count, *ops.shape(x))), (-1, *ops.shape(x)[1:])
        )
        decoded = self.decoder(
            self._with_labels(flat_latent, None if one_hot is None else repeated(one_hot)), training=False
        )
        log_likelihood = -self._reconstruction_nll(repeated(targets), decoded)
        log_prior = losses.diagonal_gaussian_log_density(flat_latent, 0.0, 0.0)
        log_posterior = losses.diagonal_gaussian_log_density(latent, mean[None], log_variance[None])
        return ops.reshape(log_likelihood + log_prior, (count, batch)) - log_posterior

    def likelihood_report(self, images, labels=None, num_samples=1000, seed=0):
        """Held-out likelihood of `images`, in nats per image and bits per dimension.

        Returns a dict: `negative_elbo` (the mean -ELBO over the k samples),
        `negative_iwae_bound` (the mean -log of the k-sample bound; both are
        upper bounds on -log p(x), the second tighter), their bits per pixel,
        `num_images` and `num_samples`.
        """
        bound, elbo = self.log_likelihood_bound(images, labels, num_samples=num_samples, seed=seed)
        pixels = int(np.prod(self.image_shape))
        return {
            "negative_elbo": float(-elbo.mean()),
            "negative_iwae_bound": float(-bound.mean()),
            "bits_per_dim_elbo": float(-elbo.mean() / pixels / math.log(2)),
            "bits_per_dim_iwae": float(-bound.mean() / pixels / math.log(2)),
            "num_images": int(len(bound)),
            "num_samples": int(num_samples),
        }

    # --------------------------------------------------- encode / decode -- #
    def _check_labels(self, labels, count):
        if self.num_classes is None:
            return None
        if labels is None:
            raise ValueError(f"This VAE is conditional (num_classes={self.num_classes}): pass `labels`.")
        labels = np.asarray(labels).reshape(-1)
        if len(labels) != count or labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(
                f"Expected {count} integer labels in [0, {self.num_classes}). Received {len(labels)} "
                f"labels from {labels.min()} to {labels.max()}."
            )
        return np.eye(self.num_classes, dtype="float32")[labels.astype(int)]

    def encode(self, images, labels=None, batch_size=500):
        """(mean, log_variance) of q(z|x) for `images` in [-1, 1], as NumPy arrays.

        For "bernoulli", grey images are encoded as their pixel probabilities
        (the mean of the binarizations seen in training).
        """
        images = check_images(images, self.image_shape)
        inputs = self._with_labels(images, self._check_labels(labels, len(images)))
        return self._predict(self.encoder, inputs, batch_size)

    def decode(self, latent, labels=None, batch_size=500):
        """Images in [-1, 1]: the mean of p(x|z) for each row of `latent`."""
        latent = np.asarray(latent, dtype="float32")
        inputs = self._with_labels(latent, self._check_labels(labels, len(latent)))
        decoded = self._predict(self.decoder, inputs, batch_size)
        return ops.convert_to_numpy(self._to_images(decoded)).astype("float32")

    def reconstruct(self, images, labels=None, batch_size=500):
        """decode(posterior mean of z): what the VAE keeps of each image."""
        mean, _ = self.encode(images, labels, batch_size)
        return self.decode(mean, labels, batch_size)

    def generate(self, num_images, seed=None, labels=None, batch_size=500):
        """New images decoded from z ~ N(0, I), as float32 in [-1, 1].

        Args:
            num_images: how many.
            seed: an int gives the same latent vectors every call; None draws
                fresh ones from the model's SeedGenerator.
            labels: for a conditional VAE, the class of each image: an int for
                all, or a sequence of `num_images` ints (default: 0, 1, 2, ...
                cycling through the classes).
        """
        check_positive_int("num_images", num_images)
        if seed is None:
            latent = keras.random.normal((num_images, self.latent_dim), seed=self.seed_generator)
        else:
            latent = keras.random.normal((num_images, self.latent_dim), seed=int(seed))
        if self.num_classes is not None:
            if labels is None:
                labels = np.arange(num_images) % self.num_classes
            labels = np.broadcast_to(np.asarray(labels), (num_images,))
        return self.decode(ops.convert_to_numpy(latent), labels, batch_size)

    def get_config(self):
        return {
            **super().get_config(),
            "likelihood": self.likelihood,
            "beta": self.beta,
            "dynamic_binarization": self.dynamic_binarization,
            "num_classes": self.num_classes,
            "gaussian_scale": self.gaussian_scale,
        }
