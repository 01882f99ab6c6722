"""The original GAN: the exact layer tables, the alternating updates, saving."""

import keras
import numpy as np
import pytest

from gan_keras.models import (
    GAN,
    GANStep,
    conv_discriminator,
    conv_generator,
    dense_discriminator,
    dense_generator,
)

# The dense MNIST GAN of Goodfellow et al. 2014, "Generative Adversarial Nets", in the
# course's Keras version: its model.summary() tables, which `dense_generator` and
# `dense_discriminator` document (the paper itself gives no layer table).
# Rows: (layer class, output shape, params).
GENERATOR_TABLE = [
    ("Dense", (None, 256), 25_856),
    ("LeakyReLU", (None, 256), 0),
    ("BatchNormalization", (None, 256), 1_024),
    ("Dense", (None, 512), 131_584),
    ("LeakyReLU", (None, 512), 0),
    ("BatchNormalization", (None, 512), 2_048),
    ("Dense", (None, 1024), 525_312),
    ("LeakyReLU", (None, 1024), 0),
    ("BatchNormalization", (None, 1024), 4_096),
    ("Dense", (None, 784), 803_600),
    ("Reshape", (None, 28, 28, 1), 0),
]
DISCRIMINATOR_TABLE = [
    ("Flatten", (None, 784), 0),
    ("Dense", (None, 512), 401_920),
    ("LeakyReLU", (None, 512), 0),
    ("Dense", (None, 256), 131_328),
    ("LeakyReLU", (None, 256), 0),
    ("Dense", (None, 1), 257),
]


def layer_table(model):
    return [(type(layer).__name__, tuple(layer.output.shape), layer.count_params()) for layer in model.layers]


def count(variables):
    return sum(int(np.prod(v.shape)) for v in variables)


def small_gan(**kwargs):
    gan = GAN(dense_generator(latent_dim=8), dense_discriminator(), seed=0, **kwargs)
    gan.compile()
    return gan


# ------------------------------------------------------------ the tables -- #
def test_dense_generator_reproduces_the_course_table():
    generator = dense_generator()
    assert layer_table(generator) == GENERATOR_TABLE
    assert generator.count_params() == 1_493_520
    assert count(generator.trainable_weights) == 1_489_936
    assert count(generator.non_trainable_weights) == 3_584


def test_dense_discriminator_reproduces_the_course_table():
    discriminator = dense_discriminator()
    assert layer_table(discriminator) == DISCRIMINATOR_TABLE
    assert discriminator.count_params() == 533_505
    assert count(discriminator.trainable_weights) == 533_505


def test_course_settings_of_the_dense_networks():
    generator = dense_generator()
    assert {layer.momentum for layer in generator.layers if isinstance(layer, keras.layers.BatchNormalization)} == {0.8}
    assert {layer.negative_slope for layer in generator.layers if isinstance(layer, keras.layers.LeakyReLU)} == {0.2}
    assert generator.layers[-2].activation.__name__ == "tanh"
    assert dense_discriminator().layers[-1].activation.__name__ == "linear"  # a logit


