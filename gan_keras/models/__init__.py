"""The course's models, one module per family, and a registry for the CLI."""

import dataclasses

from gan_keras.models.gan import (
    GAN,
    conv_discriminator,
    conv_generator,
    default_jit_compile,
    dense_discriminator,
    dense_generator,
    mlp_discriminator,
    mlp_generator,
)

__all__ = [
    "GAN",
    "MODELS",
    "ModelSpec",
    "build_model",
    "conv_discriminator",
    "conv_generator",
    "default_jit_compile",
    "dense_discriminator",
    "dense_generator",
    "mlp_discriminator",
    "mlp_generator",
]


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """How the CLI builds a model: `build(image_shape, seed)` and its usual data."""

    build: callable
    default_dataset: str
    description: str


def _dense_gan(image_shape, seed):
    return GAN(dense_generator(image_shape=image_shape), dense_discriminator(image_shape), seed=seed)


def _conv_gan(image_shape, seed):
    return GAN(conv_generator(image_shape=image_shape), conv_discriminator(image_shape), seed=seed)


MODELS = {
    "gan": ModelSpec(_dense_gan, "mnist", "the original dense GAN of the course (section 1)"),
    "conv_gan": ModelSpec(
        _conv_gan, "mnist", "the intro lesson's CNN discriminator + transposed-conv generator (section 2)"
    ),
}


def build_model(name, image_shape=(28, 28, 1), seed=None):
    """A new, uncompiled model of the registry by name."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}. Expected one of: {', '.join(MODELS)}.")
    return MODELS[name].build(tuple(image_shape), seed)
