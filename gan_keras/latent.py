"""Walks in a generator's latent space: interpolation and vector arithmetic.

Radford et al. 2016 (DCGAN, sections 6.1 and 6.3) show that a good generator's
latent space is smooth: images change gradually along a line between two
latent vectors ("walking in the latent space"), and averaged latent vectors
add and subtract meaningfully (smiling woman - neutral woman + neutral man ->
smiling man). Both work on any model with `generate_from(latent)`.
"""

import numpy as np

__all__ = ["INTERPOLATIONS", "interpolate", "latent_arithmetic"]

INTERPOLATIONS = ("linear", "spherical")


def _as_vectors(argument, values):
    values = np.asarray(values, dtype="float64")
    if values.ndim != 1:
        raise ValueError(f"Invalid value for argument `{argument}`. Expected one latent vector of shape "
                         f"(latent_dim,). Received: shape {values.shape}")
    return values


def interpolate(start, end, steps=8, method="linear"):
    """`steps` latent vectors from `start` to `end` (both included), (steps, latent_dim) float32.

    Args:
        start, end: latent vectors of shape (latent_dim,).
        steps: number of vectors, at least 2.
        method: "linear" (the DCGAN paper's straight line; right for a
            uniform prior), or "spherical": slerp along the great circle
            (White 2016, "Sampling Generative Networks"), which keeps the
            norm of Gaussian latents typical, where the straight line's middle
            passes close to the origin, a region the generator rarely saw.
    """
    start, end = _as_vectors("start", start), _as_vectors("end", end)
    if start.shape != end.shape:
        raise ValueError(f"`start` and `end` must have the same shape. Received: {start.shape} and {end.shape}")
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"Invalid value for argument `steps`. Expected an int >= 2. Received: steps={steps!r}")
    if method not in INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `method`. Expected one of {INTERPOLATIONS}. "
                         f"Received: method={method!r}")
    fractions = np.linspace(0.0, 1.0, steps)[:, None]
    if method == "linear":
        return ((1 - fractions) * start + fractions * end).astype("float32")
    cosine = np.dot(start, end) / (np.linalg.norm(start) * np.linalg.norm(end))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if np.sin(angle) < 1e-6:  # (anti-)parallel vectors: no unique great circle; use the line
        return ((1 - fractions) * start + fractions * end).astype("float32")
    weights_start = np.sin((1 - fractions) * angle) / np.sin(angle)
    weights_end = np.sin(fractions * angle) / np.sin(angle)
    return (weights_start * start + weights_end * end).astype("float32")


def latent_arithmetic(first, minus, plus):
    """mean(first) - mean(minus) + mean(plus): DCGAN's vector arithmetic.

    Each argument is a group of latent vectors (N, latent_dim) whose images
    share one visual concept; averaging a few (the paper used three) makes the
    concept's direction stable. Returns one vector (latent_dim,), float32.
    """
    means = []
    for argument, group in (("first", first), ("minus", minus), ("plus", plus)):
        group = np.asarray(group, dtype="float64")
        if group.ndim != 2 or len(group) == 0:
            raise ValueError(f"Invalid value for argument `{argument}`. Expected a group of latent vectors "
                             f"(N, latent_dim) with N >= 1. Received: shape {group.shape}")
        means.append(group.mean(axis=0))
    if len({mean.shape for mean in means}) != 1:
        raise ValueError(f"The three groups must have the same latent_dim. Received: {[m.shape for m in means]}")
    return (means[0] - means[1] + means[2]).astype("float32")
