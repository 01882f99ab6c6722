"""The course's models, one module per family, and a registry for the CLI."""

import dataclasses

import numpy as np

from gan_keras.catalog import MODEL_NAMES, POINT_MODELS
from gan_keras.models.began import BEGAN, began_discriminator, began_generator, began_scales
from gan_keras.models.cyclegan import CycleGAN, cyclegan_discriminator, cyclegan_generator, receptive_field
from gan_keras.models.conditional import (
    ConditionalGAN,
    InfoGAN,
    cgan_discriminator,
    cgan_generator,
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
    infogan_discriminator,
    infogan_generator,
)
from gan_keras.models.dcgan import dcgan_discriminator, dcgan_generator
from gan_keras.models._common import GenerativeModel, NetworkOptimizers
from gan_keras.models.gan import (
    GAN,
    GANStep,
    conv_discriminator,
    conv_generator,
    default_jit_compile,
    dense_discriminator,
    dense_generator,
    mlp_discriminator,
    mlp_generator,
    toy_networks,
)
from gan_keras.models.pixelcnn import (
    PixelCNN,
    PixelRNN,
    causal_dependence,
    causal_dependence_maps,
    diagonal_bilstm_network,
    gated_pixelcnn_network,
    pixelcnn_network,
    row_lstm_network,
)
from gan_keras.models.progan import (
    ProGAN,
    ProgressiveDiscriminator,
    ProgressiveGenerator,
    progan_discriminator,
    progan_filters,
    progan_generator,
)
from gan_keras.models.wgan import LSGAN, WGAN, WGANGP, critic_gradient_norms
from gan_keras.objectives import GradientPenalty
from gan_keras.models.vae import (
    VAE,
    Autoencoder,
    classifier_on_encoder,
    conv_decoder,
    conv_encoder,
    dense_decoder,
    dense_encoder,
)

__all__ = [
    "GAN",
    "GANStep",
    "BEGAN",
    "began_discriminator",
    "began_generator",
    "began_scales",
    "GenerativeModel",
    "ProGAN",
    "CycleGAN",
    "cyclegan_discriminator",
    "cyclegan_generator",
    "receptive_field",
    "ProgressiveDiscriminator",
    "ProgressiveGenerator",
    "progan_discriminator",
    "progan_filters",
    "progan_generator",
    "NetworkOptimizers",
    "ConditionalGAN",
    "InfoGAN",
    "LSGAN",
    "WGAN",
    "WGANGP",
    "critic_gradient_norms",
    "cgan_discriminator",
    "cgan_generator",
    "conditional_dcgan_discriminator",
    "conditional_dcgan_generator",
    "infogan_discriminator",
    "infogan_generator",
    "VAE",
    "Autoencoder",
    "PixelCNN",
    "PixelRNN",
    "causal_dependence",
    "causal_dependence_maps",
    "diagonal_bilstm_network",
    "gated_pixelcnn_network",
    "pixelcnn_network",
    "row_lstm_network",
    "classifier_on_encoder",
    "conv_decoder",
    "conv_encoder",
    "dense_decoder",
    "dense_encoder",
    "MODELS",
    "ModelSpec",
    "build_model",
    "conv_discriminator",
    "conv_generator",
    "dcgan_discriminator",
    "dcgan_generator",
    "default_jit_compile",
    "dense_discriminator",
    "dense_generator",
    "mlp_discriminator",
    "mlp_generator",
    "toy_networks",
]


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """How the CLI builds a model: `build(image_shape, seed)` and its usual data.

    A `conditional` model trains on (images, labels) and is built with
    `build(image_shape, seed, num_classes)`.
    """

    build: callable
    default_dataset: str
    description: str
    conditional: bool = False


def _points(image_shape):
    """True for the toy datasets' 2-D points: the GANs of POINT_MODELS then
    take the WGAN-GP paper's toy networks (`toy_networks`)."""
    return len(image_shape) == 1


def _dense_gan(image_shape, seed):
    if _points(image_shape):
        return GAN(*toy_networks(), seed=seed)
    return GAN(dense_generator(image_shape=image_shape), dense_discriminator(image_shape), seed=seed)


def _conv_gan(image_shape, seed):
    return GAN(conv_generator(image_shape=image_shape), conv_discriminator(image_shape), seed=seed)


def _dcgan(image_shape, seed):
    # The paper's prior: z uniform in [-1, 1]^100.
    return GAN(
        dcgan_generator(image_shape=image_shape), dcgan_discriminator(image_shape), latent_distribution="uniform",
        seed=seed,
    )


