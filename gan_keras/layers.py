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
* `RowLSTM`: PixelRNN's Row LSTM (same paper, section 3.1): an LSTM that runs
  down the image one row at a time, every row computed in parallel by 1-D
  convolutions, its input masked so that no pixel sees itself or its right.
"""

import keras
import numpy as np
from keras import ops

__all__ = ["GaussianSampling", "MaskedConv2D", "RowLSTM", "causal_mask"]


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
