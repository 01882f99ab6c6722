"""The reparameterisation layer: its distribution, its gradients, its seed."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_keras.backend import input_gradients, value_and_gradients
from gan_keras.layers import GaussianSampling


def test_samples_have_the_requested_mean_and_variance():
    mean = np.full((100_000, 2), [1.0, -3.0], "float32")
    log_variance = np.full((100_000, 2), [np.log(0.25), np.log(4.0)], "float32")
    samples = ops.convert_to_numpy(GaussianSampling(seed=0)((mean, log_variance)))
    np.testing.assert_allclose(samples.mean(axis=0), [1.0, -3.0], atol=0.02)
    np.testing.assert_allclose(samples.std(axis=0), [0.5, 2.0], rtol=0.02)


def test_gradients_flow_through_the_sample():
    # z = m + exp(v / 2) * eps: dz/dm = 1 and dz/dv = exp(v / 2) * eps / 2 = (z - m) / 2.
    mean = keras.Variable([[0.5, -1.0]])
    log_variance = keras.Variable([[0.2, -0.4]])
    sampling = GaussianSampling(seed=1)

    def total_and_sample():
        z = sampling((mean, log_variance))
        return ops.sum(z), z

    _, z, (by_mean, by_log_variance) = value_and_gradients(total_and_sample, [mean, log_variance])
    np.testing.assert_allclose(by_mean, [[1.0, 1.0]])
    np.testing.assert_allclose(by_log_variance, (ops.convert_to_numpy(z) - mean.numpy()) / 2, rtol=1e-6)


def test_each_call_draws_new_noise_and_a_seed_repeats_it():
    inputs = (np.zeros((3, 4), "float32"), np.zeros((3, 4), "float32"))
    layer = GaussianSampling(seed=7)
    first, second = ops.convert_to_numpy(layer(inputs)), ops.convert_to_numpy(layer(inputs))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(GaussianSampling(seed=7)(inputs), first)


def test_several_samples_per_row():
    inputs = (np.zeros((3, 4), "float32"), np.zeros((3, 4), "float32"))
    assert tuple(GaussianSampling(seed=0)(inputs, num_samples=5).shape) == (5, 3, 4)


def test_config_round_trip_and_bad_seed():
    layer = GaussianSampling(seed=3, name="z")
    assert keras.layers.deserialize(keras.layers.serialize(layer)).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="Expected an int or None. Received: seed='a'"):
        GaussianSampling(seed="a")


# -------------------------------------------------------- masked convolution -- #
from gan_keras.layers import MaskedConv2D, causal_mask  # noqa: E402
from gan_keras.models.pixelcnn import causal_dependence, causal_dependence_maps  # noqa: E402


def test_causal_masks_drawn_by_hand():
    np.testing.assert_array_equal(causal_mask((3, 3), "A"), [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(causal_mask((3, 3), "B"), [[1, 1, 1], [1, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="odd kernel sizes"):
        causal_mask((4, 3), "A")
    with pytest.raises(ValueError, match="Expected 'A'"):
        causal_mask((3, 3), "C")


@pytest.mark.parametrize("first_mask", ["A", "B"])
def test_a_stack_of_masked_convolutions_is_causal(first_mask):
    # Type A first, then type B: output pixel i depends on input pixels < i only.
    # (Starting with B, pixel i would also see itself.) Linear layers, so a
    # zero gradient means "no path", not a ReLU that happens to be off.
    size = 6
    network = keras.Sequential([
        keras.Input((size, size, 1)),
        MaskedConv2D(4, 5, mask_type=first_mask),
        MaskedConv2D(4, 3, mask_type="B"),
        MaskedConv2D(1, 3, mask_type="B"),
    ])
    dependence = causal_dependence_maps(network).reshape(size * size, size * size)
    for index in range(size * size):
        assert not dependence[index, index + 1:].any(), f"pixel {index} sees later pixels"
        assert dependence[index, index] == (first_mask == "B"), f"pixel {index} and itself"
    # ... and it does see earlier ones (the stack is not simply blind):
    assert dependence[size * size - 1, : size * size - 1].sum() > size


def test_masked_convolution_round_trips_and_refuses_strides():
    layer = MaskedConv2D(8, 3, mask_type="A", activation="relu", name="masked")
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert (restored.mask_type, restored.filters, restored.padding) == ("A", 8, "same")
    with pytest.raises(ValueError, match="`strides` must be"):
        MaskedConv2D(8, 3, strides=2)


# -------------------------------------------------------- gated PixelCNN block -- #
from gan_keras.layers import GatedPixelCNNBlock  # noqa: E402


def test_gated_block_stacks_see_what_the_paper_says():
    # One first block on a 5x5 image, kernel 3 (reach 1). The vertical output
    # at row r sees rows r-1..r (current row included: it is only ever used
    # shifted down); the horizontal output sees the row above (through the
    # shifted vertical stack) and the pixel to the left, never itself.
    block = GatedPixelCNNBlock(2, 3, first=True)
    image = ops.convert_to_tensor(np.random.default_rng(0).normal(size=(1, 5, 5, 1)).astype("float32"))
    block([image, image])  # builds the weights before the gradients are taken

    def seen_by(stack):
        """Where the gradient of the stack's output at (2, 2) with respect to the image is not zero."""
        gradient = input_gradients(lambda x: block([x, x])[stack][:, 2, 2], image)
        return np.abs(ops.convert_to_numpy(gradient)[0, ..., 0]) > 0

    seen_by_vertical, seen_by_horizontal = seen_by(0), seen_by(1)
    expected_vertical = np.zeros((5, 5), bool)
    expected_vertical[1:3, 1:4] = True
    np.testing.assert_array_equal(seen_by_vertical, expected_vertical)
    expected_horizontal = np.zeros((5, 5), bool)
    expected_horizontal[0:2, 1:4] = True  # the vertical stack's rows, one row down
    expected_horizontal[2, 0:2] = True  # the first block's horizontal: c - 2 .. c - 1
    np.testing.assert_array_equal(seen_by_horizontal, expected_horizontal)


