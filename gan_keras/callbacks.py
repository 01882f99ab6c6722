"""Callbacks for training generative models with `fit()`.

* `SampleGrid` draws the same noise through the generator every N epochs, so
  the pictures show the generator's progress and nothing else; inline in a
  notebook, as PNG files in a script, and as an animated GIF at the end
  (for a model of 2-D points: a scatter plot of them).
* `SafeModelCheckpoint` saves the whole model (`.keras`) so that a crash or an
  interruption during the save never destroys the previous checkpoint.
* `StopAfterSteps` ends training after an exact number of batches.
* `HistoryCSV` appends one row per epoch to a CSV file as training goes.
* `QualityMonitor` measures sample quality (`gan_keras.metrics`) every N
  epochs and logs it beside the losses; `QualityTensorBoard`, listed after
  it, draws those values in TensorBoard.
* `ModeCoverage` does the same for a model of toy 2-D points: the modes
  covered and the share of high-quality points.
"""

import math
import os
from pathlib import Path

import keras
import numpy as np

from gan_keras._checks import check_positive_int
from gan_keras.plotting import grid_array, plot_image_grid, plot_points, points_array

__all__ = [
    "HistoryCSV",
    "LinearDecay",
    "ModeCoverage",
    "QualityMonitor",
    "QualityTensorBoard",
    "SampleGrid",
    "SafeModelCheckpoint",
    "StopAfterSteps",
    "in_notebook",
]


