"""Do the course GANs learn digits? A fixed budget on offline MNIST, checked independently.

1. Trains a small CNN digit classifier on the 4,500 offline training digits and
   reports its accuracy on the 500 held-out ones.
2. Trains a GAN of the package (`--model gan`: the dense course GAN, COURSE.md
   section 1; `--model conv_gan`: section 2) for a fixed number of epochs
   with a fixed seed, timing it.
3. Classifies N generated digits and N held-out real digits with that
   classifier and reports, for both: the share of confident predictions
   (max probability > 0.9), the mean max probability, how many of the ten
   classes are present (at least 2% of the samples), the largest class share,
   and the classifier score exp(E_x KL(p(y|x) || p(y))) (the MNIST analogue of
   the Inception score; 10 is the maximum).

    python benchmarks/gan_quality.py [--model gan] [--epochs 100] [--batch-size 64] [--seed 0] [--samples 500]
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_keras.data import load_arrays, load_dataset, to_model_range  # noqa: E402
from gan_keras.metrics import classifier_score, mode_coverage  # noqa: E402
from gan_keras.models import MODELS, build_model  # noqa: E402


def train_digit_classifier(seed):
    """A small CNN trained on the offline training digits; returns (model, held-out accuracy)."""
    keras.utils.set_random_seed(seed)
    train_images, train_labels = load_arrays("mnist", "train")
    test_images, test_labels = load_arrays("mnist", "test")
    classifier = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.4),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(to_model_range(train_images), train_labels, epochs=15, batch_size=64, verbose=0)
    _, accuracy = classifier.evaluate(to_model_range(test_images), test_labels, verbose=0)
    return classifier, float(accuracy), to_model_range(test_images)


def digit_statistics(classifier, images):
    probabilities = classifier.predict(images, batch_size=500, verbose=0).astype("float64")
    coverage = mode_coverage(probabilities, confidence=0.9, presence=0.02)
    return {
        "confident_share": round(coverage["confident_share"], 3),
        "mean_confidence": round(float(probabilities.max(axis=1).mean()), 3),
        "classes_present": coverage["classes_present"],
        "largest_class_share": round(coverage["largest_class_share"], 3),
        "classifier_score": round(classifier_score(probabilities), 2),
        "class_shares": [round(share, 3) for share in coverage["class_shares"]],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=list(MODELS), default="gan")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--grid", help="also save a grid of 64 samples to this PNG")
    args = parser.parse_args()

    classifier, accuracy, real_test_images = train_digit_classifier(args.seed)
    print(f"digit classifier: held-out accuracy {accuracy:.3f} on 500 offline test digits", flush=True)

    keras.utils.set_random_seed(args.seed)
    dataset = load_dataset("mnist", "train", args.batch_size, seed=args.seed)
    gan = build_model(args.model, seed=args.seed)
    gan.compile()
    start = time.perf_counter()
    history = gan.fit(dataset, epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - start
    steps = int(gan.g_optimizer.iterations)

    generated = digit_statistics(classifier, gan.generate(args.samples, seed=args.seed))
    real = digit_statistics(classifier, real_test_images[: args.samples])
    result = {
        "model": args.model,
        "epochs": args.epochs, "steps": steps, "batch_size": args.batch_size, "seed": args.seed,
        "train_seconds": round(seconds, 1), "steps_per_s": round(steps / seconds, 1),
        "classifier_accuracy": round(accuracy, 3), "samples": args.samples,
        "generated": generated, "real": real,
        "final_epoch": {k: round(float(v[-1]), 3) for k, v in history.history.items()},
    }
    print(json.dumps(result, indent=2))
    print("\n| data | confident (>0.9) | mean confidence | classes present | largest class | classifier score |")
    print("|---|---|---|---|---|---|")
    for name, stats in (("real held-out digits", real), (f"{args.model}, {steps} steps", generated)):
        print(f"| {name} | {stats['confident_share']:.0%} | {stats['mean_confidence']:.2f} | "
              f"{stats['classes_present']}/10 | {stats['largest_class_share']:.0%} | {stats['classifier_score']} |")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(result, file, indent=2)
    if args.grid:
        from gan_keras.plotting import save_image_grid

        save_image_grid(gan.generate(64, seed=args.seed), args.grid)


if __name__ == "__main__":
    main()
