"""Conditional GAN and InfoGAN: the paper's tables, labels through the hooks,
the mutual-information loss by hand, the metrics, saving."""

import math
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_keras.data import load_arrays, to_model_range
from gan_keras.layers import Maxout
from gan_keras.metrics import conditional_accuracy, load_mnist_classifier, matched_category_error
from gan_keras.models import (
    ConditionalGAN,
    InfoGAN,
    build_model,
    cgan_discriminator,
    cgan_generator,
    conditional_dcgan_discriminator,
    conditional_dcgan_generator,
    infogan_discriminator,
    infogan_generator,
)
from tests.models.helpers import check_fit_save_load_generate
from tests.models.test_gan import layer_table

METRICS = ["d_loss", "g_loss", "D_x", "D_G_z"]


def labelled_digits(count=32):
    rng = np.random.default_rng(0)
    return rng.uniform(-1, 1, (count, 28, 28, 1)).astype("float32"), rng.integers(0, 10, count)


# ------------------------------------------------------------------ maxout -- #
def test_maxout_by_hand():
    layer = Maxout(units=2, pieces=3)
    layer.build((None, 1))
    layer.linear.kernel.assign(np.array([[1.0, -1.0, 2.0, 0.5, 3.0, -2.0]], "float32"))
    layer.linear.bias.assign(np.zeros(6, "float32"))
    # x = 2: unit 0 = max(2, -2, 4) = 4, unit 1 = max(1, 6, -4) = 6; x = -1: max(-1, 1, -2), max(-0.5, -3, 2)
    np.testing.assert_allclose(layer(np.array([[2.0], [-1.0]], "float32")), [[4.0, 6.0], [1.0, 2.0]])


# ------------------------------------------------ the paper's MNIST networks -- #
def test_cgan_networks_follow_mirza_and_osindero():
    generator = cgan_generator()
    params = {layer.name: layer.count_params() for layer in generator.layers}
    assert params["z_hidden"] == 100 * 200 + 200
    assert params["label_hidden"] == 10 * 1000 + 1000
    assert params["joint_hidden"] == 1200 * 1200 + 1200
    assert params["pixels"] == 1200 * 784 + 784
    discriminator = cgan_discriminator()
    params = {layer.name: layer.count_params() for layer in discriminator.layers}
    assert params["image_maxout"] == (784 + 1) * 240 * 5
    assert params["label_maxout"] == (10 + 1) * 50 * 5
    assert params["joint_maxout"] == (290 + 1) * 240 * 4
    assert tuple(discriminator.output.shape) == (None, 1)


def test_infogan_networks_follow_the_paper_appendix():
    generator = infogan_generator()
    assert tuple(generator.input.shape) == (None, 62 + 10 + 2)
    shapes = [tuple(layer.output.shape) for layer in generator.layers]
    assert (None, 1024) in shapes and (None, 7, 7, 128) in shapes and (None, 14, 14, 64) in shapes
    assert shapes[-1] == (None, 28, 28, 1)
    discriminator = infogan_discriminator()
    logit, q_outputs = discriminator.outputs
    assert tuple(logit.shape) == (None, 1) and tuple(q_outputs.shape) == (None, 12)
    leaks = [layer.negative_slope for layer in discriminator.layers if isinstance(layer, keras.layers.LeakyReLU)]
    assert len(leaks) == 4 and np.allclose(leaks, 0.1)


# ------------------------------------------------------------ conditional GAN -- #
def small_cgan():
    keras.utils.set_random_seed(0)
    generator = conditional_dcgan_generator(latent_dim=8, base_filters=8)
    discriminator = conditional_dcgan_discriminator(base_filters=8)
    gan = ConditionalGAN(generator, discriminator, seed=0)
    gan.compile()
    return gan


def test_conditional_gan_trains_on_labelled_batches_and_saves(tmp_path):
    images, labels = labelled_digits()
    data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)
    loaded = check_fit_save_load_generate(small_cgan(), data, METRICS, tmp_path)
    assert loaded.num_classes == 10


def test_the_label_reaches_both_networks():
    gan = small_cgan()
    latent = np.asarray(gan.sample_latent(1, seed=0))
    threes, sevens = gan.generate_from(latent, labels=[3]), gan.generate_from(latent, labels=[7])
    assert not np.allclose(threes, sevens)
    logit_3 = gan.discriminator(gan.discriminator_inputs(threes, np.array([3])))
    logit_7 = gan.discriminator(gan.discriminator_inputs(threes, np.array([7])))
    assert not np.allclose(logit_3, logit_7)


def test_conditional_generation_labels():
    gan = small_cgan()
    # The default cycles through the classes; one int means "all of this class".
    np.testing.assert_array_equal(gan.generate(12, seed=1), gan.generate(12, seed=1, labels=np.arange(12) % 10))
    np.testing.assert_array_equal(gan.generate(3, seed=1, labels=4), gan.generate(3, seed=1, labels=[4, 4, 4]))
    with pytest.raises(ValueError, match=r"in \[0, 10\)"):
        gan.generate(2, labels=[3, 10])
    with pytest.raises(ValueError, match="one int or 2 ints"):
        gan.generate(2, labels=[0.5, 1.5])
    with pytest.raises(ValueError, match="pass `labels`"):
        gan.generate_from(np.zeros((2, 8)))


