"""The device a benchmark ran on, in words, for its results table."""

import os
import platform

import tensorflow as tf


def device_name():
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    return f"CPU, {os.cpu_count()} cores ({platform.machine()})"
