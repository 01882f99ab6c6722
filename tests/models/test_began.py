"""BEGAN (issue 16): the autoencoder discriminator's architecture, k_t's
proportional control in a real step (and its bounds), M_global in the
history, the paper's defaults, and k_t through save, load and resume. The
losses' maths on hand-computed numbers: tests/test_losses.py."""

import keras
import numpy as np
import pytest

from gan_keras.models import BEGAN, began_discriminator, began_generator, began_scales, build_model
from gan_keras.objectives import BoundaryEquilibriumLoss
from tests.models.helpers import check_fit_save_load_generate

METRICS = ["d_loss", "g_loss", "L_x", "L_G_z", "k_t", "M_global"]


def small_began(**kwargs):
    return BEGAN(began_generator(latent_dim=8, filters=4), began_discriminator(filters=4, code_dim=8), seed=0,
                 **kwargs)


def k_of(model):
    return float(keras.ops.convert_to_numpy(model.k))


def test_the_networks_follow_the_papers_rules():
    generator, discriminator = began_generator(filters=32), began_discriminator(filters=32)
    for network in (generator, discriminator):
        kinds = {type(layer).__name__ for layer in network.layers}
        # no BatchNorm, no dropout, no transposed convolutions
        assert kinds <= {"Dense", "Reshape", "Conv2D", "UpSampling2D", "Flatten"}
        convolutions = [layer for layer in network.layers if isinstance(layer, keras.layers.Conv2D)]
        assert all(layer.kernel_size == (3, 3) for layer in convolutions)
        # tanh on G's images (in [-1, 1]); D's reconstruction linear, as in the paper
        last = "tanh" if network is generator else "linear"
        assert [layer.activation.__name__ for layer in convolutions] == ["elu"] * (len(convolutions) - 1) + [last]
        assert all(layer.interpolation == "nearest" for layer in network.layers
                   if isinstance(layer, keras.layers.UpSampling2D))
    # the docstring's layer table (filters = 32, 28x28x1)
    assert [layer.count_params() for layer in generator.layers] == [101_920, 0, 9_248, 9_248, 0, 9_248, 9_248, 0,
                                                                    9_248, 9_248, 289]
    assert [tuple(layer.output.shape[1:]) for layer in generator.layers if "upsample" in layer.name] == [
        (14, 14, 32), (28, 28, 32)]
    # the encoder halves the side with stride-2 convolutions while its width grows n, 2n, 3n
    downsamplers = [layer for layer in discriminator.layers if getattr(layer, "strides", None) == (2, 2)]
    assert [(layer.filters, tuple(layer.output.shape[1:3])) for layer in downsamplers] == [(64, (14, 14)),
                                                                                            (96, (7, 7))]
    assert discriminator.get_layer("encoder_code").units == 64
    assert discriminator.output_shape == (None, 28, 28, 1)
    # the decoders of G and D have the same architecture, not the same weights
    decoder = [layer for layer in discriminator.layers if layer.name.startswith("decoder")]
    assert [layer.count_params() for layer in decoder] == [layer.count_params() for layer in generator.layers]


@pytest.mark.parametrize("side, scales", [(8, (0, 8)), (13, (0, 13)), (28, (2, 7)), (32, (2, 8)), (64, (3, 8)),
                                         (128, (4, 8))])
def test_the_number_of_scales_follows_the_image_size(side, scales):
    assert began_scales((side, side, 3)) == scales
    assert began_generator(image_shape=(side, side, 3), filters=2).output_shape == (None, side, side, 3)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: began_scales((28, 32, 1)), "square images"),
        (lambda: BoundaryEquilibriumLoss(gamma=0), "`gamma`. Expected a number in \\(0, 1\\]"),
        (lambda: BoundaryEquilibriumLoss(gamma=1.5), "`gamma`"),
        (lambda: BoundaryEquilibriumLoss(initial_k=-0.1), "`initial_k`. Expected a number in \\[0, 1\\]"),
        (lambda: BEGAN(began_generator(filters=2), keras.Sequential([keras.Input((28, 28, 1)),
                                                                     keras.layers.Flatten(), keras.layers.Dense(1)])),
         "must have the shape of its input"),
        (lambda: BEGAN(began_generator(filters=2), began_discriminator(filters=2), gamma=0.7,
                       loss=BoundaryEquilibriumLoss(0.7)), "Give `gamma` or `loss`, not both"),
    ],
)
def test_bad_settings_are_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_fit_shows_the_equilibrium_and_saves(tiny_images, tmp_path):
    began = small_began(gamma=0.7)
    began.compile()
    loaded = check_fit_save_load_generate(began, tiny_images, METRICS, tmp_path)
    assert loaded.loss_terms.gamma == 0.7 and k_of(loaded) == k_of(began)
    images = np.asarray(next(iter(tiny_images)))
    reconstructions = began.reconstruct(images, batch_size=5)  # four calls of 5, 5, 5 and 1
    assert reconstructions.shape == images.shape and reconstructions.dtype == np.float32
    np.testing.assert_allclose(reconstructions, keras.ops.convert_to_numpy(began.discriminator(images)), atol=1e-5)
    with pytest.raises(ValueError, match="Expected images of shape \\(N, 28, 28, 1\\)"):
        began.reconstruct(images[..., 0])


