"""Plots: pixel-exact grids and the figures the notebooks show."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gan_keras import plotting  # noqa: E402


def test_grid_places_each_image_with_borders():
    images = np.stack([np.full((2, 3, 1), value) for value in (-1.0, 0.0, 1.0)]).astype("float32")
    grid = plotting.grid_array(images, num_columns=2)
    assert grid.shape == (2 * 3 + 1, 2 * 4 + 1, 1)
    assert (grid[1:3, 1:4] == 0).all()  # -1 -> black
    assert (grid[1:3, 5:8] == 128).all()  # 0 -> mid grey (127.5 rounds to 128)
    assert (grid[4:6, 1:4] == 255).all()  # 1 -> white
    assert (grid[4:6, 5:8] == 0).all()  # the empty fourth cell
    assert (grid[0] == 0).all() and (grid[:, 4] == 0).all()  # borders


def test_grid_refuses_what_is_not_a_batch_of_images():
    with pytest.raises(ValueError, match=r"Expected images of shape \(N, H, W, C\).*Received shape \(2, 5, 5, 2\)"):
        plotting.grid_array(np.zeros((2, 5, 5, 2)))


def test_save_image_grid_writes_a_png(tmp_path):
    from PIL import Image

    path = plotting.save_image_grid(np.zeros((4, 8, 8, 3)), tmp_path / "sub" / "grid.png", scale=1)
    assert Image.open(path).size == (19, 19) and Image.open(path).mode == "RGB"


def test_history_plot_shows_losses_and_scores():
    history = {"d_loss": [1.2, 1.0], "g_loss": [0.9, 1.1], "D_x": [0.7, 0.6], "D_G_z": [0.3, 0.4]}
    figure = plotting.plot_history(history)
    loss_axis, score_axis = figure.axes
    assert [line.get_label() for line in loss_axis.lines] == ["d_loss", "g_loss"]
    assert [line.get_label() for line in score_axis.lines][:2] == ["D(x), real", "D(G(z)), fake"]


def test_history_plot_says_what_is_missing():
    with pytest.raises(ValueError, match=r"missing \['g_loss'\]"):
        plotting.plot_history({"d_loss": [1.0]})


def test_generator_loss_figure_has_both_curves():
    figure = plotting.plot_generator_losses()
    minimax, non_saturating = figure.axes[0].lines[:2]
    x = minimax.get_xdata()
    np.testing.assert_allclose(minimax.get_ydata(), np.log(1 - x))
    np.testing.assert_allclose(non_saturating.get_ydata(), -np.log(x))
