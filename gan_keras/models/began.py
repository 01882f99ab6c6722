"""BEGAN: Berthelot, Schumm & Metz 2017, "BEGAN: Boundary Equilibrium
Generative Adversarial Networks".

Course section 8. Read top to bottom:

1. the networks (the paper's Figure 1): the discriminator is an autoencoder,
   an encoder to an h-dimensional code and a decoder back to an image; the
   generator has the decoder's architecture (its own weights). Only 3x3
   convolutions with ELU, stride-2 convolutions to go down, nearest-neighbour
   upsampling to go up; no BatchNorm, no dropout, no transposed convolution.
   The number of scales follows the image size, down to 7x7 or 8x8 (the paper
   keeps 8x8: 32x32 has three scales, 64x64 four; MNIST's 28x28 goes down to 7x7);
2. `BEGAN`, the `GAN` of section 1 with the `BoundaryEquilibriumLoss` of
   `gan_keras.objectives`. D does not classify: it reconstructs, and
   L(v) = |v - D(v)| is its pixel-wise L1 error. D learns to reconstruct real
   images well and fakes badly, ``L_D = L(x) - k_t L(G(z))``; G learns to make
   fakes D reconstructs well, ``L_G = L(G(z))``. The losses compare the
   *distributions of reconstruction errors* of real and generated images (the
   paper's lower bound on a Wasserstein distance between them), so no
   Lipschitz constraint is needed. k_t, a proportional controller, keeps
   E[L(G(z))] = gamma E[L(x)]: gamma in (0, 1] trades diversity (high gamma)
   for sharpness (low gamma). M_global = L(x) + |gamma L(x) - L(G(z))| is
   the paper's measure of convergence, which it finds falling as the samples
   improve.

Defaults are the paper's: z uniform in [-1, 1]^64, a 64-dimensional code
(N_z = N_h = 64), lambda_k = 0.001, k_0 = 0, Adam with learning rate 1e-4
(the top of the paper's [5e-5, 1e-4]; it halves the rate when M_global
stalls, which `keras.callbacks.ReduceLROnPlateau(monitor="M_global", mode="min",
factor=0.5)` does for both networks). The paper gives no Adam betas; beta_1 =
0.5 is the common re-implementations' (and DCGAN's) choice. One change: the
generator ends with tanh, since every image of this package lives in [-1, 1];
D's decoder keeps the paper's linear last convolution. (With tanh there too,
the L1 loss keeps pushing MNIST's -1 background pixels into tanh's flat tail
until every gradient through it vanishes: tried, D's reconstructions stuck at
blank images, L(x) = 0.263, and G with them.)
"""

import keras
import numpy as np
from keras import layers, ops

from gan_keras._checks import check_positive_int
from gan_keras.models._common import MNIST_SHAPE, check_image_shape, check_images
from gan_keras.models.gan import GAN
from gan_keras.objectives import BoundaryEquilibriumLoss

__all__ = ["BEGAN", "began_discriminator", "began_generator", "began_scales"]

# The paper's sizes: N_z = N_h = 64 (its section 4.1).
LATENT_DIM = 64
CODE_DIM = 64
# n, the width of the convolutions. The registry takes 32 for MNIST-sized
# images, to fit a CPU.
FILTERS = 64


def began_scales(image_shape):
    """(number of halvings, side of the smallest feature map) for `image_shape`:
    halve while the side is even and its half is at least 7 (64 -> 8 in 3,
    32 -> 8 in 2, 28 -> 7 in 2; an image of 13 or 8 pixels has one scale)."""
    height, width, _ = check_image_shape(image_shape)
    if height != width:
        raise ValueError(f"BEGAN's networks expect square images. Received: image_shape={tuple(image_shape)}")
    halvings = 0
    while height % 2 == 0 and height // 2 >= 7:
        height, halvings = height // 2, halvings + 1
    return halvings, height


def _conv(filters, strides=1, name=None):
    # Every convolution of the paper is 3x3 with an ELU at its output.
    return layers.Conv2D(filters, 3, strides=strides, padding="same", activation="elu", name=name)


def _decoder_layers(image_shape, filters, prefix, output_activation):
    """The paper's decoder (Figure 1, left): a linear map of the code to
    s x s x n maps, then at each scale two 3x3 convolutions and a
    nearest-neighbour upsampling, and a last 3x3 convolution to the image."""
    halvings, side = began_scales(image_shape)
    stack = [
        layers.Dense(side * side * filters, name=f"{prefix}_project"),
        layers.Reshape((side, side, filters), name=f"{prefix}_reshape"),
    ]
    for scale in range(halvings + 1):
        stack += [_conv(filters, name=f"{prefix}_conv{scale}a"), _conv(filters, name=f"{prefix}_conv{scale}b")]
        if scale < halvings:
            stack.append(layers.UpSampling2D(2, interpolation="nearest", name=f"{prefix}_upsample{scale}"))
    stack.append(layers.Conv2D(image_shape[-1], 3, padding="same", activation=output_activation, name=f"{prefix}_image"))
    return stack


