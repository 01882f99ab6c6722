"""gan_keras.pixels: conversions between pixel ranges, and bilinear resizing in NumPy."""

import numpy as np
import pytest

from gan_keras import pixels


def test_every_uint8_value_survives_the_round_trip_through_the_model_range():
    values = np.arange(256, dtype="uint8")
    model_range = pixels.to_model_range(values)
    assert model_range.dtype == np.float32 and model_range.min() == -1.0 and model_range.max() == 1.0
    np.testing.assert_array_equal(pixels.to_uint8(model_range), values)


def test_resize_bilinear_samples_at_half_pixel_centres():
    # Width 2 -> 4: output pixel i samples the input at (i + 0.5) / 2 - 0.5, that
    # is -0.25, 0.25, 0.75, 1.25; beyond the edge centres the edge pixel repeats.
    images = np.array([0.0, 4.0]).reshape(1, 1, 2, 1)
    resized = pixels.resize_bilinear(images, (1, 4))
    assert resized.dtype == np.float32
    np.testing.assert_array_equal(resized.ravel(), [0.0, 1.0, 3.0, 4.0])


@pytest.mark.parametrize("size", [(28, 28), (32, 32), (40, 30), (7, 9)])
def test_resize_bilinear_gives_the_values_of_tf_image_resize(size):
    tf = pytest.importorskip("tensorflow")
    images = np.random.default_rng(0).integers(0, 256, (3, 13, 17, 2)).astype("uint8")
    expected = tf.image.resize(images, size, method="bilinear").numpy()
    np.testing.assert_array_equal(pixels.resize_bilinear(images, size), expected)


def test_resize_bilinear_refuses_a_single_image():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\). Received shape \(8, 8, 1\)"):
        pixels.resize_bilinear(np.zeros((8, 8, 1)), (4, 4))
