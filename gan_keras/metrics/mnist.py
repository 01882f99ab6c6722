"""The MNIST metrics, through the small digit classifier shipped with the package.

`load_mnist_classifier` gives the classifier (trained by
`scripts/train_mnist_classifier.py`, weights in `gan_keras/assets/`): its
softmax gives the class probabilities and its penultimate layer the features,
so `evaluate_mnist_samples` (classifier score, Fréchet distance, precision
and recall, mode coverage) works offline. `conditional_accuracy` and
`control_metrics` ask whether a model draws the digit it is asked for.

The classifier is a Keras model: it runs on any Keras backend.
"""

from pathlib import Path

import numpy as np

from gan_keras.data import MNIST_PADDING
from gan_keras.pixels import check_model_range
from gan_keras.metrics.scores import (
    classifier_score,
    frechet_feature_distance,
    matched_category_error,
    mode_coverage,
    precision_recall,
)

__all__ = [
    "MNIST_CLASSIFIER_WEIGHTS",
    "conditional_accuracy",
    "control_metrics",
    "digit_classifier",
    "evaluate_mnist_samples",
    "load_mnist_classifier",
    "mnist_classifier",
]

# gan_keras/assets/, shipped as package data (see pyproject.toml).
MNIST_CLASSIFIER_WEIGHTS = Path(__file__).resolve().parent.parent / "assets" / "mnist_classifier.weights.h5"


def mnist_classifier():
    """The digit classifier behind the MNIST metrics: 28x28x1 in [-1, 1] -> 10 probabilities.

    Two blocks of two 3x3 ReLU convolutions and max pooling, a third pooling,
    a 128-unit ReLU layer named "features" (the feature space of the Fréchet
    distance and of precision / recall) and a softmax. About 140,000 weights.
    """
    return digit_classifier((28, 28, 1), name="mnist_classifier")


def digit_classifier(image_shape, name):
    """`mnist_classifier`'s network for digits of another image shape (the
    MNIST-M-style digits of `gan_keras.metrics.translation`: 32x32x3)."""
    import keras
    from keras import layers

    images = keras.Input(image_shape, name="image")
    x = images
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(layers.MaxPooling2D()(x))
    features = layers.Dense(128, activation="relu", name="features")(x)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities")(layers.Dropout(0.3)(features))
    return keras.Model(images, probabilities, name=name)


def load_mnist_classifier(weights_path=MNIST_CLASSIFIER_WEIGHTS):
    """The trained classifier, as a model with two outputs: (features, probabilities)."""
    return load_digit_classifier(mnist_classifier(), weights_path, "scripts/train_mnist_classifier.py")


def load_digit_classifier(classifier, weights_path, script):
    """`classifier` with the weights trained by `script`, as a model with two
    outputs: (features, probabilities)."""
    import keras

    weights_path = Path(weights_path)
    if not weights_path.exists():
        raise FileNotFoundError(
            f"The classifier weights are missing: {weights_path}. Train them with `python {script}`."
        )
    classifier.load_weights(weights_path)
    return keras.Model(
        classifier.inputs,
        [classifier.get_layer("features").output, classifier.output],
        name=f"{classifier.name}_features",
    )


def _features_and_probabilities(classifier, images, batch_size=500, what="images", image_shape=None):
    """(features, probabilities) of `images`: MNIST digits by default, or
    images of `image_shape` for another digit classifier."""
    images = np.asarray(images)
    if image_shape is not None:
        if images.ndim != 4 or images.shape[1:] != tuple(image_shape):
            raise ValueError(f"{classifier.name} takes images of shape (N, {', '.join(map(str, image_shape))}) "
                             f"in [-1, 1]. Received {what} of shape {images.shape}.")
    else:
        if images.ndim == 4 and images.shape[1:] == (32, 32, 1):  # "mnist32": MNIST padded to 32x32
            images = images[:, MNIST_PADDING:-MNIST_PADDING, MNIST_PADDING:-MNIST_PADDING]
        if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
            raise ValueError(
                "The MNIST metrics take images of shape (N, 28, 28, 1) in [-1, 1] (or (N, 32, 32, 1), MNIST padded "
                f"to 32x32, whose central 28x28 they compare). Received shape {images.shape}."
            )
    check_model_range(images, what)
    features, probabilities = classifier.predict(images.astype("float32"), batch_size=batch_size, verbose=0)
    return features.astype("float64"), probabilities.astype("float64")


def evaluate_mnist_samples(generated_images, real_images, classifier=None, k=3):
    """All MNIST metrics of `generated_images` against `real_images`.

    Use the same number of images in both sets and in every comparison: the
    values depend on it. Evaluating `real_images` against another real set of
    the same size gives the ceiling.

    Returns:
        dict: `num_samples`, `classifier_score`, `frechet_distance`,
        `precision`, `recall`, and `mode_coverage`'s entries.
    """
    check_model_range(generated_images, "generated_images")
    check_model_range(real_images, "real_images")
    classifier = classifier or load_mnist_classifier()
    fake_features, fake_probabilities = _features_and_probabilities(classifier, generated_images, what="generated_images")
    real_features, _ = _features_and_probabilities(classifier, real_images, what="real_images")
    precision, recall = precision_recall(real_features, fake_features, k=k)
    return {
        "num_samples": len(fake_features),
        "classifier_score": classifier_score(fake_probabilities),
        "frechet_distance": frechet_feature_distance(real_features, fake_features),
        "precision": precision,
        "recall": recall,
        **mode_coverage(fake_probabilities),
    }


def conditional_accuracy(generated_images, requested_labels, classifier=None):
    """The share of generated digits that the MNIST classifier reads as the
    label they were asked for: a conditional GAN's main metric."""
    requested_labels = np.asarray(requested_labels)
    if requested_labels.shape != (len(generated_images),):
        raise ValueError(f"Expected one requested label per image ({len(generated_images)}). "
                         f"Received labels of shape {requested_labels.shape}")
    classifier = classifier or load_mnist_classifier()
    _, probabilities = _features_and_probabilities(classifier, generated_images)
    return float(np.mean(probabilities.argmax(axis=1) == requested_labels))


def control_metrics(model, held_out_images, held_out_labels, num_samples=2000, seed=0, classifier=None):
    """How well a model's inputs control what it draws, where they should.

    A conditional model (`num_classes`): `label_accuracy`, the
    `conditional_accuracy` of `num_samples` digits, the classes in turn.
    A model with a categorical code (InfoGAN's `predict_codes`):
    `categorical_code`, the `matched_category_error` of its code on the
    held-out real digits. Other models: an empty dict.
    """
    results = {}
    if model.conditional:
        labels = np.arange(num_samples) % model.num_classes
        images = model.generate(num_samples, seed=seed, labels=labels)
        results["label_accuracy"] = conditional_accuracy(images, labels, classifier=classifier)
    if model.has_codes:
        probabilities, _ = model.predict_codes(held_out_images)
        results["categorical_code"] = matched_category_error(probabilities.argmax(axis=1), held_out_labels)
    return results
