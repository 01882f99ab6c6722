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


# ------------------------------------------------------------ latent spaces -- #
def test_latent_manifold_is_evenly_spaced_in_probability_with_high_z1_on_top():
    seen = []

    def decode(latent):
        seen.append(latent)
        return np.zeros((len(latent), 4, 4, 1), "float32")

    images = plotting.latent_manifold(decode, num_per_side=3, quantile=0.1)
    grid = seen[0]
    assert images.shape == (9, 4, 4, 1) and grid.shape == (9, 2)
    # Phi^-1(0.1) = -1.2816, Phi^-1(0.5) = 0, Phi^-1(0.9) = 1.2816
    np.testing.assert_allclose(grid[0], [-1.2816, 1.2816], atol=1e-4)  # top left
    np.testing.assert_allclose(grid[4], [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(grid[8], [1.2816, -1.2816], atol=1e-4)  # bottom right


def test_image_rows_scatter_and_curves_draw_and_refuse_bad_input():
    import matplotlib.pyplot as plt

    images = np.zeros((3, 28, 28, 1), "float32")
    figure = plotting.plot_image_rows([images, images], ["a", "b"])
    assert len(figure.axes) == 6
    with pytest.raises(ValueError, match="same number of images"):
        plotting.plot_image_rows([images, images[:2]])
    figure_scatter = plotting.plot_latent_scatter(np.zeros((5, 2)), np.arange(5))
    with pytest.raises(ValueError, match=r"Expected 2-D codes of shape \(N, 2\)"):
        plotting.plot_latent_scatter(np.zeros((5, 3)), np.arange(5))
    figure_curves = plotting.plot_curves({"loss": [3.0, 2.0], "val_loss": [3.5, 2.5]}, ["loss"])
    assert len(figure_curves.axes[0].lines) == 2
    with pytest.raises(ValueError, match=r"No metric \['kl_loss'\]"):
        plotting.plot_curves({"loss": [1.0]}, ["kl_loss"])
    for f in (figure, figure_scatter, figure_curves):
        plt.close(f)


def test_pixel_maps_draw_one_panel_per_map_and_refuse_3d():
    import matplotlib.pyplot as plt

    figure = plotting.plot_pixel_maps([np.eye(3), np.ones((3, 3))], ["a", "b"], marked=(1, 1))
    assert len(figure.axes) == 2 and len(figure.axes[0].patches) == 1
    plt.close(figure)
    with pytest.raises(ValueError, match="Expected 2-D maps"):
        plotting.plot_pixel_maps([np.zeros((2, 2, 2))])


def test_points_plot_draws_samples_real_points_and_the_critics_contours(tmp_path):
    import matplotlib.pyplot as plt

    from gan_keras.plotting import plot_points, points_array, save_points_plot

    samples = np.random.default_rng(0).normal(size=(100, 2))
    seen = []

    def critic(points):  # a linear critic: straight, evenly spaced contour lines
        seen.append(points.shape)
        return points @ np.array([1.0, -1.0])

    figure = plot_points(samples, real=samples + 1, critic=critic, extent=3.0, title="t", resolution=32)
    ax = figure.axes[0]
    assert seen == [(32 * 32, 2)] and ax.get_xlim() == (-3.0, 3.0) and ax.get_title() == "t"
    assert len(ax.collections) >= 3  # contours, real points, samples
    plt.close(figure)
    picture = points_array(samples)
    assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3
    path = save_points_plot(samples, tmp_path / "p" / "points.png", real=samples)
    assert path.exists() and path.stat().st_size > 0
    with pytest.raises(ValueError, match=r"Expected samples of shape \(N, 2\)"):
        plot_points(np.zeros((5, 3)))
