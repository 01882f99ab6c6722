"""Do the two Keras backends train the GANs equally well? The README budgets, several seeds each.

    python benchmarks/backends.py [--models gan dcgan] [--seeds 0 1 2] [--num-samples 2000]
    KERAS_BACKEND=jax python benchmarks/backends.py

Each run trains one model (`quality.BUDGETS`: the README's epochs and batch
size, on the offline MNIST digits) with one seed on the current backend, then
compares N generated digits with N real ones through the shipped MNIST
classifier. The batches come from `gan_keras.data.load_batches`: tf.data on
TensorFlow, NumPy batches on JAX (so it runs where TensorFlow is not
installed, e.g. the GPU machines). Runs accumulate in
benchmarks/results/backends.json (a rerun of the same model, backend, device
and seed replaces its record); the table printed and written to
benchmarks/results/backends.md gives, per model, backend and device, the
mean and the spread (sample standard deviation) over the seeds of the
classifier score and the Fréchet distance, and the mean wall time. Random
streams differ between backends, so single runs differ; the question is
whether the means differ by more than the seed-to-seed spread.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from device import device_name  # noqa: E402  (benchmarks/device.py)
from gan_keras.data import load_arrays, load_batches, to_model_range  # noqa: E402
from gan_keras.metrics import evaluate_mnist_samples, load_mnist_classifier  # noqa: E402
from gan_keras.models import build_model  # noqa: E402
from quality import BUDGETS  # noqa: E402  (benchmarks/quality.py)

RESULTS = Path(__file__).resolve().parent / "results"


def summary(records):
    """Markdown: per model, backend and device, mean ± spread over the seeds."""
    lines = [
        "| model | backend | seeds | classifier score | Fréchet distance | wall time per run | device |",
        "|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(r["model"], r["backend"], r["device"]) for r in records},
                  key=lambda k: (list(BUDGETS).index(k[0]), k[2], k[1]))
    for model, backend, device in keys:
        runs = [r for r in records if (r["model"], r["backend"], r["device"]) == (model, backend, device)]

        def spread(name):
            values = [r[name] for r in runs]
            if len(values) == 1:
                return f"{values[0]:.2f} (one seed)"
            return f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"

        epochs, batch_size = BUDGETS[model]
        lines.append(
            f"| `{model}`, {epochs} epochs of batch {batch_size} | {backend} | "
            f"{', '.join(str(r['seed']) for r in sorted(runs, key=lambda r: r['seed']))} | "
            f"{spread('classifier_score')} | {spread('frechet_distance')} | "
            f"{statistics.mean(r['seconds'] for r in runs):.0f} s | {device} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(BUDGETS), default=["gan", "dcgan"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--num-samples", type=int, default=2000)
    parser.add_argument("--epochs", type=int, help="override the README budget (for a quick check only)")
    args = parser.parse_args()

    images, _ = load_arrays("mnist", "train")
    real = to_model_range(images[np.random.default_rng(0).permutation(len(images))])[: args.num_samples]
    classifier = load_mnist_classifier()
    backend, device = keras.config.backend(), device_name()
    RESULTS.mkdir(exist_ok=True)
    records_path = RESULTS / "backends.json"
    records = json.loads(records_path.read_text()) if records_path.exists() else []
    for name in args.models:
        epochs, batch_size = BUDGETS[name]
        epochs = args.epochs or epochs
        for seed in args.seeds:
            keras.utils.set_random_seed(seed)
            model = build_model(name, seed=seed)
            model.compile()
            start = time.perf_counter()
            # tf.data on TensorFlow, NumPy batches elsewhere (no TensorFlow needed on JAX)
            model.fit(load_batches("mnist", "train", batch_size=batch_size, seed=seed), epochs=epochs, verbose=0)
            seconds = round(time.perf_counter() - start)
            metrics = evaluate_mnist_samples(model.generate(args.num_samples, seed=seed), real, classifier=classifier)
            record = {"model": name, "backend": backend, "seed": seed, "epochs": epochs, "seconds": seconds,
                      "device": device, "classifier_score": metrics["classifier_score"],
                      "frechet_distance": metrics["frechet_distance"], "num_samples": args.num_samples}
            if args.epochs:
                print(json.dumps(record), "(quick check, not recorded)", flush=True)
                continue
            records = [r for r in records
                       if (r["model"], r["backend"], r["device"], r["seed"]) != (name, backend, device, seed)]
            records_path.write_text(json.dumps(records + [record], indent=2) + "\n")
            records.append(record)
            print(json.dumps(record), flush=True)
    if records:
        text = summary(records)
        (RESULTS / "backends.md").write_text(text + "\n")
        print("\n" + text)


if __name__ == "__main__":
    main()
