"""How good are the samples? Metrics that compare generated images with real ones.

Four modules, by job:

* `scores`: the maths, as plain functions of NumPy arrays (class
  probabilities or features): `classifier_score` and `inception_score`,
  `frechet_distance`, `kernel_inception_distance`, `precision_recall`,
  `mode_coverage`, `matched_category_error`, `toy_mode_coverage`,
  `ring_mode_coverage`.
* `mnist`: the small digit classifier shipped with the package
  and the MNIST evaluations built on it (`evaluate_mnist_samples`,
  `conditional_accuracy`, `control_metrics`); they work offline.
* `translation`: whether a translation keeps the digit (CycleGAN on
  `mnist_mnistm`): `translation_metrics`, with a classifier of the
  MNIST-M-style digits shipped beside the MNIST one.
* `inception`: Inception score, FID and KID of RGB images through
  InceptionV3 with its ImageNet weights (`evaluate_rgb_samples`).

Every public name is importable from here (`from gan_keras.metrics import
evaluate_mnist_samples`). None of them needs TensorFlow: the networks are
Keras models and run on any Keras backend.

These numbers depend on the number of samples: compare values computed with
the same N, and report the real data's own value at that N as the ceiling.
"""

from gan_keras.metrics.inception import (
    INCEPTION_IMAGE_SIZE,
    INCEPTION_WEIGHTS_FILE,
    INCEPTION_WEIGHTS_URL,
    InceptionWeightsUnavailableError,
    evaluate_rgb_samples,
    inception_feature_extractor,
    inception_features,
)
from gan_keras.metrics.mnist import (
    MNIST_CLASSIFIER_WEIGHTS,
    conditional_accuracy,
    control_metrics,
    digit_classifier,
    evaluate_mnist_samples,
    load_mnist_classifier,
    mnist_classifier,
)
from gan_keras.metrics.translation import (
    MNISTM_CLASSIFIER_WEIGHTS,
    domain_a_as_mnist,
    load_mnistm_classifier,
    mnistm_classifier,
    translation_metrics,
)
from gan_keras.metrics.scores import (
    classifier_score,
    feature_statistics,
    frechet_distance,
    frechet_feature_distance,
    inception_score,
    kernel_inception_distance,
    matched_category_error,
    mode_coverage,
    precision_recall,
    ring_mode_coverage,
    toy_mode_coverage,
)

__all__ = [
    "INCEPTION_IMAGE_SIZE",
    "INCEPTION_WEIGHTS_FILE",
    "INCEPTION_WEIGHTS_URL",
    "InceptionWeightsUnavailableError",
    "MNIST_CLASSIFIER_WEIGHTS",
    "MNISTM_CLASSIFIER_WEIGHTS",
    "conditional_accuracy",
    "control_metrics",
    "digit_classifier",
    "domain_a_as_mnist",
    "load_mnistm_classifier",
    "mnistm_classifier",
    "translation_metrics",
    "evaluate_mnist_samples",
    "evaluate_rgb_samples",
    "matched_category_error",
    "inception_feature_extractor",
    "inception_features",
    "load_mnist_classifier",
    "mnist_classifier",
    "classifier_score",
    "feature_statistics",
    "frechet_distance",
    "frechet_feature_distance",
    "inception_score",
    "kernel_inception_distance",
    "mode_coverage",
    "precision_recall",
    "ring_mode_coverage",
    "toy_mode_coverage",
]
