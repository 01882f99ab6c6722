"""Argument checks shared by the package, with Keras-style error messages."""

import numpy as np


def check_positive_int(argument, value):
    """Raises a ValueError naming `argument` unless `value` is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"Invalid value for argument `{argument}`. Expected a positive integer. "
            f"Received: {argument}={value!r}"
        )
