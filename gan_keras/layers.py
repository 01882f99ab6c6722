"""Layers that the course's models share.

* `GaussianSampling`: the VAE's reparameterisation trick (Kingma & Welling
  2014, section 2.4): z = mean + exp(log_variance / 2) * eps with
  eps ~ N(0, I), so the sample is a differentiable function of the encoder's
  outputs and gradients reach the encoder through it.
* `MaskedConv2D`: PixelCNN's masked convolution (van den Oord et al. 2016,
  "Pixel Recurrent Neural Networks", section 3.4): each output pixel sees only
  the pixels above it and to its left (mask "A", first layer) or those and
  itself (mask "B", later layers), so a stack of them models
  p(x_i | x_1..x_{i-1}) in raster order.
* `GatedPixelCNNBlock`: the gated PixelCNN's layer (van den Oord et al. 2016b,
  "Conditional Image Generation with PixelCNN Decoders", section 2.1-2.2):
  a vertical stack that sees the rows above and a horizontal stack that sees
  the pixels to the left, joined so that no earlier pixel is out of sight
  (no "blind spot"), with tanh x sigmoid gates.
* `RowLSTM`: PixelRNN's Row LSTM (same paper, section 3.1): an LSTM that runs
  down the image one row at a time, every row computed in parallel by 1-D
  convolutions, its input masked so that no pixel sees itself or its right.
* `DiagonalBiLSTM`: PixelRNN's Diagonal BiLSTM (same paper, section 3.2): two
  LSTMs that sweep the skewed image along its diagonals, one from each top
  corner, so that every pixel sees all the pixels before it.
* `MinibatchDiscrimination`, `VirtualBatchNormalization` (with
  `PrependReferenceBatch` / `DropReferenceBatch`): two of the "improved
  techniques for training GANs" of Salimans et al. 2016, sections 3.2 and 3.5.
* `EqualizedDense`, `EqualizedConv2D`, `PixelNormalization`,
  `MinibatchStandardDeviation`, `FadeIn`: the pieces of progressive growing
  (Karras et al. 2018, "Progressive Growing of GANs for Improved Quality,
  Stability, and Variation", sections 2-4): weights stored as N(0, 1) and
  scaled by He's constant at run time, each pixel's feature vector scaled to
  unit length, the batch's standard deviation as one more feature map for D,
  and the blend of a new, higher-resolution block with the upsampled output of
  the old one.
* `InstanceNormalization`, `ReflectionPadding2D`: CycleGAN's generator
  (Zhu et al. 2017, after Johnson et al. 2016 and Ulyanov et al. 2016):
  each image's channels normalised by their own statistics, and borders
  padded by mirroring the image instead of with zeros.
* `ImageHistoryPool`: CycleGAN's history of generated images (after
  Shrivastava et al. 2017): the discriminator sees a mix of the newest fakes
  and older ones, so it does not forget what the generator made before.
"""

import keras
import numpy as np
from keras import ops

from gan_keras._checks import check_positive_int

__all__ = [
    "DiagonalBiLSTM",
    "DropReferenceBatch",
    "EqualizedConv2D",
    "EqualizedDense",
    "FadeIn",
    "GatedPixelCNNBlock",
    "GaussianSampling",
    "ImageHistoryPool",
    "InstanceNormalization",
    "MaskedConv2D",
    "Maxout",
    "MinibatchDiscrimination",
    "MinibatchStandardDeviation",
    "PixelNormalization",
    "PrependReferenceBatch",
    "ReflectionPadding2D",
    "RowLSTM",
    "VirtualBatchNormalization",
    "causal_mask",
]


