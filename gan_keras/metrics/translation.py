"""Does a translation keep what the image shows? Metrics for CycleGAN on `mnist_mnistm`.

An unpaired translation has no right answer to compare with, but on
`mnist_mnistm` both domains are digits with labels, so the question has a
measurable form: a grey "7" translated into the photo-textured domain should
still read as a 7 there, and back. Two shipped classifiers answer it:

* the MNIST classifier (`gan_keras.metrics.mnist`) reads the B -> A
  translations (domain A's 32x32 grey digits are MNIST digits resized, so
  they are turned back into 28x28x1 by `domain_a_as_mnist`);
* `mnistm_classifier`, the same network for 32x32x3 MNIST-M-style digits
  (trained by `scripts/train_mnistm_classifier.py`, weights in
  `gan_keras/assets/`), reads the A -> B translations.

`translation_metrics` reports, for a model with `translate(images, to)`:
label survival each way (the share of translations read as the source
image's label), the cycle reconstruction error each way (mean absolute
difference of F(G(a)) and a, in the model range [-1, 1]), the Fréchet
distance of each translation set to the real images of its target domain in
its classifier's feature space, and the classifiers' accuracy on the real
images (the ceiling of label survival).
"""

from pathlib import Path

import numpy as np

from gan_keras.metrics.mnist import _features_and_probabilities, digit_classifier, load_digit_classifier, load_mnist_classifier
from gan_keras.metrics.scores import frechet_feature_distance
from gan_keras.pixels import check_model_range, resize_bilinear

__all__ = [
    "MNISTM_CLASSIFIER_WEIGHTS",
    "domain_a_as_mnist",
    "load_mnistm_classifier",
    "mnistm_classifier",
    "translation_metrics",
]

MNISTM_SHAPE = (32, 32, 3)
MNISTM_CLASSIFIER_WEIGHTS = Path(__file__).resolve().parent.parent / "assets" / "mnistm_classifier.weights.h5"


def mnistm_classifier():
    """The classifier of MNIST-M-style digits: 32x32x3 in [-1, 1] -> 10
    probabilities; `mnist_classifier`'s network (a "features" layer of 128)."""
    return digit_classifier(MNISTM_SHAPE, name="mnistm_classifier")


def load_mnistm_classifier(weights_path=MNISTM_CLASSIFIER_WEIGHTS):
    """The trained MNIST-M-style classifier, as a model with two outputs: (features, probabilities)."""
    return load_digit_classifier(mnistm_classifier(), weights_path, "scripts/train_mnistm_classifier.py")


def domain_a_as_mnist(images):
    """`mnist_mnistm` domain-A images (N, 32, 32, 3) in [-1, 1] as MNIST
    digits (N, 28, 28, 1): the mean of the three channels, resized back to 28."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != MNISTM_SHAPE:
        raise ValueError(f"Expected images of shape (N, 32, 32, 3). Received an array of shape {images.shape}.")
    grey = images.astype("float32").mean(axis=-1, keepdims=True)
    return np.clip(resize_bilinear(grey, (28, 28)), -1.0, 1.0).astype("float32")


def translation_metrics(model, images_a, labels_a, images_b, labels_b, mnist_classifier=None,
                        mnistm_classifier=None):
    """Label survival, cycle error and Fréchet distance of a `mnist_mnistm` translation model.

    Args:
        model: has `translate(images, to="a" | "b")` (a `CycleGAN`).
        images_a, labels_a: held-out domain-A images (float32 in [-1, 1]) and their digits.
        images_b, labels_b: the same for domain B (different digits: the domains are unpaired).
        mnist_classifier, mnistm_classifier: the loaded classifiers (default: the shipped ones).

    Returns:
        dict of floats: `label_survival_a_to_b`, `label_survival_b_to_a`,
        `cycle_error_a`, `cycle_error_b`, `frechet_distance_a_to_b`,
        `frechet_distance_b_to_a`, and `real_accuracy_a`, `real_accuracy_b`
        (each classifier on the real images of its domain: the ceiling).
    """
    for name, images in (("images_a", images_a), ("images_b", images_b)):
        check_model_range(images, name)
    labels_a, labels_b = np.asarray(labels_a), np.asarray(labels_b)
    if labels_a.shape != (len(images_a),) or labels_b.shape != (len(images_b),):
        raise ValueError(f"Expected one label per image: {len(images_a)} and {len(images_b)}. "
                         f"Received labels of shapes {labels_a.shape} and {labels_b.shape}.")
    mnist_classifier = mnist_classifier or load_mnist_classifier()
    mnistm_classifier = mnistm_classifier or load_mnistm_classifier()
    fake_b = model.translate(images_a, to="b")
    fake_a = model.translate(images_b, to="a")
    cycled_a, cycled_b = model.translate(fake_b, to="a"), model.translate(fake_a, to="b")

    real_a_features, real_a_probabilities = _features_and_probabilities(
        mnist_classifier, domain_a_as_mnist(images_a), what="images_a")
    fake_a_features, fake_a_probabilities = _features_and_probabilities(
        mnist_classifier, domain_a_as_mnist(fake_a), what="the B -> A translations")
    real_b_features, real_b_probabilities = _features_and_probabilities(
        mnistm_classifier, images_b, what="images_b", image_shape=MNISTM_SHAPE)
    fake_b_features, fake_b_probabilities = _features_and_probabilities(
        mnistm_classifier, fake_b, what="the A -> B translations", image_shape=MNISTM_SHAPE)

    def accuracy(probabilities, labels):
        return float(np.mean(probabilities.argmax(axis=1) == labels))

    return {
        "num_images_a": len(images_a),
        "num_images_b": len(images_b),
        "label_survival_a_to_b": accuracy(fake_b_probabilities, labels_a),
        "label_survival_b_to_a": accuracy(fake_a_probabilities, labels_b),
        "cycle_error_a": float(np.mean(np.abs(cycled_a - np.asarray(images_a, "float32")))),
        "cycle_error_b": float(np.mean(np.abs(cycled_b - np.asarray(images_b, "float32")))),
        "frechet_distance_a_to_b": frechet_feature_distance(real_b_features, fake_b_features),
        "frechet_distance_b_to_a": frechet_feature_distance(real_a_features, fake_a_features),
        "real_accuracy_a": accuracy(real_a_probabilities, labels_a),
        "real_accuracy_b": accuracy(real_b_probabilities, labels_b),
    }
