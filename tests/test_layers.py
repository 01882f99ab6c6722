"""The reparameterisation layer: its distribution, its gradients, its seed."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_keras.layers import GaussianSampling


def test_samples_have_the_requested_mean_and_variance():
    mean = np.full((100_000, 2), [1.0, -3.0], "float32")
    log_variance = np.full((100_000, 2), [np.log(0.25), np.log(4.0)], "float32")
    samples = GaussianSampling(seed=0)((mean, log_variance)).numpy()
    np.testing.assert_allclose(samples.mean(axis=0), [1.0, -3.0], atol=0.02)
    np.testing.assert_allclose(samples.std(axis=0), [0.5, 2.0], rtol=0.02)


def test_gradients_flow_through_the_sample():
    # z = m + exp(v / 2) * eps: dz/dm = 1 and dz/dv = exp(v / 2) * eps / 2 = (z - m) / 2.
    mean = tf.Variable([[0.5, -1.0]])
    log_variance = tf.Variable([[0.2, -0.4]])
    with tf.GradientTape(persistent=True) as tape:
        z = GaussianSampling(seed=1)((mean, log_variance))
        total = tf.reduce_sum(z)
    np.testing.assert_allclose(tape.gradient(total, mean), [[1.0, 1.0]])
    np.testing.assert_allclose(tape.gradient(total, log_variance), (z - mean) / 2, rtol=1e-6)


def test_each_call_draws_new_noise_and_a_seed_repeats_it():
    inputs = (np.zeros((3, 4), "float32"), np.zeros((3, 4), "float32"))
    layer = GaussianSampling(seed=7)
    first, second = layer(inputs).numpy(), layer(inputs).numpy()
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


def test_causal_masks_drawn_by_hand():
    np.testing.assert_array_equal(causal_mask((3, 3), "A"), [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(causal_mask((3, 3), "B"), [[1, 1, 1], [1, 1, 0], [0, 0, 0]])
    with pytest.raises(ValueError, match="odd kernel sizes"):
        causal_mask((4, 3), "A")
    with pytest.raises(ValueError, match="Expected 'A'"):
        causal_mask((3, 3), "C")


def input_gradients_of_each_output_pixel(network, size):
    """gradients[i] = d output_pixel_i / d input, for every pixel i of a size x size image."""
    image = tf.Variable(np.random.default_rng(0).normal(size=(1, size, size, 1)).astype("float32"))
    gradients = []
    for index in range(size * size):
        row, column = divmod(index, size)
        with tf.GradientTape() as tape:
            output = network(image)[0, row, column, 0]
        gradients.append(tape.gradient(output, image).numpy().reshape(-1))
    return np.array(gradients)


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
    dependence = np.abs(input_gradients_of_each_output_pixel(network, size)) > 0
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
    image = tf.Variable(np.random.default_rng(0).normal(size=(1, 5, 5, 1)).astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        vertical, horizontal = block([image, image])
        vertical_at, horizontal_at = tf.reduce_sum(vertical[0, 2, 2]), tf.reduce_sum(horizontal[0, 2, 2])
    seen_by_vertical = np.abs(tape.gradient(vertical_at, image).numpy()[0, ..., 0]) > 0
    seen_by_horizontal = np.abs(tape.gradient(horizontal_at, image).numpy()[0, ..., 0]) > 0
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