def in_notebook():
    """True inside a Jupyter kernel (where figures can be shown inline)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class SampleGrid(keras.callbacks.Callback):
    """Draws a grid of samples from fixed noise every `every_n_epochs` epochs.

    The grid is the model's `preview(num_images, seed)` (samples, for the
    package's models); the fixed `seed` means every grid is made from the same
    noise vectors. A model of 2-D points (the toy datasets) gets a scatter plot
    of `num_images` points instead of a grid.

    Args:
        num_images: images per grid (a square number draws a square grid).
        every_n_epochs: how often to draw; the last epoch is always drawn.
        seed: seed of the fixed noise.
        save_dir: if given, writes `epoch_0001.png`, ... there.
        show: show each grid inline; default: only inside a notebook.
        num_columns: columns of the grid (default: the model's
            `preview_columns` if it has them, CycleGAN's 6; else square).

    After training, `frames` holds the grids (uint8 arrays) and
    `save_gif(path)` writes them as an animation.
    """

    def __init__(self, num_images=64, every_n_epochs=1, seed=0, save_dir=None, show=None, num_columns=None):
        super().__init__()
        check_positive_int("num_images", num_images)
        check_positive_int("every_n_epochs", every_n_epochs)
        self.num_images = num_images
        self.every_n_epochs = every_n_epochs
        self.seed = seed
        self.save_dir = Path(save_dir) if save_dir else None
        self.show = in_notebook() if show is None else show
        self.num_columns = num_columns
        self.frames = []
        self.frame_epochs = []

    def on_train_begin(self, logs=None):
        self._last_drawn_epoch = None
        self._last_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        self._last_epoch = epoch
        if (epoch + 1) % self.every_n_epochs == 0:
            self._draw(epoch)

    def on_train_end(self, logs=None):
        if self._last_epoch is not None and self._last_drawn_epoch != self._last_epoch:
            self._draw(self._last_epoch)

    def _draw(self, epoch):
        images = np.asarray(self.model.preview(self.num_images, seed=self.seed))
        columns = self.num_columns or getattr(self.model, "preview_columns", None)
        points = images.ndim == 2  # (N, 2): a toy model's points, drawn as a scatter plot
        self.frames.append(points_array(images) if points else grid_array(images, columns))
        self.frame_epochs.append(epoch + 1)
        self._last_drawn_epoch = epoch
        if self.save_dir is not None:
            from gan_keras.plotting import save_image_grid, save_points_plot

            path = self.save_dir / f"epoch_{epoch + 1:04d}.png"
            save_points_plot(images, path) if points else save_image_grid(images, path, columns)
        if self.show:
            import matplotlib.pyplot as plt
            from IPython.display import display

            title = f"epoch {epoch + 1}"
            figure = (plot_points(images, title=title, size=3.0) if points
                      else plot_image_grid(images, columns, title=title, size=3.0))
            display(figure)
            plt.close(figure)

    def save_gif(self, path, milliseconds_per_frame=400, scale=2):
        """Writes the grids drawn so far as an animated GIF (looping)."""
        from PIL import Image

        if not self.frames:
            raise ValueError("No grid has been drawn yet: call fit() with this callback first.")
        pictures = []
        for frame in self.frames:
            frame = frame.repeat(scale, axis=0).repeat(scale, axis=1)
            pictures.append(Image.fromarray(frame[..., 0] if frame.shape[-1] == 1 else frame))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pictures[0].save(
            path, save_all=True, append_images=pictures[1:], duration=milliseconds_per_frame, loop=0
        )
        return path


class SafeModelCheckpoint(keras.callbacks.Callback):
    """Saves the model to `filepath` (`.keras`) every `every_n_epochs` epochs.

    The model is first written to a temporary file beside `filepath` and then
    renamed over it (`os.replace`, atomic on one file system), so a crash or
    Ctrl-C in the middle of a save leaves the previous checkpoint intact.
    The model is also saved when training ends (including an early stop).
    """

    def __init__(self, filepath, every_n_epochs=1):
        super().__init__()
        filepath = Path(filepath)
        if filepath.suffix != ".keras":
            raise ValueError(
                f"SafeModelCheckpoint writes whole models, so `filepath` must end in "
                f"'.keras'. Received: filepath={str(filepath)!r}"
            )
        self.filepath = filepath
        self.every_n_epochs = every_n_epochs

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self.save()

    def on_train_end(self, logs=None):
        self.save()

    def save(self):
        self.filepath.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.filepath.with_name(f".{self.filepath.stem}.partial.keras")
        self.model.save(temporary)
        os.replace(temporary, self.filepath)


class StopAfterSteps(keras.callbacks.Callback):
    """Stops `fit()` after exactly `total_steps` batches (across epochs)."""

    def __init__(self, total_steps):
        super().__init__()
        self.total_steps = int(total_steps)
        self.steps_done = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps_done += 1
        if self.steps_done >= self.total_steps:
            self.model.stop_training = True


class LinearDecay(keras.callbacks.LearningRateScheduler):
    """CycleGAN's schedule (Zhu et al. 2017, section 7.1): the learning rate
    constant for `constant_epochs`, then decaying linearly towards 0 over
    `decay_epochs`, as the paper's code computes it: for epoch e counted from
    0, ``initial * (1 - max(0, e + 1 - constant_epochs) / (decay_epochs + 1))``
    (the paper: 100 and 100 epochs from 2e-4). Set on the model's optimiser at
    the start of each epoch (for a model with one optimiser per network, all
    of them: `NetworkOptimizers`), so a resumed run (`initial_epoch`) gets its
    epoch's rate; the history's `learning_rate` is that rate.
    """

    def __init__(self, initial_learning_rate, constant_epochs, decay_epochs, verbose=0):
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_epochs, self.decay_epochs = int(constant_epochs), int(decay_epochs)
        super().__init__(self.rate, verbose=verbose)

    def rate(self, epoch, learning_rate=None):
        """The rate of epoch `epoch` (counted from 0)."""
        decayed = max(0, epoch + 1 - self.constant_epochs) / (self.decay_epochs + 1)
        return self.initial_learning_rate * max(0.0, 1.0 - decayed)

    def on_epoch_end(self, epoch, logs=None):
        """Logs the epoch's rate once as `learning_rate` (Keras's scheduler
        would log one `learning_rate_<optimizer>` per network's optimiser)."""
        if logs is not None:
            logs["learning_rate"] = self.rate(epoch)


class HistoryCSV(keras.callbacks.Callback):
    """Appends each epoch's logs to a CSV file (columns: epoch, then metrics).

    Epochs are counted from 1, as the progress bar shows them. An existing file
    is continued (for resumed runs); rows are flushed at once, so an
    interrupted run keeps every finished epoch.
    """

    def __init__(self, filepath):
        super().__init__()
        self.filepath = Path(filepath)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        keys = sorted(logs)
        new_file = not self.filepath.exists() or self.filepath.stat().st_size == 0
        with self.filepath.open("a") as file:
            if new_file:
                file.write(",".join(["epoch", *keys]) + "\n")
            file.write(",".join([str(epoch + 1), *(f"{float(logs[k]):.6g}" for k in keys)]) + "\n")


class QualityMonitor(keras.callbacks.Callback):
    """Logs MNIST sample-quality metrics every `every_n_epochs` epochs.

    Generates `num_images` samples from fixed noise, compares them with the
    first `num_images` of `real_images` through the shipped MNIST classifier
    (`gan_keras.metrics.evaluate_mnist_samples`), and adds the chosen metrics to
    the epoch's logs, so they land in `History`, `HistoryCSV` and a
    `QualityTensorBoard` callback listed after this one. Epochs in between log
    NaN, which keeps every metric's history one value per epoch.

    Args:
        real_images: (N, 28, 28, 1) real images in [-1, 1], N >= num_images.
        num_images: samples per evaluation (the values depend on it: keep it fixed).
        every_n_epochs: how often to evaluate; the last epoch is not forced.
        metrics: names from `QualityMonitor.AVAILABLE`.
        seed: seed of the fixed noise.
    """

    AVAILABLE = (
        "classifier_score", "frechet_distance", "precision", "recall",
        "classes_present", "largest_class_share", "confident_share",
    )

    def __init__(
        self,
        real_images,
        num_images=500,
        every_n_epochs=5,
        metrics=("classifier_score", "frechet_distance", "precision", "recall"),
        seed=0,
    ):
        super().__init__()
        unknown = sorted(set(metrics) - set(self.AVAILABLE))
        if unknown:
            raise ValueError(
                f"Unknown quality metrics {unknown}. Expected names from {list(self.AVAILABLE)}."
            )
        real_images = np.asarray(real_images, dtype="float32")
        if len(real_images) < num_images:
            raise ValueError(
                f"QualityMonitor compares num_images={num_images} samples with as many real "
                f"images, but received only {len(real_images)} real images."
            )
        self.real_images = real_images[:num_images]
        self.num_images = num_images
        self.every_n_epochs = every_n_epochs
        self.metric_names = tuple(metrics)
        self.seed = seed
        self._classifier = None

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        if (epoch + 1) % self.every_n_epochs:
            logs.update({name: math.nan for name in self.metric_names})
            return
        from gan_keras.metrics import evaluate_mnist_samples, load_mnist_classifier

        if self._classifier is None:
            self._classifier = load_mnist_classifier()
        results = evaluate_mnist_samples(
            self.model.generate(self.num_images, seed=self.seed), self.real_images, classifier=self._classifier
        )
        logs.update({name: float(results[name]) for name in self.metric_names})


class QualityTensorBoard(keras.callbacks.TensorBoard):
    """`keras.callbacks.TensorBoard` that leaves out the NaN of epochs `QualityMonitor` skips.

    `QualityMonitor` logs NaN for its metrics on the epochs between two
    evaluations. TensorBoard draws NaN as warning triangles, the sign of a
    diverged value, and does not draw a lone value between two NaN
    (tensorflow/tensorboard#866): with `every_n_epochs=5`, the chart would show
    triangles and no curve. This callback writes a quality metric only on the
    epochs it was measured; everything else, a NaN loss included, is written as
    `keras.callbacks.TensorBoard` writes it. It takes the same arguments.

    List it after the `QualityMonitor`, whose values it reads from the logs:

    ```python
    monitor = QualityMonitor(real_images, every_n_epochs=5)
    model.fit(dataset, epochs=50, callbacks=[monitor, QualityTensorBoard("logs/run1")])
    ```
    """

    def on_epoch_end(self, epoch, logs=None):
        if logs:
            logs = {
                name: value
                for name, value in logs.items()
                if not (name in QualityMonitor.AVAILABLE and isinstance(value, float) and math.isnan(value))
            }
        super().on_epoch_end(epoch, logs)


class ModeCoverage(keras.callbacks.Callback):
    """Logs `modes_covered` and `high_quality_share` of a toy 2-D model every epoch.

    Draws `num_points` points from fixed noise at the end of each epoch and
    measures them with `gan_keras.metrics.toy_mode_coverage` (a mode is
    covered when at least 1% of the points lie within 3 std of it; a point
    is of high quality when it lies within 3 std of some mode). The values
    land in the epoch's logs, so in `History` and `HistoryCSV`.

    Args:
        dataset: "gaussians8" or "gaussians25" (its modes from `data.toy_modes`).
        num_points: points per measurement (10,000 by default).
        seed: seed of the fixed noise.
    """

    def __init__(self, dataset, num_points=10_000, seed=0):
        super().__init__()
        from gan_keras.data import toy_modes

        check_positive_int("num_points", num_points)
        self.modes = toy_modes(dataset)
        self.num_points, self.seed = num_points, seed

    def on_epoch_end(self, epoch, logs=None):
        from gan_keras.metrics import toy_mode_coverage

        if logs is not None:
            logs.update(toy_mode_coverage(self.model.generate(self.num_points, seed=self.seed), *self.modes))
