"""A training run on disk that can be trusted: one writer, exact resume, nothing non-finite saved.

`python -m gan_keras train` keeps a run in one directory:

    DIR/run.json     what the run is: model, dataset, image shape, batch size, seed
    DIR/model.keras  the checkpoint, the single source of truth: the model with
                     both optimisers and its noise generator's state, and, inside
                     the same file, the steps and epochs done and the history
    DIR/history.csv  the history, rewritten from the checkpoint after each save
    DIR/.lock        the process id of the run that holds the directory

Why it is built this way:

* **One file is the truth.** A checkpoint is written to a temporary file and
  renamed over the old one (atomic on one file system), with the step counter
  and the history inside it. A run killed at any moment resumes from a
  checkpoint whose weights, counters and history agree.
* **The data stream is a function of the step.** Batch number s of a run is
  the same batch whether the run got there in one go or was resumed
  (`gan_keras.data.batches_from_step`), so an interrupted and resumed run
  ends with the same weights as the uninterrupted one (same seed, machine and
  backend).
* **One writer.** A run holds its directory with a lock file; a second run on
  the same directory stops with a one-line error, and the lock of a process
  that has died is recognised as stale and taken over.
* **Nothing non-finite is kept.** Training stops at the first non-finite loss
  and keeps the last finite checkpoint; a model with non-finite weights is
  never written.
"""

import csv
import io
import json
import math
import os
import zipfile
from pathlib import Path

import keras
import numpy as np

__all__ = [
    "NonFiniteError",
    "RunCheckpoint",
    "RunLock",
    "RunProgress",
    "check_finite_weights",
    "fit_segments",
    "read_progress",
    "write_checkpoint",
]

PROGRESS_ENTRY = "gan_keras_progress.json"  # the run's counters and history, inside model.keras


class NonFiniteError(RuntimeError):
    """A loss, a weight or an output that is NaN or infinite."""


# ------------------------------------------------------------- the lock -- #
class RunLock:
    """Holds a run directory for this process: `DIR/.lock` holds its pid.

    A second process that finds the lock of a living process refuses with a
    one-line error; the lock of a process that has died is stale and taken
    over. Use it as a context manager: the lock is released on the way out.
    """

    def __init__(self, directory):
        self.path = Path(directory) / ".lock"
        self.held = False

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc_info):
        self.release()

    def acquire(self):
        for _ in range(2):
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                holder = _lock_holder(self.path)
                if holder is not None and _process_is_alive(holder):
                    raise RuntimeError(
                        f"{self.path.parent} is in use by another training run (process {holder}); "
                        "wait for it to finish or choose another --out directory."
                    ) from None
                self.path.unlink(missing_ok=True)  # stale: its process has died
                continue
            with os.fdopen(descriptor, "w") as file:
                file.write(f"{os.getpid()}\n")
            self.held = True
            return
        raise RuntimeError(f"Could not take the lock {self.path}: another process keeps recreating it.")

    def release(self):
        if self.held:
            if _lock_holder(self.path) == os.getpid():
                self.path.unlink(missing_ok=True)
            self.held = False


def _lock_holder(path):
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None  # unreadable or half-written: treated as stale


def _process_is_alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


# ------------------------------------------------------- the checkpoint -- #
class RunProgress:
    """What a checkpoint has done: batches (`steps`), completed epochs, history rows."""

    def __init__(self, steps=0, epochs=0, history=()):
        self.steps, self.epochs, self.history = int(steps), int(epochs), [dict(row) for row in history]

    def to_json(self):
        return json.dumps({"steps": self.steps, "epochs": self.epochs, "history": self.history})

    @classmethod
    def from_json(cls, text):
        values = json.loads(text)
        return cls(values["steps"], values["epochs"], values["history"])


def check_finite_weights(model):
    """Raises NonFiniteError naming the first variable that holds NaN or infinity."""
    for variable in model.variables:
        values = keras.ops.convert_to_numpy(variable.value)
        if np.issubdtype(values.dtype, np.floating) and not np.all(np.isfinite(values)):
            raise NonFiniteError(
                f"the model's variable {variable.path!r} holds non-finite values (NaN or infinity): "
                "training diverged; lower the learning rate or resume from an earlier checkpoint."
            )


