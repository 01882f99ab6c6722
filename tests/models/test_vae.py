"""Autoencoder and VAE: the ELBO on hand-built networks, the importance-
weighted bound, the sampling layer's gradients, conditioning, saving."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from gan_keras.backend import value_and_gradients
from gan_keras.data import binarize
from gan_keras.models import VAE, Autoencoder, classifier_on_encoder, conv_decoder, conv_encoder, dense_decoder, dense_encoder
from tests.models.helpers import check_fit_save_load_generate

LOG2 = math.log(2.0)
PIXELS = 28 * 28


def small_vae(latent_dim=4, **kwargs):
    vae = VAE(dense_encoder(latent_dim, hidden_units=32), dense_decoder(latent_dim, hidden_units=32), seed=0, **kwargs)
    vae.compile()
    return vae


def zero_weights(network, biases=None):
    """Sets every weight of `network` to 0, then the named layers' biases."""
    for weight in network.weights:
        weight.assign(np.zeros(weight.shape, "float32"))
    for layer_name, value in (biases or {}).items():
        bias = network.get_layer(layer_name).bias
        bias.assign(np.full(bias.shape, value, "float32"))


def hand_built_vae(mean=0.0, log_variance=0.0, logit=0.0, latent_dim=4):
    """A VAE whose q(z|x) = N(mean, exp(log_variance)) for every image and
    whose decoder outputs `logit` for every pixel, whatever z is."""
    vae = small_vae(latent_dim)
    zero_weights(vae.encoder, {"mean": mean, "log_variance": log_variance})
    zero_weights(vae.decoder, {vae.decoder.layers[-2].name: logit})
    return vae


def binary_images(count=8, seed=0):
    images = np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")
    return binarize(images, seed=seed)


# ----------------------------------------------------------- the networks -- #
def test_dense_networks_are_the_papers_mlp():
    encoder, decoder = dense_encoder(20), dense_decoder(20)
    hidden = [layer for layer in encoder.layers + decoder.layers if isinstance(layer, keras.layers.Dense)]
    assert [(layer.units, layer.activation.__name__) for layer in hidden] == [
        (500, "tanh"), (20, "linear"), (20, "linear"), (500, "tanh"), (784, "linear"),
    ]
    assert [tuple(t.shape) for t in encoder.outputs] == [(None, 20), (None, 20)]


def test_conv_networks_shapes_and_conditioning():
    encoder, decoder = conv_encoder(16), conv_decoder(16)
    assert [tuple(t.shape) for t in encoder.outputs] == [(None, 16), (None, 16)]
    assert tuple(decoder.output.shape) == (None, 28, 28, 1)
    conditional = conv_decoder(16, (32, 32, 3), num_classes=10)
    assert [tuple(t.shape) for t in conditional.inputs] == [(None, 16), (None, 10)]
    assert tuple(conditional.output.shape) == (None, 32, 32, 3)
    assert tuple(conv_encoder(8, variational=False).output.shape) == (None, 8)
    with pytest.raises(ValueError, match="divisible by 4"):
        conv_encoder(16, (30, 30, 1))


# ------------------------------------------------------------- the ELBO -- #
def test_elbo_of_a_hand_built_vae():
    # q(z|x) = N(1, e^0) in 4 dims: KL = 0.5 * 4 * (1 + 1 - 1 - 0) = 2 nats.
    # Every pixel has logit 0, p = 1/2: -log p(x|z) = 784 log 2 for any x.
    vae = hand_built_vae(mean=1.0, logit=0.0)
    results = vae.evaluate(binary_images(), batch_size=4, verbose=0, return_dict=True)
    assert results["kl_loss"] == pytest.approx(2.0, rel=1e-5)
    assert results["reconstruction_loss"] == pytest.approx(PIXELS * LOG2, rel=1e-5)
    assert results["loss"] == pytest.approx(PIXELS * LOG2 + 2.0, rel=1e-5)


