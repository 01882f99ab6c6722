"""Mode collapse on the WGAN-GP paper's toy data: modes covered by GAN, LSGAN, WGAN and WGAN-GP.

    python benchmarks/toy.py [--dataset gaussians25] [--models gan lsgan wgan wgan_gp]
                             [--seeds 0 1 2] [--generator-steps 2000] [--every 250]
    KERAS_BACKEND=jax python benchmarks/toy.py ...   (about twice as fast on a CPU)

Each run builds a registry model for 2-D points (`build_model(name, (2,))`:
the paper's toy networks, three ReLU layers of 512 units, and each model's
own paper defaults: losses, optimisers, n_critic), trains it with batch 256
for the same number of generator updates (the paper's unit of budget; the
WGANs make 5 critic updates per generator update, the GAN and LSGAN one),
and every `--every` generator updates draws 10,000 points and measures
`metrics.toy_mode_coverage`: the modes covered (at least 1% of the points
within 3 std of the mode) and the share of high-quality points (within 3 std
of some mode). Runs accumulate in benchmarks/results/toy.json (a rerun of the
same dataset, model, backend, device, budget and seed replaces its record);
the table is printed and written to benchmarks/results/toy.md.
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
from gan_keras.catalog import POINT_MODELS  # noqa: E402
from gan_keras.callbacks import ModeCoverage  # noqa: E402
from gan_keras.data import batches_from_step, load_batches, toy_modes  # noqa: E402
from gan_keras.models import build_model, toy_networks  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
NUM_POINTS = 10_000
BATCH_SIZE = 256


def build(name, seed, units):
    """`build_model(name, (2,))` (each model's toy settings), its toy networks `units` wide (512: the paper's)."""
    model = build_model(name, (2,), seed=seed)
    if units == 512:
        return model
    config = model.get_config()
    for key, network in zip(("generator", "discriminator"), toy_networks(units)):
        config[key] = keras.saving.serialize_keras_object(network)
    return type(model).from_config(config)


def run(dataset, name, seed, generator_steps, every, units):
    keras.utils.set_random_seed(seed)
    model = build(name, seed, units)
    model.compile()
    steps_per_log = every * model.discriminator_steps  # each fit() step is one discriminator update
    total_steps = generator_steps * model.discriminator_steps
    batches = batches_from_step(load_batches(dataset, "train", BATCH_SIZE, seed=seed), 0, total_steps)
    start = time.time()
    history = model.fit(batches, epochs=generator_steps // every, steps_per_epoch=steps_per_log,
                        callbacks=[ModeCoverage(dataset, NUM_POINTS, seed=0)], verbose=0).history
    seconds = time.time() - start
    trace = [{"generator_steps": (epoch + 1) * every, **{key: float(values[epoch]) for key, values in history.items()}}
             for epoch in range(generator_steps // every)]
    final = trace[-1]
    if not all(np.isfinite(value) for row in trace for value in row.values()):
        raise RuntimeError(f"{name} seed {seed} gave non-finite values; nothing recorded.")
    return {
        "dataset": dataset, "model": name, "backend": keras.config.backend(), "seed": seed,
        "generator_steps": generator_steps, "discriminator_steps": generator_steps * model.discriminator_steps,
        "batch_size": BATCH_SIZE, "units": units, "seconds": round(seconds), "device": device_name(),
        "modes_covered": int(final["modes_covered"]), "num_modes": len(toy_modes(dataset).centres),
        "high_quality_share": final["high_quality_share"], "trace": trace,
    }


def summary(records):
    lines = [
        "| dataset | model | hidden units | generator updates (critic updates) | backend | seeds "
        "| modes covered (each seed) | high-quality share | wall time per run | device |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    fields = ("dataset", "model", "units", "generator_steps", "backend", "device")
    keys = sorted({tuple(r[f] for f in fields) for r in records},
                  key=lambda k: (k[0], k[2], k[3], POINT_MODELS.index(k[1]), k[4], k[5]))
    for dataset, model, units, steps, backend, device in keys:
        runs = sorted((r for r in records if tuple(r[f] for f in fields) == (dataset, model, units, steps, backend,
                                                                             device)), key=lambda r: r["seed"])
        covered = ", ".join(str(r["modes_covered"]) for r in runs)
        shares = [r["high_quality_share"] for r in runs]
        share = f"{statistics.mean(shares):.1%}" + (f" ± {statistics.stdev(shares):.1%}" if len(shares) > 1 else "")
        lines.append(
            f"| {dataset} | `{model}` | {units} | {steps:,} ({runs[0]['discriminator_steps']:,}) | {backend} "
            f"| {', '.join(str(r['seed']) for r in runs)} | {covered} of {runs[0]['num_modes']} | {share} "
            f"| {statistics.mean(r['seconds'] for r in runs):.0f} s | {device} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="gaussians25", choices=["gaussians8", "gaussians25"])
    parser.add_argument("--models", nargs="+", default=list(POINT_MODELS), choices=POINT_MODELS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--generator-steps", type=int, default=2000)
    parser.add_argument("--every", type=int, default=250, help="generator updates between measurements")
    parser.add_argument("--units", type=int, default=512,
                        help="width of the toy networks' hidden layers (512: the paper's; 128 fits a CPU budget)")
    args = parser.parse_args()
    if args.generator_steps % args.every:
        parser.error("--generator-steps must be a multiple of --every")
    path = RESULTS / "toy.json"
    records = json.loads(path.read_text()) if path.exists() else []
    for name in args.models:
        for seed in args.seeds:
            record = run(args.dataset, name, seed, args.generator_steps, args.every, args.units)
            print(f"{args.dataset} {name} seed {seed}: {record['modes_covered']}/{record['num_modes']} modes, "
                  f"high-quality {record['high_quality_share']:.1%}, {record['seconds']} s", flush=True)
            same = ("dataset", "model", "backend", "device", "generator_steps", "units", "seed")
            records = [r for r in records if any(r[k] != record[k] for k in same)] + [record]
            RESULTS.mkdir(exist_ok=True)
            path.write_text(json.dumps(records, indent=1) + "\n")
    table = summary(records)
    (RESULTS / "toy.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
