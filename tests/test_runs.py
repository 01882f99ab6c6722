"""Run directories: repeatable seeds, exact resume, one writer, nothing non-finite saved.

Each test reproduces one way a run directory used to lose or mix up work
(issue 14). Training is the dense GAN on the offline digits in batches of
1,500: three steps an epoch.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

import gan_keras  # noqa: F401  (registers the models for load_model)
from gan_keras import runs
from gan_keras.cli import main
from gan_keras.runs import NonFiniteError, RunCheckpoint, RunLock, RunProgress, read_progress, write_checkpoint

TINY = ["--batch-size", "1500"]


def train(out, *options):
    return main(["train", "gan", *TINY, "--out", str(out), *options])


def weights(run_dir):
    model = keras.models.load_model(run_dir / "model.keras")
    return [np.asarray(v) for v in model.variables] + [np.asarray(v) for v in model.optimizer.variables]


def assert_same_weights(run_a, run_b):
    a, b = weights(run_a), weights(run_b)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """Five steps in one go, seed 3 (one full epoch and two thirds of the next)."""
    out = tmp_path_factory.mktemp("uninterrupted")
    assert train(out, "--steps", "5", "--seed", "3") == 0
    return out


def test_the_same_seed_gives_the_same_run(uninterrupted, tmp_path):
    assert train(tmp_path, "--steps", "5", "--seed", "3") == 0
    assert_same_weights(uninterrupted, tmp_path)
    assert (uninterrupted / "history.csv").read_text() == (tmp_path / "history.csv").read_text()
    assert (uninterrupted / "samples.png").read_bytes() == (tmp_path / "samples.png").read_bytes()


@pytest.mark.parametrize("first_steps", [2, 3, 4])
def test_a_stopped_and_resumed_run_equals_the_uninterrupted_one(uninterrupted, tmp_path, first_steps):
    # inside the first epoch, at its end, inside the second
    assert train(tmp_path, "--steps", str(first_steps), "--seed", "3") == 0
    assert main(["train", "gan", "--steps", "5", "--out", str(tmp_path), "--resume"]) == 0  # seed, batch from run.json
    assert_same_weights(uninterrupted, tmp_path)
    progress = read_progress(tmp_path / "model.keras")
    assert (progress.steps, progress.epochs) == (5, 1)
    assert [row["step"] for row in progress.history][-1] == 5


def test_steps_and_epochs_are_totals_with_resume(tmp_path, capsys):
    assert train(tmp_path, "--epochs", "1") == 0
    assert train(tmp_path, "--epochs", "2", "--resume") == 0
    assert read_progress(tmp_path / "model.keras").steps == 6
    assert train(tmp_path, "--steps", "6", "--resume") == 0
    assert "Nothing to do: the run has done 6 steps, the target is 6." in capsys.readouterr().out
    lines = (tmp_path / "history.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,step,") and [line.split(",")[:2] for line in lines[1:]] == [["1", "3"], ["2", "6"]]


def test_a_kill_during_a_save_keeps_the_previous_checkpoint(uninterrupted, tmp_path, monkeypatch):
    assert train(tmp_path, "--steps", "3", "--seed", "3") == 0
    replace = os.replace

    def killed_before_the_rename(source, target):
        if str(target).endswith("model.keras"):
            raise KeyboardInterrupt  # stands in for SIGKILL between writing and renaming
        replace(source, target)

    monkeypatch.setattr(runs.os, "replace", killed_before_the_rename)
    assert train(tmp_path, "--steps", "5", "--resume") == 130
    monkeypatch.setattr(runs.os, "replace", replace)
    assert read_progress(tmp_path / "model.keras").steps == 3
    assert not list(tmp_path.glob(".*partial*")), "the half-written checkpoint is removed"
    assert train(tmp_path, "--steps", "5", "--resume") == 0
    assert_same_weights(uninterrupted, tmp_path)


def test_sigkill_mid_run_then_resume_equals_the_uninterrupted_run(tmp_path):
    """A real SIGKILL as soon as the first checkpoint exists, then --resume."""
    command = [sys.executable, "-m", "gan_keras", "train", "gan", *TINY, "--seed", "3", "--steps", "5"]
    killed = subprocess.Popen([*command, "--out", str(tmp_path / "killed")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while not (tmp_path / "killed" / "model.keras").exists() and killed.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert (tmp_path / "killed" / ".lock").exists(), "the killed run leaves its lock behind"
    for out, extra in (("killed", ["--resume"]), ("whole", [])):
        result = subprocess.run([*command, "--out", str(tmp_path / out), *extra],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
    assert_same_weights(tmp_path / "whole", tmp_path / "killed")


def test_a_second_run_on_the_same_directory_is_refused(tmp_path, capsys):
    with RunLock(tmp_path):  # held by this (living) process
        assert train(tmp_path, "--steps", "1") == 1
    error = capsys.readouterr().err.strip()
    assert f"is in use by another training run (process {os.getpid()})" in error and "\n" not in error
    assert not (tmp_path / "run.json").exists()
    assert not (tmp_path / ".lock").exists(), "released on the way out"


def test_the_lock_of_a_dead_process_is_taken_over(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / ".lock").write_text(finished.stdout)
    with RunLock(tmp_path) as lock:
        assert lock.held and (tmp_path / ".lock").read_text().strip() == str(os.getpid())


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "conv_gan"], "has model 'gan', this command asks for 'conv_gan'"),
        (["train", "gan", "--dataset", "digits"], "has dataset 'mnist', this command asks for 'digits'"),
        (["train", "gan", "--batch-size", "64"], "has batch_size 1500, this command asks for 64"),
        (["train", "gan", "--seed", "4"], "has seed 3, this command asks for 4"),
    ],
)
def test_resume_refuses_another_model_dataset_batch_size_or_seed(uninterrupted, tmp_path, argv, message, capsys):
    for name in ("model.keras", "run.json"):
        (tmp_path / name).write_bytes((uninterrupted / name).read_bytes())
    recorded = (tmp_path / "run.json").read_text()
    assert main([*argv, "--steps", "6", "--out", str(tmp_path), "--resume"]) == 1
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error
    assert (tmp_path / "run.json").read_text() == recorded
    assert json.loads(recorded)["image_shape"] == [28, 28, 1]


def test_training_stops_at_the_first_non_finite_loss_and_keeps_the_last_finite_checkpoint(tmp_path):
    model = gan_keras.models.build_model("gan", seed=0)
    model.compile()
    model.fit(np.zeros((64, 28, 28, 1), "float32"), batch_size=64, epochs=1, verbose=0)
    checkpoint = RunCheckpoint(tmp_path / "model.keras", tmp_path / "history.csv", RunProgress(), steps_per_epoch=4)
    checkpoint.set_model(model)
    checkpoint.on_epoch_begin(0)
    checkpoint.on_train_batch_end(0, {"d_loss": 0.7, "g_loss": 0.7})
    checkpoint.on_epoch_end(0, {"d_loss": 0.7, "g_loss": 0.7})
    assert read_progress(tmp_path / "model.keras").steps == 1
    checkpoint.on_epoch_begin(1)
    checkpoint.on_train_batch_end(0, {"d_loss": float("nan"), "g_loss": 0.7})
    assert model.stop_training and checkpoint.failure.startswith("d_loss became nan at step 2")
    checkpoint.on_epoch_end(1, {"d_loss": float("nan")})
    checkpoint.on_train_end()
    assert read_progress(tmp_path / "model.keras").steps == 1, "the finite checkpoint stays"


def test_a_model_with_non_finite_weights_is_never_written(tmp_path):
    model = gan_keras.models.build_model("gan", seed=0)
    variable = model.generator.trainable_variables[0]
    variable.assign(keras.ops.full(variable.shape, float("inf")))
    with pytest.raises(NonFiniteError, match="holds non-finite values"):
        write_checkpoint(model, tmp_path / "model.keras", RunProgress())
    assert not list(tmp_path.iterdir())


def test_sample_and_evaluate_refuse_a_model_with_non_finite_weights(uninterrupted, tmp_path, capsys):
    model = keras.models.load_model(uninterrupted / "model.keras")
    variable = model.generator.trainable_variables[0]
    variable.assign(keras.ops.full(variable.shape, float("nan")))
    model.save(tmp_path / "model.keras")
    for command in (["sample", str(tmp_path), "--out", str(tmp_path / "s.npz")], ["evaluate", str(tmp_path)]):
        assert main(command) == 1
        error = capsys.readouterr().err.strip()
        assert "holds non-finite values" in error and "\n" not in error
    assert not (tmp_path / "s.npz").exists()


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda path: path.write_bytes(b"not a zip"), "is not a readable .keras file"),
        (lambda path: path.write_bytes(b""), "is not a readable .keras file"),
        (lambda path: keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(path),
         "holds a plain Keras Sequential, not a gan_keras model"),
    ],
)
def test_a_broken_or_foreign_model_file_gives_one_line(tmp_path, make_bad, message, capsys):
    make_bad(tmp_path / "model.keras")
    assert main(["sample", str(tmp_path), "--out", str(tmp_path / "s.npz")]) == 1
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error


def test_out_that_is_a_file_gives_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert train(tmp_path / "file", "--steps", "1") == 1
    error = capsys.readouterr().err.strip()
    assert "is a file; expected a directory" in error and "\n" not in error
    # /proc takes no new directories, even for root
    assert train(Path("/proc/gan_keras_test/run"), "--steps", "1") == 1
    error = capsys.readouterr().err.strip()
    assert "cannot create the run directory" in error and "\n" not in error