def test_conv_networks_grow_and_shrink_mnist_images():
    generator, discriminator = conv_generator(), conv_discriminator()
    transposed = [layer for layer in generator.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [tuple(layer.output.shape) for layer in transposed] == [(None, 14, 14, 32), (None, 28, 28, 1)]
    assert generator.output_shape == (None, 28, 28, 1)
    assert discriminator.output_shape == (None, 1)
    pooled = [tuple(l.output.shape) for l in discriminator.layers if isinstance(l, keras.layers.AveragePooling2D)]
    assert pooled == [(None, 14, 14, 32), (None, 7, 7, 64)]


def test_conv_generator_fits_other_sizes():
    assert conv_generator(16, (32, 32, 3)).output_shape == (None, 32, 32, 3)
    with pytest.raises(ValueError, match="multiples of 4"):
        conv_generator(16, (30, 30, 1))


# ---------------------------------------------------------- the training -- #
def test_fit_reports_the_four_tracked_means(tiny_images):
    history = small_gan().fit(tiny_images, epochs=2, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "D_x", "D_G_z"}
    for key in ("D_x", "D_G_z"):
        assert all(0 < value < 1 for value in history.history[key])
    assert all(np.isfinite(history.history["d_loss"]))


def test_each_step_updates_d_then_g_once(tiny_images):
    gan = small_gan()
    gan.fit(tiny_images, epochs=1, verbose=0)  # 4 batches
    assert int(gan.d_optimizer.iterations) == 4
    assert int(gan.g_optimizer.iterations) == 4


def test_k_discriminator_updates_per_generator_update(tiny_images):
    gan = small_gan(discriminator_steps=2)
    gan.fit(tiny_images, epochs=2, verbose=0)  # 8 batches
    assert int(gan.d_optimizer.iterations) == 8
    assert int(gan.g_optimizer.iterations) == 4


def weights_of(network):
    return [np.array(w.numpy()) for w in network.trainable_weights]


def test_generator_step_leaves_the_discriminator_unchanged():
    gan = small_gan()
    before, generator_before = weights_of(gan.discriminator), weights_of(gan.generator)
    gan.update(gan.generator, gan.g_optimizer, gan.loss_terms.generator_loss, np.zeros((8, 28, 28, 1), "float32"), None)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights_of(gan.discriminator)))
    assert not all(np.array_equal(a, b) for a, b in zip(generator_before, weights_of(gan.generator)))


def test_discriminator_step_leaves_the_generator_weights_unchanged():
    gan = small_gan()
    before, discriminator_before = weights_of(gan.generator), weights_of(gan.discriminator)
    gan.update(gan.discriminator, gan.d_optimizer, gan.loss_terms.discriminator_loss,
               np.zeros((8, 28, 28, 1), "float32"), None)
    assert all(np.array_equal(a, b) for a, b in zip(before, weights_of(gan.generator)))
    assert not all(np.array_equal(a, b) for a, b in zip(discriminator_before, weights_of(gan.discriminator)))


def test_networks_run_in_training_mode_during_fit(tiny_images):
    # BatchNorm's moving statistics only move when called with training=True.
    gan = small_gan()
    batchnorm = gan.generator.layers[2]
    gan.fit(tiny_images, epochs=1, verbose=0)
    assert np.abs(batchnorm.moving_mean.numpy()).max() > 0


def test_minimax_generator_loss_trains_too(tiny_images):
    history = small_gan(loss="minimax").fit(tiny_images, epochs=1, verbose=0)
    assert history.history["g_loss"][0] < 0  # log(1 - D(G(z))) is negative


def test_noise_changes_from_step_to_step():
    gan = small_gan()
    assert not np.allclose(gan.sample_latent(4), gan.sample_latent(4))


def test_evaluate_reports_the_same_metrics_without_updating(tiny_images):
    gan = small_gan()
    results = gan.evaluate(tiny_images, verbose=0, return_dict=True)
    assert set(results) == {"d_loss", "g_loss", "D_x", "D_G_z"}
    assert int(gan.d_optimizer.iterations) == 0


def test_default_optimisers_are_the_course_adam():
    gan = small_gan()
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert float(optimizer.learning_rate) == pytest.approx(2e-4)
        assert float(optimizer.beta_1) == pytest.approx(0.5)


# ------------------------------------------------------------ generating -- #
def test_generate_shape_range_and_seed():
    gan = small_gan()
    images = gan.generate(5, seed=3)
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, gan.generate(5, seed=3))
    assert not np.array_equal(images, gan.generate(5, seed=4))
    assert not np.array_equal(gan.generate(5), gan.generate(5))


def test_generate_in_several_batches_equals_one_batch():
    gan = small_gan()
    np.testing.assert_allclose(gan.generate(10, seed=1, batch_size=3), gan.generate(10, seed=1), atol=1e-6)


