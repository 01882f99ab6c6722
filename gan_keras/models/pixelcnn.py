"""PixelCNN and PixelRNN: exact-likelihood image models (course section 4).

van den Oord, Kalchbrenner & Kavukcuoglu 2016, "Pixel Recurrent Neural
Networks". Read this file top to bottom as the lesson:

1. the chain rule: p(x) = prod_i p(x_i | x_1..x_{i-1}), pixels in raster order
   from the top-left corner. Every factor is a distribution over one pixel
   (a Bernoulli for binary MNIST, a 256-way softmax for grey levels);
2. `pixelcnn_network`: masked convolutions (`gan_keras.layers.MaskedConv2D`,
   mask "A" first, "B" after) compute all the factors in one parallel pass,
   because every output pixel only sees the pixels before it;
3. `PixelCNN`: training maximises log p(x) exactly (no bound, no
   discriminator): the loss is -log p(x) in nats per image, and `evaluate()`
   reports it with bits per dimension;
4. sampling is sequential: pixel i needs pixels 1..i-1, so `sample` runs one
   compiled step per pixel, and `complete` fills in the lower part of an image
   given its top rows;
5. `row_lstm_network` and `PixelRNN`: the same model with the conditionals
   computed by Row LSTM layers instead of masked convolutions: a larger
   context, a sequential loop over rows in every pass;
   `diagonal_bilstm_network`: Diagonal BiLSTM layers instead, whose loop runs
   over the image's diagonals, twice: the full context of every pixel.

`gated_pixelcnn_network` (van den Oord et al. 2016b, "Conditional Image
Generation with PixelCNN Decoders") removes the masked convolutions' blind
spot with a vertical and a horizontal stack and gated activations; it plugs
into the same `PixelCNN` model (step 2's alternative).
"""

import math

import keras
import numpy as np
from keras import layers, ops

from gan_keras import backend, losses
from gan_keras._checks import check_positive_int
from gan_keras.layers import DiagonalBiLSTM, GatedPixelCNNBlock, MaskedConv2D, RowLSTM
from gan_keras.models._common import (
    MNIST_SHAPE,
    OneOptimizerModel,
    check_image_shape,
    check_images,
    default_jit_compile,
    images_of,
)

__all__ = [
    "PixelCNN",
    "PixelRNN",
    "causal_dependence",
    "causal_dependence_maps",
    "diagonal_bilstm_network",
    "gated_pixelcnn_network",
    "pixelcnn_network",
    "row_lstm_network",
]


# --------------------------------------------------------------------------- #
# 2. The network: masked convolutions with residual blocks
# --------------------------------------------------------------------------- #
def _network_input(image_shape, hidden_channels, output_channels, levels):
    """Checks the arguments all the networks share; returns their input."""
    height, width, channels = check_image_shape(image_shape)
    if channels != 1:
        raise ValueError(
            "PixelCNN and PixelRNN here mask positions, not colour channels, so they model "
            f"one-channel images. Received: image_shape={tuple(image_shape)}"
        )
    check_positive_int("hidden_channels", hidden_channels)
    check_positive_int("output_channels", output_channels)
    if not isinstance(levels, int) or levels < 2:
        raise ValueError(f"Invalid value for argument `levels`. Expected an int >= 2. Received: levels={levels!r}")
    return keras.Input((height, width, channels), name="images")


def _masked_7x7_A(images, hidden_channels):
    """The first layer of PixelCNN and PixelRNN: 2h channels that never see the current pixel."""
    return MaskedConv2D(2 * hidden_channels, 7, mask_type="A", name="masked_7x7_A")(images)


def _logits_head(stream, output_channels, levels):
    """ReLU and two 1x1 convolutions: one logit per pixel, or one per grey level."""
    hidden = layers.ReLU()(stream)
    hidden = layers.Conv2D(output_channels, 1, activation="relu", name="output_hidden")(hidden)
    return layers.Conv2D(1 if levels == 2 else levels, 1, name="logits")(hidden)


