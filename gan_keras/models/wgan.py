"""Better losses (course section 7): LSGAN, WGAN and WGAN-GP.

Each is the `GAN` of gan.py (the same train loop, the same `GANStep`) with
another adversarial loss and another way of keeping the discriminator in
check, and with its paper's optimisers as the defaults of `compile()`:

1. `LSGAN` (Mao et al. 2017, "Least Squares Generative Adversarial
   Networks"): least-squares losses with the 0-1-1 coding, Adam(2e-4, 0.5);
2. `WGAN` (Arjovsky et al. 2017, "Wasserstein GAN"): a critic with a linear
   output estimates the Wasserstein-1 distance; its weights are clipped to
   [-0.01, 0.01] after every step; 5 critic steps per generator step;
   RMSprop(5e-5);
3. `WGANGP` (Gulrajani et al. 2017, "Improved Training of Wasserstein
   GANs"): the clipping replaced by the gradient penalty
   10 (||grad D(x_hat)|| - 1)^2 on per-sample interpolates; no BatchNorm in
   the critic; 5 critic steps per generator step; Adam(1e-4, 0, 0.9).

The losses and the constraint live in `gan_keras.objectives`
(`LeastSquaresLoss`, `WassersteinLoss`, `WeightClipping`, `GradientPenalty`),
so the same pieces can be combined by hand: `GAN(G, D, loss=WassersteinLoss(),
regularizers=[GradientPenalty(10.0)], discriminator_steps=5)` is a WGAN-GP.

4. `critic_gradient_norms`: the diagnostic of the WGAN-GP paper's Figure 1(b),
   the size of the critic's gradient layer by layer, which weight clipping
   makes explode or vanish through a deep critic.
"""

import keras
import numpy as np

from gan_keras import backend, losses

from gan_keras.models._common import couples_batch
from gan_keras.models.gan import GAN
from gan_keras.objectives import GradientPenalty, LeastSquaresLoss, WassersteinLoss, WeightClipping

__all__ = ["LSGAN", "WGAN", "WGANGP", "critic_gradient_norms"]


@keras.saving.register_keras_serializable(package="gan_keras")
class LSGAN(GAN):
    """LSGAN (Mao et al. 2017): `GAN` with `LeastSquaresLoss()` (a = 0, b = 1, c = 1).

    D's output is a score, used without a sigmoid. `compile()` defaults to
    the paper's Adam(learning_rate=2e-4, beta_1=0.5) for both networks.
    Other arguments as for `GAN`; `loss` may set other targets, e.g.
    `LeastSquaresLoss(fake_target=-1, real_target=1, generator_target=0)`.
    """

    def __init__(self, generator, discriminator, loss=None, **kwargs):
        super().__init__(generator, discriminator, loss=loss or LeastSquaresLoss(), **kwargs)


@keras.saving.register_keras_serializable(package="gan_keras")
class WGAN(GAN):
    """WGAN (Arjovsky et al. 2017, Algorithm 1): `GAN` with `WassersteinLoss()`,
    `WeightClipping(0.01)` on the critic and n_critic = 5.

    `compile()` defaults to the paper's RMSprop(learning_rate=5e-5) for both
    networks (momentum-based optimisers "performed worse" with the clipped
    critic, the paper's section 3). The discriminator is the critic: its
    output must be linear (a score, not a probability).

    Args:
        generator, discriminator: as for `GAN`.
        loss: the adversarial loss (default `WassersteinLoss()`).
        regularizers: default `[WeightClipping(0.01)]`.
        discriminator_steps: n_critic, critic updates per generator update (5).
        **kwargs: as for `GAN` (`latent_distribution`, `seed`, ...).
    """

    def __init__(self, generator, discriminator, loss=None, regularizers=None, discriminator_steps=5, **kwargs):
        super().__init__(
            generator, discriminator,
            loss=loss or WassersteinLoss(),
            regularizers=[WeightClipping(0.01)] if regularizers is None else regularizers,
            discriminator_steps=discriminator_steps,
            **kwargs,
        )

    def default_optimizers(self):
        return {
            "d_optimizer": keras.optimizers.RMSprop(learning_rate=5e-5),
            "g_optimizer": keras.optimizers.RMSprop(learning_rate=5e-5),
        }


