"""Shared test set-up: offline data, quiet TensorFlow, fixed seeds, tiny data."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ["GAN_KERAS_OFFLINE"] = "1"

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402


@pytest.fixture(autouse=True)
def fixed_seeds():
    keras.utils.set_random_seed(0)
    yield


@pytest.fixture
def tiny_images():
    """64 random 28x28x1 images in [-1, 1], batched by 16 (4 steps an epoch)."""
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(images).batch(16, drop_remainder=True)
