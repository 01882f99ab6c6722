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
