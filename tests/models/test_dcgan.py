"""DCGAN (Radford et al. 2016): the architecture rules, the paper's 64x64
tables, the initialisation, the uniform prior, and the GAN machinery."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_keras.models import GAN, build_model, dcgan_discriminator, dcgan_generator
from gan_keras.models.dcgan import dcgan_stages
from tests.models.helpers import check_fit_save_load_generate
from tests.models.test_gan import layer_table

# The paper's Figure 1 (64x64 faces/bedrooms), hidden layers without bias:
# (layer class, output shape, params).
PAPER_GENERATOR_TABLE = [
    ("Dense", (None, 16384), 100 * 4 * 4 * 1024),
    ("Reshape", (None, 4, 4, 1024), 0),
    ("BatchNormalization", (None, 4, 4, 1024), 4 * 1024),
    ("ReLU", (None, 4, 4, 1024), 0),
    ("Conv2DTranspose", (None, 8, 8, 512), 5 * 5 * 1024 * 512),
    ("BatchNormalization", (None, 8, 8, 512), 4 * 512),
    ("ReLU", (None, 8, 8, 512), 0),
    ("Conv2DTranspose", (None, 16, 16, 256), 5 * 5 * 512 * 256),
    ("BatchNormalization", (None, 16, 16, 256), 4 * 256),
    ("ReLU", (None, 16, 16, 256), 0),
    ("Conv2DTranspose", (None, 32, 32, 128), 5 * 5 * 256 * 128),
    ("BatchNormalization", (None, 32, 32, 128), 4 * 128),
    ("ReLU", (None, 32, 32, 128), 0),
    ("Conv2DTranspose", (None, 64, 64, 3), 5 * 5 * 128 * 3 + 3),
]
PAPER_DISCRIMINATOR_TABLE = [
    ("Conv2D", (None, 32, 32, 64), 5 * 5 * 3 * 64 + 64),
    ("LeakyReLU", (None, 32, 32, 64), 0),
    ("Conv2D", (None, 16, 16, 128), 5 * 5 * 64 * 128),
    ("BatchNormalization", (None, 16, 16, 128), 4 * 128),
    ("LeakyReLU", (None, 16, 16, 128), 0),
    ("Conv2D", (None, 8, 8, 256), 5 * 5 * 128 * 256),
    ("BatchNormalization", (None, 8, 8, 256), 4 * 256),
    ("LeakyReLU", (None, 8, 8, 256), 0),
    ("Conv2D", (None, 4, 4, 512), 5 * 5 * 256 * 512),
    ("BatchNormalization", (None, 4, 4, 512), 4 * 512),
    ("LeakyReLU", (None, 4, 4, 512), 0),
    ("Flatten", (None, 8192), 0),
    ("Dense", (None, 1), 8192 + 1),
]


def test_64x64_networks_reproduce_the_paper_figure():
    assert layer_table(dcgan_generator(image_shape=(64, 64, 3))) == PAPER_GENERATOR_TABLE
    assert layer_table(dcgan_discriminator((64, 64, 3))) == PAPER_DISCRIMINATOR_TABLE


def test_mnist_networks_shapes():
    shapes = [tuple(layer.output.shape) for layer in dcgan_generator().layers]
    assert shapes[1] == (None, 7, 7, 128) and shapes[-1] == (None, 28, 28, 1)
    shapes = [tuple(layer.output.shape) for layer in dcgan_discriminator().layers]
    assert (None, 14, 14, 64) in shapes and (None, 7, 7, 128) in shapes and shapes[-1] == (None, 1)


@pytest.mark.parametrize("image_shape", [(28, 28, 1), (64, 64, 3)])
def test_the_architecture_rules(image_shape):
    generator, discriminator = dcgan_generator(image_shape=image_shape), dcgan_discriminator(image_shape)
    kinds = [type(layer).__name__ for layer in generator.layers + discriminator.layers]
    assert not any("Pooling" in kind for kind in kinds)  # rule 1
    assert kinds.count("Dense") == 2  # rule 2: G's projection and D's output only
    # Rule 3: no BatchNorm on G's output or on D's input layer.
    assert type(generator.layers[-1]).__name__ == "Conv2DTranspose"
    assert generator.layers[-1].activation.__name__ == "tanh"  # rule 4
    assert type(discriminator.layers[1]).__name__ == "LeakyReLU"
    assert all(type(layer).__name__ != "ReLU" for layer in discriminator.layers)
    assert all(layer.negative_slope == pytest.approx(0.2) for layer in discriminator.layers
               if type(layer).__name__ == "LeakyReLU")
    assert discriminator.layers[-1].activation.__name__ == "linear"  # a logit


def test_weights_start_from_normal_0_002():
    keras.utils.set_random_seed(0)
    generator = dcgan_generator(image_shape=(64, 64, 3))
    kernel = generator.get_layer("upsample1").kernel.numpy()
    assert kernel.mean() == pytest.approx(0.0, abs=1e-3)
    assert kernel.std() == pytest.approx(0.02, rel=0.01)
    # Each layer draws its own values.
    first = dcgan_discriminator().get_layer("downsample1").kernel.numpy()
    second = dcgan_discriminator().get_layer("downsample1").kernel.numpy()
    assert not np.array_equal(first, second)


def test_stages_and_bad_sizes():
    assert dcgan_stages((64, 64, 3)) == (4, (4, 4))
    assert dcgan_stages((28, 28, 1)) == (2, (7, 7))
    assert dcgan_stages((32, 32, 3)) == (3, (4, 4))
    with pytest.raises(ValueError, match="even and at least 8"):
        dcgan_generator(image_shape=(7, 7, 1))
    with pytest.raises(ValueError, match="base_filters"):
        dcgan_discriminator(base_filters=0)


def test_registry_dcgan_uses_the_paper_prior_and_trains(tmp_path):
    keras.utils.set_random_seed(0)
    gan = build_model("dcgan", seed=0)
    assert gan.latent_distribution == "uniform" and gan.latent_dim == 100
    latent = keras.ops.convert_to_numpy(gan.sample_latent(2000))
    assert latent.min() >= -1 and latent.max() <= 1 and abs(latent.mean()) < 0.01
    assert latent.std() == pytest.approx(1 / np.sqrt(3), rel=0.01)  # U(-1, 1)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(images).batch(16)
    loaded = check_fit_save_load_generate(gan, data, ["d_loss", "g_loss", "D_x", "D_G_z"], tmp_path)
    assert loaded.latent_distribution == "uniform"


def test_generate_from_given_latents_matches_generate():
    gan = GAN(dcgan_generator(latent_dim=8), dcgan_discriminator(), seed=0)
    latent = gan.sample_latent(3, seed=4)
    np.testing.assert_allclose(gan.generate_from(latent), gan.generate(3, seed=4), atol=1e-6)
    with pytest.raises(ValueError, match=r"shape \(N, 8\)"):
        gan.generate_from(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="latent_distribution"):
        GAN(dcgan_generator(), dcgan_discriminator(), latent_distribution="cauchy")