def test_reconstruction_term_uses_the_decoders_logits():
    # logit l for every pixel: -log p(x) = sum softplus(l) - l * x over the bits x.
    images = binary_images(4)
    bits = (images + 1) / 2
    vae = hand_built_vae(logit=1.5)
    expected = np.mean(np.sum(np.log1p(np.exp(1.5)) - 1.5 * bits, axis=(1, 2, 3)))
    results = vae.evaluate(images, batch_size=4, verbose=0, return_dict=True)
    assert results["reconstruction_loss"] == pytest.approx(expected, rel=1e-5)


def test_beta_weights_the_kl_term():
    vae = hand_built_vae(mean=1.0)
    vae.beta = 4.0
    results = vae.evaluate(binary_images(), batch_size=4, verbose=0, return_dict=True)
    assert results["loss"] == pytest.approx(results["reconstruction_loss"] + 4 * results["kl_loss"], rel=1e-6)


def test_gaussian_likelihood_with_a_fixed_scale():
    # Decoder mean 0, scale 0.5: -log N(x; 0, 0.25) = x^2 / 0.5 + log 0.5 + 0.5 log 2 pi per pixel.
    images = np.random.default_rng(1).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    vae = VAE(dense_encoder(4, hidden_units=8), dense_decoder(4, hidden_units=8), likelihood="gaussian",
              gaussian_scale=0.5, seed=0)
    vae.compile()
    zero_weights(vae.encoder)
    zero_weights(vae.decoder)
    per_pixel = images**2 / (2 * 0.25) + math.log(0.5) + 0.5 * math.log(2 * math.pi)
    results = vae.evaluate(images, batch_size=4, verbose=0, return_dict=True)
    assert results["reconstruction_loss"] == pytest.approx(per_pixel.sum(axis=(1, 2, 3)).mean(), rel=1e-5)
    assert not vae.log_scale.trainable


def test_gaussian_likelihood_learns_its_scale(tiny_images):
    vae = VAE(dense_encoder(4, hidden_units=8), dense_decoder(4, hidden_units=8), likelihood="gaussian", seed=0)
    vae.compile()
    assert vae.log_scale.trainable and float(vae.log_scale) == 0.0
    vae.fit(tiny_images, epochs=1, verbose=0)
    assert float(vae.log_scale) != 0.0


# ------------------------------------------------------ sampling, gradients -- #
def test_gradients_reach_every_encoder_weight_through_the_sampling():
    vae = small_vae()
    images = binary_images(4)
    # Only the reconstruction term, so nothing comes from the KL's direct path.
    _, _, gradients = value_and_gradients(
        lambda: (vae.compute_losses(images, training=True)["reconstruction_loss"], None), vae.encoder.trainable_weights
    )
    assert all(g is not None and np.abs(ops.convert_to_numpy(g)).max() > 0 for g in gradients)


def test_dynamic_binarization_draws_fresh_bits_with_the_pixel_probabilities():
    vae = small_vae()
    grey = np.full((4, 28, 28, 1), 0.5, "float32")  # probability 0.75
    first = ops.convert_to_numpy(vae._pixel_targets(grey, training=True))
    second = ops.convert_to_numpy(vae._pixel_targets(grey, training=True))
    assert set(np.unique(first)) == {0.0, 1.0}
    assert first.mean() == pytest.approx(0.75, abs=0.02)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(vae._pixel_targets(grey, training=False), np.full_like(grey, 0.75))


# ---------------------------------------------------- the likelihood bound -- #
def test_bounds_are_exact_when_the_posterior_is_the_prior_and_z_is_ignored():
    # q = p(z) and p(x|z) = p(x): every importance weight equals p(x) = 2^-784.
    vae = hand_built_vae()
    bound, elbo = vae.log_likelihood_bound(binary_images(3), num_samples=7)
    np.testing.assert_allclose(bound, -PIXELS * LOG2, rtol=1e-6)
    np.testing.assert_allclose(elbo, -PIXELS * LOG2, rtol=1e-6)


