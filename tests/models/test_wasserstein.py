"""LSGAN and WGAN as losses and regularisers of the one GAN loop (issue 15):
weight clipping after every critic step, n_critic critic steps per generator
step, the Wasserstein estimate and the gradient norm in the progress bar, and
saving. The losses' maths: tests/test_losses.py; the penalty's:
tests/test_backend.py."""

import keras
import numpy as np
import pytest

from gan_keras.backend import has_gpu
from gan_keras.models import GAN, dense_discriminator, dense_generator
from gan_keras.objectives import GradientPenalty, LeastSquaresLoss, WassersteinLoss, WeightClipping
from tests.models.helpers import check_fit_save_load_generate


def small_gan(**kwargs):
    return GAN(dense_generator(latent_dim=8), dense_discriminator(), seed=0, **kwargs)


def test_weight_clipping_keeps_every_critic_weight_in_range_after_each_step(tiny_images):
    gan = small_gan(loss=WassersteinLoss(), regularizers=[WeightClipping(0.01)], discriminator_steps=5)
    gan.compile(d_optimizer=keras.optimizers.RMSprop(5e-5), g_optimizer=keras.optimizers.RMSprop(5e-5))
    assert max(float(np.abs(w).max()) for w in gan.discriminator.get_weights()) > 0.01  # Glorot: not yet clipped

    largest = []
    for batch in tiny_images.repeat().take(10):  # one step per fit: the weights as each step left them
        history = gan.fit(np.asarray(batch), batch_size=len(batch), epochs=1, verbose=0)
        largest.append(max(float(np.abs(w).max()) for w in gan.discriminator.get_weights()))
    assert len(largest) == 10 and max(largest) <= 0.01 + 1e-7
    assert max(float(np.abs(w).max()) for w in gan.generator.get_weights()) > 0.01  # G is not clipped
    # n_critic = 5: 10 critic steps (one per batch), 2 generator steps
    assert int(gan.d_optimizer.iterations) == 10 and int(gan.g_optimizer.iterations) == 2
    assert gan.updates_done() == 2  # the generator's updates
    assert sorted(history.history) == ["d_loss", "g_loss", "wasserstein"]
    assert history.history["wasserstein"][0] == pytest.approx(-history.history["d_loss"][0])


def test_wgan_gp_shows_the_penalty_and_the_gradient_norm(tiny_images, tmp_path):
    gan = small_gan(loss=WassersteinLoss(), regularizers=[GradientPenalty(10.0, seed=0)], discriminator_steps=5)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
                g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9))
    check_fit_save_load_generate(
        gan, tiny_images, ["d_loss", "g_loss", "wasserstein", "gradient_penalty", "gradient_norm"], tmp_path
    )


def test_lsgan_and_wgan_save_and_load_with_their_settings(tiny_images, tmp_path):
    lsgan = small_gan(loss=LeastSquaresLoss(fake_target=-1.0, real_target=1.0, generator_target=0.0))
    lsgan.compile()
    loaded = check_fit_save_load_generate(lsgan, tiny_images, ["d_loss", "g_loss", "D_x", "D_G_z"], tmp_path)
    assert (loaded.loss_terms.fake_target, loaded.loss_terms.real_target, loaded.loss_terms.generator_target) == (
        -1.0, 1.0, 0.0)
    wgan = small_gan(loss=WassersteinLoss(), regularizers=[WeightClipping(0.05)], discriminator_steps=5)
    wgan.compile()
    loaded = check_fit_save_load_generate(wgan, tiny_images, ["d_loss", "g_loss", "wasserstein"], tmp_path)
    assert isinstance(loaded.loss_terms, WassersteinLoss) and loaded.regularizers[0].clip_value == 0.05


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: WeightClipping(0), "Expected a number > 0"),
        (lambda: LeastSquaresLoss(fake_target=1.0, real_target=1.0), "different targets"),
        (lambda: LeastSquaresLoss(fake_target="0"), "Expected a number"),
    ],
)
def test_bad_settings_are_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ------------------------------------------------- the three papers' models -- #
def optimizer_settings(optimizer):
    config = optimizer.get_config()
    return type(optimizer).__name__, *(round(float(config[k]), 8) for k in ("learning_rate", "beta_1", "beta_2")
                                       if k in config)


