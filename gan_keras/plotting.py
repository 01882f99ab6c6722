"""Figures of the course: image grids, training curves, the generator losses,
latent spaces, and 2-D toy samples over the critic's contours.

Images arrive as float32 in [-1, 1] (the package's convention) and are turned
into pixels here, once, at the edge.
"""

import math
from pathlib import Path

import numpy as np

from gan_keras.pixels import to_uint8

__all__ = [
    "grid_array",
    "save_image_grid",
    "plot_image_grid",
    "plot_history",
    "plot_generator_losses",
    "plot_curves",
    "plot_image_rows",
    "plot_latent_scatter",
    "latent_manifold",
    "plot_pixel_maps",
    "plot_points",
    "points_array",
    "save_points_plot",
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
    ax.imshow(grid[..., 0] if grid.shape[-1] == 1 else grid, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
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
    fakes, so D(G(z)) is near 0: there the minimax curve has slope about -1
    against D(G(z)), while the non-saturating curve is steep. What vanishes is
    the gradient with respect to D's logit, through the sigmoid:
    -D(G(z)) for the minimax loss, against D(G(z)) - 1 for the non-saturating
    one (see `gan_keras.losses`).
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


def plot_curves(history, keys=None, title=None, ylabel="nats per image"):
    """Any metrics of a `History` (or its dict) against the epoch, one line each.

    Args:
        keys: the metric names (default: all); a `val_` twin is drawn dashed
            in the same colour.
    """
    import matplotlib.pyplot as plt

    logs = getattr(history, "history", history)
    keys = [k for k in logs if not k.startswith("val_")] if keys is None else list(keys)
    missing = [k for k in keys if k not in logs]
    if missing:
        raise ValueError(f"No metric {missing} in the history. Received keys: {sorted(logs)}")
    figure, ax = plt.subplots(figsize=(5.5, 3.2), dpi=80)
    for key in keys:
        epochs = np.arange(1, len(logs[key]) + 1)
        (line,) = ax.plot(epochs, logs[key], label=key)
        if f"val_{key}" in logs:
            ax.plot(epochs, logs[f"val_{key}"], linestyle="--", color=line.get_color(), label=f"val_{key}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    if title:
        ax.set_title(title)
    figure.tight_layout()
    return figure


def plot_image_rows(rows, row_titles=None, size=1.0):
    """Rows of images side by side, e.g. originals / corrupted / reconstructed.

    Args:
        rows: a list of arrays (N, H, W, C) in [-1, 1], all with the same N.
        row_titles: a label for each row, written at its left.
        size: inches per image.
    """
    import matplotlib.pyplot as plt

    rows = [_check_images(row) for row in rows]
    columns = len(rows[0])
    if any(len(row) != columns for row in rows):
        raise ValueError(f"Every row needs the same number of images. Received {[len(r) for r in rows]}.")
    figure, axes = plt.subplots(
        len(rows), columns, figsize=(size * columns + 1.2, size * len(rows)), dpi=80, squeeze=False
    )
    for row_index, row in enumerate(rows):
        pixels = to_uint8(row)
        for column, ax in enumerate(axes[row_index]):
            image = pixels[column]
            ax.imshow(image[..., 0] if image.shape[-1] == 1 else image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(False)
        if row_titles:
            axes[row_index][0].set_ylabel(row_titles[row_index], rotation=0, ha="right", va="center")
    figure.tight_layout()
    return figure


def plot_latent_scatter(codes, labels, title=None):
    """2-D latent codes as points coloured by their digit (or class)."""
    import matplotlib.pyplot as plt

    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"Expected 2-D codes of shape (N, 2). Received shape {codes.shape}.")
    figure, ax = plt.subplots(figsize=(5, 4.2), dpi=80)
    points = ax.scatter(codes[:, 0], codes[:, 1], c=np.asarray(labels), cmap="tab10", s=6, alpha=0.8)
    figure.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    if title:
        ax.set_title(title)
    figure.tight_layout()
    return figure


def latent_manifold(decode, num_per_side=15, quantile=0.05):
    """The images a 2-D latent space decodes to, on an evenly spaced grid.

    As in Kingma & Welling 2014, figure 4: the grid is evenly spaced in
    probability, z = Phi^-1(u) for u from `quantile` to 1 - `quantile`, so
    each image stands for an equal share of the N(0, I) prior.

    Args:
        decode: a function from (M, 2) latent vectors to images, such as
            `vae.decode`.

    Returns:
        (num_per_side ** 2, H, W, C) images, rows from top (high z[1]) to
        bottom, ready for `plot_image_grid(images, num_per_side)`.
    """
    from statistics import NormalDist

    normal = NormalDist()
    values = np.array([normal.inv_cdf(u) for u in np.linspace(quantile, 1 - quantile, num_per_side)])
    grid = np.array([(x, y) for y in values[::-1] for x in values], dtype="float32")
    return decode(grid)


def plot_pixel_maps(maps, titles=None, marked=None, size=2.4):
    """0/1 maps of pixels side by side (masks, receptive fields), 1 drawn dark.

    Args:
        maps: a list of 2-D arrays.
        titles: one title per map.
        marked: (row, column) of a pixel to outline in red on every map
            (e.g. the pixel being predicted), or None.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    figure, axes = plt.subplots(1, len(maps), figsize=(size * len(maps), size), dpi=80, squeeze=False)
    for index, (ax, values) in enumerate(zip(axes[0], maps)):
        values = np.asarray(values, dtype="float32")
        if values.ndim != 2:
            raise ValueError(f"Expected 2-D maps. Received a map of shape {values.shape}.")
        ax.imshow(values, cmap="Greys", vmin=0, vmax=1)
        ax.set_xticks(np.arange(-0.5, values.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, values.shape[0]), minor=True)
        ax.grid(which="minor", color="lightgrey", linewidth=0.5)
        ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
        if marked is not None:
            row, column = marked[index] if isinstance(marked[0], (tuple, list)) else marked
            ax.add_patch(Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2))
        if titles:
            ax.set_title(titles[index], fontsize=10)
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------- #
# 2-D toy data
# --------------------------------------------------------------------------- #
def _check_points(points, what="points"):
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"Expected {what} of shape (N, 2) with N >= 1. Received shape {points.shape}.")
    return points


def plot_points(samples, real=None, critic=None, extent=2.0, title=None, ax=None, size=4.0, resolution=128):
    """2-D samples (green) over real points (orange), as in the WGAN-GP paper's toy figures.

    Args:
        samples: (N, 2) generated points.
        real: optional (M, 2) real points.
        critic: optional function from (K, 2) points to K scores (e.g. a
            discriminator network): its contour lines are drawn underneath,
            on a `resolution` x `resolution` grid.
        extent: the plot shows [-extent, extent] on both axes.
        title, ax, size: as for `plot_image_grid`.

    Returns:
        The matplotlib figure.
    """
    import matplotlib.pyplot as plt

    samples = _check_points(samples, "samples")
    if ax is None:
        figure, ax = plt.subplots(figsize=(size, size), dpi=80)
    else:
        figure = ax.figure
    if critic is not None:
        axis = np.linspace(-extent, extent, resolution)
        grid_x, grid_y = np.meshgrid(axis, axis)
        scores = np.asarray(critic(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype("float32")))
        contours = ax.contour(grid_x, grid_y, scores.reshape(grid_x.shape), levels=12, cmap="viridis",
                              linewidths=0.8)
        ax.clabel(contours, fontsize=6)
    if real is not None:
        real = _check_points(real, "real points")
        ax.scatter(real[:, 0], real[:, 1], s=4, c="orange", marker="+", linewidths=0.6, label="real")
    ax.scatter(samples[:, 0], samples[:, 1], s=4, c="green", marker="+", linewidths=0.6, label="generated")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return figure


def points_array(samples, real=None, extent=2.0, size=4.0):
    """`plot_points` as a uint8 RGB picture (for `SampleGrid`'s frames and GIF)."""
    import matplotlib.pyplot as plt

    figure = plot_points(samples, real, extent=extent, size=size)
    figure.canvas.draw()
    picture = np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()
    plt.close(figure)
    return picture


def save_points_plot(samples, path, real=None, extent=2.0):
    """Writes `plot_points(samples, real)` as a PNG; returns the path."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(points_array(samples, real, extent)).save(path)
    return path