@keras.saving.register_keras_serializable(package="gan_keras")
class GaussianSampling(keras.layers.Layer):
    """Draws z ~ N(mean, diag(exp(log_variance))) by reparameterisation.

    The randomness is eps ~ N(0, I), drawn from the layer's own
    `keras.random.SeedGenerator`, so every call gives new noise (inside a
    compiled `train_step` too) and a fixed `seed` makes a run repeatable. The
    sample is ``mean + exp(0.5 * log_variance) * eps``: a deterministic,
    differentiable function of `mean` and `log_variance` given eps, which is
    what lets backpropagation train the encoder.

    Args:
        seed: seed of the noise (None: a random seed).

    Call arguments:
        inputs: a pair `(mean, log_variance)` of tensors of the same shape.
        num_samples: None for one sample per row; an int k for k samples of
            every row, stacked on a new first axis: shape (k, *mean.shape).

    Example:

    ```python
    sampling = GaussianSampling(seed=0)
    z = sampling((mean, log_variance))  # same shape as mean
    ```
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and not isinstance(seed, int):
            raise ValueError(
                f"Invalid value for argument `seed`. Expected an int or None. Received: seed={seed!r}"
            )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        # No weights to create: built from the start, as Keras's Dropout is. An
        # unbuilt layer makes the JAX trainer build the whole model by calling
        # it on the inputs alone, which a conditional VAE refuses.
        self.built = True

    def call(self, inputs, num_samples=None):
        mean, log_variance = inputs
        shape = ops.shape(mean) if num_samples is None else (num_samples, *ops.shape(mean))
        epsilon = keras.random.normal(shape, dtype=mean.dtype, seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_variance) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


MASK_TYPES = ("A", "B")


def causal_mask(kernel_size, mask_type):
    """The (height, width) 0/1 mask of a PixelCNN kernel.

    1 for every kernel position above the centre row, and for the positions
    left of the centre in the centre row; the centre itself is 1 for mask
    "B" and 0 for mask "A". Drawn for a 5x5 kernel, mask "A":

        1 1 1 1 1
        1 1 1 1 1
        1 1 0 0 0
        0 0 0 0 0
        0 0 0 0 0
    """
    height, width = kernel_size
    if height % 2 == 0 or width % 2 == 0:
        raise ValueError(
            "A causal mask needs a kernel with a centre: expected odd kernel sizes. "
            f"Received: kernel_size={tuple(kernel_size)}"
        )
    if mask_type not in MASK_TYPES:
        raise ValueError(
            f"Invalid value for argument `mask_type`. Expected 'A' (first layer: the pixel "
            f"does not see itself) or 'B' (later layers). Received: mask_type={mask_type!r}"
        )
    mask = np.zeros((height, width), dtype="float32")
    mask[: height // 2, :] = 1.0
    mask[height // 2, : width // 2 + (mask_type == "B")] = 1.0
    return mask


@keras.saving.register_keras_serializable(package="gan_keras")
class MaskedConv2D(keras.layers.Conv2D):
    """A 2-D convolution whose kernel sees only already generated pixels.

    PixelCNN (van den Oord et al. 2016) orders the pixels of an image row by
    row from the top-left corner and models each one given all before it.
    Multiplying the kernel by `causal_mask` before every convolution keeps that
    order: with mask "A" in the first layer and "B" in the later ones, output
    pixel i of the stack depends only on input pixels 1..i-1. Padding is
    always "same" and the stride 1, so positions line up with pixels.

    The mask is spatial only, which is exact for one-channel images (MNIST).

    Args:
        filters, kernel_size: as for `keras.layers.Conv2D` (odd sizes).
        mask_type: "A" or "B".
        **kwargs: other `Conv2D` arguments (activation, initialisers, ...).

    Example:

    ```python
    first = MaskedConv2D(64, 7, mask_type="A")   # sees only pixels before
    later = MaskedConv2D(64, 3, mask_type="B")   # also its own position
    ```
    """

    def __init__(self, filters, kernel_size, mask_type="B", **kwargs):
        for argument, required in (("padding", "same"), ("strides", (1, 1)), ("dilation_rate", (1, 1))):
            given = kwargs.pop(argument, required)
            if given not in (required, required[0] if isinstance(required, tuple) else required, 1):
                raise ValueError(
                    f"MaskedConv2D keeps pixel positions aligned: `{argument}` must be {required!r}. "
                    f"Received: {argument}={given!r}"
                )
        super().__init__(filters, kernel_size, padding="same", **kwargs)
        self.mask_type = mask_type
        self.mask = causal_mask(self.kernel_size, mask_type)

    def convolution_op(self, inputs, kernel):
        mask = ops.convert_to_tensor(self.mask[:, :, None, None], dtype=kernel.dtype)
        return super().convolution_op(inputs, kernel * mask)

    def get_config(self):
        config = super().get_config()
        for fixed in ("padding", "strides", "dilation_rate"):
            config.pop(fixed, None)
        return {**config, "mask_type": self.mask_type}


def _gate(features):
    """The gated activation tanh(a) * sigmoid(b) of the two halves of the channels."""
    values, gates = ops.split(features, 2, axis=-1)
    return ops.tanh(values) * ops.sigmoid(gates)


def _shift_down(images):
    """Moves every row one down (a zero row on top): row r then holds row r - 1."""
    return ops.pad(images, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]


@keras.saving.register_keras_serializable(package="gan_keras")
class GatedPixelCNNBlock(keras.layers.Layer):
    """One layer of the gated PixelCNN (van den Oord et al. 2016b, Figure 2).

    A masked 3x3 kernel cannot see the pixels above and to the right of the
    pixel it models, and stacking such layers never fixes it: a "blind spot"
    that grows with depth. The gated PixelCNN splits every layer in two:

    * the vertical stack: a (k//2 + 1) x k convolution of the rows above
      and the current row, so at row r it has seen the whole of rows <= r
      within its reach, right side included;
    * the horizontal stack: a 1 x (k//2 + 1) convolution of the pixels to
      the left in the current row (and of the pixel itself, except in the
      first layer: there it would see the value it must predict).

    The vertical features, shifted one row down so that row r only holds
    rows < r, join the horizontal stack through a 1x1 convolution. Both
    stacks use the gate tanh(W_f * x) * sigmoid(W_g * x) instead of ReLU;
    the horizontal stack ends with a 1x1 convolution and a residual
    connection. Row r of the vertical output may see row r itself, so only
    its shifted copy may reach the pixels' predictions.

    Args:
        filters: p, the channels of both outputs (each convolution makes 2p
            for the gate).
        kernel_size: odd k, the width of the vertical and the reach of the
            horizontal convolution (7 in the first layer, 3 after).
        first: True for the first layer: its horizontal stack does not see the
            current pixel (the gated version of mask "A") and has no residual
            connection (its input is the image, not p channels).

    Input: [vertical, horizontal], each (batch, height, width, channels); in
    the first layer both are the image. Output: [vertical, horizontal], each
    (batch, height, width, filters).
    """

    def __init__(self, filters, kernel_size, first=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"Invalid value for argument `filters`. Expected a positive int. Received: filters={filters!r}")
        if not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(
                f"Invalid value for argument `kernel_size`. Expected an odd positive int. Received: kernel_size={kernel_size!r}"
            )
        self.filters, self.kernel_size, self.first = filters, kernel_size, bool(first)
        reach = kernel_size // 2
        self.vertical_conv = keras.layers.Conv2D(2 * filters, (reach + 1, kernel_size), name="vertical_conv")
        self.vertical_to_horizontal = keras.layers.Conv2D(2 * filters, 1, name="vertical_to_horizontal")
        self.horizontal_conv = keras.layers.Conv2D(2 * filters, (1, reach + 1), name="horizontal_conv")
        self.horizontal_output = keras.layers.Conv2D(filters, 1, name="horizontal_output")

    def build(self, input_shape):
        vertical_shape, horizontal_shape = input_shape
        batch, height, width, _ = vertical_shape
        self.vertical_conv.build((batch, None, None, vertical_shape[-1]))
        self.vertical_to_horizontal.build((batch, height, width, 2 * self.filters))
        self.horizontal_conv.build((batch, None, None, horizontal_shape[-1]))
        self.horizontal_output.build((batch, height, width, self.filters))
        if not self.first and horizontal_shape[-1] != self.filters:
            raise ValueError(
                f"GatedPixelCNNBlock adds its horizontal input to its output: the input needs {self.filters} "
                f"channels (or first=True). Received: {horizontal_shape[-1]} channels"
            )

    def call(self, inputs):
        vertical, horizontal = inputs
        reach = self.kernel_size // 2
        # Vertical: pad reach rows on top and reach columns on each side, then
        # a valid (reach + 1) x k convolution: row r sees rows r - reach .. r.
        padded = ops.pad(vertical, ((0, 0), (reach, 0), (reach, reach), (0, 0)))
        vertical_features = self.vertical_conv(padded)
        # Horizontal: pad reach columns on the left; a valid 1 x (reach + 1)
        # convolution sees columns c - reach .. c. The first layer shifts its
        # input one column right, so that it sees c - reach - 1 .. c - 1.
        if self.first:
            horizontal_in = ops.pad(horizontal, ((0, 0), (0, 0), (reach + 1, 0), (0, 0)))[:, :, :-1]
        else:
            horizontal_in = ops.pad(horizontal, ((0, 0), (0, 0), (reach, 0), (0, 0)))
        horizontal_features = self.horizontal_conv(horizontal_in)
        horizontal_features = horizontal_features + self.vertical_to_horizontal(_shift_down(vertical_features))
        horizontal_out = self.horizontal_output(_gate(horizontal_features))
        if not self.first:
            horizontal_out = horizontal_out + horizontal
        return [_gate(vertical_features), horizontal_out]

    def compute_output_shape(self, input_shape):
        shape = (*input_shape[0][:3], self.filters)
        return [shape, shape]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size, "first": self.first}


@keras.saving.register_keras_serializable(package="gan_keras")
class RowLSTM(keras.layers.Layer):
    """The Row LSTM of van den Oord et al. 2016 ("Pixel Recurrent Neural Networks").

    The image is processed row by row from the top. For row r the four LSTM
    gates are

        [o, f, i, g] = sigmoid/tanh( K_is * x_r  +  K_ss * h_{r-1} ),

    where K_is is a 1x3 convolution of the row's input with mask "B" (a
    pixel sees its left neighbour and itself, never its right), computed for
    all rows at once, and K_ss a 1-D convolution of width 3 of the previous
    row's hidden states (its left, own and right neighbour one row up). Then
    c_r = f * c_{r-1} + i * g and h_r = o * tanh(c_r). Each state therefore
    sees a triangle of the rows above: a wider context than a stack of masked
    3x3 convolutions of the same depth, bought with a loop over the rows.

    Its input must already be causal (e.g. the output of a `MaskedConv2D`
    with mask "A"): the layer keeps "sees only pixels before" true, it does
    not create it.

    Args:
        units: channels of the hidden and cell states.

    Input: (batch, height, width, channels). Output: (batch, height, width, units).
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"Invalid value for argument `units`. Expected a positive int. Received: units={units!r}")
        self.units = units
        self.input_to_state = MaskedConv2D(4 * units, (1, 3), mask_type="B", name="input_to_state")
        self.state_to_state = keras.layers.Conv1D(4 * units, 3, padding="same", name="state_to_state")

    def build(self, input_shape):
        self.input_to_state.build(input_shape)
        self.state_to_state.build((input_shape[0], input_shape[2], self.units))

    def call(self, inputs):
        gates_from_input = self.input_to_state(inputs)  # (batch, height, width, 4 units), all rows at once
        height = inputs.shape[1]
        if height is None:
            raise ValueError("RowLSTM needs a known image height (it unrolls its loop over the rows).")
        hidden = ops.zeros_like(gates_from_input[:, 0, :, : self.units])
        cell = hidden
        hidden_rows = []
        # A Python loop over the (known) rows: the compiled step unrolls it,
        # which XLA accepts (a symbolic while loop's gradient it does not).
        for row in range(height):
            gates = gates_from_input[:, row] + self.state_to_state(hidden)
            output_gate, forget_gate, input_gate, candidate = ops.split(gates, 4, axis=-1)
            cell = ops.sigmoid(forget_gate) * cell + ops.sigmoid(input_gate) * ops.tanh(candidate)
            hidden = ops.sigmoid(output_gate) * ops.tanh(cell)
            hidden_rows.append(hidden)
        return ops.stack(hidden_rows, axis=1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:3], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def _skew(images):
    """Shifts row r of (batch, n, m, channels) right by r: (batch, n, n + m - 1, channels).

    Pixel (r, c) moves to column r + c, so each diagonal of the image
    (r + c constant) becomes one column; the rest is zeros. Done without a
    loop: give every row n zeros on the right (rows of m + n), read the
    flat result back in rows one shorter (m + n - 1), and row r starts r
    places later.
    """
    height, width, channels = images.shape[1:]
    padded = ops.pad(images, ((0, 0), (0, 0), (0, height), (0, 0)))
    flat = ops.reshape(padded, (-1, height * (width + height), channels))[:, : height * (width + height - 1)]
    return ops.reshape(flat, (-1, height, width + height - 1, channels))


