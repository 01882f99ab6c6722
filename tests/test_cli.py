"""python -m gan_keras: list, train, sample, summary, and clear errors."""

import argparse
import csv
import json
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

import gan_keras  # noqa: F401  (registers the models for load_model)
from gan_keras.cli import _parser, main


def test_list_names_models_and_datasets(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("gan", "conv_gan", "mnist", "celeb_a", "cycle_gan/horse2zebra", "digits"):
        assert name in out


def test_train_writes_model_history_and_samples_then_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "gan", "--steps", "3", "--batch-size", "1500", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {"model.keras", "history.csv", "samples.png"}
    model = keras.models.load_model(out / "model.keras")
    assert int(model.d_optimizer.iterations) == 3
    # 4,500 offline digits in batches of 1,500: 3 steps are one epoch
    # --epochs is the run's total: one more epoch
    assert main(["train", "gan", "--epochs", "2", "--out", str(out), "--resume"]) == 0
    assert int(keras.models.load_model(out / "model.keras").d_optimizer.iterations) == 6
    with (out / "history.csv").open() as file:
        assert [row["epoch"] for row in csv.DictReader(file)] == ["1", "2"]


def test_train_refuses_to_overwrite_a_run(tmp_path, capsys):
    (tmp_path / "model.keras").write_bytes(b"")
    assert main(["train", "gan", "--steps", "1", "--out", str(tmp_path)]) == 1
    assert "pass --resume to continue that run" in capsys.readouterr().err


def test_sample_writes_images_in_model_range(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "conv_gan", "--steps", "2", "--batch-size", "64", "--out", str(out)])
    assert main(["sample", str(out), "-n", "7", "--seed", "1", "--out", str(tmp_path / "s.npz")]) == 0
    images = np.load(tmp_path / "s.npz")["images"]
    assert images.shape == (7, 28, 28, 1) and images.dtype == np.float32
    assert -1 <= images.min() and images.max() <= 1


