"""Pixel-range conversions and resizing of images, in NumPy alone.

Inside the package images are float32 NHWC in [-1, 1] (the model range);
files, datasets and figures hold uint8 pixels in [0, 255]. These helpers
convert between the two at the edges (data loading, plotting, saving PNGs).
They need neither TensorFlow nor a Keras backend, so they work the same under
every backend.
"""

import numpy as np

__all__ = [
    "binarize",
    "check_model_range",
    "resize_bilinear",
    "to_model_range",
    "to_uint8",
]


def to_model_range(images):
    """uint8-range pixels [0, 255] -> float32 NumPy array in [-1, 1]."""
    return np.asarray(images).astype("float32") / 127.5 - 1.0


def check_model_range(images, what="images"):
    """Raises a one-line ValueError unless `images` are finite floats in [-1, 1].

    Catches the usual mix-up: uint8 pixels (or floats in [0, 255]) where the
    model range is expected, which would otherwise give meaningless numbers.
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"Expected {what} as floats in the model range [-1, 1]; received {images.dtype} pixels. "
            "Convert them with gan_keras.data.to_model_range(images)."
        )
    if images.size == 0:
        return
    low, high = float(np.min(images)), float(np.max(images))
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"Expected {what} in the model range [-1, 1]; received non-finite values (NaN or infinity).")
    if low < -1.0 - 1e-3 or high > 1.0 + 1e-3:
        hint = " Convert [0, 255] pixels with gan_keras.data.to_model_range(images)." if high > 1.5 else ""
        raise ValueError(
            f"Expected {what} in the model range [-1, 1]; received values from {low:.4g} to {high:.4g}.{hint}"
        )


def to_uint8(images):
    """Model-range images in [-1, 1] -> uint8 NumPy array in [0, 255]."""
    images = np.asarray(images, dtype="float32")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")


def binarize(images, seed=0):
    """Binary images for likelihood models: each pixel is 1 with probability
    (x + 1) / 2 and -1 otherwise (stochastic binarization, Salakhutdinov &
    Murray 2008), returned in the model range as float32 values in {-1, 1}.

    A fixed `seed` gives the same binary test set every time, which is what
    makes held-out nats of different runs comparable. Binary input stays as it is.
    """
    images = np.asarray(images, dtype="float32")
    if images.size and (images.min() < -1.0 or images.max() > 1.0):
        raise ValueError(
            "Expected images in the model range [-1, 1] (see `to_model_range`). "
            f"Received values from {images.min()} to {images.max()}."
        )
    uniform = np.random.default_rng(seed).uniform(size=images.shape)
    return np.where(uniform < (images + 1.0) / 2.0, 1.0, -1.0).astype("float32")


def _sample_points(in_size, out_size):
    """Where each output pixel samples a 1-D input: its two nearest input pixels
    and the fraction of the way from the first to the second.

    Half-pixel centres: output pixel i sits at (i + 0.5) * in_size / out_size - 0.5
    in input pixels; beyond the first or last centre the edge pixel repeats.
    The arithmetic is TensorFlow's, in float32 and in its order, so the
    results agree with `tf.image.resize` bit for bit.
    """
    scale = np.float32(in_size) / np.float32(out_size)
    position = (np.arange(out_size, dtype="float32") + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(position)
    lower = np.clip(floor, 0, in_size - 1).astype(int)
    upper = np.clip(np.ceil(position), 0, in_size - 1).astype(int)
    return lower, upper, position - floor


def resize_bilinear(images, size):
    """Bilinear resizing of a batch of images, as `tf.image.resize` does it by default.

    Half-pixel centres and no antialiasing: the same float32 values as
    `tf.image.resize(images, size, method="bilinear")` (checked equal on the
    offline MNIST and digits images). Enough for the small offline datasets;
    shrinking large photos by a lot would alias without a low-pass filter first.

    Args:
        images: (N, H, W, C) array, any numeric dtype.
        size: (height, width) of the result.

    Returns:
        float32 array (N, height, width, C), neither rounded nor clipped.
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(f"Expected images of shape (N, H, W, C). Received shape {images.shape}.")
    top, bottom, down = _sample_points(images.shape[1], size[0])
    left, right, across = _sample_points(images.shape[2], size[1])
    across, down = across[None, None, :, None], down[None, :, None, None]

    def along_rows(rows):
        return rows[:, :, left] + (rows[:, :, right] - rows[:, :, left]) * across

    upper_rows, lower_rows = along_rows(images[:, top]), along_rows(images[:, bottom])
    return upper_rows + (lower_rows - upper_rows) * down