def _cgan(image_shape, seed, num_classes=10):
    return ConditionalGAN(
        cgan_generator(num_classes=num_classes, image_shape=image_shape),
        cgan_discriminator(image_shape, num_classes=num_classes),
        seed=seed,
    )


def _conv_cgan(image_shape, seed, num_classes=10):
    return ConditionalGAN(
        conditional_dcgan_generator(num_classes=num_classes, image_shape=image_shape),
        conditional_dcgan_discriminator(image_shape, num_classes=num_classes),
        latent_distribution="uniform",
        seed=seed,
    )


def _infogan(image_shape, seed):
    return InfoGAN(infogan_generator(image_shape=image_shape), infogan_discriminator(image_shape), seed=seed)


def _lsgan(image_shape, seed):
    if _points(image_shape):
        return LSGAN(*toy_networks(), seed=seed)
    return LSGAN(
        dcgan_generator(image_shape=image_shape), dcgan_discriminator(image_shape), latent_distribution="uniform",
        seed=seed,
    )


def _wgan(image_shape, seed):
    if _points(image_shape):
        return WGAN(*toy_networks(), seed=seed)
    # The WGAN paper's DCGAN critic keeps its BatchNorm; the clipping bounds it.
    return WGAN(dcgan_generator(image_shape=image_shape), dcgan_discriminator(image_shape), seed=seed)


def _wgan_gp(image_shape, seed):
    if _points(image_shape):
        # The paper's code for the toy data: lambda = 0.1, Adam beta_1 = 0.5.
        return WGANGP(*toy_networks(), regularizers=[GradientPenalty(0.1, seed=None if seed is None else seed + 1)],
                      adam_beta_1=0.5, seed=seed)
    return WGANGP(
        dcgan_generator(image_shape=image_shape), dcgan_discriminator(image_shape, normalization=None), seed=seed
    )


def _began(image_shape, seed):
    # n = 32 filters at MNIST's size (a CPU lesson); the paper's 64 from 64x64 up.
    filters = 32 if image_shape[0] < 64 else 64
    return BEGAN(began_generator(image_shape=image_shape, filters=filters),
                 began_discriminator(image_shape, filters=filters), seed=seed)


def _progan(image_shape, seed):
    # Far narrower than the paper's 512 maps up to 64x64, for a CPU lesson
    # (a step at 32x32 took 0.65-0.86 s at batch 64 on 2 shared CPU cores even so): 64 maps at 4x4
    # and 8x8, 32 at 16x16, 16 at 32x32. The paper's widths from 128x128 up.
    side = image_shape[0]
    filter_base, max_filters = (256, 64) if side <= 64 else (8192, 512)
    return ProGAN(progan_generator(image_shape=image_shape, filter_base=filter_base, max_filters=max_filters),
                  progan_discriminator(image_shape, filter_base=filter_base, max_filters=max_filters), seed=seed)


def _cyclegan(image_shape, seed):
    # The paper's networks from 128x128 up (6 residual blocks at 128, 9 from
    # 256). Smaller images, for a CPU lesson: half the generator's width and
    # 3 residual blocks (0.86 s a step at batch 16 on 32x32 images on 2 CPU
    # cores against 1.03 s with 6 blocks; the 8x8 bottleneck already sees
    # the whole image), and a PatchGAN with as many halvings as leave it at
    # least 6x6 before its last two convolutions: 2 at 32x32 (34x34 patches,
    # 6x6 scores), 3 from 64x64 up (70x70 patches, the paper's).
    side = image_shape[0]
    filters, blocks = (64, 9 if side >= 256 else 6) if side >= 128 else (32, 3)
    downsamplings = max(1, min(3, int(np.log2(side / 6))))
    return CycleGAN(
        cyclegan_generator(image_shape, filters, blocks, name="generator_ab"),
        cyclegan_generator(image_shape, filters, blocks, name="generator_ba"),
        cyclegan_discriminator(image_shape, downsamplings=downsamplings, name="discriminator_a"),
        cyclegan_discriminator(image_shape, downsamplings=downsamplings, name="discriminator_b"),
        seed=seed,
    )


def _vae(image_shape, seed, num_classes=None):
    return VAE(
        conv_encoder(16, image_shape, num_classes=num_classes),
        conv_decoder(16, image_shape, num_classes=num_classes),
        num_classes=num_classes,
        seed=seed,
    )


