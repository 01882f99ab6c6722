"""Trains the classifier of MNIST-M-style digits that CycleGAN's metrics use and saves it into the package.

    python scripts/train_mnistm_classifier.py [--epochs 15] [--seed 0]

The digits are those of `mnist_mnistm`'s domain B: MNIST digits resized to
32x32 and blended onto patches of scikit-learn's photographs
(`gan_keras.data.mnistm_blend`). It trains on every offline MNIST training
digit (4,500: both halves, so it knows the digits of domain A too, in B's
look), each blended onto `--blends` different patches (seeds 100, 101, ...:
none of the dataset's), with small random shifts, rotations and zooms; it is
tested on `mnist_mnistm`'s testB (250 held-out digits) and on all 500
held-out digits blended anew. Writes
gan_keras/assets/mnistm_classifier.weights.h5 and prints the held-out
accuracies (the README records them).
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_keras.data import MNIST_MNISTM_SIDE, load_arrays, mnistm_blend, to_model_range  # noqa: E402
from gan_keras.metrics.translation import MNISTM_CLASSIFIER_WEIGHTS, mnistm_classifier  # noqa: E402
from gan_keras.pixels import resize_bilinear  # noqa: E402


def blended(split, seeds):
    """The offline MNIST digits of `split` resized to 32x32 and blended onto photo patches, once per seed."""
    digits, labels = load_arrays("mnist", split)
    side = MNIST_MNISTM_SIDE
    grey = np.clip(np.round(resize_bilinear(digits, (side, side))), 0, 255).astype("uint8")
    images = np.concatenate([mnistm_blend(grey, seed=seed) for seed in seeds])
    return to_model_range(images), np.tile(labels, len(seeds))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--blends", type=int, default=4, help="photo patches per training digit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(MNISTM_CLASSIFIER_WEIGHTS))
    args = parser.parse_args()

    keras.utils.set_random_seed(args.seed)
    train_images, train_labels = blended("train", range(100, 100 + args.blends))
    fresh_test_images, fresh_test_labels = blended("test", [200])
    test_b_images, test_b_labels = load_arrays("mnist_mnistm", "testB")
    classifier = mnistm_classifier()
    augment = keras.Sequential(
        [
            keras.layers.RandomTranslation(0.08, 0.08, fill_mode="reflect"),
            keras.layers.RandomRotation(0.04, fill_mode="reflect"),
            keras.layers.RandomZoom(0.08, fill_mode="reflect"),
        ],
        name="augment",
    )
    trainer = keras.Sequential([keras.Input(classifier.input_shape[1:]), augment, classifier])
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: 1e-3 * 0.85**epoch)
    trainer.fit(train_images, train_labels, batch_size=64, epochs=args.epochs, callbacks=[schedule],
                shuffle=True, verbose=2)
    classifier.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    _, test_b_accuracy = classifier.evaluate(to_model_range(test_b_images), test_b_labels, verbose=0)
    _, fresh_accuracy = classifier.evaluate(fresh_test_images, fresh_test_labels, verbose=0)
    classifier.save_weights(args.out)
    summary = {
        "train_images": len(train_images), "held_out_accuracy_testB": round(float(test_b_accuracy), 4),
        "held_out_accuracy_500_fresh_blends": round(float(fresh_accuracy), 4), "epochs": args.epochs,
        "seed": args.seed, "weights": os.path.relpath(args.out), "bytes": os.path.getsize(args.out),
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
