"""CycleGAN (issue 17): the paper's generator and PatchGAN layer tables, the
PatchGAN's receptive field, the cycle and identity losses by hand, one
training step's total loss, save / load / resume with both history pools,
translation, the preview (translations both ways and the cycle back, saved
examples), the registry's networks, and one-line errors. The layers (instance normalisation,
reflection padding, the history pool): tests/test_layers.py."""

import keras
import numpy as np
import pytest
from keras import layers, ops

from gan_keras import losses
from gan_keras.backend import input_gradients
from gan_keras.layers import InstanceNormalization, ReflectionPadding2D
from gan_keras.models.cyclegan import CycleGAN, cyclegan_discriminator, cyclegan_generator, receptive_field

SHAPE = (16, 16, 3)
METRICS = {"g_loss", "adversarial", "cycle", "identity", "d_a_loss", "d_b_loss"}


def small_cyclegan(**kwargs):
    kwargs = {"pool_size": 3, "seed": 0, **kwargs}
    return CycleGAN(cyclegan_generator(SHAPE, 4, 1, name="g_ab"), cyclegan_generator(SHAPE, 4, 1, name="g_ba"),
                    cyclegan_discriminator(SHAPE, 4, 2, name="d_a"), cyclegan_discriminator(SHAPE, 4, 2, name="d_b"),
                    **kwargs)


def domains(count=8, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(rng.uniform(-1, 1, (count, *SHAPE)).astype("float32") for _ in range(2))


def numpy(value):
    return np.asarray(ops.convert_to_numpy(value))


def test_the_generator_is_the_papers_resnet():
    generator = cyclegan_generator()  # 256x256x3, 64 maps, 9 residual blocks
    assert generator.count_params() == 11_378_179  # the paper's code's ResnetGenerator(ngf=64, n_blocks=9)
    convolutions = [layer for layer in generator.layers if isinstance(layer, (layers.Conv2D, layers.Conv2DTranspose))]
    # c7s1-64, d128, d256, R256 x 9 (two convolutions each), u128, u64, c7s1-3
    assert [(layer.name, layer.kernel_size[0], layer.strides[0], layer.filters) for layer in convolutions[:3]] == [
        ("c7s1", 7, 1, 64), ("d128", 3, 2, 128), ("d256", 3, 2, 256)]
    assert [layer.filters for layer in convolutions[3:21]] == [256] * 18
    assert [(layer.name, type(layer).__name__, layer.strides[0], layer.filters) for layer in convolutions[21:]] == [
        ("u128", "Conv2DTranspose", 2, 128), ("u64", "Conv2DTranspose", 2, 64), ("to_image", "Conv2D", 1, 3)]
    # instance normalisation after every convolution but the last; reflection padding before the 7x7 and residual ones
    assert sum(isinstance(layer, InstanceNormalization) for layer in generator.layers) == len(convolutions) - 1
    assert [layer.padding for layer in generator.layers if isinstance(layer, ReflectionPadding2D)] == [3] + [1] * 18 + [3]
    assert generator.layers[-1].get_config()["activation"] == "tanh"
    assert cyclegan_generator((128, 128, 3), residual_blocks=6).count_params() == 7_837_699  # the paper at 128x128


def test_the_discriminator_is_the_papers_70x70_patchgan():
    discriminator = cyclegan_discriminator()
    assert discriminator.count_params() == 2_764_737  # the paper's code's NLayerDiscriminator(ndf=64, n_layers=3)
    assert discriminator.output_shape == (None, 30, 30, 1)  # one score per patch
    assert receptive_field(discriminator) == 70
    convolutions = [layer for layer in discriminator.layers if isinstance(layer, layers.Conv2D)]
    assert [(layer.filters, layer.kernel_size[0], layer.strides[0]) for layer in convolutions] == [
        (64, 4, 2), (128, 4, 2), (256, 4, 2), (512, 4, 1), (1, 4, 1)]
    assert sum(isinstance(layer, InstanceNormalization) for layer in discriminator.layers) == 3  # none on C64
    small = cyclegan_discriminator((32, 32, 3), downsamplings=2)  # the registry's for 32x32 images
    assert receptive_field(small) == 34 and small.output_shape == (None, 6, 6, 1)


def test_the_receptive_field_is_what_the_gradient_reaches():
    # The same convolutions without normalisation (which would spread the gradient over the whole image).
    stack = keras.Sequential([keras.Input((96, 96, 1))] + [
        layers.Conv2D(2, 4, strides=stride, padding="same") for stride in (2, 2, 2, 1, 1)] + [layers.Conv2D(1, 1)])
    reached = numpy(input_gradients(lambda images: stack(images)[:, 6, 6, 0], np.ones((1, 96, 96, 1), "float32")))
    rows, columns = np.nonzero(np.abs(reached[0, :, :, 0]) > 0)
    assert rows.max() - rows.min() + 1 == columns.max() - columns.min() + 1 == receptive_field(stack) == 70


def test_the_cycle_and_identity_losses_by_hand():
    real_a = np.zeros((2, 2, 2, 1), "float32")
    cycled_a = np.full((2, 2, 2, 1), 0.5, "float32")  # |0.5 - 0| everywhere: mean 0.5
    real_b = np.array([1, -1, 1, -1] * 2, "float32").reshape(2, 2, 2, 1)
    cycled_b = np.ones((2, 2, 2, 1), "float32")  # |1 - 1| = 0 and |1 - (-1)| = 2: mean 1
    assert float(numpy(losses.cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b))) == pytest.approx(1.5)
    assert float(numpy(losses.identity_loss(real_a, cycled_a, real_b, cycled_b))) == pytest.approx(1.5)