def pixelcnn_network(image_shape=MNIST_SHAPE, hidden_channels=32, residual_blocks=5, output_channels=64, levels=2):
    """The PixelCNN of van den Oord et al. 2016 (their Table 1 and Figure 5).

    A 7x7 convolution with mask "A", then residual blocks (ReLU, 1x1 conv to h
    channels, ReLU, 3x3 conv with mask "B", ReLU, 1x1 conv back to 2h, plus
    the block's input), then ReLU and two 1x1 convolutions to the outputs.
    1x1 convolutions only mix channels at one position, so they keep the
    causal order.

    Args:
        image_shape: (height, width, 1); the masks are spatial only, so one channel.
        hidden_channels: h; the residual stream has 2h channels.
        residual_blocks: number of residual blocks (each adds one 3x3 masked conv).
        output_channels: channels of the hidden 1x1 output layer.
        levels: 2 for binary pixels (one Bernoulli logit per pixel), or the
            number of grey levels (256: a softmax over 0..255 per pixel).

    Returns:
        A `keras.Model` from images in [-1, 1] to logits of shape
        (height, width, 1) for levels = 2, or (height, width, levels).
    """
    check_positive_int("residual_blocks", residual_blocks)
    images = _network_input(image_shape, hidden_channels, output_channels, levels)
    stream = _masked_7x7_A(images, hidden_channels)
    for block in range(residual_blocks):
        hidden = layers.ReLU()(stream)
        hidden = layers.Conv2D(hidden_channels, 1, activation="relu", name=f"block{block}_reduce")(hidden)
        hidden = MaskedConv2D(hidden_channels, 3, mask_type="B", activation="relu", name=f"block{block}_masked_3x3_B")(
            hidden
        )
        hidden = layers.Conv2D(2 * hidden_channels, 1, name=f"block{block}_expand")(hidden)
        stream = layers.Add(name=f"block{block}_residual")([stream, hidden])
    logits = _logits_head(stream, output_channels, levels)
    return keras.Model(images, logits, name="pixelcnn")


def causal_dependence(network, row, column, seed=0):
    """Which input pixels the network's output at (row, column) depends on.

    The gradient of that output with respect to a random input image, as a
    (height, width) boolean map: True where the gradient is not zero. For a
    causal network every True pixel comes before (row, column) in raster
    order; the False ones above it show the receptive field's limits (the
    PixelCNN's "blind spot" up and to the right).
    """
    shape = tuple(network.input_shape[1:])
    image = ops.convert_to_tensor(np.random.default_rng(seed).normal(size=(1, *shape)).astype("float32"))
    gradient = backend.input_gradients(lambda x: network(x, training=False)[:, row, column], image)
    return np.abs(ops.convert_to_numpy(gradient)[0, ..., 0]) > 0


def causal_dependence_maps(network, seed=0):
    """`causal_dependence` for every output pixel at once: a (height, width,
    height, width) boolean array whose [row, column] is the map of that pixel.

    One backward pass instead of one per pixel: the image is repeated once
    per pixel, and copy i asks only for the output at pixel i (networks are
    called with `training=False`, so the copies do not interact).
    """
    height, width = network.input_shape[1:3]
    image = np.random.default_rng(seed).normal(size=(1, *network.input_shape[1:])).astype("float32")
    images = ops.convert_to_tensor(np.repeat(image, height * width, axis=0))
    chooser = np.eye(height * width, dtype="float32").reshape(height * width, height, width)

    def chosen_outputs(x):
        outputs = network(x, training=False)
        return outputs * ops.reshape(chooser, chooser.shape + (1,) * (len(outputs.shape) - 3))

    gradient = ops.convert_to_numpy(backend.input_gradients(chosen_outputs, images))[..., 0]
    return (np.abs(gradient) > 0).reshape(height, width, height, width)