def write_checkpoint(model, path, progress):
    """Saves `model` and `progress` to `path` (.keras) in one atomic replacement.

    Refuses (NonFiniteError) a model with non-finite weights, so the last
    finite checkpoint stays.
    """
    check_finite_weights(model)
    path = Path(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.partial.keras")
    try:
        model.save(temporary)
        with zipfile.ZipFile(temporary, "a") as archive:
            archive.writestr(PROGRESS_ENTRY, progress.to_json())
        with open(temporary, "rb") as file:
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def read_progress(path):
    """The RunProgress stored in a checkpoint (zero progress for a plain Keras file)."""
    with zipfile.ZipFile(path) as archive:
        if PROGRESS_ENTRY not in archive.namelist():
            return RunProgress()
        return RunProgress.from_json(archive.read(PROGRESS_ENTRY).decode())


def write_history_csv(path, history):
    """Writes the history rows (dicts with `epoch` and `step`) as CSV, atomically."""
    path = Path(path)
    keys = sorted({key for row in history for key in row} - {"epoch", "step"})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", "step", *keys])
    for row in history:
        writer.writerow([row["epoch"], row["step"], *(f"{row[key]:.6g}" if key in row else "" for key in keys)])
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(buffer.getvalue())
    os.replace(temporary, path)


class RunCheckpoint(keras.callbacks.Callback):
    """Counts the batches of a run, stops at the first non-finite value, and
    writes the checkpoint (with the counters and history) after every epoch
    and when training ends.

    Args:
        checkpoint_path: the run's `model.keras`.
        history_path: where the history is mirrored as CSV after each save.
        progress: the RunProgress the model starts from.
        steps_per_epoch: batches in a full epoch (the counters of a run that
            was stopped in the middle of an epoch continue from there).
    """

    def __init__(self, checkpoint_path, history_path, progress, steps_per_epoch):
        super().__init__()
        self.checkpoint_path, self.history_path = Path(checkpoint_path), Path(history_path)
        self.progress = progress
        self.steps_per_epoch = steps_per_epoch
        self.saved_steps = progress.steps
        self.failure = None

    def on_epoch_begin(self, epoch, logs=None):
        self._steps_at_epoch_begin = self.progress.steps

    def on_train_batch_end(self, batch, logs=None):
        self.progress.steps = self._steps_at_epoch_begin + batch + 1
        self._stop_if_not_finite(logs, f"step {self.progress.steps}")

    def on_epoch_end(self, epoch, logs=None):
        if self.failure is not None:
            return
        self._stop_if_not_finite(logs, f"epoch {epoch + 1}")
        if self.failure is not None:
            return
        self.progress.epochs = self.progress.steps // self.steps_per_epoch
        # `step` tells the rows of a run stopped and resumed inside an epoch
        # apart: that epoch gets one row for each part.
        values = {key: float(value) for key, value in (logs or {}).items()}
        self.progress.history.append({"epoch": epoch + 1, "step": self.progress.steps, **values})
        self.save()

    def on_train_end(self, logs=None):
        if self.failure is None and self.progress.steps > self.saved_steps:
            self.save()

    def save(self):
        try:
            write_checkpoint(self.model, self.checkpoint_path, self.progress)
        except NonFiniteError as error:
            self.failure = str(error)
            self.model.stop_training = True
            return
        self.saved_steps = self.progress.steps
        write_history_csv(self.history_path, self.progress.history)

    def _stop_if_not_finite(self, logs, where):
        if self.failure is not None:
            return
        for name, value in (logs or {}).items():
            if not math.isfinite(float(value)):
                self.failure = (
                    f"{name} became {float(value)} at {where}: training diverged; "
                    "lower the learning rate or resume from an earlier checkpoint"
                )
                self.model.stop_training = True
                return


# ------------------------------------------------------- the fit() calls -- #
def fit_segments(done_steps, target_steps, steps_per_epoch, breaks=()):
    """(first epoch, steps, steps per epoch) of the `fit()` calls that take a
    run from `done_steps` to `target_steps` batches.

    A run stopped inside an epoch first finishes that epoch (one short
    `fit()`), so the epochs after it begin where the uninterrupted run's do.
    `breaks` are steps at which the model must change between two `fit()`
    calls (ProGAN's phases): a `fit()` ends there, inside an epoch if need
    be, and the next one finishes that epoch.
    """
    segments = []
    stops = sorted({int(step) for step in breaks if done_steps < step < target_steps} | {int(target_steps)})
    for stop in stops:
        while done_steps < stop:
            into_epoch = done_steps % steps_per_epoch
            if into_epoch:
                steps = min(steps_per_epoch - into_epoch, stop - done_steps)
                segments.append((done_steps // steps_per_epoch, steps, steps))
            else:
                steps = stop - done_steps
                segments.append((done_steps // steps_per_epoch, steps, steps_per_epoch))
            done_steps += steps
    return segments


def fit_through_segments(model, batches_from, done_steps, target_steps, steps_per_epoch, callbacks=(), **fit_arguments):
    """Trains `model` from `done_steps` to `target_steps`: one `fit()` per
    segment of `fit_segments` (cut at `model.training_breaks()`), the model
    prepared for the step each begins at (`prepare_to_train`: ProGAN grows).

    `batches_from(start, num_steps)` gives the batches from step `start` on
    (`gan_keras.data.batches_from_step` of fresh batches, for an exact
    resume). Yields each `fit()`'s History, so the caller can look at the
    run between two segments; a segment that a callback stopped early (a
    non-finite loss, `EarlyStopping`) is the last. The command line's
    `train` and `ProGAN.fit_progressively` both train through this.
    """
    from gan_keras.callbacks import StopAfterSteps

    for first_epoch, steps, epoch_length in fit_segments(done_steps, target_steps, steps_per_epoch,
                                                         model.training_breaks()):
        model.prepare_to_train(done_steps)
        stop = StopAfterSteps(steps)
        yield model.fit(
            batches_from(done_steps, steps),
            initial_epoch=first_epoch,
            epochs=first_epoch + math.ceil(steps / epoch_length),
            steps_per_epoch=epoch_length,
            callbacks=[*callbacks, stop],
            **fit_arguments,
        )
        if stop.steps_done < steps:
            return
        done_steps += steps