def test_one_step_trains_the_generators_on_the_papers_total_loss():
    images_a, images_b = domains(4)
    cyclegan = small_cyclegan()
    cyclegan.compile()
    logs = cyclegan.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0).history  # one step
    assert set(logs) == METRICS
    value = {name: values[0] for name, values in logs.items()}
    assert value["g_loss"] == pytest.approx(value["adversarial"] + 10 * (value["cycle"] + 0.5 * value["identity"]),
                                            rel=1e-5)
    assert cyclegan.updates_done() == 1
    for optimizer in (cyclegan.g_ab_optimizer, cyclegan.g_ba_optimizer, cyclegan.d_a_optimizer, cyclegan.d_b_optimizer):
        config = optimizer.get_config()
        assert int(numpy(optimizer.iterations)) == 1
        assert (round(config["learning_rate"], 8), config["beta_1"]) == (2e-4, 0.5)  # the paper's Adam
    # the pools now hold the step's fakes
    assert int(numpy(cyclegan.pool_a.count)) == int(numpy(cyclegan.pool_b.count)) == 3
    without_identity = small_cyclegan(identity_weight=0.0)
    without_identity.compile()
    logs = without_identity.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0).history
    assert logs["identity"][0] == 0.0
    assert logs["g_loss"][0] == pytest.approx(logs["adversarial"][0] + 10 * logs["cycle"][0], rel=1e-5)


def test_save_load_and_resume_with_both_pools(tmp_path):
    images_a, images_b = domains(8)
    cyclegan = small_cyclegan()
    cyclegan.compile()
    cyclegan.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0, shuffle=False)
    cyclegan.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    assert (loaded.cycle_weight, loaded.identity_weight, loaded.pool_size) == (10.0, 0.5, 3)
    for pool in ("pool_a", "pool_b"):
        np.testing.assert_array_equal(numpy(getattr(loaded, pool).images), numpy(getattr(cyclegan, pool).images))
    np.testing.assert_allclose(loaded.translate(images_a, to="b"), cyclegan.translate(images_a, to="b"), atol=1e-6)
    # training on from the file gives what training on in memory gives: weights, optimisers, pools and their draws
    cyclegan.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0, shuffle=False)
    loaded.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0, shuffle=False)
    for before, after in zip(cyclegan.variables + cyclegan.optimizer.variables,
                             loaded.variables + loaded.optimizer.variables):
        np.testing.assert_allclose(numpy(before), numpy(after), atol=1e-5)