def test_gated_block_round_trips_and_checks_its_arguments():
    block = GatedPixelCNNBlock(8, 3, name="gated")
    restored = keras.layers.deserialize(keras.layers.serialize(block))
    assert (restored.filters, restored.kernel_size, restored.first) == (8, 3, False)
    with pytest.raises(ValueError, match="Expected an odd positive int"):
        GatedPixelCNNBlock(8, 4)
    with pytest.raises(ValueError, match="needs 8 channels"):
        block([np.zeros((1, 4, 4, 3), "float32"), np.zeros((1, 4, 4, 3), "float32")])


# ------------------------------------------------------------ Diagonal BiLSTM -- #
from gan_keras.layers import DiagonalBiLSTM, _skew, _unskew  # noqa: E402


def test_skew_moves_each_row_right_by_its_index_and_unskew_undoes_it():
    image = np.arange(1, 7, dtype="float32").reshape(1, 2, 3, 1)  # rows [1 2 3], [4 5 6]
    skewed = _skew(image)
    np.testing.assert_array_equal(skewed[0, ..., 0], [[1, 2, 3, 0], [0, 4, 5, 6]])
    np.testing.assert_array_equal(_unskew(skewed, 3), image)


def diagonal_bilstm_alone(shape=(4, 5, 1), units=2):
    keras.utils.set_random_seed(0)
    images = keras.Input(shape)
    return keras.Model(images, DiagonalBiLSTM(units, name="diagonal")(images))


def dependence_maps(network):
    height, width = network.input_shape[1:3]
    maps = causal_dependence_maps(network)
    return {(row, column): maps[row, column] for row in range(height) for column in range(width)}


def test_diagonal_bilstm_sees_every_earlier_pixel_and_itself():
    # The layer alone (mask "B" semantics: its 1x1 input-to-state sees the
    # pixel itself) on a 4x5 map: exactly the pixels up to (r, c) in raster order.
    network = diagonal_bilstm_alone()
    for (row, column), dependence in dependence_maps(network).items():
        expected = (np.arange(20) <= row * 5 + column).reshape(4, 5)
        np.testing.assert_array_equal(dependence, expected, err_msg=f"pixel {(row, column)}")


