"""PixelCNN: causality of the whole network, exact likelihood by hand,
pixel-by-pixel sampling and completion, saving."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import ops

from gan_keras.backend import has_gpu
from gan_keras.data import binarize
from gan_keras.models import PixelCNN, causal_dependence, causal_dependence_maps, pixelcnn_network
from tests.models.helpers import check_fit_save_load_generate

SMALL = (8, 8, 1)


def small_pixelcnn(levels=2, **kwargs):
    network = pixelcnn_network(SMALL, hidden_channels=4, residual_blocks=1, output_channels=8, levels=levels)
    model = PixelCNN(network, seed=0, **kwargs)
    model.compile()
    return model


def binary_images(count=6, shape=SMALL, seed=0):
    return binarize(np.random.default_rng(seed).uniform(-1, 1, (count, *shape)).astype("float32"), seed=seed)


def constant_logits(model, value):
    """Zero weights everywhere, the final bias = value: p(x_i | x_<i) fixed."""
    for weight in model.network.weights:
        weight.assign(np.zeros(weight.shape, "float32"))
    model.network.get_layer("logits").bias.assign(np.full(model.network.get_layer("logits").bias.shape, value, "float32"))


def test_network_output_at_each_pixel_depends_only_on_earlier_pixels():
    network = pixelcnn_network((5, 5, 1), hidden_channels=4, residual_blocks=2, output_channels=4)
    for weight in network.weights:  # make every path active: positive weights, no dead ReLUs
        weight.assign(np.abs(np.random.default_rng(0).normal(size=weight.shape)).astype("float32") * 0.3)
    maps = causal_dependence_maps(network).reshape(25, 25)
    assert maps[12].tolist() == causal_dependence(network, 2, 2).reshape(-1).tolist()  # one pixel's map, the same
    for index in range(25):
        row, column = divmod(index, 5)
        dependence = maps[index]
        assert not dependence[index:].any(), f"pixel {index} sees itself or later pixels"
        # It sees its left and upper neighbours (but not every earlier pixel:
        # the PixelCNN "blind spot" up and to the right, van den Oord et al. 2016b).
        assert column == 0 or dependence[index - 1], f"pixel {index} does not see its left neighbour"
        assert row == 0 or dependence[index - 5], f"pixel {index} does not see the pixel above"


def test_bernoulli_likelihood_by_hand():
    # logit 0 everywhere: p = 1/2 per pixel, -log p(x) = 64 log 2 nats = 1 bit per pixel.
    model = small_pixelcnn()
    constant_logits(model, 0.0)
    results = model.evaluate(binary_images(), batch_size=3, verbose=0, return_dict=True)
    assert results["loss"] == pytest.approx(64 * math.log(2), rel=1e-6)
    assert results["bits_per_dim"] == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(model.log_likelihood(binary_images()), -64 * math.log(2), rtol=1e-6)


def test_bernoulli_likelihood_with_a_biased_logit():
    model = small_pixelcnn()
    constant_logits(model, 2.0)
    images = binary_images(4)
    ones = ((images + 1) / 2).sum(axis=(1, 2, 3))
    expected = ones * np.log1p(np.exp(-2.0)) + (64 - ones) * np.log1p(np.exp(2.0))
    np.testing.assert_allclose(-model.log_likelihood(images), expected, rtol=1e-5)


def test_categorical_likelihood_of_a_uniform_softmax_is_8_bits_per_pixel():
    model = small_pixelcnn(levels=256)
    constant_logits(model, 0.0)
    grey = np.random.default_rng(0).uniform(-1, 1, (3, *SMALL)).astype("float32")
    report = model.likelihood_report(grey)
    assert report["negative_log_likelihood"] == pytest.approx(64 * math.log(256), rel=1e-6)
    assert report["bits_per_dim"] == pytest.approx(8.0, rel=1e-6)


def test_sampling_draws_each_pixel_with_its_probability():
    model = small_pixelcnn()
    constant_logits(model, math.log(3.0))  # p(pixel on) = 3/4
    samples = model.sample(50, seed=1)
    assert set(np.unique(samples)) == {-1.0, 1.0}
    assert np.mean(samples == 1) == pytest.approx(0.75, abs=0.03)


def test_categorical_sampling_follows_the_softmax():
    model = small_pixelcnn(levels=4)
    constant_logits(model, 0.0)
    model.network.get_layer("logits").bias.assign(np.log(np.array([0.1, 0.2, 0.3, 0.4], "float32")))
    samples = model.sample(40, seed=0)
    levels = np.round((samples + 1) / 2 * 3).astype(int)
    shares = np.bincount(levels.reshape(-1), minlength=4) / levels.size
    np.testing.assert_allclose(shares, [0.1, 0.2, 0.3, 0.4], atol=0.03)


def test_completion_keeps_the_known_rows_and_fills_the_rest():
    model = small_pixelcnn()
    images = binary_images(3)
    completed = model.complete(images, known_rows=4, seed=0)
    np.testing.assert_array_equal(completed[:, :4], images[:, :4])
    assert set(np.unique(completed[:, 4:])) <= {-1.0, 1.0}
    assert not np.array_equal(completed[:, 4:], images[:, 4:])
    with pytest.raises(ValueError, match="Expected an int from 1 to 7"):
        model.complete(images, known_rows=8)


def test_pixelcnn_fits_saves_loads_and_samples(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(binary_images(32)).batch(16)
    model = small_pixelcnn()
    loaded = check_fit_save_load_generate(model, data, ["loss", "bits_per_dim"], tmp_path, image_shape=SMALL)
    assert int(loaded.optimizer.iterations) == 2 and loaded.likelihood == "bernoulli"


def test_dynamic_binarization_during_training_only():
    model = small_pixelcnn()
    grey = np.zeros((2, *SMALL), "float32")  # probability 1/2
    bits, inputs = map(ops.convert_to_numpy, model._targets_and_inputs(grey, training=True))
    assert set(np.unique(bits)) == {0.0, 1.0}
    np.testing.assert_array_equal(inputs, bits * 2 - 1)
    bits, _ = model._targets_and_inputs(grey, training=False)
    np.testing.assert_array_equal(ops.convert_to_numpy(bits), 0.5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(image_shape=(8, 8, 3)), "one-channel images"),
        (dict(levels=1), "Expected an int >= 2"),
        (dict(residual_blocks=0), "residual_blocks"),
    ],
)
def test_bad_network_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pixelcnn_network(**kwargs)


def test_conditioning_labels_are_refused():
    with pytest.raises(ValueError, match="not conditional"):
        small_pixelcnn().likelihood_report(binary_images(2), labels=np.zeros(2))


# ----------------------------------------------------------------- PixelRNN -- #
from gan_keras.models import PixelRNN, build_model, diagonal_bilstm_network, row_lstm_network  # noqa: E402


def test_row_lstm_network_is_causal_but_sees_only_a_triangle():
    keras.utils.set_random_seed(0)
    network = row_lstm_network((6, 6, 1), hidden_channels=4, lstm_layers=2, output_channels=8)
    maps = causal_dependence_maps(network).reshape(36, 36)
    for index in range(36):
        assert not maps[index, index:].any(), f"pixel {index} sees itself or later pixels"
    # The last pixel sees the whole row above it, where a PixelCNN of this
    # depth has a blind spot to the upper right ...
    assert maps.reshape(6, 6, 6, 6)[5, 5][4].all()
    # ... but the first pixel of a row does not see the end of the row above:
    # each Row LSTM state reads three states of the row above, a triangle.
    assert not maps.reshape(6, 6, 6, 6)[5, 0][4, 4:].any()


def test_pixelrnn_trains_saves_and_samples(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(binary_images(32)).batch(16)
    model = PixelRNN(row_lstm_network(SMALL, hidden_channels=4, lstm_layers=1, output_channels=4), seed=0)
    model.compile()
    loaded = check_fit_save_load_generate(model, data, ["loss", "bits_per_dim"], tmp_path, image_shape=SMALL)
    assert type(loaded) is PixelRNN


def test_diagonal_bilstm_network_sees_exactly_every_earlier_pixel():
    # The full context: the output at pixel i depends on every pixel before it
    # in raster order (the ends of the rows above included, which the Row
    # LSTM misses) and on no other, itself included (mask "A" first). Two
    # layers, so the residual stack keeps it too.
    keras.utils.set_random_seed(0)
    network = diagonal_bilstm_network((6, 6, 1), hidden_channels=4, lstm_layers=2, output_channels=8)
    maps = causal_dependence_maps(network).reshape(36, 36)
    for index in range(36):
        np.testing.assert_array_equal(maps[index], np.arange(36) < index, err_msg=f"pixel {index}")


def test_diagonal_bilstm_pixelrnn_trains_saves_and_samples(tmp_path):
    shape = (6, 6, 1)  # smaller than SMALL: 36 sampling steps, 11 diagonals
    data = tf.data.Dataset.from_tensor_slices(binary_images(32, shape)).batch(16)
    model = PixelRNN(diagonal_bilstm_network(shape, hidden_channels=4, output_channels=4), seed=0)
    model.compile()
    loaded = check_fit_save_load_generate(model, data, ["loss", "bits_per_dim"], tmp_path, image_shape=shape)
    assert loaded.network.name == "diagonal_bilstm_pixelrnn"
    assert keras.Model.from_config(model.network.get_config()).get_config() == model.network.get_config()


def test_pixelrnn_compiles_without_xla_only_with_tensorflow_on_a_cpu():
    # XLA unrolls the LSTM loops into one graph: measured several times slower
    # with TensorFlow on a CPU; JAX without jit runs op by op, slower still.
    tensorflow_on_cpu = keras.config.backend() == "tensorflow" and not has_gpu()
    pixelrnn = PixelRNN(row_lstm_network(SMALL, hidden_channels=4, lstm_layers=1, output_channels=4))
    pixelrnn.compile()
    assert pixelrnn.jit_compile is (not tensorflow_on_cpu)
    pixelrnn.compile(jit_compile=True)
    assert pixelrnn.jit_compile is True
    pixelcnn = PixelCNN(pixelcnn_network(SMALL, hidden_channels=4, residual_blocks=1, output_channels=4))
    pixelcnn.compile()
    assert pixelcnn.jit_compile is True


def test_diagonal_bilstm_is_registered_and_checks_its_arguments():
    model = build_model("diagonal_bilstm", image_shape=SMALL, seed=0)
    assert type(model) is PixelRNN and model.network.get_layer("diagonal_bilstm0").units == 16
    with pytest.raises(ValueError, match="lstm_layers"):
        diagonal_bilstm_network(lstm_layers=0)
    with pytest.raises(ValueError, match="one-channel images"):
        diagonal_bilstm_network((8, 8, 3))


def test_causal_dependence_maps_the_blind_spot():
    network = pixelcnn_network((9, 9, 1), hidden_channels=4, residual_blocks=1, output_channels=4)
    dependence = causal_dependence(network, 4, 4)
    assert dependence.shape == (9, 9)
    assert not dependence[4, 4:].any() and not dependence[5:].any()  # nothing from later pixels
    assert dependence[4, 3] and dependence[3, 4]  # left and above
    assert not dependence[3, 8]  # up and far right: out of reach (the blind spot)


# ----------------------------------------------------------- gated PixelCNN -- #
from gan_keras.models import gated_pixelcnn_network  # noqa: E402


def horizontal_stack_of(network):
    """The gated network up to its last horizontal stack: gates, no ReLU, so a
    zero gradient means "no path", not a unit that happens to be off."""
    last_block = [layer for layer in network.layers if layer.name.startswith("gated")][-1]
    return keras.Model(network.input, last_block.output[1])


def test_gated_pixelcnn_sees_every_earlier_pixel_and_no_later_one():
    # 5x5 is within the reach of a first block and two more: the output at
    # pixel i depends on exactly the pixels before it, the upper right included
    # (no blind spot), never on itself or later ones.
    keras.utils.set_random_seed(0)
    network = horizontal_stack_of(gated_pixelcnn_network((5, 5, 1), hidden_channels=4, gated_blocks=2))
    maps = causal_dependence_maps(network).reshape(25, 25)
    for index in range(25):
        np.testing.assert_array_equal(maps[index], np.arange(25) < index, err_msg=f"pixel {index}")


def test_gated_pixelcnn_reaches_the_corner_the_masked_stack_cannot():
    # The same query as test_causal_dependence_maps_the_blind_spot.
    keras.utils.set_random_seed(0)
    network = horizontal_stack_of(gated_pixelcnn_network((9, 9, 1), hidden_channels=4, gated_blocks=1))
    dependence = causal_dependence(network, 4, 4)
    assert dependence[3, 8] and dependence[0, 8]
    assert not dependence[4, 4:].any() and not dependence[5:].any()


def test_gated_pixelcnn_trains_saves_and_samples(tmp_path):
    data = tf.data.Dataset.from_tensor_slices(binary_images(32)).batch(16)
    network = gated_pixelcnn_network(SMALL, hidden_channels=4, gated_blocks=1, output_channels=4, levels=4)
    model = PixelCNN(network, seed=0)
    model.compile()
    loaded = check_fit_save_load_generate(model, data, ["loss", "bits_per_dim"], tmp_path, image_shape=SMALL)
    assert loaded.network.name == "gated_pixelcnn" and loaded.levels == 4


def test_gated_network_refuses_bad_arguments():
    with pytest.raises(ValueError, match="gated_blocks"):
        gated_pixelcnn_network(gated_blocks=0)
    with pytest.raises(ValueError, match="one-channel images"):
        gated_pixelcnn_network((8, 8, 3))