def began_generator(latent_dim=LATENT_DIM, image_shape=MNIST_SHAPE, filters=FILTERS):
    """BEGAN's generator: z -> image, the architecture of D's decoder.

    For 28x28x1, `filters=32` (the registry's MNIST network):

    | layer                          | output shape       | params |
    |--------------------------------|--------------------|--------|
    | Dense (project)                | (None, 1568)       | 101,920|
    | Reshape                        | (None, 7, 7, 32)   | 0      |
    | Conv2D 3x3, ELU (x2)           | (None, 7, 7, 32)   | 18,496 |
    | UpSampling2D (nearest)         | (None, 14, 14, 32) | 0      |
    | Conv2D 3x3, ELU (x2)           | (None, 14, 14, 32) | 18,496 |
    | UpSampling2D (nearest)         | (None, 28, 28, 32) | 0      |
    | Conv2D 3x3, ELU (x2)           | (None, 28, 28, 32) | 18,496 |
    | Conv2D 3x3, tanh (image)       | (None, 28, 28, 1)  | 289    |

    Args:
        latent_dim: N_z (64 in the paper).
        image_shape: (side, side, channels).
        filters: n, the width of every convolution.
    """
    check_positive_int("latent_dim", latent_dim)
    check_positive_int("filters", filters)
    image_shape = check_image_shape(image_shape)
    return keras.Sequential(
        [keras.Input(shape=(latent_dim,), name="z"), *_decoder_layers(image_shape, filters, "decoder", "tanh")],
        name="began_generator",
    )


def began_discriminator(image_shape=MNIST_SHAPE, filters=FILTERS, code_dim=CODE_DIM):
    """BEGAN's discriminator: an autoencoder, image -> code -> reconstruction.

    The encoder (the paper's Figure 1, right): a 3x3 convolution to n maps,
    then at each scale two 3x3 convolutions and a stride-2 convolution that
    halves the side, the width growing linearly with the scale (n, 2n, 3n,
    ...), and a linear map of the last maps to the N_h-dimensional code. The
    decoder is `began_generator`'s architecture. Its output is D(x), the
    reconstruction, whose L1 distance to x is the loss of both players.

    Args:
        image_shape: (side, side, channels).
        filters: n.
        code_dim: N_h, the size of the code (64 in the paper).
    """
    check_positive_int("filters", filters)
    check_positive_int("code_dim", code_dim)
    image_shape = check_image_shape(image_shape)
    halvings, _ = began_scales(image_shape)
    encoder = [_conv(filters, name="encoder_conv_in")]
    for scale in range(halvings + 1):
        width = filters * (scale + 1)
        encoder += [_conv(width, name=f"encoder_conv{scale}a"), _conv(width, name=f"encoder_conv{scale}b")]
        if scale < halvings:
            encoder.append(_conv(filters * (scale + 2), strides=2, name=f"encoder_downsample{scale}"))
    encoder += [layers.Flatten(name="encoder_flatten"), layers.Dense(code_dim, name="encoder_code")]
    return keras.Sequential(
        [keras.Input(shape=image_shape, name="image"), *encoder,
         *_decoder_layers(image_shape, filters, "decoder", output_activation=None)],
        name="began_discriminator",
    )


@keras.saving.register_keras_serializable(package="gan_keras")
class BEGAN(GAN):
    """BEGAN (Berthelot et al. 2017): `GAN` with an autoencoder discriminator
    and `BoundaryEquilibriumLoss(gamma)`.

    The progress bar and the history show d_loss, g_loss, L_x and L_G_z (D's
    reconstruction losses of real images and of fakes), k_t and M_global.

    Args:
        generator: z -> image (e.g. `began_generator()`).
        discriminator: an autoencoder, image -> reconstruction of the same
            shape (e.g. `began_discriminator()`).
        gamma: the diversity ratio (0.5), for the default loss.
        loss: default `BoundaryEquilibriumLoss(gamma)`.
        latent_distribution: "uniform" (the paper's z in [-1, 1]^N_z).
        **kwargs: as for `GAN` (`seed`, ...).

    Example:

    ```python
    began = BEGAN(began_generator(filters=32), began_discriminator(filters=32), gamma=0.5, seed=0)
    began.compile()  # Adam(1e-4, beta_1=0.5) for both networks
    began.fit(gan_keras.data.load_dataset("mnist", batch_size=16), epochs=5,
              callbacks=[keras.callbacks.ReduceLROnPlateau(monitor="M_global", mode="min", factor=0.5, patience=3)])
    ```
    """

    def __init__(self, generator, discriminator, gamma=0.5, loss=None, latent_distribution="uniform", **kwargs):
        output_shape = tuple(discriminator.outputs[0].shape[1:])
        input_shape = tuple(discriminator.inputs[0].shape[1:])
        if output_shape != input_shape:
            raise ValueError(
                "BEGAN's discriminator is an autoencoder: its output (the reconstruction) must have the shape of "
                f"its input. Received: input {input_shape}, output {output_shape}."
            )
        if loss is not None and gamma != 0.5:
            raise ValueError("Give `gamma` or `loss`, not both: the loss holds gamma, e.g. "
                             f"loss=BoundaryEquilibriumLoss(gamma={gamma}).")
        super().__init__(generator, discriminator, loss=loss or BoundaryEquilibriumLoss(gamma),
                         latent_distribution=latent_distribution, **kwargs)

    @property
    def k(self):
        """k_t, the weight of the fakes' loss in D's objective (a Keras variable)."""
        return self.loss_terms.k

    def default_optimizers(self):
        return {
            "d_optimizer": keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5),
            "g_optimizer": keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.5),
        }

    def reconstruct(self, images, batch_size=256):
        """D(images): the discriminator's reconstructions (float32 NumPy), in
        inference mode, `batch_size` images per call."""
        images = check_images(images, self.image_shape)
        return np.concatenate([
            ops.convert_to_numpy(self.discriminator(images[start : start + batch_size], training=False))
            for start in range(0, len(images), batch_size)
        ])