def lstm_over_skewed_columns(gates, kernel, bias, units):
    """NumPy, loop by loop: one direction of the Diagonal BiLSTM on (batch, n, m, 4 units) input gates."""
    batch, height, width, _ = gates.shape
    skewed = np.zeros((batch, height, height + width - 1, 4 * units), "float32")
    for row in range(height):
        skewed[:, row, row : row + width] = gates[:, row]
    hidden = cell = np.zeros((batch, height, units), "float32")
    sigmoid = lambda values: 1 / (1 + np.exp(-values))  # noqa: E731
    columns = []
    for column in range(height + width - 1):
        above = np.concatenate([np.zeros_like(hidden[:, :1]), hidden[:, :-1]], axis=1)
        total = skewed[:, :, column] + above @ kernel[:units] + hidden @ kernel[units:] + bias
        output_gate, forget_gate, input_gate, candidate = np.split(total, 4, axis=-1)
        cell = sigmoid(forget_gate) * cell + sigmoid(input_gate) * np.tanh(candidate)
        hidden = sigmoid(output_gate) * np.tanh(cell)
        columns.append(hidden)
    states = np.stack(columns, axis=2)
    return np.stack([states[:, row, row : row + width] for row in range(height)], axis=1)


def test_diagonal_bilstm_computes_the_paper_recurrence():
    layer = DiagonalBiLSTM(2)
    inputs = np.random.default_rng(0).normal(size=(2, 3, 4, 3)).astype("float32")
    layer.build(inputs.shape)
    layer.state_to_state_bias.assign(np.random.default_rng(1).normal(size=(2, 1, 1, 8)).astype("float32"))
    kernel, bias = layer.state_to_state_kernel.numpy(), layer.state_to_state_bias.numpy()[:, 0, 0]
    gates = inputs @ layer.input_to_state.kernel.numpy()[0, 0] + layer.input_to_state.bias.numpy()
    left_to_right = lstm_over_skewed_columns(gates[..., :8], kernel[0], bias[0], 2)
    mirrored = lstm_over_skewed_columns(gates[:, :, ::-1, 8:], kernel[1], bias[1], 2)[:, :, ::-1]
    expected = left_to_right + np.pad(mirrored, ((0, 0), (1, 0), (0, 0), (0, 0)))[:, :-1]
    np.testing.assert_allclose(layer(inputs), expected, atol=1e-5)


def silence(layer, direction):
    """Zeroes the weights of one direction (0: left to right, 1: mirrored):
    its gates are then constant (f = i = o = 1/2, g = 0), its states stay 0."""
    gates = slice(4 * layer.units * direction, 4 * layer.units * (direction + 1))
    for weight in (layer.input_to_state.kernel, layer.input_to_state.bias):
        value = weight.numpy()
        value[..., gates] = 0.0
        weight.assign(value)
    for weight in (layer.state_to_state_kernel, layer.state_to_state_bias):
        value = weight.numpy()
        value[direction] = 0.0
        weight.assign(value)


@pytest.mark.parametrize(
    "silenced, sees",
    [
        # Left to right alone: the rectangle of rows <= r and columns <= c.
        (1, lambda rows, columns, r, c: (rows <= r) & (columns <= c)),
        # Right to left alone, mirrored back and shifted one row down: rows < r, columns >= c.
        (0, lambda rows, columns, r, c: (rows < r) & (columns >= c)),
    ],
    ids=["left_to_right", "right_to_left"],
)
def test_each_direction_of_the_diagonal_bilstm_sees_its_own_quadrant(silenced, sees):
    network = diagonal_bilstm_alone()
    silence(network.get_layer("diagonal"), silenced)
    rows, columns = np.indices((4, 5))
    for (row, column), dependence in dependence_maps(network).items():
        np.testing.assert_array_equal(dependence, sees(rows, columns, row, column), err_msg=f"pixel {(row, column)}")


