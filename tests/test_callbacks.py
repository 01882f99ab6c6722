"""Callbacks: the fixed-noise sample grid, safe checkpoints, exact step counts, CSV history."""

import csv

import keras
import numpy as np
import pytest
from PIL import Image

from gan_keras.callbacks import (
    HistoryCSV,
    LinearDecay,
    QualityMonitor,
    QualityTensorBoard,
    SafeModelCheckpoint,
    SampleGrid,
    StopAfterSteps,
)
from gan_keras.models import GAN, dense_discriminator, dense_generator


@pytest.fixture
def gan():
    model = GAN(dense_generator(latent_dim=8), dense_discriminator(), seed=0)
    model.compile()
    return model


def test_sample_grid_draws_every_n_epochs_and_the_last(gan, tiny_images, tmp_path):
    grid = SampleGrid(num_images=9, every_n_epochs=2, save_dir=tmp_path, show=False)
    gan.fit(tiny_images, epochs=3, verbose=0, callbacks=[grid])
    assert grid.frame_epochs == [2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch_0002.png", "epoch_0003.png"]
    # 3x3 grid of 28x28 images with 1-pixel borders, drawn at scale 2
    assert Image.open(tmp_path / "epoch_0002.png").size == (2 * (3 * 29 + 1),) * 2
    assert grid.frames[0].shape == (88, 88, 1) and grid.frames[0].dtype == np.uint8


def test_sample_grid_uses_the_same_noise_each_time(gan):
    grid = SampleGrid(num_images=4, seed=5, show=False)
    grid.set_model(gan)
    grid._draw(0)
    grid._draw(1)  # no training in between: same noise, same weights -> same picture
    np.testing.assert_array_equal(grid.frames[0], grid.frames[1])


def test_sample_grid_makes_an_animated_gif(gan, tiny_images, tmp_path):
    grid = SampleGrid(num_images=4, show=False)
    gan.fit(tiny_images, epochs=3, verbose=0, callbacks=[grid])
    path = grid.save_gif(tmp_path / "progress.gif")
    with Image.open(path) as animation:
        assert animation.n_frames == 3


def test_sample_grid_refuses_bad_arguments():
    with pytest.raises(ValueError, match="Received: every_n_epochs=0"):
        SampleGrid(every_n_epochs=0)
    with pytest.raises(ValueError, match="No grid has been drawn yet"):
        SampleGrid().save_gif("x.gif")


def test_checkpoint_survives_a_crash_during_the_next_save(gan, tiny_images, tmp_path, monkeypatch):
    path = tmp_path / "model.keras"
    checkpoint = SafeModelCheckpoint(path)
    gan.fit(tiny_images, epochs=1, verbose=0, callbacks=[checkpoint])
    saved_bytes = path.read_bytes()
    expected = keras.models.load_model(path).generate(3, seed=0)

    def crash_halfway(filepath, *args, **kwargs):
        with open(filepath, "wb") as file:
            file.write(b"half a zip file")
        raise KeyboardInterrupt

    monkeypatch.setattr(gan, "save", crash_halfway)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save()
    assert path.read_bytes() == saved_bytes
    np.testing.assert_array_equal(keras.models.load_model(path).generate(3, seed=0), expected)


def test_checkpoint_path_must_be_a_keras_file(tmp_path):
    with pytest.raises(ValueError, match="must end in '.keras'"):
        SafeModelCheckpoint(tmp_path / "model.h5")


def test_stop_after_steps_counts_batches_across_epochs(gan, tiny_images):
    gan.fit(tiny_images.repeat(), steps_per_epoch=4, epochs=5, verbose=0, callbacks=[StopAfterSteps(6)])
    assert int(gan.d_optimizer.iterations) == 6


def test_history_csv_appends_one_row_per_epoch(gan, tiny_images, tmp_path):
    path = tmp_path / "history.csv"
    gan.fit(tiny_images, epochs=2, verbose=0, callbacks=[HistoryCSV(path)])
    gan.fit(tiny_images, epochs=3, initial_epoch=2, verbose=0, callbacks=[HistoryCSV(path)])
    with path.open() as file:
        rows = list(csv.DictReader(file))
    assert [row["epoch"] for row in rows] == ["1", "2", "3"]
    assert set(rows[0]) == {"epoch", "d_loss", "g_loss", "D_x", "D_G_z"}


def test_quality_monitor_logs_metrics_every_n_epochs(gan, tiny_images):
    from gan_keras.data import load_arrays, to_model_range

    real = to_model_range(load_arrays("mnist", "test", offline=True)[0])
    monitor = QualityMonitor(real, num_images=100, every_n_epochs=2, metrics=("classifier_score", "precision"))
    history = gan.fit(tiny_images, epochs=2, verbose=0, callbacks=[monitor])
    scores = history.history["classifier_score"]
    assert len(scores) == 2 and np.isnan(scores[0]) and 1.0 <= scores[1] <= 10.0
    assert 0.0 <= history.history["precision"][1] <= 1.0


def test_quality_monitor_refuses_unknown_metrics_and_too_few_real_images():
    with pytest.raises(ValueError, match=r"Unknown quality metrics \['fid'\]"):
        QualityMonitor(np.zeros((10, 28, 28, 1)), num_images=10, metrics=("fid",))
    with pytest.raises(ValueError, match="received only 10 real images"):
        QualityMonitor(np.zeros((10, 28, 28, 1)), num_images=500)


def _logged_epoch_values(log_dir, tag):
    """(step, value) pairs of a scalar that Keras's TensorBoard callback wrote."""
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.util import tensor_util

    # Keras writes TF2 summaries, which the accumulator keeps as tensors, not scalars.
    events = event_accumulator.EventAccumulator(str(log_dir), size_guidance={event_accumulator.TENSORS: 0})
    events.Reload()
    return [(event.step, float(tensor_util.make_ndarray(event.tensor_proto))) for event in events.Tensors(tag)]


def test_quality_metrics_reach_tensorboard_on_the_epochs_they_were_measured(gan, tiny_images, tmp_path):
    from gan_keras.data import load_arrays, to_model_range

    real = to_model_range(load_arrays("mnist", "test", offline=True)[0])
    monitor = QualityMonitor(real, num_images=50, every_n_epochs=2, metrics=("classifier_score",))
    diverge_at_first_epoch = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.update(d_loss=float("nan")) if epoch == 0 else None
    )
    # The monitor comes first: it adds its metrics to the logs that TensorBoard then writes.
    callbacks = [monitor, diverge_at_first_epoch, QualityTensorBoard(log_dir=tmp_path)]
    history = gan.fit(tiny_images, epochs=2, verbose=0, callbacks=callbacks)

    assert np.isnan(history.history["classifier_score"][0])  # History keeps one value per epoch
    logged_score = _logged_epoch_values(tmp_path / "train", "epoch_classifier_score")
    assert logged_score == [(1, pytest.approx(history.history["classifier_score"][1], rel=1e-6))]
    assert logged_score[0][1] >= 1.0
    logged_g_loss = _logged_epoch_values(tmp_path / "train", "epoch_g_loss")
    assert logged_g_loss == [(epoch, pytest.approx(loss)) for epoch, loss in enumerate(history.history["g_loss"])]
    logged_d_loss = _logged_epoch_values(tmp_path / "train", "epoch_d_loss")
    assert [step for step, _ in logged_d_loss] == [0, 1] and np.isnan(logged_d_loss[0][1])  # a NaN loss still shows