@pytest.mark.parametrize(
    "name, loss_type, steps, optimizer",
    [
        ("lsgan", LeastSquaresLoss, 1, ("Adam", 2e-4, 0.5, 0.999)),
        ("wgan", WassersteinLoss, 5, ("RMSprop", 5e-5)),
        ("wgan_gp", WassersteinLoss, 5, ("Adam", 1e-4, 0.0, 0.9)),
    ],
)
def test_each_papers_defaults(name, loss_type, steps, optimizer, tiny_images, tmp_path):
    from gan_keras.models import build_model

    gan = build_model(name, seed=0)
    gan.compile()
    assert isinstance(gan.loss_terms, loss_type) and gan.discriminator_steps == steps
    assert optimizer_settings(gan.d_optimizer) == optimizer == optimizer_settings(gan.g_optimizer)
    if name == "lsgan":
        assert (gan.loss_terms.fake_target, gan.loss_terms.real_target, gan.loss_terms.generator_target) == (0, 1, 1)
        assert gan.regularizers == []
    if name == "wgan":
        [clipping] = gan.regularizers
        assert isinstance(clipping, WeightClipping) and clipping.clip_value == 0.01
    if name == "wgan_gp":
        [penalty] = gan.regularizers
        assert isinstance(penalty, GradientPenalty) and penalty.weight == 10.0
        kinds = {type(layer).__name__ for layer in gan.discriminator.layers}
        assert "BatchNormalization" not in kinds and "LayerNormalization" not in kinds
    metrics = {"lsgan": ["d_loss", "g_loss", "D_x", "D_G_z"], "wgan": ["d_loss", "g_loss", "wasserstein"],
               "wgan_gp": ["d_loss", "g_loss", "wasserstein", "gradient_penalty", "gradient_norm"]}[name]
    check_fit_save_load_generate(gan, tiny_images, metrics, tmp_path)


def test_each_critic_update_takes_its_own_batch():
    # G fixed at 0 (zero weights, learning rate 0) and a linear critic w . x:
    # the critic loss -mean(w . x) moves w by +mean(x) per SGD(1) step, so after
    # ten steps every entry of w is the sum of the ten batches' values, which
    # only holds if each of the ten critic updates saw a different batch.
    values = np.arange(1, 11, dtype="float32") / 100
    images = np.repeat(values, 4)[:, None, None, None] * np.ones((1, 28, 28, 1), "float32")
    generator = keras.Sequential([keras.Input((8,)), keras.layers.Dense(784, kernel_initializer="zeros"),
                                  keras.layers.Reshape((28, 28, 1))])
    critic = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False, kernel_initializer="zeros")])
    gan = GAN(generator, critic, loss=WassersteinLoss(), regularizers=[], discriminator_steps=5, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(1.0), g_optimizer=keras.optimizers.SGD(0.0))
    gan.fit(images, batch_size=4, shuffle=False, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations) == 10 and int(gan.g_optimizer.iterations) == 2
    assert gan.updates_done() == 2  # the generator's updates
    np.testing.assert_allclose(critic.get_weights()[0], values.sum(), rtol=1e-5)


def test_n_critic_steps_compile_without_xla_only_with_tensorflow_on_a_cpu():
    # The generator's update after every 5th critic step runs under tf.cond,
    # which XLA makes ~5x slower on a CPU (backend.xla_is_slow_for_loops_and_conditions).
    tensorflow_on_cpu = keras.config.backend() == "tensorflow" and not has_gpu()
    wgan = small_gan(loss=WassersteinLoss(), discriminator_steps=5)
    wgan.compile()
    assert wgan.jit_compile is (not tensorflow_on_cpu)
    wgan.compile(jit_compile=True)
    assert wgan.jit_compile is True
    gan = small_gan()
    gan.compile()
    assert gan.jit_compile is True


def test_wgan_gp_refuses_a_critic_with_batchnorm():
    from gan_keras.models import WGANGP, dcgan_discriminator, dcgan_generator

    with pytest.raises(ValueError, match="has BatchNormalization"):
        WGANGP(dcgan_generator(), dcgan_discriminator())
    layer_normed = WGANGP(dcgan_generator(), dcgan_discriminator(normalization="layer"))
    assert any(type(layer).__name__ == "LayerNormalization" for layer in layer_normed.discriminator.layers)


def test_the_command_line_trains_a_wgan_gp(tmp_path):
    from gan_keras.cli import main

    assert main(["train", "wgan_gp", "--steps", "2", "--batch-size", "64", "--out", str(tmp_path)]) == 0
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert type(loaded).__name__ == "WGANGP" and int(loaded.d_optimizer.iterations) == 2