def gated_pixelcnn_network(
    image_shape=MNIST_SHAPE, hidden_channels=32, gated_blocks=5, output_channels=64, levels=2
):
    """The gated PixelCNN of van den Oord et al. 2016b, without its class conditioning.

    A first `GatedPixelCNNBlock` with 7x7 reach whose horizontal stack does
    not see the current pixel (the gated mask "A"), then `gated_blocks`
    blocks with 3x3 reach, then the head of `pixelcnn_network` (ReLU and two
    1x1 convolutions) on the horizontal stack. Unlike `pixelcnn_network`, the
    output at a pixel can depend on every pixel before it: there is no blind
    spot (see `causal_dependence`).

    Args:
        image_shape: (height, width, 1).
        hidden_channels: p, the channels of both stacks.
        gated_blocks: blocks after the first one (each adds one row upward
            and one column each way to the reach of the prediction).
        output_channels, levels: as for `pixelcnn_network`.
    """
    check_positive_int("gated_blocks", gated_blocks)
    images = _network_input(image_shape, hidden_channels, output_channels, levels)
    vertical, horizontal = GatedPixelCNNBlock(hidden_channels, 7, first=True, name="gated_7x7_A")([images, images])
    for block in range(gated_blocks):
        vertical, horizontal = GatedPixelCNNBlock(hidden_channels, 3, name=f"gated{block}_3x3")([vertical, horizontal])
    logits = _logits_head(horizontal, output_channels, levels)
    return keras.Model(images, logits, name="gated_pixelcnn")