def test_importance_weighting_closes_the_kl_gap():
    # The decoder ignores z, so log p(x) = -784 log 2; the ELBO is lower by
    # KL(N(0.5, 1) || N(0, 1)) = 0.5 * 4 * 0.5^2 = 0.5 nats in 4 dims, and the
    # 2000-sample bound recovers nearly all of it. (A posterior much narrower
    # than the prior would give importance weights of infinite variance.)
    vae = hand_built_vae(mean=0.5, log_variance=0.0)
    kl = 0.5 * 4 * 0.25
    bound, elbo = vae.log_likelihood_bound(binary_images(2), num_samples=2000, seed=0)
    np.testing.assert_allclose(elbo, -PIXELS * LOG2 - kl, atol=0.05)
    np.testing.assert_allclose(bound, -PIXELS * LOG2, atol=0.05)
    assert np.all(bound >= elbo)


def test_likelihood_report_is_repeatable_and_in_nats_and_bits(tiny_images):
    vae = small_vae()
    images = binary_images(6)
    report = vae.likelihood_report(images, num_samples=5, seed=1)
    assert report == vae.likelihood_report(images, num_samples=5, seed=1)
    assert report["negative_iwae_bound"] <= report["negative_elbo"]
    assert report["bits_per_dim_elbo"] == pytest.approx(report["negative_elbo"] / PIXELS / LOG2)
    assert (report["num_images"], report["num_samples"]) == (6, 5)


def test_bound_in_chunks_and_batches_equals_one_pass():
    vae = small_vae()
    images = binary_images(5)
    whole = vae.log_likelihood_bound(images, num_samples=6, seed=2, batch_size=5, chunk_size=6)
    pieces = vae.log_likelihood_bound(images, num_samples=6, seed=2, batch_size=5, chunk_size=4)
    np.testing.assert_allclose(whole[0], pieces[0], rtol=1e-6)


# ----------------------------------------------------- fit, save, generate -- #
def test_vae_fits_saves_loads_and_generates(tiny_images, tmp_path):
    vae = VAE(conv_encoder(4, filters=(8, 8), dense_units=16), conv_decoder(4, filters=(8, 8), dense_units=16),
              beta=2.0, seed=0)
    vae.compile()
    loaded = check_fit_save_load_generate(vae, tiny_images, ["loss", "reconstruction_loss", "kl_loss"], tmp_path)
    assert (loaded.beta, loaded.latent_dim, loaded.likelihood) == (2.0, 4, "bernoulli")
    assert int(loaded.optimizer.iterations) == loaded.updates_done() == 2
    for saved, restored in zip(vae.optimizer.variables, loaded.optimizer.variables):
        np.testing.assert_array_equal(saved.numpy(), restored.numpy())


def test_encode_decode_reconstruct_shapes():
    vae = small_vae()
    images = binary_images(3)
    mean, log_variance = vae.encode(images)
    assert mean.shape == log_variance.shape == (3, 4)
    reconstructions = vae.reconstruct(images)
    assert reconstructions.shape == images.shape and np.abs(reconstructions).max() <= 1
    np.testing.assert_allclose(vae(images), reconstructions, atol=1e-6)


def test_conditional_vae_uses_labels(tmp_path):
    images = binary_images(32)
    labels = np.arange(32) % 10
    data = tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)
    vae = VAE(dense_encoder(4, hidden_units=16, num_classes=10), dense_decoder(4, hidden_units=16, num_classes=10),
              num_classes=10, seed=0)
    vae.compile()
    check_fit_save_load_generate(vae, data, ["loss", "reconstruction_loss", "kl_loss"], tmp_path)
    same_noise = [vae.generate(2, seed=0, labels=digit) for digit in (3, 7)]
    assert not np.allclose(*same_noise)
    with pytest.raises(ValueError, match="pass `labels`"):
        vae.log_likelihood_bound(images)
    with pytest.raises(ValueError, match=r"\(images, labels\) pairs"):
        vae.evaluate(images, verbose=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(likelihood="poisson"), "Expected one of \\['bernoulli', 'gaussian'\\]"),
        (dict(beta=-1), "Expected a number >= 0"),
        (dict(gaussian_scale=0), "Expected None \\(learned\\) or a number > 0"),
        (dict(num_classes=10), "build both networks with the same `num_classes`"),
    ],
)
def test_bad_vae_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        VAE(dense_encoder(4), dense_decoder(4), **kwargs)