def test_summary_prints_both_course_tables(capsys):
    assert main(["summary", "gan"]) == 0
    out = capsys.readouterr().out
    assert "1,493,520" in out and "1,489,936" in out and "3,584" in out and "533,505" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "gann", "--out", "x"], "invalid choice: 'gann'"),
        (["train", "gan", "--dataset", "mnistt", "--out", "x"], "invalid choice: 'mnistt'"),
        (["train", "gan", "--steps", "0", "--out", "x"], "expected a positive integer, got '0'"),
        (["train", "gan", "--steps", "3", "--epochs", "2", "--out", "x"], "not allowed with argument"),
        (["sample"], "the following arguments are required"),
        (["sample", "run", "--out", "samples"], "expected a file name ending in .npz, got 'samples'"),
        (["sample", "run", "--out", "."], "expected a file name ending in .npz, got '.'"),
        (["train", "cyclegan", "--dataset", "mnist", "--out", "x"],
         "cyclegan translates between two domains; --dataset mnist has one. Expected one of: "),
        (["train", "gan", "--dataset", "mnist_mnistm", "--out", "x"],
         "--dataset mnist_mnistm holds two unpaired domains, for cyclegan; gan trains on one domain's images"),
    ],
)
def test_bad_command_lines_give_one_line_and_exit_2(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_library_errors_become_one_line_and_exit_1(tmp_path, capsys):
    assert main(["train", "gan", "--dataset", "cifar10", "--out", str(tmp_path / "r")]) == 1
    error = capsys.readouterr().err.strip()
    assert "Dataset 'cifar10' cannot be loaded" in error and "\n" not in error


def test_sample_from_a_missing_run_says_so(tmp_path):
    with pytest.raises(SystemExit, match="No trained model at"):
        main(["sample", str(tmp_path), "--out", str(tmp_path / "s.npz")])


def test_argument_errors_come_before_keras_is_loaded(tmp_path):
    # python -X importtime lists every module imported, on stderr
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gan_keras", "train", "gann", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "invalid choice: 'gann'" in result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "gan_keras.catalog" in imported
    assert not {"keras", "tensorflow", "jax"} & imported


def test_ctrl_c_while_keras_loads_is_one_line(monkeypatch, capsys):
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(gan_keras, "load", interrupted)
    assert main(["list"]) == 130
    assert capsys.readouterr().err == "python -m gan_keras list: interrupted.\n"


def test_the_catalog_names_every_model_and_dataset():
    from gan_keras.catalog import DATASETS, MODEL_NAMES
    from gan_keras.data import DATASETS as DATA_DATASETS
    from gan_keras.models import MODELS

    assert MODEL_NAMES == tuple(MODELS) and DATASETS is DATA_DATASETS


def test_module_entry_point_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gan_keras", "train", "gan", "--steps", "2", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert f"Samples: {tmp_path / 'samples.png'}" in result.stdout


def test_evaluate_prints_and_saves_the_metrics(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "gan", "--steps", "2", "--batch-size", "64", "--out", str(out)])
    capsys.readouterr()
    assert main(["evaluate", str(out), "-n", "100"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((out / "metrics.json").read_text())
    assert printed["dataset"] == "mnist" and printed["num_samples"] == 100
    for key in ("classifier_score", "frechet_distance", "precision", "recall", "classes_present", "confident_share"):
        assert key in printed and key in printed["real_data"]
    # an untrained generator is far from the real digits' ceiling
    assert printed["frechet_distance"] > 5 * printed["real_data"]["frechet_distance"]


def test_evaluate_refuses_more_samples_than_real_images(tmp_path, capsys):
    out = tmp_path / "run"
    main(["train", "gan", "--steps", "1", "--batch-size", "64", "--out", str(out)])
    assert main(["evaluate", str(out), "-n", "5000"]) == 1
    assert "use -n 4500 or fewer" in capsys.readouterr().err


def test_vae_trains_with_held_out_loss_and_evaluates_in_nats(tmp_path, capsys):
    out = tmp_path / "vae"
    assert main(["train", "vae", "--steps", "1", "--batch-size", "500", "--out", str(out)]) == 0
    with (out / "history.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert {"loss", "reconstruction_loss", "kl_loss", "val_loss"} <= set(rows[0])
    capsys.readouterr()
    assert main(["evaluate", str(out), "-n", "100", "--importance-samples", "3"]) == 0
    results = json.loads(capsys.readouterr().out)
    nats = results["held_out_nats"]
    assert (nats["num_images"], nats["num_samples"]) == (500, 3)
    assert 0 < nats["negative_iwae_bound"] <= nats["negative_elbo"]
    assert results["classes_present"] >= 1 and "real_data" in results


def test_evaluate_reports_the_exact_likelihood_of_a_pixelcnn(tmp_path, capsys):
    from gan_keras.models import PixelCNN, pixelcnn_network

    run = tmp_path / "pixelcnn"
    run.mkdir()
    model = PixelCNN(pixelcnn_network(hidden_channels=4, residual_blocks=1, output_channels=4), seed=0)
    model.compile()
    model.save(run / "model.keras")
    (run / "run.json").write_text(json.dumps({"model": "pixelcnn", "dataset": "mnist"}))
    capsys.readouterr()
    assert main(["evaluate", str(run), "-n", "20"]) == 0
    nats = json.loads(capsys.readouterr().out)["held_out_nats"]
    assert nats["num_images"] == 500
    # An untrained network says about 1/2 for every pixel: close to 784 log 2 = 543 nats.
    assert 400 < nats["negative_log_likelihood"] < 700
    assert nats["bits_per_dim"] == pytest.approx(nats["negative_log_likelihood"] / 784 / np.log(2))


def test_conditional_gan_trains_on_labels_samples_a_label_and_reports_its_accuracy(tmp_path, capsys):
    out = tmp_path / "cgan"
    assert main(["train", "conv_cgan", "--steps", "2", "--batch-size", "64", "--out", str(out)]) == 0
    assert main(["sample", str(out), "-n", "5", "--label", "3", "--out", str(tmp_path / "threes.npz")]) == 0
    saved = np.load(tmp_path / "threes.npz")
    assert saved["images"].shape == (5, 28, 28, 1) and saved["labels"].tolist() == [3] * 5
    capsys.readouterr()
    assert main(["evaluate", str(out), "-n", "100"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert 0.0 <= results["label_accuracy"] <= 1.0
    assert main(["sample", str(out), "-n", "2", "--label", "10", "--out", str(tmp_path / "x.npz")]) == 1
    assert "--label must lie in [0, 10)" in capsys.readouterr().err


def test_sample_label_needs_a_conditional_model(tmp_path, capsys):
    out = tmp_path / "gan"
    main(["train", "gan", "--steps", "1", "--batch-size", "64", "--out", str(out)])
    capsys.readouterr()
    assert main(["sample", str(out), "--label", "3", "--out", str(tmp_path / "s.npz")]) == 1
    assert "--label needs a conditional model" in capsys.readouterr().err


def test_infogan_evaluate_reports_the_categorical_code_error(tmp_path, capsys):
    out = tmp_path / "infogan"
    assert main(["train", "infogan", "--steps", "2", "--batch-size", "64", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(out), "-n", "100"]) == 0
    code = json.loads(capsys.readouterr().out)["categorical_code"]
    assert 0.0 <= code["error"] <= 0.9 and len(code["mapping"]) >= 1


def test_evaluate_announces_the_offline_data_once(tmp_path, monkeypatch, capsys):
    # `evaluate` reads two splits (train digits to compare with, test digits for
    # the controls); the offline warning is about the dataset, so it comes once.
    from gan_keras import data
    from gan_keras.models import build_model

    run = tmp_path / "run"
    run.mkdir()
    model = build_model("gan", (28, 28, 1), seed=0)
    model.compile()
    model.save(run / "model.keras")
    (run / "run.json").write_text(json.dumps({"model": "gan", "dataset": "mnist"}))
    monkeypatch.setenv("GAN_KERAS_OFFLINE", "1")
    monkeypatch.setattr(data, "_announced_offline", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["evaluate", str(run), "-n", "20"]) == 0
    offline_warnings = [w for w in caught if issubclass(w.category, data.OfflineDataWarning)]
    assert len(offline_warnings) == 1, [str(w.message) for w in offline_warnings]
    assert "'mnist'" in str(offline_warnings[0].message)


def _actions_without_help(parser, command="python -m gan_keras"):
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {choice.dest for choice in action._choices_actions if choice.help}
            for name, subparser in action.choices.items():
                if name not in helped:
                    missing.append(f"{command} {name}")
                missing += _actions_without_help(subparser, f"{command} {name}")
        elif not action.help or action.help == argparse.SUPPRESS:
            missing.append(f"{command} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_command_and_option_has_help():
    assert _actions_without_help(_parser()) == []


README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_shell_lines():
    """The lines of the README's ```bash blocks, comments removed."""
    lines, in_block = [], False
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            in_block = line.strip() == "```bash"
        elif in_block and line.strip():
            lines.append(shlex.split(line, comments=True))
    return lines


def test_readme_command_lines_parse_and_follow_the_venv_activation():
    lines = _readme_shell_lines()
    cli_lines = [index for index, argv in enumerate(lines) if argv[:3] == ["python", "-m", "gan_keras"]]
    assert len(cli_lines) >= 10
    # `make` installs into .venv/: a bare `python` has no keras until it is activated.
    activation = lines.index(["source", ".venv/bin/activate"])
    assert activation < cli_lines[0]
    for index in cli_lines:
        _parser().parse_args(lines[index][3:])  # exits with code 2 on an unknown option


def test_the_installed_command_is_this_main():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((README.parent / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"gan-keras": "gan_keras.cli:main"}


def test_translate_runs_a_saved_cyclegan_both_ways(tmp_path, capsys):
    import keras
    import numpy as np

    from gan_keras.models import CycleGAN, cyclegan_discriminator, cyclegan_generator

    shape = (8, 8, 3)
    cyclegan = CycleGAN(cyclegan_generator(shape, 4, 1, 1, name="g_ab"), cyclegan_generator(shape, 4, 1, 1, name="g_ba"),
                        cyclegan_discriminator(shape, 4, 1, name="d_a"), cyclegan_discriminator(shape, 4, 1, name="d_b"))
    (tmp_path / "run").mkdir()
    cyclegan.save(tmp_path / "run" / "model.keras")
    images = np.random.default_rng(0).uniform(-1, 1, (5, *shape)).astype("float32")
    np.savez(tmp_path / "in.npz", images=images)
    for to, network in (("b", cyclegan.generator_ab), ("a", cyclegan.generator_ba)):
        out = tmp_path / f"to_{to}.npz"
        assert main(["translate", str(tmp_path / "run"), "--input", str(tmp_path / "in.npz"), "--to", to,
                     "--out", str(out)]) == 0
        with np.load(out) as written:
            np.testing.assert_allclose(written["images"], keras.ops.convert_to_numpy(network(images)), atol=1e-5)
        assert f"Wrote 5 images (8, 8, 3) translated by {'G: A -> B' if to == 'b' else 'F: B -> A'}" in capsys.readouterr().out
    # one line for what cannot be translated
    np.savez(tmp_path / "pixels.npz", images=(images * 127.5 + 127.5).astype("uint8"))
    np.savez(tmp_path / "points.npz", points=images[:, 0, 0, :2])
    np.savez(tmp_path / "small.npz", images=images[:, :4, :4])
    main(["train", "gan", "--steps", "1", "--out", str(tmp_path / "gan")])
    capsys.readouterr()
    for run, source, message in [
        ("run", "pixels.npz", "received uint8 pixels"),
        ("run", "points.npz", "has no `images` array (it holds: points)"),
        ("run", "small.npz", r"Expected images of shape (N, 8, 8, 3)"),
        ("gan", "in.npz", "holds a GAN, which does not translate"),
    ]:
        assert main(["translate", str(tmp_path / run), "--input", str(tmp_path / source), "--to", "b",
                     "--out", str(tmp_path / "x.npz")]) == 1
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1, error
    assert not (tmp_path / "x.npz").exists()


def test_cyclegan_trains_on_two_domains_resumes_previews_and_evaluates(tmp_path, capsys):
    from gan_keras.data import load_arrays, to_model_range

    out = tmp_path / "run"
    assert main(["train", "cyclegan", "--steps", "2", "--batch-size", "8", "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text())["dataset"] == "mnist_mnistm"
    assert main(["train", "cyclegan", "--steps", "3", "--out", str(out), "--resume"]) == 0
    model = keras.models.load_model(out / "model.keras")
    assert model.updates_done() == 3 and model.image_shape == (32, 32, 3)
    # one epoch in all (both parts of it): the paper's decay over it, 2e-4 * (1 - 1/2)
    with (out / "history.csv").open() as file:
        assert [float(row["learning_rate"]) for row in csv.DictReader(file)] == pytest.approx([1e-4, 1e-4])
    assert float(keras.ops.convert_to_numpy(model.d_b_optimizer.learning_rate)) == pytest.approx(1e-4)
    # the preview: the first 10 held-out images of each domain, in rows of a, G(a), F(G(a)), b, F(b), G(F(b))
    np.testing.assert_allclose(model.preview(64)[::6], to_model_range(load_arrays("mnist_mnistm", "testA")[0][:10]))
    assert (out / "samples.png").exists() and (out / "progress" / "epoch_0001.png").exists()
    capsys.readouterr()
    assert main(["evaluate", str(out), "-n", "40"]) == 0
    results = json.loads((out / "metrics.json").read_text())
    assert results["num_images_a"] == results["num_images_b"] == 40
    assert results["real_accuracy_a"] >= 0.9 and results["real_accuracy_b"] >= 0.9
    for key in ("label_survival_a_to_b", "label_survival_b_to_a", "cycle_error_a", "cycle_error_b",
                "frechet_distance_a_to_b", "frechet_distance_b_to_a"):
        assert np.isfinite(results[key]), key
    assert main(["sample", str(out), "--out", str(tmp_path / "s.npz")]) == 1
    assert "translates images and draws none; use `python -m gan_keras translate`" in capsys.readouterr().err
