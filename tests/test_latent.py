"""Latent walks: interpolation (linear and spherical) and vector arithmetic."""

import numpy as np
import pytest

from gan_keras.latent import interpolate, latent_arithmetic


def test_linear_interpolation_is_the_straight_line():
    path = interpolate([0.0, 0.0], [1.0, 2.0], steps=3)
    np.testing.assert_allclose(path, [[0, 0], [0.5, 1.0], [1.0, 2.0]])
    assert path.dtype == np.float32


def test_spherical_interpolation_follows_the_great_circle():
    # From x to y on the unit circle: the middle is at 45 degrees, norm 1
    # (the straight line's middle has norm 0.707).
    path = interpolate([1.0, 0.0], [0.0, 1.0], steps=3, method="spherical")
    np.testing.assert_allclose(path, [[1, 0], [np.sqrt(0.5), np.sqrt(0.5)], [0, 1]], atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-6)
    # Ends are kept exactly for vectors of different norms too.
    start, end = np.array([3.0, 1.0, -2.0]), np.array([-1.0, 0.5, 4.0])
    path = interpolate(start, end, steps=5, method="spherical")
    np.testing.assert_allclose(path[0], start, atol=1e-6)
    np.testing.assert_allclose(path[-1], end, atol=1e-6)
    # Parallel vectors fall back to the line.
    np.testing.assert_allclose(interpolate([1.0, 1.0], [2.0, 2.0], 3, "spherical")[1], [1.5, 1.5])


def test_interpolation_refuses_bad_arguments():
    with pytest.raises(ValueError, match="same shape"):
        interpolate([0.0, 1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="steps"):
        interpolate([0.0], [1.0], steps=1)
    with pytest.raises(ValueError, match="method"):
        interpolate([0.0], [1.0], method="cubic")
    with pytest.raises(ValueError, match="one latent vector"):
        interpolate(np.zeros((2, 2)), np.zeros((2, 2)))


def test_latent_arithmetic_of_group_means():
    first = [[1.0, 0.0], [3.0, 0.0]]  # mean (2, 0)
    minus = [[0.0, 1.0]]
    plus = [[1.0, 1.0], [1.0, 3.0]]  # mean (1, 2)
    np.testing.assert_allclose(latent_arithmetic(first, minus, plus), [3.0, 1.0])
    with pytest.raises(ValueError, match="`minus`"):
        latent_arithmetic(first, [], plus)
    with pytest.raises(ValueError, match="same latent_dim"):
        latent_arithmetic(first, [[0.0, 1.0, 2.0]], plus)