def test_conditional_gan_refuses_unlabelled_data_and_mismatched_networks():
    gan = small_cgan()
    with pytest.raises(ValueError, match="with_labels=True"):
        gan.fit(tf.data.Dataset.from_tensor_slices(labelled_digits()[0]).batch(16), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="two inputs"):
        ConditionalGAN(infogan_generator(), conditional_dcgan_discriminator(base_filters=8))
    with pytest.raises(ValueError, match="must agree"):
        ConditionalGAN(conditional_dcgan_generator(num_classes=5, base_filters=8),
                       conditional_dcgan_discriminator(base_filters=8))


def test_registry_builds_both_conditional_gans():
    assert isinstance(build_model("cgan", seed=0), ConditionalGAN)
    assert build_model("conv_cgan", seed=0, num_classes=4).num_classes == 4


# ------------------------------------------------------------------- InfoGAN -- #
def small_infogan(**kwargs):
    keras.utils.set_random_seed(0)
    gan = InfoGAN(infogan_generator(noise_dim=6), infogan_discriminator(), seed=0, **kwargs)
    gan.compile()
    return gan


def test_infogan_prior_holds_the_codes():
    gan = small_infogan()
    latent = np.asarray(gan.sample_latent(500, seed=3))
    assert latent.shape == (500, 6 + 10 + 2)
    one_hot, continuous = latent[:, 6:16], latent[:, 16:]
    np.testing.assert_array_equal(one_hot.sum(axis=1), 1.0)
    assert set(np.unique(one_hot)) == {0.0, 1.0} and len(np.unique(one_hot.argmax(axis=1))) == 10
    assert continuous.min() >= -1 and continuous.max() <= 1
    np.testing.assert_array_equal(latent, np.asarray(gan.sample_latent(500, seed=3)))


def test_information_loss_by_hand():
    # Q outputs all zero: the category cross-entropy is log 10 for any code;
    # the continuous part is sum c^2 / 2, averaged over the batch.
    gan = small_infogan(info_weight=2.0)
    latent = gan.latent_with_codes(np.zeros((2, 6)), [1, 7], [[0.5, -1.0], [0.0, 0.2]])
    step = types.SimpleNamespace(latent=latent, fake_auxiliary=np.zeros((2, 12), "float32"))
    penalty, values = gan.information.penalty(step, gan.generator)
    continuous = ((0.25 + 1.0) / 2 + 0.04 / 2) / 2
    assert float(values["info_loss"]) == pytest.approx(math.log(10) + continuous, rel=1e-6)
    assert float(penalty) == pytest.approx(2.0 * (math.log(10) + continuous), rel=1e-6)
    # The same term for the discriminator (it trains Q).
    assert float(gan.information.penalty(step, gan.discriminator)[0]) == pytest.approx(float(penalty))
    # A confident, right Q: the cross-entropy goes to 0.
    q_outputs = np.zeros((2, 12), "float32")
    q_outputs[[0, 1], [1, 7]] = 50.0
    q_outputs[:, 10:] = latent[:, 16:]
    assert float(gan.information.information_loss(latent[:, 6:], q_outputs)) == pytest.approx(0.0, abs=1e-6)


def test_infogan_trains_saves_and_reads_codes(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(labelled_digits()[0]).batch(16)
    gan = small_infogan()
    loaded = check_fit_save_load_generate(gan, data, METRICS + ["info_loss"], tmp_path)
    assert (loaded.num_categories, loaded.num_continuous, loaded.noise_dim) == (10, 2, 6)
    probabilities, means = loaded.predict_codes(labelled_digits(5)[0])
    assert probabilities.shape == (5, 10) and means.shape == (5, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert float(loaded.g_optimizer.learning_rate) == pytest.approx(1e-3)
    assert float(loaded.d_optimizer.learning_rate) == pytest.approx(2e-4)


def test_infogan_refuses_bad_networks():
    with pytest.raises(ValueError, match="two outputs"):
        InfoGAN(infogan_generator(), cgan_discriminator())
    with pytest.raises(ValueError, match="12 values"):
        InfoGAN(infogan_generator(), infogan_discriminator(num_continuous=3))


# ------------------------------------------------------------------ the metrics -- #
def test_matched_category_error_by_hand():
    # Category 0 -> 5 (2 right), 1 -> 3 or 4 (1 right), 2 -> 4 (1 right), one-to-one: 4 of 5 right.
    result = matched_category_error([0, 0, 1, 1, 2], [5, 5, 3, 4, 4])
    assert result["error"] == pytest.approx(0.2)
    assert result["mapping"] == {0: 5, 1: 3, 2: 4}
    # Relabelled categories cost nothing.
    assert matched_category_error([3, 3, 1, 1], [0, 0, 1, 1])["error"] == 0.0


def test_conditional_accuracy_reads_real_digits_as_their_labels():
    images, labels = load_arrays("mnist", "test")
    images = to_model_range(images[:200])
    classifier = load_mnist_classifier()
    assert conditional_accuracy(images, labels[:200], classifier=classifier) > 0.95
    assert conditional_accuracy(images, (labels[:200] + 1) % 10, classifier=classifier) < 0.05