def test_sample_grid_of_a_points_model_draws_scatter_plots(tmp_path):
    from gan_keras.models import toy_networks

    model = GAN(*toy_networks(units=16), seed=0)
    model.compile()
    points = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    grid = SampleGrid(num_images=200, seed=0, save_dir=tmp_path, show=False)
    model.fit(points, batch_size=32, epochs=2, callbacks=[grid], verbose=0)
    assert grid.frame_epochs == [1, 2] and grid.frames[0].ndim == 3 and grid.frames[0].shape[2] == 3
    assert (tmp_path / "epoch_0002.png").exists()
    grid.save_gif(tmp_path / "points.gif")
    assert Image.open(tmp_path / "points.gif").n_frames == 2


def test_mode_coverage_logs_the_toy_metrics_every_epoch():
    from gan_keras.callbacks import ModeCoverage
    from gan_keras.data import toy_modes
    from gan_keras.metrics import toy_mode_coverage
    from gan_keras.models import toy_networks

    model = GAN(*toy_networks(units=16), seed=0)
    model.compile()
    points = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    history = model.fit(points, batch_size=32, epochs=2, callbacks=[ModeCoverage("gaussians8", 300)], verbose=0)
    assert len(history.history["modes_covered"]) == 2 and len(history.history["high_quality_share"]) == 2
    expected = toy_mode_coverage(model.generate(300, seed=0), *toy_modes("gaussians8"))
    assert history.history["modes_covered"][-1] == expected["modes_covered"]
    assert history.history["high_quality_share"][-1] == pytest.approx(expected["high_quality_share"])
    with pytest.raises(ValueError, match="Expected 'gaussians8' or 'gaussians25'"):
        ModeCoverage("swiss_roll")


def test_linear_decay_keeps_then_lowers_every_networks_rate(gan, tiny_images):
    schedule = LinearDecay(2e-4, constant_epochs=3, decay_epochs=3)
    # the paper's code: 1 - max(0, e + 1 - 3) / (3 + 1) for epochs e = 0..5
    assert [schedule.rate(epoch) for epoch in range(6)] == pytest.approx([2e-4, 2e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4])
    rates = []

    class Record(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            rates.append([float(optimizer.learning_rate) for optimizer in (gan.d_optimizer, gan.g_optimizer)])

    history = gan.fit(tiny_images.take(1), epochs=6, verbose=0, callbacks=[schedule, Record()]).history
    assert [d for d, g in rates] == [g for d, g in rates] == pytest.approx([2e-4, 2e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4])
    assert history["learning_rate"] == pytest.approx([2e-4, 2e-4, 2e-4, 1.5e-4, 1e-4, 0.5e-4])
    assert not [key for key in history if key.startswith("learning_rate_")]  # one rate, not one per optimiser
    rates.clear()
    gan.fit(tiny_images.take(1), initial_epoch=4, epochs=5, verbose=0, callbacks=[schedule, Record()])  # resumed
    assert rates == [pytest.approx([1e-4, 1e-4])]