# --------------------------------------------------------------------------- #
# 3. The model: exact likelihood, trained with fit()
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class PixelCNN(OneOptimizerModel):
    """An autoregressive image model trained by maximum likelihood with `fit()`.

    The loss is the exact negative log-likelihood -log p(x) in nats per
    image; `bits_per_dim` is the same number per pixel in bits. Both are
    shown by the progress bar and by `evaluate()`.

    Args:
        network: images -> per-pixel logits, e.g. `pixelcnn_network()`. Its
            number of output channels fixes the likelihood: 1 is Bernoulli
            (binary pixels), L > 1 is an L-way softmax over grey levels.
        dynamic_binarization: for binary pixels, draw fresh bits with
            probability (x + 1) / 2 for every training batch. Evaluation uses
            the pixels as given: pass binary images (`gan_keras.data.binarize`).
        seed: seed of the binarization and of `sample`'s randomness.

    Example:

    ```python
    pixelcnn = PixelCNN(pixelcnn_network(), seed=0)
    pixelcnn.compile()                                    # Adam(1e-3)
    pixelcnn.fit(load_dataset("mnist", batch_size=32), epochs=10)
    pixelcnn.evaluate(binarize(test_images), return_dict=True)  # nats, bits/dim
    digits = pixelcnn.sample(16, seed=0)
    ```
    """

    LOSS_NAMES = ("loss", "bits_per_dim")
    has_likelihood = True

    def __init__(self, network, dynamic_binarization=True, seed=None, **kwargs):
        if not isinstance(network, keras.Model):
            raise ValueError(f"Invalid value for argument `network`. Expected a keras.Model. Received: {network!r}")
        super().__init__(seed=seed, **kwargs)
        self.network = network
        self.image_shape = tuple(network.input_shape[1:])
        output_channels = int(network.output_shape[-1])
        self.levels = 2 if output_channels == 1 else output_channels
        self.likelihood = "bernoulli" if self.levels == 2 else "categorical"
        self.dynamic_binarization = bool(dynamic_binarization)
        self.num_pixels = int(np.prod(self.image_shape))

    def call(self, images, training=False):
        """The per-pixel logits of p(x_i | x_<i) for `images` in [-1, 1]."""
        return self.network(images, training=training)

    # ------------------------------------------------------ likelihood -- #
    def _targets_and_inputs(self, images, training):
        """What the model must predict, and what it reads (the same pixels in [-1, 1])."""
        images = ops.cast(images, "float32")
        if self.likelihood == "categorical":
            levels = ops.round((images + 1.0) / 2.0 * (self.levels - 1))
            return levels, levels / (self.levels - 1) * 2.0 - 1.0
        bits = (images + 1.0) / 2.0
        if training and self.dynamic_binarization:
            bits = ops.cast(keras.random.uniform(ops.shape(bits), seed=self.seed_generator) < bits, "float32")
        return bits, bits * 2.0 - 1.0

    def _negative_log_likelihood(self, targets, logits):
        """-log p(x) in nats for each image."""
        if self.likelihood == "bernoulli":
            return losses.bernoulli_negative_log_likelihood(targets, logits)
        per_pixel = keras.losses.sparse_categorical_crossentropy(
            ops.cast(targets[..., 0], "int32"), ops.cast(logits, "float32"), from_logits=True
        )
        return ops.sum(ops.reshape(per_pixel, (ops.shape(per_pixel)[0], -1)), axis=1)

    def compute_losses(self, data, training):
        targets, inputs = self._targets_and_inputs(images_of(data), training)
        nats = ops.mean(self._negative_log_likelihood(targets, self.network(inputs, training=training)))
        return {"loss": nats, "bits_per_dim": nats / (self.num_pixels * math.log(2.0))}

    def log_likelihood(self, images, batch_size=100):
        """Exact log p(x) in nats of each image (float64 NumPy array of shape (N,))."""
        images = check_images(images, self.image_shape)
        values = []
        for start in range(0, len(images), batch_size):
            targets, inputs = self._targets_and_inputs(images[start : start + batch_size], training=False)
            values.append(-ops.convert_to_numpy(self._negative_log_likelihood(targets, self.network(inputs))))
        return np.concatenate(values).astype("float64")

    def likelihood_report(self, images, labels=None, num_samples=None, seed=None):
        """Held-out -log p(x) of `images`: nats per image and bits per dimension.

        The likelihood is exact, so `num_samples` and `seed` (which a VAE's
        bound needs) are not used; `labels` must be None (no conditioning).
        """
        if labels is not None:
            raise ValueError("This PixelCNN is not conditional: call likelihood_report without labels.")
        nats = -self.log_likelihood(images).mean()
        return {
            "negative_log_likelihood": float(nats),
            "bits_per_dim": float(nats / (self.num_pixels * math.log(2.0))),
            "num_images": int(len(images)),
        }

    # -------------------------------------------------------- sampling -- #
    def _sample_pixel(self, images, position, uniform):
        """One compiled step: draw pixel `position` (row * width + column) of every image."""
        height, width, _ = self.image_shape
        logits = ops.cast(self.network(images, training=False), "float32")
        row, column = position // width, position % width
        pixel_logits = logits[:, row, column, :]  # (batch, 1) or (batch, levels)
        if self.likelihood == "bernoulli":
            value = ops.where(uniform[:, :1] < ops.sigmoid(pixel_logits), 1.0, -1.0)
        else:
            # Inverse-CDF sampling from the softmax with the given uniform draw.
            cumulative = ops.cumsum(ops.softmax(pixel_logits, axis=-1), axis=-1)
            level = ops.sum(ops.cast(cumulative < uniform[:, :1], "float32"), axis=-1, keepdims=True)
            value = ops.minimum(level, self.levels - 1) / (self.levels - 1) * 2.0 - 1.0
        here = ops.reshape(ops.one_hot(position, height * width), (1, height, width, 1))
        return images * (1.0 - here) + ops.reshape(value, (-1, 1, 1, 1)) * here

    def _fill(self, images, first_position, seed):
        rng = np.random.default_rng(seed)
        sample_pixel = self.compiled_for_inference(self._sample_pixel)  # one compiled step, called once per pixel
        images = ops.convert_to_tensor(images, dtype="float32")
        for position in range(first_position, self.num_pixels):
            uniform = ops.convert_to_tensor(rng.uniform(size=(images.shape[0], 1)), dtype="float32")
            images = sample_pixel(images, ops.convert_to_tensor(position, "int32"), uniform)
        return ops.convert_to_numpy(images)

    def sample(self, num_images, seed=None):
        """`num_images` new images, drawn pixel by pixel, float32 in [-1, 1].

        Each of the height x width steps is one call of a compiled function
        that runs the network and draws one pixel of every image. An int
        `seed` gives the same images every call (for the same weights).
        """
        check_positive_int("num_images", num_images)
        seed = int(keras.random.randint((), 0, 2**31 - 1, seed=self.seed_generator)) if seed is None else seed
        return self._fill(np.zeros((num_images, *self.image_shape), "float32"), 0, seed)

    def generate(self, num_images, seed=None):
        """Same as `sample`: the name every model of the package answers to."""
        return self.sample(num_images, seed=seed)

    def complete(self, images, known_rows, seed=None):
        """Keeps the top `known_rows` rows of each image and samples the rest.

        Args:
            images: (N, height, width, 1) in [-1, 1]; for binary models, the
                known pixels should be binary (`gan_keras.data.binarize`).
            known_rows: rows kept, 0 < known_rows < height.
            seed: seed of the sampling.
        """
        images = check_images(images, self.image_shape)
        height = self.image_shape[0]
        if not (isinstance(known_rows, (int, np.integer)) and 0 < known_rows < height):
            raise ValueError(
                f"Invalid value for argument `known_rows`. Expected an int from 1 to {height - 1}. "
                f"Received: known_rows={known_rows!r}"
            )
        seed = 0 if seed is None else seed
        start = int(known_rows) * self.image_shape[1]
        return self._fill(images, start, seed)

    # ------------------------------------------------------- plumbing -- #
    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "network": keras.saving.serialize_keras_object(self.network),
            "dynamic_binarization": self.dynamic_binarization,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)


