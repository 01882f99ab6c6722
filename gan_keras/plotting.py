"""Figures of the course: image grids, training curves, and the generator losses.

Images arrive as float32 in [-1, 1] (the package's convention) and are turned
into pixels here, once, at the edge.
"""

import math
from pathlib import Path

import numpy as np

from gan_keras.data import to_uint8

__all__ = [
    "grid_array",
    "save_image_grid",
    "plot_image_grid",
    "plot_history",
    "plot_generator_losses",
]


def _check_images(images):
    images = np.asarray(images)
    if images.ndim == 3:  # (N, H, W): add the channel axis
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            "Expected images of shape (N, H, W, C) with C = 1 or 3 and N >= 1. "
            f"Received shape {images.shape}."
        )
    return images


def grid_array(images, num_columns=None, padding=1):
    """Tile images (N, H, W, C) in [-1, 1] into one uint8 picture.

    Args:
        images: the images, float in [-1, 1].
        num_columns: columns of the grid; default: the smallest square.
        padding: pixels of black between images.

    Returns:
        uint8 array (rows * (H + padding) + padding, cols * (W + padding) + padding, C).
    """
    images = to_uint8(_check_images(images))
    count, height, width, channels = images.shape
    columns = num_columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    grid = np.zeros(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        dtype="uint8",
    )
    for index, image in enumerate(images):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid


def save_image_grid(images, path, num_columns=None, scale=2):
    """Writes the grid of `images` as a PNG (each pixel `scale` x `scale`)."""
    from PIL import Image

    grid = grid_array(images, num_columns)
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    return path


def plot_image_grid(images, num_columns=None, title=None, ax=None, size=4.0):
    """Draws the grid of `images` with matplotlib and returns the figure."""
    import matplotlib.pyplot as plt

    grid = grid_array(images, num_columns)
    if ax is None:
        figure, ax = plt.subplots(figsize=(size, size * grid.shape[0] / grid.shape[1]), dpi=80)
    else:
        figure = ax.figure
    ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=255)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return figure


def plot_history(history, title=None):
    """Loss curves and mean D(x) / D(G(z)) per epoch from a `History` or its dict.

    The left panel shows d_loss and g_loss; the right panel the discriminator's
    mean probability on real images (D_x) and on fakes (D_G_z), with the ideal
    equilibrium 0.5 dashed.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    missing = {"d_loss", "g_loss"} - set(logs)
    if missing:
        raise ValueError(
            f"plot_history needs the GAN metrics d_loss and g_loss; missing {sorted(missing)}. "
            f"Received keys: {sorted(logs)}"
        )
    epochs = np.arange(1, len(logs["d_loss"]) + 1)
    figure, (loss_ax, score_ax) = plt.subplots(1, 2, figsize=(9, 3.2), dpi=80)
    loss_ax.plot(epochs, logs["d_loss"], label="d_loss")
    loss_ax.plot(epochs, logs["g_loss"], label="g_loss")
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("loss")
    loss_ax.legend()
    for key, label in (("D_x", "D(x), real"), ("D_G_z", "D(G(z)), fake")):
        if key in logs:
            score_ax.plot(epochs, logs[key], label=label)
    score_ax.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="equilibrium")
    score_ax.set_ylim(0, 1)
    score_ax.set_xlabel("epoch")
    score_ax.set_ylabel("mean probability of 'real'")
    score_ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_generator_losses():
    """The lesson's figure: log(1 - D(G(z))) vs -log D(G(z)) against D(G(z)).

    Both are minimised by the generator. Early in training D easily spots the
    fakes, so D(G(z)) is near 0: there the minimax curve is flat (a vanishing
    gradient) while the non-saturating curve is steep (a strong gradient).
    """
    import matplotlib.pyplot as plt

    d_of_fake = np.linspace(0.001, 0.999, 500)
    figure, ax = plt.subplots(figsize=(5.5, 3.6), dpi=80)
    ax.plot(d_of_fake, np.log(1 - d_of_fake), label="minimax: log(1 - D(G(z)))")
    ax.plot(d_of_fake, -np.log(d_of_fake), label="non-saturating: -log D(G(z))")
    ax.axvspan(0, 0.1, color="red", alpha=0.08, label="early training: D rejects fakes")
    ax.set_xlabel("D(G(z))")
    ax.set_ylabel("generator loss (minimised)")
    ax.set_ylim(-5, 5)
    ax.legend(loc="upper right", fontsize=8)
    figure.tight_layout()
    return figure