def _unskew(skewed, width):
    """The inverse of `_skew`: row r keeps columns r .. r + width - 1 (rows one longer move r places back)."""
    height, skewed_width, channels = skewed.shape[1:]
    flat = ops.pad(ops.reshape(skewed, (-1, height * skewed_width, channels)), ((0, 0), (0, height), (0, 0)))
    return ops.reshape(flat, (-1, height, skewed_width + 1, channels))[:, :, :width]


@keras.saving.register_keras_serializable(package="gan_keras")
class DiagonalBiLSTM(keras.layers.Layer):
    """The Diagonal BiLSTM of van den Oord et al. 2016 ("Pixel Recurrent Neural
    Networks", section 3.2).

    An LSTM that walks along the diagonals of the image. The input map is
    first skewed: row r moves r positions to the right, so an n x m map
    becomes n x (n + m - 1) and each diagonal of the image becomes one
    column. The LSTM then runs over the skewed map column by column, each
    column (all n rows at once) in one step:

        [o, f, i, g] = sigmoid/tanh( K_is * x_j  +  K_ss * h_{j-1} ),
        c_j = f * c_{j-1} + i * g,    h_j = o * tanh(c_j),

    where K_is is a 1x1 convolution of the input (mask "B": a position sees
    only itself, which for one channel is a plain 1x1 convolution), computed
    for the whole map at once, and K_ss a 2x1 convolution down the previous
    column: the hidden states of the same row and of the row above. The
    output map is unskewed (row r shifted back left by r). In the image,
    those two states are the pixel's left neighbour (r, c - 1) and the pixel
    above it (r - 1, c): the state at (r, c) has seen the whole rectangle of
    rows <= r and columns <= c.

    Bidirectional: a second LSTM with its own weights runs the same way on
    the horizontally mirrored input and is mirrored back, so it has seen rows
    <= r and columns >= c, which includes the future pixels to its right in
    row r. Its output is therefore shifted one row down (row r gets the state
    of row r - 1: rows < r, columns >= c) before it is added to the first
    one's. The sum has seen the inputs of every row above and of row r up to
    (r, c): the full context (but for the one pixel of the next paragraph),
    where the Row LSTM sees a triangle above the pixel and PixelCNN has a
    blind spot.

    Its input must already be causal (e.g. the output of a `MaskedConv2D`
    with mask "A"): the layer keeps "sees only pixels before" true, it does
    not create it.

    The one pixel a causal input hides. A mask-A feature at (r', c') never
    holds pixel (r', c') itself, so no feature of row r - 1 or above holds the
    last pixel of row r - 1, (r - 1, m - 1): only features of row r do, and
    the left-to-right LSTM at (r, c) reads row r only up to column c, whose
    7x7 mask-A features reach 3 columns to the right in the row above. Built
    exactly as in the paper, the output at (r, c) therefore misses pixel
    (r - 1, m - 1) whenever c < m - 4 (`causal_dependence` shows it). The
    mirrored LSTM may see the current pixel, since its output is shifted one
    row down: pass the pixels themselves as a second input,
    `DiagonalBiLSTM(units)([causal_features, images])`, and the mirrored
    LSTM also reads them (through its own 1x1 convolution,
    `pixels_to_state`). Then every output depends on every earlier pixel.

    Weights: `input_to_state`, a 1x1 `MaskedConv2D` with 8 x units filters
    (the first 4 x units for the left-to-right LSTM, the rest for the
    mirrored one: a 1x1 convolution commutes with mirroring, so one call
    serves both); `state_to_state_kernel` of shape (2, 2 x units,
    4 x units), per direction the 2x1 kernel with the row above in its first
    `units` rows and the same row in the others, and `state_to_state_bias`.

    Args:
        units: channels of the hidden and cell states of each direction.

    Input: (batch, height, width, channels). Output: (batch, height, width, units).

    Example:

    ```python
    images = keras.Input((28, 28, 1))
    causal = MaskedConv2D(32, 7, mask_type="A")(images)
    hidden = DiagonalBiLSTM(16)([causal, images])  # (None, 28, 28, 16): sees every earlier pixel
    ```
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"Invalid value for argument `units`. Expected a positive int. Received: units={units!r}")
        self.units = units
        self.input_to_state = MaskedConv2D(2 * 4 * units, 1, mask_type="B", name="input_to_state")
        self.pixels_to_state = None  # built when the pixels come as a second input

    @staticmethod
    def _with_pixels(inputs):
        """(causal features, pixels or None) of a tensor, a shape, or a pair of either."""
        if isinstance(inputs, (list, tuple)) and len(inputs) == 2 and not isinstance(inputs[0], (int, type(None))):
            return inputs[0], inputs[1]
        return inputs, None

    def build(self, input_shape):
        input_shape, pixels_shape = self._with_pixels(input_shape)
        if pixels_shape is not None:
            if tuple(pixels_shape[1:3]) != tuple(input_shape[1:3]):
                raise ValueError(
                    "DiagonalBiLSTM's two inputs must have the same height and width. "
                    f"Received: features {tuple(input_shape)} and pixels {tuple(pixels_shape)}"
                )
            self.pixels_to_state = keras.layers.Conv2D(4 * self.units, 1, use_bias=False, name="pixels_to_state")
            self.pixels_to_state.build(pixels_shape)
        if input_shape[1] is None or input_shape[2] is None:
            raise ValueError(
                "DiagonalBiLSTM needs a known image height and width (it unrolls its loop over the diagonals). "
                f"Received: input shape {tuple(input_shape)}"
            )
        self.input_to_state.build(input_shape)
        self.state_to_state_kernel = self.add_weight(
            shape=(2, 2 * self.units, 4 * self.units), initializer="glorot_uniform", name="state_to_state_kernel"
        )
        self.state_to_state_bias = self.add_weight(
            shape=(2, 1, 1, 4 * self.units), initializer="zeros", name="state_to_state_bias"
        )

    def call(self, inputs):
        inputs, pixels = self._with_pixels(inputs)
        height, width, units = inputs.shape[1], inputs.shape[2], self.units
        left_to_right, right_to_left = ops.split(self.input_to_state(inputs), 2, axis=-1)
        if pixels is not None:
            # Only the mirrored LSTM, whose output moves one row down, may see
            # the current pixel (and with it the last pixel of the row above).
            right_to_left = right_to_left + self.pixels_to_state(pixels)
        # Both directions run in one loop: the mirrored map joins the batch
        # (direction first), so each step is one set of operations for both.
        both = ops.concatenate([left_to_right, ops.flip(right_to_left, axis=2)], axis=0)  # (2 batch, n, m, 4 units)
        columns = ops.transpose(_skew(both), (2, 0, 1, 3))  # (n + m - 1, 2 batch, n, 4 units)
        columns = ops.reshape(columns, (columns.shape[0], 2, -1, height, 4 * units))
        hidden = ops.zeros_like(columns[0, ..., :units])  # (2, batch, n, units): one column
        cell = hidden
        from_above, from_same_row = self.state_to_state_kernel[:, :units], self.state_to_state_kernel[:, units:]
        hidden_columns = []
        # A Python loop over the (known) n + m - 1 columns, unrolled in the
        # compiled step as in RowLSTM: XLA compiles its gradient, which it does
        # not for a symbolic loop. `unstack` (not one slice per column) keeps
        # the backward pass linear in the number of columns.
        for column_gates in ops.unstack(columns, axis=0):
            # The 2x1 state-to-state convolution: row r reads rows r - 1 and r.
            above = ops.pad(hidden, ((0, 0), (0, 0), (1, 0), (0, 0)))[:, :, :-1]
            gates = (
                column_gates
                + ops.einsum("dbnk,dkg->dbng", above, from_above)
                + ops.einsum("dbnk,dkg->dbng", hidden, from_same_row)
                + self.state_to_state_bias
            )
            output_gate, forget_gate, input_gate, candidate = (gates[..., k * units : (k + 1) * units] for k in range(4))
            cell = ops.sigmoid(forget_gate) * cell + ops.sigmoid(input_gate) * ops.tanh(candidate)
            hidden = ops.sigmoid(output_gate) * ops.tanh(cell)
            hidden_columns.append(hidden)
        skewed = ops.reshape(ops.stack(hidden_columns), (len(hidden_columns), -1, height, units))
        left_to_right, mirrored = ops.split(_unskew(ops.transpose(skewed, (1, 2, 0, 3)), width), 2, axis=0)
        # The mirrored output, mirrored back and shifted one row down, so that
        # row r holds what row r - 1 saw and no pixel of row r (those right of
        # the current pixel are still to come).
        return left_to_right + _shift_down(ops.flip(mirrored, axis=2))

    def compute_output_shape(self, input_shape):
        input_shape, _ = self._with_pixels(input_shape)
        return (*input_shape[:3], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


# --------------------------------------------------------------------------- #
# Improved techniques for training GANs (Salimans et al. 2016)
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class MinibatchDiscrimination(keras.layers.Layer):
    """Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for
    Training GANs", section 3.2).

    A discriminator that judges each image alone cannot see that a generator
    makes the same image again and again (mode collapse). This layer lets it
    compare the images of a batch: each feature vector f(x_i) in R^A is
    multiplied by a learned tensor T in R^(A x B x C), giving B rows
    M_i,b in R^C; for each b, o(x_i)_b = sum over j != i of
    exp(-||M_i,b - M_j,b||_1) measures how close x_i is to the others. The
    output is [f(x_i), o(x_i)]. A batch of near-copies has large o: easy to
    call fake. Real and fake images must come in separate batches
    (`couples_batch`; `GAN` judges them separately).

    Args:
        num_kernels: B (100 in the paper's code).
        kernel_dim: C (5 in the paper's code).

    Input: (batch, A). Output: (batch, A + B).
    """

    couples_batch = True

    def __init__(self, num_kernels=100, kernel_dim=5, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("num_kernels", num_kernels), ("kernel_dim", kernel_dim)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Invalid value for argument `{argument}`. Expected a positive int. "
                                 f"Received: {argument}={value!r}")
        self.num_kernels, self.kernel_dim = num_kernels, kernel_dim

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError("MinibatchDiscrimination takes flat features (batch, A): put a Flatten before it. "
                             f"Received: input shape {tuple(input_shape)}")
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.num_kernels * self.kernel_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.05), name="kernel",
        )

    def call(self, features):
        rows = ops.reshape(ops.matmul(features, self.kernel), (-1, self.num_kernels, self.kernel_dim))
        # L1 distances between every pair (i, j) for each of the B kernels: (batch, batch, B).
        distances = ops.sum(ops.abs(rows[:, None] - rows[None, :]), axis=-1)
        closeness = ops.sum(ops.exp(-distances), axis=1) - 1.0  # minus the j = i term, exp(0)
        return ops.concatenate([features, ops.cast(closeness, features.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels, "kernel_dim": self.kernel_dim}


@keras.saving.register_keras_serializable(package="gan_keras")
class PrependReferenceBatch(keras.layers.Layer):
    """Puts a fixed reference batch of inputs in front of every batch, for
    `VirtualBatchNormalization` (Salimans et al. 2016, section 3.5).

    The reference batch is drawn once, from `distribution` with `seed`, and
    stored with the model (a non-trainable weight), so that the generator's
    normalisation is the same at every step and after `load_model`. Close
    the network with `DropReferenceBatch` so that callers never see it.

    Args:
        reference_size: R, the number of reference inputs.
        distribution: "normal" (N(0, I)) or "uniform" (U(-1, 1)): the
            generator's prior, so the reference inputs look like its inputs.
        seed: seed of the draw.
    """

    def __init__(self, reference_size=64, distribution="normal", seed=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(reference_size, int) or reference_size < 1:
            raise ValueError(f"Invalid value for argument `reference_size`. Expected a positive int. "
                             f"Received: reference_size={reference_size!r}")
        if distribution not in ("normal", "uniform"):
            raise ValueError(f"Invalid value for argument `distribution`. Expected 'normal' or 'uniform'. "
                             f"Received: distribution={distribution!r}")
        self.reference_size, self.distribution, self.seed = reference_size, distribution, seed

    def build(self, input_shape):
        shape = (self.reference_size, *input_shape[1:])
        if self.distribution == "uniform":
            initializer = keras.initializers.RandomUniform(-1.0, 1.0, seed=self.seed)
        else:
            initializer = keras.initializers.RandomNormal(0.0, 1.0, seed=self.seed)
        self.reference = self.add_weight(shape=shape, initializer=initializer, trainable=False, name="reference")

    def call(self, inputs):
        return ops.concatenate([ops.cast(self.reference, inputs.dtype), inputs], axis=0)

    def compute_output_shape(self, input_shape):
        return (None, *input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size,
                "distribution": self.distribution, "seed": self.seed}


@keras.saving.register_keras_serializable(package="gan_keras")
class DropReferenceBatch(keras.layers.Layer):
    """Removes the first `reference_size` rows (the reference batch) again."""

    def __init__(self, reference_size=64, **kwargs):
        super().__init__(**kwargs)
        self.reference_size = reference_size

    def call(self, inputs):
        return inputs[self.reference_size :]

    def compute_output_shape(self, input_shape):
        return (None, *input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size}


@keras.saving.register_keras_serializable(package="gan_keras")
class VirtualBatchNormalization(keras.layers.Layer):
    """Virtual batch normalisation (Salimans et al. 2016, section 3.5).

    BatchNorm makes the output for one image depend on the other images of
    its batch. VBN normalises each example x with statistics of a reference
    batch, fixed at the start of training, together with x itself:

        mean(x) = (R * mean_ref + mean_x) / (R + 1),
        var(x)  = (R * meansq_ref + meansq_x) / (R + 1) - mean(x)^2,

    per channel, averaging over the spatial positions too (as BatchNorm does
    for convolutions); the reference rows use the reference statistics alone.
    Then y = gamma * (x - mean) / sqrt(var + epsilon) + beta. The first
    `reference_size` rows of the input must be the reference batch's
    activations (`PrependReferenceBatch` at the network's input): every call
    pays for R extra rows, which is why the paper used VBN in G only.

    Args:
        reference_size: R, as given to `PrependReferenceBatch`.
        epsilon: added to the variance.
    """

    def __init__(self, reference_size=64, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.reference_size, self.epsilon = reference_size, epsilon

    def build(self, input_shape):
        channels = input_shape[-1]
        self.gamma = self.add_weight(shape=(channels,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(channels,), initializer="zeros", name="beta")

    def call(self, inputs):
        values = ops.cast(inputs, "float32")
        spatial_axes = tuple(range(1, len(values.shape) - 1))
        example_mean = ops.mean(values, axis=spatial_axes, keepdims=True) if spatial_axes else values
        example_square = ops.mean(values**2, axis=spatial_axes, keepdims=True) if spatial_axes else values**2
        size = self.reference_size
        reference_mean = ops.mean(example_mean[:size], axis=0, keepdims=True)
        reference_square = ops.mean(example_square[:size], axis=0, keepdims=True)
        mean = (size * reference_mean + example_mean[size:]) / (size + 1)
        square = (size * reference_square + example_square[size:]) / (size + 1)
        mean = ops.concatenate([ops.repeat(reference_mean, size, axis=0), mean], axis=0)
        square = ops.concatenate([ops.repeat(reference_square, size, axis=0), square], axis=0)
        variance = ops.maximum(square - mean**2, 0.0)
        normalised = (values - mean) / ops.sqrt(variance + self.epsilon) * self.gamma + self.beta
        return ops.cast(normalised, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "reference_size": self.reference_size, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="gan_keras")
class Maxout(keras.layers.Layer):
    """A maxout layer (Goodfellow et al. 2013): `units` outputs, each the
    maximum of `pieces` linear functions of the input. The conditional GAN of
    Mirza & Osindero 2014 builds its discriminator from these.

    Input: (batch, features). Output: (batch, units).
    """

    def __init__(self, units, pieces, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("units", units), ("pieces", pieces)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Invalid value for argument `{argument}`. Expected a positive int. "
                                 f"Received: {argument}={value!r}")
        self.units, self.pieces = units, pieces
        self.linear = keras.layers.Dense(units * pieces, name="linear")

    def build(self, input_shape):
        self.linear.build(input_shape)

    def call(self, inputs):
        return ops.max(ops.reshape(self.linear(inputs), (-1, self.units, self.pieces)), axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}


# --------------------------------------------------------------------------- #
# Progressive growing (ProGAN)
# --------------------------------------------------------------------------- #
def _he_scale(fan_in, gain):
    return float(gain) / float(np.sqrt(fan_in))


@keras.saving.register_keras_serializable(package="gan_keras")
class EqualizedDense(keras.layers.Dense):
    """A `Dense` layer with ProGAN's equalised learning rate (Karras et al.
    2018, section 4.1).

    The kernel is stored as N(0, 1) draws and multiplied at run time by He's
    constant c = gain / sqrt(fan_in); the bias starts at 0. Adam's step is
    about the same size for every weight, so scaling the weights in the
    forward pass (not at initialisation) makes every layer learn at the same
    speed, whatever its fan-in.

    Args:
        units: as for `Dense`.
        gain: sqrt(2) (He, for LeakyReLU/ReLU layers); 1 for a linear output.
        **kwargs: as for `Dense`, except the initialisers, which are fixed.
    """

    def __init__(self, units, gain=np.sqrt(2.0), **kwargs):
        kwargs.pop("kernel_initializer", None)
        kwargs.pop("bias_initializer", None)
        super().__init__(units, kernel_initializer=keras.initializers.RandomNormal(0.0, 1.0),
                         bias_initializer="zeros", **kwargs)
        self.gain = float(gain)

    def build(self, input_shape):
        super().build(input_shape)
        self.scale = _he_scale(input_shape[-1], self.gain)

    def call(self, inputs, training=None):
        outputs = ops.matmul(inputs, self.kernel * self.scale)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias)
        return self.activation(outputs) if self.activation is not None else outputs

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


@keras.saving.register_keras_serializable(package="gan_keras")
class EqualizedConv2D(keras.layers.Conv2D):
    """A `Conv2D` layer with ProGAN's equalised learning rate: the kernel is
    stored as N(0, 1) draws and multiplied at run time by
    c = gain / sqrt(kernel_height * kernel_width * input_channels)
    (see `EqualizedDense`)."""

    def __init__(self, filters, kernel_size, gain=np.sqrt(2.0), **kwargs):
        kwargs.pop("kernel_initializer", None)
        kwargs.pop("bias_initializer", None)
        kwargs.setdefault("padding", "same")
        super().__init__(filters, kernel_size, kernel_initializer=keras.initializers.RandomNormal(0.0, 1.0),
                         bias_initializer="zeros", **kwargs)
        self.gain = float(gain)

    def build(self, input_shape):
        super().build(input_shape)
        self.scale = _he_scale(int(np.prod(self.kernel_size)) * input_shape[-1], self.gain)

    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * self.scale)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


@keras.saving.register_keras_serializable(package="gan_keras")
class PixelNormalization(keras.layers.Layer):
    """ProGAN's pixelwise feature vector normalisation (Karras et al. 2018,
    section 4.2): ``b = a / sqrt(mean over channels of a^2 + epsilon)`` at
    every pixel, so each pixel's feature vector has unit mean square. Used in
    the generator after every convolution, instead of BatchNorm: it keeps the
    signal from escalating without coupling the images of a batch."""

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)
        self.built = True  # no weights to make

    def call(self, inputs):
        return inputs * ops.rsqrt(ops.mean(ops.square(inputs), axis=-1, keepdims=True) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="gan_keras")
class MinibatchStandardDeviation(keras.layers.Layer):
    """ProGAN's minibatch standard deviation (Karras et al. 2018, section 3):
    one more feature map for D holding how much the images of the batch vary.

    Over groups of `group_size` images: the standard deviation of every
    feature at every pixel across the group, averaged over features and
    pixels into one number per group, is appended to each of the group's
    images as a constant feature map. A generator that makes too similar
    images gives D a low value to catch it by. `group_size=None` takes the
    whole batch as one group (the paper's description; its code uses groups
    of 4). The batch size must be a multiple of the group size. Real and fake
    images must come in separate batches (`couples_batch`).

    Input: (batch, H, W, C). Output: (batch, H, W, C + 1).
    """

    couples_batch = True

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if group_size is not None and (not isinstance(group_size, int) or group_size < 2):
            raise ValueError(f"Invalid value for argument `group_size`. Expected an int >= 2 or None (the whole "
                             f"batch). Received: group_size={group_size!r}")
        self.group_size, self.epsilon = group_size, float(epsilon)
        self.built = True  # no weights to make

    def call(self, images):
        batch = ops.shape(images)[0]
        if self.group_size is None:
            group = batch
        elif isinstance(batch, int):  # a static batch size (JAX, or a fixed-size TensorFlow batch)
            group = min(self.group_size, batch)
        else:
            group = ops.minimum(self.group_size, batch)
        height, width, channels = images.shape[1:]
        grouped = ops.reshape(images, (group, -1, height, width, channels))  # image i is in group i mod G's column
        variance = ops.mean(ops.square(grouped - ops.mean(grouped, axis=0, keepdims=True)), axis=0)
        spread = ops.mean(ops.sqrt(variance + self.epsilon), axis=(1, 2, 3))  # one value per group
        maps = ops.tile(ops.reshape(spread, (1, -1, 1, 1, 1)), (group, 1, height, width, 1))
        return ops.concatenate([images, ops.cast(ops.reshape(maps, (-1, height, width, 1)), images.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="gan_keras")
class FadeIn(keras.layers.Layer):
    """ProGAN's fade-in (Karras et al. 2018, section 2, Figure 2):
    ``(1 - alpha) * old + alpha * new``, where `old` is the previous
    resolution's output brought to the new size and `new` the output of the
    block just added. alpha rises from 0 to 1 while the new block is faded in
    (`gan_keras.models.ProGAN` computes it at each step); it is a non-trainable variable of
    the layer, saved with the model, so a run resumes with its alpha.

    Call with `[old, new]`, two tensors of one shape.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.alpha = self.add_weight(shape=(), initializer="zeros", trainable=False, name="alpha")
        self.built = True  # its one weight does not depend on the inputs

    def call(self, inputs):
        old, new = inputs
        alpha = ops.cast(self.alpha, old.dtype)
        return (1.0 - alpha) * old + alpha * new

    def compute_output_shape(self, input_shapes):
        return input_shapes[0]


@keras.saving.register_keras_serializable(package="gan_keras")
class InstanceNormalization(keras.layers.Layer):
    """Instance normalisation (Ulyanov et al. 2016), CycleGAN's normalisation:
    ``(x - mean) / sqrt(variance + epsilon)`` with the mean and variance of
    each image's each channel over its pixels, then, if `affine`, a learned
    scale and offset per channel. No statistics are shared between the images
    of a batch or kept between batches, so training and inference compute the
    same thing and batch size 1 (the paper's) works. `affine=False` is the
    paper's code's default (PyTorch's `InstanceNorm2d`).

    Input and output: (batch, H, W, C).
    """

    def __init__(self, epsilon=1e-5, affine=False, **kwargs):
        super().__init__(**kwargs)
        self.epsilon, self.affine = float(epsilon), bool(affine)

    def build(self, input_shape):
        if self.affine:
            channels = input_shape[-1]
            self.scale = self.add_weight(shape=(channels,), initializer="ones", name="scale")
            self.offset = self.add_weight(shape=(channels,), initializer="zeros", name="offset")

    def call(self, images):
        mean, variance = ops.moments(images, axes=(1, 2), keepdims=True)
        normalised = (images - mean) * ops.rsqrt(variance + self.epsilon)
        return normalised * self.scale + self.offset if self.affine else normalised

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon, "affine": self.affine}


