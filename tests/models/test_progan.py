"""ProGAN (issue 16): the growing networks at each phase (the fade-in of G's
images and D's maps, the frozen blocks, the image sizes), the schedule of
phases and alpha, the real images faded as the fakes are, the loss with the
drift term, the paper's defaults, and save / load / resume in the middle of a
fade. The layers' own maths (equalised learning rate, pixel norm, minibatch
standard deviation, FadeIn): tests/test_layers.py."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_keras.data import ArrayBatches
from gan_keras.layers import EqualizedConv2D, EqualizedDense, MinibatchStandardDeviation, PixelNormalization
from gan_keras.models import ProGAN, build_model, progan_discriminator, progan_filters, progan_generator
from gan_keras.objectives import DriftPenalty, GradientPenalty, WassersteinLoss
from gan_keras.runs import fit_segments
from tests.models.helpers import check_fit_save_load_generate

SHAPE = (16, 16, 1)  # three levels: 4x4, 8x8, 16x16
METRICS = ["d_loss", "g_loss", "wasserstein", "gradient_penalty", "gradient_norm", "drift", "alpha"]


def small_progan(phase=0, stable_steps=2, fade_steps=4, **kwargs):
    return ProGAN(
        progan_generator(latent_dim=8, image_shape=SHAPE, filter_base=64, max_filters=16, phase=phase),
        progan_discriminator(SHAPE, filter_base=64, max_filters=16, phase=phase),
        stable_steps=stable_steps, fade_steps=fade_steps, seed=0, **kwargs)


def images(count=16, seed=0, shape=SHAPE):
    return np.random.default_rng(seed).uniform(-1, 1, (count, *shape)).astype("float32")


def numpy(value):
    return np.asarray(ops.convert_to_numpy(value))


def upsample(x, factor):
    return x.repeat(factor, axis=1).repeat(factor, axis=2)


def downsample(x, factor):
    n, h, w, c = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


def set_alpha(model, alpha):
    for network in model.growing_networks:
        network.fade.alpha.assign(alpha)


def test_the_widths_are_the_papers():
    # the paper's code: min(8192 / 2^(level + 1), 512) maps at side 4 * 2^level
    assert [progan_filters(level) for level in range(9)] == [512, 512, 512, 512, 256, 128, 64, 32, 16]
    # the registry's CPU widths for MNIST padded to 32x32
    progan = build_model("progan", (32, 32, 1), seed=0)
    generator, discriminator = progan.growing_networks
    assert [generator.filters(level) for level in range(4)] == [64, 64, 32, 16]
    assert [layer.filters for layer in generator.to_images] == [1] * 4
    assert [layer.filters for layer in discriminator.from_images] == [64, 64, 32, 16]
    assert [(block.first.filters, block.second.filters) for block in discriminator.blocks] == [
        (64, 64), (32, 64), (16, 32)]


def test_every_layer_has_an_equalised_learning_rate_and_g_normalises_every_pixel():
    progan = small_progan()
    generator, discriminator = progan.growing_networks
    weighted = [layer for network in (generator, discriminator) for layer in network._flatten_layers(include_self=False)
                if layer.weights and not layer._layers]
    assert weighted and all(isinstance(layer, (EqualizedConv2D, EqualizedDense)) or layer.name == "fade"
                            for layer in weighted)
    # He's gain, except the linear outputs (G's images, D's score) and G's first layer (the paper's code)
    gains = {layer.name: layer.gain for layer in weighted if layer.name != "fade"}
    assert gains["score"] == gains["to_image_16x16"] == 1.0
    assert gains["project_4x4"] == pytest.approx(np.sqrt(2) / 4) and gains["conv_a"] == pytest.approx(np.sqrt(2))
    assert any(isinstance(layer, PixelNormalization) for layer in generator._flatten_layers())
    assert not any(isinstance(layer, PixelNormalization) for layer in discriminator._flatten_layers())
    assert sum(isinstance(layer, MinibatchStandardDeviation) for layer in discriminator._flatten_layers()) == 1
    assert progan.discriminator_couples_batch  # real and fake batches are judged apart
    # G's 4x4 maps from z: every pixel's feature vector has unit mean square
    latent = np.random.default_rng(1).normal(size=(3, 8)).astype("float32")
    maps = generator.normalize(keras.layers.LeakyReLU(0.2)(ops.reshape(generator.project(generator.normalize(latent)),
                                                                      (-1, 4, 4, 16))))
    np.testing.assert_allclose(numpy(ops.mean(ops.square(maps), axis=-1)), 1.0, rtol=1e-4)


@pytest.mark.parametrize("phase", [0, 1, 2])
def test_the_networks_work_at_the_phases_resolution_in_the_full_image_shape(phase):
    progan = small_progan(phase=phase)
    set_alpha(progan, 1.0)
    factor = 16 // progan.resolution
    assert progan.resolution == 4 * 2**phase
    fakes = progan.generate(4, seed=0)
    assert fakes.shape == (4, *SHAPE)
    np.testing.assert_array_equal(fakes, upsample(fakes[:, ::factor, ::factor], factor))  # blocks of side `factor`
    # D average-pools its input to the phase's side: only those means matter
    real = images(8)
    blocky = upsample(downsample(real, factor), factor)
    np.testing.assert_allclose(numpy(progan.discriminator(real)), numpy(progan.discriminator(blocky)), atol=1e-5)
    # the blocks above the phase are frozen; G and D train their phase's layers
    generator, discriminator = progan.growing_networks
    for network in (generator, discriminator):
        assert [block.trainable for block in network.blocks] == [level <= phase for level in range(1, 3)]
        converters = network.image_converters()
        assert [layer.trainable for layer in converters] == [level in (phase - 1, phase) for level in range(3)]


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
def test_the_fade_in_blends_the_upsampled_old_image_with_the_new(alpha):
    progan = small_progan(phase=2)
    set_alpha(progan, alpha)
    generator, discriminator = progan.growing_networks
    latent = numpy(progan.sample_latent(4, seed=3))
    # G: the 8x8 maps, then both paths by hand
    x = generator.normalize(latent)
    x = generator.normalize(keras.layers.LeakyReLU(0.2)(ops.reshape(generator.project(x), (-1, 4, 4, 16))))
    x = generator.normalize(keras.layers.LeakyReLU(0.2)(generator.first_conv(x)))
    x = generator.blocks[0](x)
    old = upsample(numpy(generator.to_images[1](x)), 2)
    new = numpy(generator.to_images[2](generator.blocks[1](x)))
    np.testing.assert_allclose(numpy(progan.generator(latent)), (1 - alpha) * old + alpha * new, atol=1e-5)
    # D: the maps entering 8x8 blend from_image(downsampled x) with the new block's output
    real = images(4)
    old_maps = numpy(keras.layers.LeakyReLU(0.2)(discriminator.from_images[1](downsample(real, 2))))
    new_maps = numpy(discriminator.blocks[1](keras.layers.LeakyReLU(0.2)(discriminator.from_images[2](real))))
    blended = (1 - alpha) * old_maps + alpha * new_maps
    rest = discriminator.blocks[0](blended)
    rest = discriminator.minibatch_std(rest)
    rest = keras.layers.LeakyReLU(0.2)(discriminator.last_conv(rest))
    rest = keras.layers.LeakyReLU(0.2)(discriminator.dense(ops.reshape(rest, (4, -1))))
    np.testing.assert_allclose(numpy(progan.discriminator(real)), numpy(discriminator.score(rest)), atol=1e-4)


def test_the_schedule_of_phases_and_alpha():
    progan = small_progan(stable_steps=2, fade_steps=4)
    assert progan.num_phases == 3 and progan.phase_starts() == [0, 2, 8] and progan.scheduled_steps() == 14
    assert [progan.phase_at(step) for step in (0, 1, 2, 7, 8, 100)] == [0, 0, 1, 1, 2, 2]
    assert progan.training_breaks() == [2, 8]
    progan.plan_training(100)  # five stretches: phase 0's stable, then a fade and a stable per phase
    assert (progan.stable_steps, progan.fade_steps) == (20, 20) and progan.scheduled_steps() == 100
    # fit() calls of a run: a phase that starts inside an epoch ends one fit() there
    assert fit_segments(0, 14, 3, [2, 8]) == [(0, 2, 3), (0, 1, 1), (1, 5, 3), (2, 1, 1), (3, 5, 3)]
    assert fit_segments(5, 14, 3, [2, 8]) == [(1, 1, 1), (2, 2, 3), (2, 1, 1), (3, 5, 3)]


def test_fitting_through_the_phases_fades_alpha_in_linearly(tmp_path):
    progan = small_progan(stable_steps=2, fade_steps=4)
    progan.compile()
    history = progan.fit_progressively(ArrayBatches(images(64), batch_size=16, seed=0), steps_per_epoch=1, verbose=0)  # 1 step an epoch: alpha per step
    alphas = history.history["alpha"]
    assert alphas == pytest.approx([1, 1, 0, 0.25, 0.5, 0.75, 1, 1, 0, 0.25, 0.5, 0.75, 1, 1])
    assert (progan.phase, progan.resolution, int(numpy(progan.steps_done))) == (2, 16, 14)
    assert all(np.isfinite(values).all() for values in history.history.values())
    assert set(history.history) == set(METRICS)
    # the paper's code resets Adam at each new resolution: the optimisers count this phase's steps only
    assert int(numpy(progan.d_optimizer.iterations)) == int(numpy(progan.g_optimizer.iterations)) == 6
    assert progan.updates_done() == 14  # the step counter, not this phase's optimiser
    # more fit() goes on at the last phase with alpha 1
    progan.fit(images(16), batch_size=16, epochs=1, verbose=0)
    assert progan.phase == 2 and float(numpy(progan.growing_networks[0].fade.alpha)) == 1.0


def test_networks_built_at_a_later_phase_train_there_without_a_fade():
    progan = small_progan(phase=2)
    progan.compile()
    assert float(numpy(progan.alpha())) == 1.0
    history = progan.fit(images(32), batch_size=16, epochs=1, verbose=0).history
    assert history["alpha"] == [1.0] and progan.phase == 2


def test_the_real_images_fade_between_resolutions_as_the_fakes_do():
    progan = small_progan(phase=1)
    real = images(4)
    for alpha in (0.0, 0.25, 1.0):
        set_alpha(progan, alpha)
        faded, labels = progan.split_batch(ops.convert_to_tensor(real))
        at_8 = upsample(downsample(real, 2), 2)
        at_4 = upsample(downsample(real, 4), 4)
        np.testing.assert_allclose(numpy(faded), (1 - alpha) * at_4 + alpha * at_8, atol=1e-6)
        assert labels is None
    progan = small_progan(phase=0)
    np.testing.assert_allclose(numpy(progan.split_batch(ops.convert_to_tensor(real))[0]),
                               upsample(downsample(real, 4), 4), atol=1e-6)


def test_the_critics_loss_is_wgan_gp_plus_the_drift_term():
    progan = small_progan()
    assert isinstance(progan.loss_terms, WassersteinLoss) and progan.discriminator_steps == 1
    penalty, drift = progan.regularizers
    assert isinstance(penalty, GradientPenalty) and penalty.weight == 10.0
    assert isinstance(drift, DriftPenalty) and drift.epsilon == 0.001

    class Step:  # the record a regulariser reads
        discriminator = progan.discriminator
        real_logits = ops.convert_to_tensor([[2.0], [-1.0], [0.5], [0.0]])

    value, shown = drift.penalty(Step, progan.discriminator)
    # (4 + 1 + 0.25 + 0) / 4 = 1.3125
    assert float(numpy(shown["drift"])) == pytest.approx(1.3125)
    assert float(numpy(value)) == pytest.approx(0.0013125)
    assert drift.penalty(Step, progan.generator) is None


@pytest.mark.parametrize("phase, alpha", [(0, 1.0), (1, 0.5), (2, 1.0)])
def test_the_gradient_penalty_asks_for_unit_norm_on_the_4x4_images(phase, alpha):
    from gan_keras.backend import input_gradients
    from gan_keras.models.progan import _upsample

    progan = small_progan()
    progan.grow_to(phase)
    set_alpha(progan, alpha)
    penalty = progan.regularizers[0]
    assert progan.penalty_target == penalty.target == 4 / 16  # the paper's code: 1
    assert small_progan(phase=2).penalty_target == 1.0  # built at 16x16: unit norm there
    factor = 2 ** (2 - phase)  # 16 / the phase's side: G's images and the faded reals are blocks of this size
    full = upsample(images(8, seed=phase, shape=(16 // factor, 16 // factor, 1)), factor)

    def norms(gradients):
        return np.sqrt(np.sum(numpy(gradients) ** 2, axis=(1, 2, 3)))

    full_size = norms(input_gradients(progan.discriminator, full))

    class Step:  # real = fake, so the interpolates are `full` whatever eps is drawn
        gan, discriminator = progan, progan.discriminator
        real_images = fake_images = ops.convert_to_tensor(full)

        @staticmethod
        def judge_logits(batch):
            return progan.discriminator(batch)

    value, shown = penalty.penalty(Step, progan.discriminator)
    assert float(numpy(shown["gradient_norm"])) == pytest.approx(np.mean(full_size * 4), rel=1e-4)
    assert float(numpy(value)) == pytest.approx(10 * np.mean((full_size * 4 - 1) ** 2), rel=1e-4)
    if phase == 0:  # the norm asked for is the 4x4 critic's on its own input, computed by hand
        at_4x4 = downsample(full, 4)
        by_hand = norms(input_gradients(lambda small: progan.discriminator(_upsample(small, 4)), at_4x4))
        np.testing.assert_allclose(full_size * 4, by_hand, rtol=1e-4)


def test_the_registry_builds_the_papers_defaults():
    progan = build_model("progan", (32, 32, 1), seed=0)
    progan.compile()
    assert progan.latent_dim == 512 and progan.latent_distribution == "normal" and progan.phase == 0
    assert (progan.stable_steps, progan.fade_steps) == (50_000, 50_000)  # 800k images at batch 16
    for optimizer in (progan.d_optimizer, progan.g_optimizer):
        config = optimizer.get_config()
        assert type(optimizer).__name__ == "Adam"
        assert (round(config["learning_rate"], 8), config["beta_1"], config["beta_2"], config["epsilon"]) == (
            1e-3, 0.0, 0.99, 1e-8)
    assert progan.growing_networks[1].minibatch_std.group_size == 4


def test_the_registry_grows_colour_images_to_64x64_for_celeb_a():
    # `train progan --dataset celeb_a` (64x64x3, online): five phases, 4x4 to 64x64
    progan = build_model("progan", (64, 64, 3), seed=0)
    progan.compile()
    assert progan.num_phases == 5 and progan.penalty_target == 4 / 64
    progan.fit(images(8, shape=(64, 64, 3)), batch_size=4, epochs=1, verbose=0)  # a step at 4x4
    progan.grow_to(4)
    progan.fit(images(8, shape=(64, 64, 3)), batch_size=4, epochs=1, verbose=0)  # and at 64x64
    assert progan.generate(2, seed=0).shape == (2, 64, 64, 3) and progan.updates_done() == 4


def test_fit_save_load_generate(tiny_images, tmp_path):
    progan = small_progan(phase=1)
    progan.compile()
    data = tiny_images.map(lambda batch: batch[:, 6:22, 6:22])  # 16x16 crops
    loaded = check_fit_save_load_generate(progan, data, METRICS, tmp_path, image_shape=SHAPE)
    assert loaded.phase == 1 and (loaded.stable_steps, loaded.fade_steps) == (2, 4)


def test_a_run_saved_in_the_middle_of_a_fade_resumes_with_its_alpha(tmp_path):
    data = ArrayBatches(images(64), batch_size=16, seed=0)
    progan = small_progan(stable_steps=2, fade_steps=4)
    progan.compile()
    progan.fit_progressively(data, steps_per_epoch=1, total_steps=4, verbose=0)  # 2 steps into phase 1's fade
    progan.save(tmp_path / "progan.keras")
    resumed = keras.models.load_model(tmp_path / "progan.keras")
    assert (resumed.phase, int(numpy(resumed.steps_done)), int(numpy(resumed.phase_start_step))) == (1, 4, 2)
    assert float(numpy(resumed.alpha())) == float(numpy(progan.alpha())) == 0.5
    progan.fit_progressively(data, steps_per_epoch=1, verbose=0)
    history = resumed.fit_progressively(data, steps_per_epoch=1, verbose=0)
    assert history.history["alpha"][:3] == pytest.approx([0.5, 0.75, 1.0])
    assert resumed.phase == progan.phase == 2
    for before, after in zip(progan.variables + progan.optimizer.variables,
                             resumed.variables + resumed.optimizer.variables):
        np.testing.assert_allclose(numpy(before), numpy(after), atol=1e-5)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: progan_generator(image_shape=(28, 28, 1)), "side of 4 \\* 2\\^k .* 'mnist32'"),
        (lambda: progan_discriminator((32, 16, 1)), "side of 4 \\* 2\\^k"),
        (lambda: progan_generator(image_shape=(16, 16, 1), phase=3), "`phase`. Expected an int in \\[0, 2\\]"),
        (lambda: ProGAN(progan_generator(8, (16, 16, 1), 64, 16), progan_discriminator((32, 32, 1), 64, 16)),
         "shape"),
        (lambda: ProGAN(progan_generator(8, (16, 16, 1), 64, 16, phase=1), progan_discriminator((16, 16, 1), 64, 16)),
         "phase 1 and the discriminator at phase 0"),
        (lambda: small_progan(fade_steps=0), "`fade_steps`. Expected a positive integer"),
        (lambda: small_progan(penalty_target=-1), "`penalty_target`. Expected a number > 0"),
        (lambda: small_progan().grow_to(5), "`phase`. Expected an int in \\[0, 2\\]"),
        (lambda: DriftPenalty(-1), "`epsilon`. Expected a number > 0"),
    ],
)
def test_bad_settings_are_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_the_command_line_grows_a_progan_and_resumes_mid_phase(tmp_path):
    from gan_keras.cli import main
    from gan_keras.runs import read_progress

    def weights(run):
        model = keras.models.load_model(run / "model.keras")
        return model, [numpy(v) for v in model.variables + model.optimizer.variables]

    whole, parts = tmp_path / "whole", tmp_path / "parts"
    # 7 steps: the schedule gets one step per stretch (phases start at steps 0, 1, 3, 5)
    assert main(["train", "progan", "--steps", "7", "--batch-size", "8", "--out", str(whole)]) == 0
    assert main(["train", "progan", "--steps", "4", "--batch-size", "8", "--out", str(parts)]) == 0
    assert keras.models.load_model(parts / "model.keras").phase == 2
    assert main(["train", "progan", "--steps", "7", "--out", str(parts), "--resume"]) == 0
    (model, expected), (_, resumed) = weights(whole), weights(parts)
    assert model.phase == 3 and model.resolution == 32 and read_progress(whole / "model.keras").steps == 7
    for a, b in zip(expected, resumed):
        np.testing.assert_array_equal(a, b)