def test_k_follows_the_proportional_control_of_each_step(tiny_images):
    # One step per fit: the history holds that step's L(x) and L(G(z)), from
    # which k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1).
    began = small_began(loss=BoundaryEquilibriumLoss(gamma=0.4, lambda_k=0.05, initial_k=0.5))
    began.compile()
    for batch in tiny_images.take(3):
        k_before = k_of(began)
        history = began.fit(np.asarray(batch), batch_size=16, epochs=1, verbose=0).history
        real_loss, fake_loss = history["L_x"][0], history["L_G_z"][0]
        assert history["k_t"][0] == pytest.approx(k_before)
        assert k_of(began) == pytest.approx(np.clip(k_before + 0.05 * (0.4 * real_loss - fake_loss), 0, 1), abs=1e-6)
        assert history["M_global"][0] == pytest.approx(real_loss + abs(0.4 * real_loss - fake_loss), rel=1e-5)
        assert history["d_loss"][0] == pytest.approx(real_loss - k_before * fake_loss, rel=1e-4, abs=1e-6)
        assert history["g_loss"][0] > 0  # L(G(z_G)) of the generator's own step
    assert k_of(began) != 0.5


def test_k_stays_in_the_unit_interval():
    # A gain of 1 and gamma = 1 make every step push k against a bound.
    began = small_began(loss=BoundaryEquilibriumLoss(gamma=1.0, lambda_k=1.0))
    began.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    ks = []
    for _ in range(4):
        began.fit(images, batch_size=16, epochs=1, verbose=0)
        ks.append(k_of(began))
    assert all(0.0 <= k <= 1.0 for k in ks) and {0.0, 1.0} & set(ks)


def test_k_survives_save_load_and_the_resumed_run_continues_as_the_uninterrupted_one(tiny_images, tmp_path):
    batches = [np.asarray(batch) for batch in tiny_images.take(2)]
    began = small_began(loss=BoundaryEquilibriumLoss(lambda_k=0.05, initial_k=0.3))
    began.compile()
    began.fit(batches[0], batch_size=16, epochs=1, verbose=0)
    began.save(tmp_path / "began.keras")
    resumed = keras.models.load_model(tmp_path / "began.keras")
    assert k_of(resumed) == k_of(began) != 0.3
    began.fit(batches[1], batch_size=16, epochs=1, verbose=0)
    resumed.fit(batches[1], batch_size=16, epochs=1, verbose=0)
    assert k_of(resumed) == pytest.approx(k_of(began), abs=1e-7)
    for before, after in zip(began.discriminator.get_weights(), resumed.discriminator.get_weights()):
        np.testing.assert_allclose(before, after, atol=1e-6)


def test_the_registry_builds_the_papers_defaults():
    began = build_model("began", seed=0)
    began.compile()
    assert isinstance(began.loss_terms, BoundaryEquilibriumLoss)
    assert (began.loss_terms.gamma, began.loss_terms.lambda_k, k_of(began)) == (0.5, 0.001, 0.0)
    assert began.latent_distribution == "uniform" and began.latent_dim == 64 and began.discriminator_steps == 1
    for optimizer in (began.d_optimizer, began.g_optimizer):
        config = optimizer.get_config()
        assert type(optimizer).__name__ == "Adam"
        assert (round(config["learning_rate"], 8), config["beta_1"]) == (1e-4, 0.5)
    assert began.discriminator.get_layer("encoder_code").units == 64


def test_halving_the_learning_rate_when_m_global_stalls_reaches_both_networks():
    began = small_began()
    began.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
    # patience 0 and a huge min_delta: each epoch after the first counts as stalled (2 halvings)
    halve = keras.callbacks.ReduceLROnPlateau(monitor="M_global", mode="min", factor=0.5, patience=0,
                                              min_delta=1e9)
    began.fit(images, batch_size=16, epochs=3, verbose=0, callbacks=[halve])
    rates = [float(keras.ops.convert_to_numpy(o.learning_rate)) for o in (began.d_optimizer, began.g_optimizer)]
    assert rates == pytest.approx([1e-4 / 4] * 2)


def test_the_command_line_trains_a_began(tmp_path):
    from gan_keras.cli import main

    assert main(["train", "began", "--steps", "2", "--batch-size", "16", "--out", str(tmp_path)]) == 0
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert type(loaded).__name__ == "BEGAN" and int(loaded.d_optimizer.iterations) == 2
    assert 0.0 <= k_of(loaded) <= 1.0