@keras.saving.register_keras_serializable(package="gan_keras")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by `padding` pixels on each side, mirroring the
    image about its border pixels (which are not repeated): a row
    ``a b c d`` padded by 2 becomes ``c b a b c d c b``. CycleGAN's generator
    pads so before its convolutions, so that borders look like image content
    rather than a black frame. `padding` must be smaller than each side.

    Input: (batch, H, W, C). Output: (batch, H + 2 padding, W + 2 padding, C).
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"Invalid value for argument `padding`. Expected an int >= 0. Received: padding={padding!r}")
        self.padding = int(padding)
        self.built = True  # no weights to make

    def call(self, images):
        height, width = images.shape[1:3]
        if (height is not None and self.padding >= height) or (width is not None and self.padding >= width):
            raise ValueError(f"ReflectionPadding2D({self.padding}) needs images larger than {self.padding} pixels "
                             f"on each side. Received: images of {height}x{width}.")
        p = self.padding
        return ops.pad(images, ((0, 0), (p, p), (p, p), (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        grow = lambda side: None if side is None else side + 2 * self.padding  # noqa: E731
        return (batch, grow(height), grow(width), channels)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="gan_keras")
class ImageHistoryPool(keras.layers.Layer):
    """CycleGAN's history of generated images (Zhu et al. 2017, section 4,
    after Shrivastava et al. 2017): the discriminator is updated with a
    history of generated images rather than only the latest ones.

    Each image of a batch, in order (the paper's code's `ImagePool.query`):
    while the pool holds fewer than `size` images, the image is stored and
    returned as it is; once the pool is full, with probability 0.5 the image
    is returned as it is, and otherwise a stored image chosen at random is
    returned and the new image takes its place. The pool and its count are
    non-trainable weights, saved with the model, so a resumed run has its
    history; the draws come from a seeded `SeedGenerator`.

    Args:
        size: images kept (50 in the paper).
        seed: seed of the draws.

    Input and output: (batch, H, W, C).
    """

    def __init__(self, size=50, seed=None, **kwargs):
        super().__init__(**kwargs)
        check_positive_int("size", size)
        self.size, self.seed = int(size), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, images_shape):
        self.images = self.add_weight(shape=(self.size, *images_shape[1:]), initializer="zeros", trainable=False,
                                      name="images")
        self.count = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False, name="count")

    def call(self, images):
        batch = ops.shape(images)[0]
        new_images = ops.cast(images, self.images.dtype)
        return_stored = keras.random.uniform((batch,), seed=self.seed_generator) < 0.5
        random_slots = keras.random.randint((batch,), 0, self.size, seed=self.seed_generator)
        corner = [0] * len(images.shape[1:])

        def query(index, state):
            pool, count, returned = state
            image = new_images[index]
            filling = count < self.size
            swap = ops.logical_and(ops.logical_not(filling), return_stored[index])
            slot = ops.where(filling, count, random_slots[index])
            answer = ops.where(swap, ops.take(pool, slot, axis=0), image)
            stored = ops.slice_update(pool, [slot, *corner], image[None])
            pool = ops.where(ops.logical_or(filling, swap), stored, pool)
            returned = ops.slice_update(returned, [index, *corner], answer[None])
            return pool, count + ops.cast(filling, "int32"), returned

        pool, count, returned = ops.fori_loop(0, batch, query, (self.images.value, self.count.value,
                                                                 ops.zeros_like(new_images)))
        self.images.assign(pool)
        self.count.assign(count)
        return ops.cast(returned, images.dtype)

    def compute_output_shape(self, images_shape):
        return images_shape

    # Keras saves a layer's weights but not its random generator's state:
    # the pool saves it too, so a reloaded pool goes on with the same draws.
    def save_own_variables(self, store):
        super().save_own_variables(store)
        store["seed_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        own_count = len(self._trainable_variables) + len(self._non_trainable_variables)
        super().load_own_variables({str(index): store[str(index)] for index in range(own_count)})
        if "seed_state" in store:
            self.seed_generator.state.assign(store["seed_state"])

    def get_config(self):
        return {**super().get_config(), "size": self.size, "seed": self.seed}