# --------------------------------------------------------------------------- #
# 5. PixelRNN: the conditionals from Row LSTMs or Diagonal BiLSTMs
# --------------------------------------------------------------------------- #
def row_lstm_network(image_shape=MNIST_SHAPE, hidden_channels=16, lstm_layers=2, output_channels=64, levels=2):
    """The Row LSTM PixelRNN of van den Oord et al. 2016 (their Table 1).

    A 7x7 convolution with mask "A", then `lstm_layers` Row LSTM layers with
    residual connections (each adds its output, projected back by a 1x1
    convolution, to its input), then ReLU and two 1x1 convolutions to the
    per-pixel logits, as in `pixelcnn_network`.

    Args:
        image_shape: (height, width, 1).
        hidden_channels: h; the Row LSTM states have h channels and the
            residual stream 2h.
        lstm_layers: number of Row LSTM layers.
        output_channels, levels: as for `pixelcnn_network`.
    """
    return _residual_recurrent_network(
        "row_lstm",
        lambda index, stream, images: RowLSTM(hidden_channels, name=f"row_lstm{index}")(stream),
        image_shape, hidden_channels, lstm_layers, output_channels, levels,
    )


def _residual_recurrent_network(prefix, recurrent_layer, image_shape, hidden_channels, lstm_layers, output_channels, levels):
    """PixelRNN's shared stack: mask-A 7x7 conv, `lstm_layers` residual recurrent layers, the logits head.

    `recurrent_layer(index, stream, images)` applies layer `index` of the
    stack; its output is projected back to 2h channels by a 1x1 convolution
    and added to the stream.
    """
    check_positive_int("lstm_layers", lstm_layers)
    images = _network_input(image_shape, hidden_channels, output_channels, levels)
    stream = _masked_7x7_A(images, hidden_channels)
    for index in range(lstm_layers):
        hidden = recurrent_layer(index, stream, images)
        hidden = layers.Conv2D(2 * hidden_channels, 1, name=f"{prefix}{index}_projection")(hidden)
        stream = layers.Add(name=f"{prefix}{index}_residual")([stream, hidden])
    logits = _logits_head(stream, output_channels, levels)
    return keras.Model(images, logits, name=f"{prefix}_pixelrnn")