# ------------------------------------------------------ saving, resuming -- #
def test_keras_file_round_trip_restores_weights_optimisers_and_config(tiny_images, tmp_path):
    gan = small_gan(discriminator_steps=2, loss="minimax")
    gan.fit(tiny_images, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded, GAN)
    assert (loaded.discriminator_steps, loaded.loss_terms.generator_loss_name, loaded.latent_dim) == (2, "minimax", 8)
    np.testing.assert_array_equal(loaded.generate(6, seed=9), gan.generate(6, seed=9))
    assert int(loaded.d_optimizer.iterations) == 4 and int(loaded.g_optimizer.iterations) == 2
    for saved, restored in zip(gan.d_optimizer.variables, loaded.d_optimizer.variables):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy())
    assert float(loaded.g_optimizer.learning_rate) == pytest.approx(2e-4)


def test_training_resumes_from_a_saved_model(tiny_images, tmp_path):
    gan = small_gan()
    gan.fit(tiny_images, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    resumed = keras.models.load_model(tmp_path / "gan.keras")
    resumed.fit(tiny_images, epochs=2, initial_epoch=1, verbose=0)
    assert int(resumed.g_optimizer.iterations) == 8


# ------------------------------------------------------------- bad input -- #
def test_mismatched_networks_are_refused():
    with pytest.raises(ValueError, match=r"generator output \(28, 28, 1\), discriminator input \(32, 32, 3\)"):
        GAN(dense_generator(), dense_discriminator((32, 32, 3)))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"loss": "hinge"}, "Received: loss='hinge'"),
        ({"regularizers": ["gp"]}, "Expected a list of gan_keras.objectives.Regularizer"),
        ({"discriminator_steps": 0}, "Received: discriminator_steps=0"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GAN(dense_generator(latent_dim=4), dense_discriminator(), **kwargs)


def test_one_optimizer_cannot_serve_both_networks():
    gan = GAN(dense_generator(latent_dim=4), dense_discriminator())
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two different optimizer objects"):
        gan.compile(d_optimizer=shared, g_optimizer=shared)
    with pytest.raises(ValueError, match="Received: g_optimizer='adamm'"):
        gan.compile(g_optimizer="adamm")


# ------------------------------------------- one call or two calls to D -- #
def random_images(seed, mean=0.0):
    return (np.random.default_rng(seed).normal(size=(4, 28, 28, 1)) + mean).astype("float32")


def test_joint_discriminator_call_equals_two_calls():
    gan = small_gan()
    step = GANStep(gan, random_images(1), None, training=True)
    assert not gan.discriminator_couples_batch
    real_logits, fake_logits = step.real_logits, step.fake_logits  # one call on both batches
    np.testing.assert_allclose(real_logits, gan.discriminator(step.real_images), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fake_logits, gan.discriminator(step.fake_images), rtol=1e-5, atol=1e-6)


def test_batchnorm_discriminator_sees_real_and_fake_batches_separately():
    discriminator = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.BatchNormalization(), keras.layers.Dense(1)]
    )
    gan = GAN(dense_generator(latent_dim=4), discriminator)
    assert gan.discriminator_couples_batch
    step = GANStep(gan, random_images(1, mean=3.0), None, training=True)
    real_logits, fake_logits = step.real_logits, step.fake_logits  # two calls
    np.testing.assert_allclose(real_logits, discriminator(step.real_images, training=True), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(fake_logits, discriminator(step.fake_images, training=True), rtol=1e-5, atol=1e-5)


def test_mixed_precision_wraps_each_optimizer_in_loss_scaling(tiny_images):
    keras.config.set_dtype_policy("mixed_float16")
    try:
        gan = GAN(dense_generator(latent_dim=4), dense_discriminator(), seed=0)
        if keras.config.backend() == "jax":
            with pytest.raises(ValueError, match="mixed_bfloat16"):
                gan.compile()
            return
        gan.compile()
        assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
        history = gan.fit(tiny_images.take(2), epochs=1, verbose=0)
        assert np.isfinite(history.history["d_loss"][0])
    finally:
        keras.config.set_dtype_policy("float32")