def test_translate_goes_both_ways_in_the_model_range():
    images_a, images_b = domains(3)
    cyclegan = small_cyclegan()
    to_b, to_a = cyclegan.translate(images_a, to="b"), cyclegan.translate(images_b, to="a")
    assert to_b.shape == to_a.shape == (3, *SHAPE) and to_b.dtype == np.float32
    assert np.abs(to_b).max() <= 1.0 and not np.allclose(to_b, to_a)
    np.testing.assert_allclose(to_b, numpy(cyclegan.generator_ab(images_a)), atol=1e-6)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: small_cyclegan().translate(domains(1)[0], to="c"), "`to`. Expected 'a' or 'b'"),
        (lambda: small_cyclegan().translate(np.zeros((1, 8, 8, 3), "float32")), r"Expected images of shape \(N, 16, 16, 3\)"),
        (lambda: small_cyclegan(cycle_weight=-1), "`cycle_weight`. Expected a number >= 0"),
        (lambda: small_cyclegan(pool_size=0), "`pool_size`. Expected a positive integer"),
        (lambda: CycleGAN(*(cyclegan_generator(SHAPE, 4, 1) for _ in range(2)),
                          cyclegan_discriminator(SHAPE, 4, 2, name="d_a"), cyclegan_discriminator(SHAPE, 4, 2, name="d_b")),
         "four names"),
        (lambda: CycleGAN(cyclegan_generator(SHAPE, 4, 1, name="g_ab"), cyclegan_generator((32, 32, 3), 4, 1, name="g_ba"),
                          cyclegan_discriminator(SHAPE, 4, 2, name="d_a"), cyclegan_discriminator(SHAPE, 4, 2, name="d_b")),
         "one image shape"),
        (lambda: small_cyclegan().compile(optimizers={"g_ab_optimizer": "adam"}), "`optimizers`. Expected 'auto' or a dict"),
        (lambda: cyclegan_generator((30, 30, 3)), "sides must divide by 4"),
        (lambda: small_cyclegan().preview(6), "none are set"),
        (lambda: small_cyclegan().set_preview_images(*domains(2)[:1], domains(3)[1]), "as many images of domain A"),
        (lambda: small_cyclegan().set_preview_images(np.zeros((1, *SHAPE), np.uint8), domains(1)[1]), "uint8 pixels"),
    ],
)
def test_bad_settings_are_refused_in_one_line(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_fit_takes_unpaired_batches_of_two_domains():
    from gan_keras.data import UnpairedBatches

    rng = np.random.default_rng(0)
    pixels_a, pixels_b = (rng.integers(0, 256, (count, *SHAPE), dtype=np.uint8) for count in (8, 12))
    cyclegan = small_cyclegan()
    cyclegan.compile()
    history = cyclegan.fit(UnpairedBatches(pixels_a, pixels_b, batch_size=4, seed=0), epochs=2, verbose=0)
    assert cyclegan.updates_done() == 4  # two batches an epoch: the smaller domain's
    assert all(np.isfinite(values).all() for values in history.history.values())


def test_preview_shows_each_example_translated_and_cycled_back_in_rows_of_six(tmp_path):
    images_a, images_b = domains(8)
    cyclegan = small_cyclegan()
    cyclegan.compile()
    cyclegan.fit(images_a[:6], images_b[:6], batch_size=2, epochs=1, verbose=0, shuffle=False)  # keeps its first 8
    np.testing.assert_array_equal(cyclegan._preview_a, images_a[:6])
    preview = cyclegan.preview(13)  # two rows of six: 13 // 6
    assert cyclegan.preview_columns == 6 and preview.shape == (12, *SHAPE)
    rows = preview.reshape(2, 6, *SHAPE)
    real_a, real_b = images_a[:2], images_b[:2]
    fake_b, fake_a = cyclegan.translate(real_a, to="b"), cyclegan.translate(real_b, to="a")
    expected = [real_a, fake_b, cyclegan.translate(fake_b, to="a"), real_b, fake_a, cyclegan.translate(fake_a, to="b")]
    for column, images in enumerate(expected):
        np.testing.assert_allclose(rows[:, column], images, atol=1e-6)
    assert cyclegan.preview(1000).shape == (6 * 6, *SHAPE)  # as many rows as examples
    cyclegan.set_preview_images(images_a[5:], images_b[5:])
    cyclegan.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    np.testing.assert_allclose(loaded.preview(60), cyclegan.preview(60), atol=1e-6)
    assert loaded.preview(60).shape == (3 * 6, *SHAPE)


@pytest.mark.parametrize("side, blocks, patch, scores", [(32, 3, 34, 6), (64, 3, 70, 6), (128, 6, 70, 14)])
def test_the_registry_scales_the_networks_to_the_image(side, blocks, patch, scores):
    from gan_keras.models import build_model

    cyclegan = build_model("cyclegan", (side, side, 3), seed=0)
    residual = [layer for layer in cyclegan.generator_ab.layers if layer.name.endswith("_add")]
    assert len(residual) == blocks
    assert receptive_field(cyclegan.discriminator_a) == patch
    assert cyclegan.discriminator_b.output_shape == (None, scores, scores, 1)
    assert cyclegan.generator_ab.get_layer("c7s1").filters == (64 if side >= 128 else 32)


@pytest.mark.skipif(keras.config.backend() == "jax",
                    reason="loss scaling (mixed_float16) is supported on TensorFlow; JAX trains in mixed_bfloat16")
def test_each_network_keeps_its_own_loss_scale_in_a_joint_step():
    # Four loss scales (one network without): after one step every weight is
    # what the plain optimiser gives, since each network's gradient is rescaled
    # to its own optimiser's scale before that optimiser divides it out. (SGD:
    # Adam would blow up the rounding noise of the gradients that instance
    # normalisation makes zero, such as the biases before it.)
    images_a, images_b = domains(4)

    def trained(wrap):
        keras.utils.set_random_seed(0)
        cyclegan = small_cyclegan()
        scales = {"g_ab_optimizer": 2.0**15, "g_ba_optimizer": 2.0**5, "d_a_optimizer": 2.0**10, "d_b_optimizer": None}
        optimizers = {name: keras.optimizers.SGD(0.1) for name in scales}
        if wrap:
            optimizers = {name: optimizer if scales[name] is None else
                          keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=scales[name])
                          for name, optimizer in optimizers.items()}
        cyclegan.compile(optimizers=optimizers)
        start = [numpy(variable) for variable in cyclegan.trainable_variables]
        cyclegan.fit(images_a, images_b, batch_size=4, epochs=1, verbose=0, shuffle=False)
        moved = [not np.allclose(s, numpy(v)) for s, v in zip(start, cyclegan.trainable_variables)]
        assert sum(moved) > len(moved) // 2  # the step changed the networks
        return cyclegan

    plain, scaled = trained(False), trained(True)
    for before, after in zip(plain.trainable_variables, scaled.trainable_variables):
        np.testing.assert_allclose(numpy(before), numpy(after), rtol=1e-4, atol=1e-6, err_msg=before.path)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_cyclegan_trains_under_mixed_precision(policy):
    images_a, images_b = domains(4)
    keras.config.set_dtype_policy(policy)
    try:
        cyclegan = small_cyclegan()
        if policy == "mixed_float16" and keras.config.backend() == "jax":
            with pytest.raises(ValueError, match="mixed_bfloat16"):
                cyclegan.compile()
            return
        cyclegan.compile()
        if policy == "mixed_float16":
            assert all(isinstance(getattr(cyclegan, name), keras.optimizers.LossScaleOptimizer)
                       for name in ("g_ab_optimizer", "g_ba_optimizer", "d_a_optimizer", "d_b_optimizer"))
        history = cyclegan.fit(images_a, images_b, batch_size=2, epochs=1, verbose=0).history
        assert all(np.isfinite(values[-1]) for values in history.values())
        assert np.isfinite(cyclegan.translate(images_a)).all()
    finally:
        keras.config.set_dtype_policy("float32")