def test_the_pixels_input_shows_the_mirrored_lstm_the_end_of_the_row_above():
    # After a 7x7 mask-A convolution no feature of row r - 1 holds that row's
    # last pixel, and the left-to-right LSTM at (r, c) reads row r only up to
    # the features of column c, which reach 3 columns right: built as in the
    # paper, (2, 1) of a 3x6 image misses (1, 5). The pixels as a second input,
    # read by the mirrored LSTM alone, close the gap without a future pixel.
    keras.utils.set_random_seed(0)
    images = keras.Input((3, 6, 1))
    features = MaskedConv2D(4, 7, mask_type="A")(images)
    paper = keras.Model(images, DiagonalBiLSTM(2)(features))
    assert not causal_dependence(paper, 2, 1)[1, 5]
    with_pixels = keras.Model(images, DiagonalBiLSTM(2)([features, images]))
    for (row, column), dependence in dependence_maps(with_pixels).items():
        expected = (np.arange(18) < row * 6 + column).reshape(3, 6)
        np.testing.assert_array_equal(dependence, expected, err_msg=f"pixel {(row, column)}")


def test_diagonal_bilstm_weights_shape_and_config():
    layer = DiagonalBiLSTM(3, name="diagonal")
    assert tuple(layer(np.zeros((2, 4, 5, 6), "float32")).shape) == (2, 4, 5, 3)
    # Per direction (4 gates x 3 units = 12 channels): 1x1 input-to-state 6 * 12 + 12,
    # 2x1 state-to-state 2 * 3 * 12 + 12.
    assert layer.count_params() == 2 * ((6 * 12 + 12) + (2 * 3 * 12 + 12))
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert (type(restored), restored.units, restored.name) == (DiagonalBiLSTM, 3, "diagonal")
    with pytest.raises(ValueError, match="Invalid value for argument `units`. Expected a positive int. Received: units=0"):
        DiagonalBiLSTM(0)


# --------------------------------------------------------------------------- #
# Progressive growing (Karras et al. 2018)
# --------------------------------------------------------------------------- #
from gan_keras.layers import (  # noqa: E402
    EqualizedConv2D,
    EqualizedDense,
    FadeIn,
    MinibatchStandardDeviation,
    PixelNormalization,
)


def test_equalized_layers_store_unit_normal_weights_and_scale_them_by_he_at_run_time():
    inputs = np.random.default_rng(0).normal(size=(4, 6, 6, 32)).astype("float32")
    convolution = EqualizedConv2D(256, 3)
    outputs = ops.convert_to_numpy(convolution(inputs))
    kernel = ops.convert_to_numpy(convolution.kernel)
    assert abs(kernel.std() - 1.0) < 0.02 and abs(kernel.mean()) < 0.02  # stored: N(0, 1)
    assert convolution.scale == pytest.approx(np.sqrt(2.0) / np.sqrt(3 * 3 * 32))
    plain = keras.layers.Conv2D(256, 3, padding="same")
    plain.build(inputs.shape)
    plain.set_weights([kernel * np.sqrt(2.0 / (9 * 32)), ops.convert_to_numpy(convolution.bias)])
    np.testing.assert_allclose(outputs, ops.convert_to_numpy(plain(inputs)), rtol=1e-4, atol=1e-4)

    dense = EqualizedDense(512, gain=1.0)
    features = inputs.reshape(4, -1)
    outputs = ops.convert_to_numpy(dense(features))
    kernel = ops.convert_to_numpy(dense.kernel)
    assert abs(kernel.std() - 1.0) < 0.01 and dense.scale == pytest.approx(1.0 / np.sqrt(6 * 6 * 32))
    np.testing.assert_allclose(outputs, features @ (kernel / np.sqrt(6 * 6 * 32)), rtol=1e-4, atol=1e-4)
    for layer in (convolution, dense):
        clone = type(layer).from_config(layer.get_config())
        assert clone.gain == layer.gain and type(clone.kernel_initializer).__name__ == "RandomNormal"


def test_pixel_normalization_gives_unit_mean_square_per_pixel():
    features = np.random.default_rng(1).normal(3.0, 5.0, size=(2, 4, 4, 16)).astype("float32")
    normalized = ops.convert_to_numpy(PixelNormalization()(features))
    np.testing.assert_allclose(np.mean(normalized**2, axis=-1), 1.0, rtol=1e-5)
    # each pixel's vector keeps its direction
    np.testing.assert_allclose(normalized / normalized[..., :1], features / features[..., :1], rtol=1e-4)