def _pixelcnn(image_shape, seed):
    return PixelCNN(pixelcnn_network(image_shape), seed=seed)


def _gated_pixelcnn(image_shape, seed):
    return PixelCNN(gated_pixelcnn_network(image_shape), seed=seed)


def _pixelrnn(image_shape, seed):
    return PixelRNN(row_lstm_network(image_shape), seed=seed)


def _diagonal_bilstm(image_shape, seed):
    return PixelRNN(diagonal_bilstm_network(image_shape), seed=seed)


MODELS = {
    "gan": ModelSpec(_dense_gan, "mnist", "the original dense GAN of the course (section 1)"),
    "conv_gan": ModelSpec(
        _conv_gan, "mnist", "the intro lesson's CNN discriminator + transposed-conv generator (section 2)"
    ),
    "dcgan": ModelSpec(
        _dcgan, "mnist", "DCGAN, Radford et al.'s all-convolutional GAN; 64x64x3 on celeb_a (section 5)"
    ),
    "cgan": ModelSpec(
        _cgan, "mnist", "conditional GAN, Mirza & Osindero's maxout MLPs, label to G and D (section 6)", conditional=True
    ),
    "conv_cgan": ModelSpec(
        _conv_cgan, "mnist", "conditional GAN on DCGAN's networks, label to G and D (section 6)", conditional=True
    ),
    "infogan": ModelSpec(
        _infogan, "mnist", "InfoGAN, 10-way categorical + 2 continuous codes, Q head on D (section 6)"
    ),
    "lsgan": ModelSpec(_lsgan, "mnist", "LSGAN, Mao et al.'s least-squares losses on DCGAN's networks (section 7)"),
    "wgan": ModelSpec(
        _wgan, "mnist", "WGAN, Arjovsky et al.'s critic with clipped weights, n_critic = 5, RMSprop (section 7)"
    ),
    "wgan_gp": ModelSpec(
        _wgan_gp, "mnist", "WGAN-GP, Gulrajani et al.'s gradient penalty, critic without BatchNorm (section 7)"
    ),
    "began": ModelSpec(
        _began, "mnist", "BEGAN, Berthelot et al.'s autoencoder discriminator and k_t equilibrium (section 8)"
    ),
    "progan": ModelSpec(
        _progan, "mnist32", "ProGAN, Karras et al.'s networks grown 4x4 -> 32x32 with fade-ins, WGAN-GP (section 9)"
    ),
    "cyclegan": ModelSpec(
        _cyclegan, "mnist_mnistm",
        "CycleGAN, Zhu et al.'s unpaired translation A <-> B with cycle consistency (section 10)",
    ),
    "vae": ModelSpec(_vae, "mnist", "the variational autoencoder, conv, 16-D latent, Bernoulli pixels (section 3)"),
    "pixelcnn": ModelSpec(_pixelcnn, "mnist", "PixelCNN, masked convolutions, exact likelihood of binary pixels (section 4)"),
    "gated_pixelcnn": ModelSpec(
        _gated_pixelcnn, "mnist", "gated PixelCNN, vertical and horizontal stacks, no blind spot (section 4)"
    ),
    "pixelrnn": ModelSpec(_pixelrnn, "mnist", "PixelRNN, Row LSTM layers, exact likelihood of binary pixels (section 4)"),
    "diagonal_bilstm": ModelSpec(
        _diagonal_bilstm, "mnist", "PixelRNN, Diagonal BiLSTM layers, every earlier pixel in view (section 4)"
    ),
}


if tuple(MODELS) != MODEL_NAMES:  # the command line reads the names from gan_keras.catalog
    raise RuntimeError(f"gan_keras.catalog.MODEL_NAMES {MODEL_NAMES} must list the models of MODELS: {tuple(MODELS)}.")


def build_model(name, image_shape=(28, 28, 1), seed=None, num_classes=10):
    """A new, uncompiled model of the registry by name (`num_classes`: conditional models only).

    `image_shape=(2,)` builds the model for the toy datasets of 2-D points
    (models of `POINT_MODELS`: their losses and defaults on `toy_networks`)."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Expected one of: {', '.join(MODELS)}.")
    if len(tuple(image_shape)) == 1 and name not in POINT_MODELS:
        raise ValueError(
            f"Model {name!r} makes images; the toy datasets of 2-D points train {', '.join(POINT_MODELS)}."
        )
    if MODELS[name].conditional:
        return MODELS[name].build(tuple(image_shape), seed, num_classes=num_classes)
    return MODELS[name].build(tuple(image_shape), seed)
