"""Without TensorFlow: the package on JAX: offline data, pixels, plots, metrics, every model, the CLI.

TensorFlow is installed here, so a fresh interpreter hides it: with
`sys.modules["tensorflow"] = None` set before anything is imported, every
`import tensorflow` raises ImportError, as if it were not installed. One
subprocess runs all the checks (starting Keras and JAX takes seconds) and
reports each one's result or error; each test below reads one of them.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs JAX")

_REPOSITORY_ROOT = Path(__file__).resolve().parent.parent

_CHECKS = r'''
import json
import sys
import traceback

sys.modules["tensorflow"] = None  # `import tensorflow` now raises ImportError

import numpy as np

results = {}


def check(name, compute):
    try:
        results[name] = {"value": compute()}
    except Exception as error:
        results[name] = {"error": f"{type(error).__name__}: {error}\n{traceback.format_exc()}"}


def import_package():
    import gan_keras  # noqa: F401
    import keras

    return keras.backend.backend()


def load_arrays():
    from gan_keras.data import load_arrays

    mnist_images, mnist_labels = load_arrays("mnist", "test")
    digits_images, _ = load_arrays("digits", "test")  # resized from 8x8 without tf.image
    return {
        "mnist_shape": list(mnist_images.shape),
        "mnist_dtype": str(mnist_images.dtype),
        "mnist_label_counts": np.bincount(mnist_labels).tolist(),
        "digits_shape": list(digits_images.shape),
    }


def pixels():
    from gan_keras.pixels import to_model_range, to_uint8

    return {
        "to_uint8": to_uint8(np.array([-1.0, 0.0, 1.0])).tolist(),
        "to_model_range": to_model_range(np.array([0, 255], "uint8")).tolist(),
    }


def grid_array():
    from gan_keras.plotting import grid_array

    return list(grid_array(np.zeros((3, 2, 2, 1), "float32"), num_columns=2).shape)


def scores():
    from gan_keras import metrics

    features = np.random.default_rng(0).normal(size=(50, 3))
    return {
        "classifier_score": metrics.classifier_score(np.eye(10)),
        "frechet_feature_distance": metrics.frechet_feature_distance(features, features + 1.0),
        "kernel_inception_distance": list(metrics.kernel_inception_distance([[0.0], [1.0]], [[1.0], [2.0]])),
        "precision_recall": list(metrics.precision_recall(features, features)),
    }


def mnist_classifier():
    from gan_keras.data import load_arrays
    from gan_keras.metrics import evaluate_mnist_samples, load_mnist_classifier
    from gan_keras.pixels import to_model_range

    images, labels = load_arrays("mnist", "test")
    images = to_model_range(images[:100])
    classifier = load_mnist_classifier()
    _, probabilities = classifier.predict(images, verbose=0)
    result = evaluate_mnist_samples(images[:50], images[50:], classifier=classifier)
    return {
        "accuracy": float(np.mean(probabilities.argmax(axis=1) == labels[:100])),
        "num_samples": result["num_samples"],
        "classifier_score": result["classifier_score"],
    }


def load_dataset():
    from gan_keras.data import load_dataset

    try:
        load_dataset("mnist", batch_size=8)
    except ImportError as error:
        return str(error)
    return None


def every_model_fits_saves_and_loads():
    """Each model of the registry, on 8x8 images (quick to compile): two steps
    of fit() on NumPy arrays, save, load, and the same preview (CycleGAN's:
    the translations of the examples it kept)."""
    import tempfile

    import keras

    from gan_keras.catalog import TRANSLATION_MODELS
    from gan_keras.models import MODELS, build_model

    images = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    labels = np.arange(16) % 10
    directory = tempfile.mkdtemp()
    outcome = {}
    for name, spec in MODELS.items():
        model = build_model(name, (8, 8, 1), seed=0)
        model.compile()
        # a conditional model learns from (images, labels), a translation model from two domains' images
        second = labels if spec.conditional else images[::-1].copy() if name in TRANSLATION_MODELS else None
        history = model.fit(images, second, batch_size=8, epochs=1, verbose=0)
        model.save(f"{directory}/{name}.keras")
        loaded = keras.models.load_model(f"{directory}/{name}.keras")
        outcome[name] = {
            "steps": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
            "finite": all(np.isfinite(values[-1]) for values in history.history.values()),
            "loaded_previews_the_same": bool(np.allclose(loaded.preview(2, seed=1), model.preview(2, seed=1),
                                                         atol=1e-6)),
        }
    return outcome


def command_line():
    import tempfile

    from gan_keras.cli import main

    directory = tempfile.mkdtemp()
    codes = {
        "train gan": main(["train", "gan", "--steps", "2", "--batch-size", "16", "--offline",
                           "--out", f"{directory}/gan"]),
        "train conv_cgan": main(["train", "conv_cgan", "--steps", "2", "--batch-size", "16", "--offline",
                                 "--out", f"{directory}/cgan"]),
        "sample": main(["sample", f"{directory}/cgan", "--num-images", "20", "--out", f"{directory}/s.npz"]),
        "evaluate": main(["evaluate", f"{directory}/gan", "--num-images", "100"]),
        "summary": main(["summary", "gan"]),
    }
    with np.load(f"{directory}/s.npz") as arrays:
        codes["sampled"] = [list(arrays["images"].shape), arrays["labels"].tolist()]
    return codes


check("import", import_package)
check("load_arrays", load_arrays)
check("pixels", pixels)
check("grid_array", grid_array)
check("scores", scores)
check("mnist_classifier", mnist_classifier)
check("load_dataset", load_dataset)
check("models", every_model_fits_saves_and_loads)
check("cli", command_line)
results["tensorflow_modules"] = {
    "value": sorted(name for name, module in sys.modules.items() if name.startswith("tensorflow") and module)
}
print(json.dumps(results))
'''


@pytest.fixture(scope="module")
def results():
    environment = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", GAN_KERAS_OFFLINE="1")
    finished = subprocess.run(
        [sys.executable, "-c", _CHECKS],
        cwd=_REPOSITORY_ROOT, env=environment, capture_output=True, text=True, timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout.strip().splitlines()[-1])


def result_of(results, name):
    outcome = results[name]
    assert "error" not in outcome, outcome.get("error")
    return outcome["value"]


def test_the_package_imports_on_jax(results):
    assert result_of(results, "import") == "jax"


def test_load_arrays_gives_the_offline_copies(results):
    arrays = result_of(results, "load_arrays")
    assert arrays["mnist_shape"] == [500, 28, 28, 1] and arrays["mnist_dtype"] == "uint8"
    assert arrays["mnist_label_counts"] == [50] * 10
    assert arrays["digits_shape"] == [180, 28, 28, 1]


def test_pixel_helpers(results):
    assert result_of(results, "pixels") == {"to_uint8": [0, 128, 255], "to_model_range": [-1.0, 1.0]}


def test_grid_array(results):
    assert result_of(results, "grid_array") == [2 * 3 + 1, 2 * 3 + 1, 1]  # 2x2 cells of 2x2 pixels, 1-pixel borders


def test_metric_scores(results):
    scores = result_of(results, "scores")
    assert scores["classifier_score"] == pytest.approx(10.0)  # ten classes, each predicted once with certainty
    assert scores["frechet_feature_distance"] == pytest.approx(3.0)  # ||(1, 1, 1)||^2, same covariances
    assert scores["kernel_inception_distance"] == [9.5, 0.0]  # worked out in test_metrics.py
    assert scores["precision_recall"] == [1.0, 1.0]


def test_the_mnist_classifier_loads_and_reads_digits(results):
    evaluation = result_of(results, "mnist_classifier")
    assert evaluation["accuracy"] >= 0.95  # real held-out digits
    assert evaluation["num_samples"] == 50 and 1.0 < evaluation["classifier_score"] <= 10.0


def test_load_dataset_says_in_one_line_that_tf_data_needs_tensorflow(results):
    message = result_of(results, "load_dataset")
    assert message is not None, "load_dataset worked without TensorFlow"
    assert "\n" not in message
    assert "tf.data needs TensorFlow" in message and "load_arrays" in message


def test_every_model_fits_on_arrays_saves_and_loads(results):
    from gan_keras.models import MODELS

    outcome = result_of(results, "models")
    assert sorted(outcome) == sorted(MODELS)
    for name, checks in outcome.items():
        # Two batches of 8: a GAN counts a step of each network per batch.
        assert checks["steps"] > 0 and checks["finite"] and checks["loaded_previews_the_same"], (name, checks)


def test_the_command_line_trains_samples_evaluates_and_summarises(results):
    codes = result_of(results, "cli")
    assert [codes[command] for command in ("train gan", "train conv_cgan", "sample", "evaluate", "summary")] == [0] * 5
    shape, labels = codes["sampled"]
    assert shape == [20, 28, 28, 1] and labels == [i % 10 for i in range(20)]


def test_tensorflow_was_never_imported(results):
    assert result_of(results, "tensorflow_modules") == []