def diagonal_bilstm_network(
    image_shape=MNIST_SHAPE, hidden_channels=16, lstm_layers=1, output_channels=64, levels=2
):
    """The Diagonal BiLSTM PixelRNN of van den Oord et al. 2016 (section 3.2, Table 1).

    `row_lstm_network` with `gan_keras.layers.DiagonalBiLSTM` layers: a 7x7
    convolution with mask "A", then `lstm_layers` Diagonal BiLSTM layers with
    residual connections (each adds its output, projected back to 2h channels
    by a 1x1 convolution, to its input), then ReLU and two 1x1 convolutions to
    the per-pixel logits. The first layer also reads the pixels themselves
    (its mirrored LSTM only; see `DiagonalBiLSTM`): already then the output at
    a pixel depends on every pixel before it and on no other (see
    `causal_dependence`), where the Row LSTM sees a triangle above the pixel.

    Each layer loops over the n + m - 1 diagonals of an n x m image (55 on
    MNIST, both directions in the same loop), the Row LSTM over the n rows
    (28), so the default has one layer where `row_lstm_network` has two:
    12,833 weights against 23,553, and a training step (batch 32, 2 CPU
    cores) about 3 times as long with XLA (3.1 s against 1.1 s of CPU time)
    and 1.4 times without (0.54 s against 0.38 s).

    Args:
        image_shape: (height, width, 1).
        hidden_channels: h; each direction's LSTM states have h channels and
            the residual stream 2h.
        lstm_layers: number of Diagonal BiLSTM layers.
        output_channels, levels: as for `pixelcnn_network`.
    """
    def diagonal_layer(index, stream, images):
        # The first layer's mirrored LSTM also reads the pixels: without them
        # the last pixel of the row above would be missing from the context
        # (see DiagonalBiLSTM); later layers get it through the residual stream.
        layer_inputs = [stream, images] if index == 0 else stream
        return DiagonalBiLSTM(hidden_channels, name=f"diagonal_bilstm{index}")(layer_inputs)

    return _residual_recurrent_network(
        "diagonal_bilstm", diagonal_layer, image_shape, hidden_channels, lstm_layers, output_channels, levels
    )


@keras.saving.register_keras_serializable(package="gan_keras")
class PixelRNN(PixelCNN):
    """PixelRNN: the autoregressive model of `PixelCNN` with an LSTM network.

    Training, likelihood, sampling and completion are `PixelCNN`'s (one
    train loop for both); only the network differs: `row_lstm_network()` or
    `diagonal_bilstm_network()`. Their loops over the rows or the diagonals
    make every training pass and every sampling step slower than PixelCNN's,
    which is the comparison the lesson makes.

    Example:

    ```python
    pixelrnn = PixelRNN(row_lstm_network(), seed=0)  # or diagonal_bilstm_network()
    pixelrnn.compile()
    pixelrnn.fit(load_dataset("mnist", batch_size=32), epochs=10)
    ```
    """

    def default_jit_compile(self):
        """XLA off for the train step with TensorFlow on a CPU; on (the package
        default) elsewhere.

        XLA unrolls the loop over the rows or diagonals into one large graph.
        Measured on 2 CPU cores (batch 32, 28x28 MNIST): with TensorFlow one
        Diagonal BiLSTM step took 3.1 s with XLA (after 117 s of compiling)
        and 0.54 s without, one Row LSTM step 1.0-1.2 s with and 0.38 s
        without; with JAX, which without jit runs op by op, a Row LSTM step
        took 0.6 s with jit and 1.6-1.8 s without
        (`gan_keras.backend.xla_is_slow_for_loops_and_conditions`).
        """
        return not backend.xla_is_slow_for_loops_and_conditions() and default_jit_compile()