@keras.saving.register_keras_serializable(package="gan_keras")
class WGANGP(GAN):
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1): `GAN` with
    `WassersteinLoss()`, `GradientPenalty(10.0)` and n_critic = 5.

    `compile()` defaults to the paper's Adam(learning_rate=1e-4, beta_1=0,
    beta_2=0.9) for both networks. (The paper's code for its toy 2-D data
    uses lambda = 0.1 and beta_1 = 0.5: "smaller lambda makes things faster
    for toy tasks"; `build_model("wgan_gp", (2,))` takes those, and they
    are measured in benchmarks/toy.py.) The penalty is taken per sample, so the
    critic must judge each image on its own: a critic with BatchNorm is
    refused (use no normalisation, or LayerNorm: `dcgan_discriminator(...,
    normalization=None)`).

    Args:
        generator, discriminator: as for `GAN`; the discriminator is the critic.
        loss: default `WassersteinLoss()`.
        regularizers: default `[GradientPenalty(10.0)]` (its eps seeded from `seed` + 1).
        discriminator_steps: n_critic (5).
        adam_beta_1: beta_1 of the Adam optimisers `compile()` makes by
            default (the paper: 0).
        **kwargs: as for `GAN`.
    """

    def __init__(self, generator, discriminator, loss=None, regularizers=None, discriminator_steps=5, seed=None,
                 adam_beta_1=0.0, **kwargs):
        if couples_batch(discriminator):
            raise ValueError(
                "WGAN-GP penalises each sample's gradient, so the critic must judge each image on its own; "
                f"{discriminator.name} has BatchNormalization. Build it without (e.g. dcgan_discriminator(..., "
                "normalization=None)) or with LayerNormalization."
            )
        super().__init__(
            generator, discriminator,
            loss=loss or WassersteinLoss(),
            # eps gets its own stream, not the noise's
            regularizers=[GradientPenalty(10.0, seed=None if seed is None else seed + 1)]
            if regularizers is None else regularizers,
            discriminator_steps=discriminator_steps,
            seed=seed,
            **kwargs,
        )
        if not 0.0 <= adam_beta_1 < 1.0:
            raise ValueError(f"Invalid value for argument `adam_beta_1`. Expected a number in [0, 1). "
                             f"Received: adam_beta_1={adam_beta_1!r}")
        self.adam_beta_1 = float(adam_beta_1)

    def default_optimizers(self):
        return {
            "d_optimizer": keras.optimizers.Adam(learning_rate=1e-4, beta_1=self.adam_beta_1, beta_2=0.9),
            "g_optimizer": keras.optimizers.Adam(learning_rate=1e-4, beta_1=self.adam_beta_1, beta_2=0.9),
        }

    def get_config(self):
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1}


def critic_gradient_norms(critic, points):
    """How large the critic's gradient is at each depth: for each layer with a
    kernel, the mean over `points` of ``|| dD(x) / dh ||``, h the layer's
    input (the first entry is the gradient with respect to x itself, the one
    a gradient penalty asks to be 1).

    Gulrajani et al. 2017 (Figure 1(b)): through a deep critic without
    normalisation, weight clipping makes these norms grow or shrink
    geometrically from layer to layer (c too large or too small), where a
    gradient penalty keeps them of one size.

    Args:
        critic: a `keras.Sequential` critic.
        points: a batch of its inputs (e.g. real and generated points).

    Returns:
        float64 NumPy array, one mean norm per layer with a kernel, the first layer first.
    """
    if not isinstance(critic, keras.Sequential):
        raise ValueError(f"critic_gradient_norms follows a keras.Sequential critic layer by layer; "
                         f"received a {type(critic).__name__}.")
    layers = critic.layers
    starts = [index for index, layer in enumerate(layers) if getattr(layer, "kernel", None) is not None]
    if not starts:
        raise ValueError(f"{critic.name} has no layer with a kernel; expected a critic of Dense or Conv layers.")

    def run(layers_from, inputs):
        for layer in layers_from:
            inputs = layer(inputs, training=False)
        return inputs

    inputs_of, hidden = {}, np.asarray(points, "float32")
    for index, layer in enumerate(layers):
        inputs_of[index] = hidden
        hidden = layer(hidden, training=False)
    norms = []
    for index in starts:
        gradients = backend.input_gradients(lambda h, index=index: run(layers[index:], h), inputs_of[index])
        norms.append(float(np.mean(np.asarray(losses.per_sample_norm(gradients), "float64"))))
    return np.array(norms)