@pytest.mark.parametrize("group_size", [None, 2, 4])
def test_minibatch_standard_deviation_appends_the_mean_standard_deviation(group_size):
    images = np.random.default_rng(2).normal(size=(8, 3, 3, 5)).astype("float32")
    outputs = ops.convert_to_numpy(MinibatchStandardDeviation(group_size=group_size)(images))
    assert outputs.shape == (8, 3, 3, 6)
    np.testing.assert_array_equal(outputs[..., :5], images)
    group = 8 if group_size is None else group_size
    for image in range(8):
        members = [i for i in range(8) if i % (8 // group) == image % (8 // group)]  # the code's grouping
        expected = np.sqrt(images[members].var(axis=0) + 1e-8).mean()
        np.testing.assert_allclose(outputs[image, ..., 5], expected, rtol=1e-5)
    assert MinibatchStandardDeviation.couples_batch
    with pytest.raises(ValueError, match="Expected an int >= 2 or None"):
        MinibatchStandardDeviation(group_size=1)


@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0])
def test_fade_in_blends_the_upsampled_old_output_with_the_new_one(alpha):
    low = np.random.default_rng(3).normal(size=(2, 4, 4, 1)).astype("float32")
    high = np.random.default_rng(4).normal(size=(2, 8, 8, 1)).astype("float32")
    upsampled = keras.layers.UpSampling2D(2)(low)
    fade = FadeIn()
    fade.alpha.assign(alpha)
    blended = ops.convert_to_numpy(fade([upsampled, high]))
    np.testing.assert_allclose(blended, (1 - alpha) * np.repeat(np.repeat(low, 2, 1), 2, 2) + alpha * high, atol=1e-6)


# ------------------------------------------------- CycleGAN's generator layers -- #
from gan_keras.layers import InstanceNormalization, ReflectionPadding2D  # noqa: E402


def test_instance_normalisation_uses_each_images_each_channels_statistics():
    images = np.zeros((2, 2, 2, 2), "float32")
    images[0, :, :, 0] = [[1, 2], [3, 6]]  # mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
    images[0, :, :, 1] = [[5, 5], [5, 5]]  # constant: 0 everywhere after normalising
    images[1, :, :, 0] = [[-2, 2], [-2, 2]]  # mean 0, variance 4
    images[1, :, :, 1] = [[0, 0], [0, 10]]  # mean 2.5, variance 18.75
    layer = InstanceNormalization(epsilon=0.0)
    out = np.asarray(ops.convert_to_numpy(layer(images)))
    np.testing.assert_allclose(out[0, :, :, 0], (np.array([[1, 2], [3, 6]]) - 3) / np.sqrt(3.5), rtol=1e-5)
    np.testing.assert_allclose(out[1, :, :, 0], [[-1, 1], [-1, 1]], rtol=1e-6)
    np.testing.assert_allclose(out[1, :, :, 1], (np.array([[0, 0], [0, 10]]) - 2.5) / np.sqrt(18.75), rtol=1e-5)
    assert np.all(np.isfinite(InstanceNormalization()(images)))  # epsilon keeps the constant channel finite
    # one image's output does not depend on the others in its batch
    alone = np.asarray(ops.convert_to_numpy(layer(images[1:])))
    np.testing.assert_allclose(out[1:], alone, rtol=1e-6)
    assert layer.weights == []  # the paper's code: no scale or offset


def test_instance_normalisation_with_a_learned_scale_and_offset_round_trips():
    layer = InstanceNormalization(affine=True)
    images = np.random.default_rng(0).normal(3.0, 2.0, (4, 5, 5, 3)).astype("float32")
    layer.build(images.shape)
    layer.scale.assign([1.0, 2.0, 3.0])
    layer.offset.assign([0.0, -1.0, 1.0])
    out = np.asarray(ops.convert_to_numpy(layer(images)))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), np.tile([0.0, -1.0, 1.0], (4, 1)), atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), np.tile([1.0, 2.0, 3.0], (4, 1)), rtol=1e-3)
    copy = InstanceNormalization.from_config(layer.get_config())
    assert (copy.epsilon, copy.affine) == (1e-5, True)


