"""Layers that the course's models share.

* `GaussianSampling`: the VAE's reparameterisation trick (Kingma & Welling
  2014, section 2.4): z = mean + exp(log_variance / 2) * eps with
  eps ~ N(0, I), so the sample is a differentiable function of the encoder's
  outputs and gradients reach the encoder through it.
"""

import keras
from keras import ops

__all__ = ["GaussianSampling"]


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