def test_an_autoencoders_encoder_is_refused_by_the_vae():
    with pytest.raises(ValueError, match="variational=True"):
        VAE(dense_encoder(4, variational=False), dense_decoder(4))


def test_images_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match=r"Expected images of shape \(N, 28, 28, 1\)"):
        small_vae().log_likelihood_bound(np.zeros((2, 32, 32, 1)))


# ---------------------------------------------------------- the autoencoder -- #
def small_autoencoder(**kwargs):
    autoencoder = Autoencoder(
        dense_encoder(4, hidden_units=16, variational=False),
        dense_decoder(4, hidden_units=16, output_activation="tanh"),
        seed=0,
        **kwargs,
    )
    autoencoder.compile()
    return autoencoder


def test_autoencoder_loss_is_the_mean_squared_error():
    autoencoder = small_autoencoder()
    zero_weights(autoencoder.decoder)  # reconstructs every image as 0
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    results = autoencoder.evaluate(images, batch_size=4, verbose=0, return_dict=True)
    assert results["loss"] == pytest.approx(np.mean(images**2), rel=1e-5)


def test_masking_corruption_hides_the_chosen_share_of_pixels():
    autoencoder = small_autoencoder(corruption="masking", corruption_level=0.3)
    ones = np.ones((8, 28, 28, 1), "float32")
    corrupted = ops.convert_to_numpy(autoencoder.corrupt(ones))
    assert set(np.unique(corrupted)) == {-1.0, 1.0}
    assert np.mean(corrupted == -1) == pytest.approx(0.3, abs=0.02)


def test_gaussian_corruption_adds_noise_of_the_chosen_level():
    autoencoder = small_autoencoder(corruption="gaussian", corruption_level=0.1)
    zeros = np.zeros((8, 28, 28, 1), "float32")
    assert np.std(ops.convert_to_numpy(autoencoder.corrupt(zeros))) == pytest.approx(0.1, rel=0.05)


def test_autoencoder_fits_saves_and_loads(tiny_images, tmp_path):
    autoencoder = small_autoencoder(corruption="gaussian", corruption_level=0.2)
    autoencoder.fit(tiny_images.take(2), epochs=1, verbose=0)
    autoencoder.save(tmp_path / "autoencoder.keras")
    loaded = keras.models.load_model(tmp_path / "autoencoder.keras")
    assert (loaded.corruption, loaded.corruption_level) == ("gaussian", 0.2)
    images = next(tiny_images.as_numpy_iterator())
    np.testing.assert_allclose(loaded.reconstruct(images), autoencoder.reconstruct(images), atol=1e-6)
    assert autoencoder.encode(images).shape == (16, 4)


@pytest.mark.parametrize(
    "kwargs, message",
    [(dict(corruption="salt"), "Expected one of"), (dict(corruption="masking", corruption_level=1.0), "< 1")],
)
def test_bad_autoencoder_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small_autoencoder(**kwargs)


def test_classifier_on_encoder_reuses_or_refreshes_the_encoder():
    encoder = dense_encoder(4, hidden_units=8, variational=False)
    pretrained = classifier_on_encoder(encoder)
    fresh = classifier_on_encoder(encoder, fresh=True)
    assert pretrained.layers[1] is encoder and fresh.layers[1] is not encoder
    assert tuple(pretrained.output.shape) == (None, 10)
    images = np.zeros((2, 28, 28, 1), "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(pretrained(images)).sum(axis=1), 1.0, rtol=1e-6)
    kernel = encoder.layers[-1].kernel.numpy()
    assert not np.allclose(fresh.layers[1].layers[-1].kernel.numpy(), kernel)
    with pytest.raises(ValueError, match="one output"):
        classifier_on_encoder(dense_encoder(4))


def test_default_optimizer_is_adam_with_weight_decay():
    optimizer = small_vae().optimizer  # Autoencoder and VAE share it
    assert isinstance(optimizer, keras.optimizers.AdamW)
    assert (float(optimizer.learning_rate), optimizer.weight_decay) == pytest.approx((1e-3, 1e-2))