def test_reflection_padding_mirrors_the_border_without_repeating_it():
    row = np.array([1, 2, 3, 4], "float32").reshape(1, 1, 4, 1) * np.ones((1, 3, 1, 1), "float32")
    padded = np.asarray(ops.convert_to_numpy(ReflectionPadding2D(2)(row)))
    assert padded.shape == (1, 7, 8, 1)
    np.testing.assert_array_equal(padded[0, 3, :, 0], [3, 2, 1, 2, 3, 4, 3, 2])  # a b c d -> c b a b c d c b
    images = np.random.default_rng(0).normal(size=(2, 5, 6, 3)).astype("float32")
    np.testing.assert_array_equal(
        ops.convert_to_numpy(ReflectionPadding2D(3)(images)), np.pad(images, ((0, 0), (3, 3), (3, 3), (0, 0)), mode="reflect"))
    assert ReflectionPadding2D(3).compute_output_shape((None, 5, 6, 3)) == (None, 11, 12, 3)
    assert ReflectionPadding2D.from_config(ReflectionPadding2D(3).get_config()).padding == 3


@pytest.mark.parametrize("make, message", [
    (lambda: ReflectionPadding2D(-1), "`padding`. Expected an int >= 0"),
    (lambda: ReflectionPadding2D(4)(np.zeros((1, 4, 8, 1), "float32")), "larger than 4 pixels"),
])
def test_reflection_padding_refuses_bad_settings_in_one_line(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# ------------------------------------------------- CycleGAN's history pool -- #
from gan_keras.layers import ImageHistoryPool  # noqa: E402


def constant_images(values):
    """One 2x2 image per value, every pixel that value (so an image is known by its value)."""
    return np.array(values, "float32").reshape(-1, 1, 1, 1) * np.ones((1, 2, 2, 1), "float32")


def values_of(images):
    return np.asarray(ops.convert_to_numpy(images))[:, 0, 0, 0].tolist()


def test_the_history_pool_fills_then_swaps_half_of_the_images():
    pool = ImageHistoryPool(size=3, seed=0)
    # filling: every image comes back as it is and is stored, in order
    assert values_of(pool(constant_images([1, 2]))) == [1, 2]
    assert values_of(pool(constant_images([3]))) == [3]
    assert values_of(pool.images) == [1, 2, 3] and int(ops.convert_to_numpy(pool.count)) == 3
    swapped = 0
    for value in range(100, 500):  # full: each new image comes back, or an old one comes back and the new one stays
        before = values_of(pool.images)
        (answer,) = values_of(pool(constant_images([value])))
        after = values_of(pool.images)
        if answer == value:
            assert after == before
        else:
            swapped += 1
            slot = before.index(answer)
            assert after == before[:slot] + [value] + before[slot + 1:]
    assert 170 < swapped < 230  # probability 0.5: 200 +- 3 standard deviations (30)
    assert int(ops.convert_to_numpy(pool.count)) == 3


def test_the_history_pool_treats_a_batch_in_order_and_repeats_with_its_seed(tmp_path):
    def run(pool):
        return [values_of(pool(constant_images([10 * step + 1, 10 * step + 2, 10 * step + 3]))) for step in range(6)]

    first = run(ImageHistoryPool(size=4, seed=7))
    assert first[0] == [1, 2, 3] and first[1][0] == 11  # the fourth image still fills the pool
    assert first == run(ImageHistoryPool(size=4, seed=7))
    # saved with a model: the stored images, the count and the random draws go on where they were
    model = keras.Sequential([keras.Input((2, 2, 1)), ImageHistoryPool(size=4, seed=7)])
    run(model.layers[0])
    model.save(tmp_path / "pool.keras")
    loaded = keras.models.load_model(tmp_path / "pool.keras")
    assert values_of(loaded.layers[0].images) == values_of(model.layers[0].images)
    assert values_of(loaded.layers[0](constant_images([91, 92]))) == values_of(model.layers[0](constant_images([91, 92])))


def test_the_history_pool_refuses_a_bad_size_in_one_line():
    with pytest.raises(ValueError, match="`size`. Expected a positive int"):
        ImageHistoryPool(size=0)
    assert ImageHistoryPool.from_config(ImageHistoryPool(size=5, seed=1).get_config()).size == 5
