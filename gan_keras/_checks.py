"""Argument checks shared by the package, with Keras-style error messages."""

import numpy as np


def check_positive_int(argument, value):
    """Raises a ValueError naming `argument` unless `value` is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"Invalid value for argument `{argument}`. Expected a positive integer. "
            f"Received: {argument}={value!r}"
        )


def check_number(argument, value, accepted="a number", valid=None):
    """`value` as a float; a ValueError naming `argument` and what is `accepted`
    unless it is a real number (not a bool) for which `valid(value)` holds."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or (
        valid is not None and not valid(value)
    ):
        raise ValueError(f"Invalid value for argument `{argument}`. Expected {accepted}. Received: {argument}={value!r}")
    return float(value)
