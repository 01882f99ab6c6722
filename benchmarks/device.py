"""The device a benchmark ran on, in words, for its results table."""

import os
import platform

import keras


def device_name():
    """The GPU's name if the Keras backend computes on one, else the CPU's core count."""
    if keras.config.backend() == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform == "gpu":
            return device.device_kind
    elif keras.config.backend() == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    return f"CPU, {os.cpu_count()} cores ({platform.machine()})"