def test_toy_networks_are_the_wgan_gp_papers():
    from gan_keras.models import build_model, toy_networks

    generator, critic = toy_networks()
    assert [layer.units for layer in generator.layers] == [512, 512, 512, 2]
    assert [layer.units for layer in critic.layers if hasattr(layer, "units")] == [512, 512, 512, 1]
    assert [type(layer).__name__ for layer in critic.layers[1:6:2]] == ["ReLU"] * 3
    assert all(layer.activation.__name__ == "relu" for layer in generator.layers[:3])
    assert all(type(layer.kernel_initializer).__name__ == "HeUniform" for layer in generator.layers)
    assert generator.input_shape == (None, 2) and critic.output_shape == (None, 1)
    for name, kind in [("gan", "GAN"), ("lsgan", "LSGAN"), ("wgan", "WGAN"), ("wgan_gp", "WGANGP")]:
        model = build_model(name, (2,), seed=0)
        assert type(model).__name__ == kind and model.image_shape == (2,) and model.latent_dim == 2
        assert model.discriminator.count_params() == critic.count_params()
    with pytest.raises(ValueError, match="Model 'dcgan' makes images; the toy datasets of 2-D points train gan, "):
        build_model("dcgan", (2,))


def test_wgan_gp_on_toy_points_takes_the_papers_toy_settings(tmp_path):
    # gan_toy.py of the paper's code: lambda = 0.1, Adam(1e-4, beta_1 = 0.5, beta_2 = 0.9)
    from gan_keras.models import build_model

    toy = build_model("wgan_gp", (2,), seed=3)
    toy.compile()
    assert [r.weight for r in toy.regularizers] == [0.1]
    assert float(toy.d_optimizer.beta_1) == 0.5 and float(toy.g_optimizer.beta_2) == 0.9
    toy.fit(np.random.default_rng(0).normal(size=(64, 2)).astype("float32"), batch_size=32, epochs=1, verbose=0)
    toy.save(tmp_path / "toy.keras")
    loaded = keras.models.load_model(tmp_path / "toy.keras")
    assert loaded.adam_beta_1 == 0.5 and [r.weight for r in loaded.regularizers] == [0.1]
    images = build_model("wgan_gp", (28, 28, 1))
    images.compile()
    assert [r.weight for r in images.regularizers] == [10.0] and float(images.d_optimizer.beta_1) == 0.0
    with pytest.raises(ValueError, match="Expected a number in \\[0, 1\\)"):
        build_model("wgan_gp", (2,)).__class__(*build_model("gan", (2,)).layers[:2], adam_beta_1=1.0)


def test_the_command_line_trains_samples_and_evaluates_on_toy_points(tmp_path, capsys):
    import json

    from gan_keras.cli import main

    run = tmp_path / "toy"
    assert main(["train", "wgan_gp", "--dataset", "gaussians25", "--steps", "3", "--out", str(run)]) == 0
    assert json.loads((run / "run.json").read_text())["batch_size"] == 256  # the paper's toy batch
    assert (run / "samples.png").exists() and (run / "progress" / "epoch_0001.png").exists()
    assert main(["sample", str(run), "-n", "50", "--seed", "1", "--out", str(tmp_path / "p.npz")]) == 0
    with np.load(tmp_path / "p.npz") as arrays:
        assert list(arrays) == ["points"] and arrays["points"].shape == (50, 2)
    assert "Wrote 50 points (N, 2)" in capsys.readouterr().out
    assert main(["evaluate", str(run), "-n", "500"]) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["num_modes"] == 25 and 0 <= metrics["modes_covered"] <= 25
    assert 0.0 <= metrics["high_quality_share"] <= 1.0
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "vae", "--dataset", "swiss_roll", "--out", str(tmp_path / "v")])
    assert exit_info.value.code == 2
    assert "vae makes images; --dataset swiss_roll (2-D points) trains gan, lsgan" in capsys.readouterr().err


def test_critic_gradient_norms_by_hand():
    # D(x) = v . relu(W x): dD/dh = v at the second layer's input, W^T (v * [W x > 0]) at x
    from gan_keras.models import critic_gradient_norms

    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="relu", use_bias=False),
                               keras.layers.Dense(1, use_bias=False)])
    weights, v = np.array([[1.0, 0.0, -1.0], [0.0, 2.0, 0.0]], "float32"), np.array([2.0, 1.0, 1.0], "float32")
    critic.set_weights([weights, v[:, None]])
    points = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]], "float32")
    by_hand = [np.linalg.norm(weights @ (v * (x @ weights > 0))) for x in points]
    norms = critic_gradient_norms(critic, points)
    np.testing.assert_allclose(norms, [np.mean(by_hand), np.linalg.norm(v)], rtol=1e-6)
    with pytest.raises(ValueError, match="has no layer with a kernel"):
        critic_gradient_norms(keras.Sequential([keras.Input((2,)), keras.layers.ReLU()]), points)
    with pytest.raises(ValueError, match="follows a keras.Sequential critic"):
        critic_gradient_norms(keras.Model(critic.inputs, critic.outputs), points)
