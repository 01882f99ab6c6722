"""How good are the samples? Metrics that compare generated images with real ones.

The maths, as plain functions of NumPy arrays (probabilities or features):

* `classifier_score`: exp(E_x KL(p(y|x) || p(y))), the Inception score
  (Salimans et al. 2016) computed with any classifier; 1 (useless) to the
  number of classes (every sample confidently one class, all classes equally
  often).
* `frechet_distance`: the Fréchet distance between two Gaussians fitted to
  two sets of features, ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))
  (Heusel et al. 2017, FID), in float64 with unbiased covariances and a
  symmetric, stable matrix square root.
* `mode_coverage`: the share of samples per predicted class, the number of
  classes present, and the share of confident predictions.
* `precision_recall`: the k-nearest-neighbour manifold precision and recall of
  Kynkäänniemi et al. 2019: precision is the share of generated samples inside
  the real manifold (quality), recall the share of real samples inside the
  generated manifold (coverage).

* `ring_mode_coverage`: for the 2-D ring of Gaussians, how many modes the
  samples cover and how many samples are of high quality (Srivastava et al.
  2017, VEEGAN).

For MNIST-like images the package ships a small digit classifier
(`load_mnist_classifier`, trained by `scripts/train_mnist_classifier.py`):
its softmax gives the class probabilities and its penultimate layer the
features, so `evaluate_mnist_samples` works offline.

These numbers depend on the number of samples: compare values computed with
the same N, and report the real data's own value at that N as the ceiling.
"""

from pathlib import Path

import numpy as np

__all__ = [
    "MNIST_CLASSIFIER_WEIGHTS",
    "evaluate_mnist_samples",
    "load_mnist_classifier",
    "mnist_classifier",
    "classifier_score",
    "feature_statistics",
    "frechet_distance",
    "frechet_feature_distance",
    "mode_coverage",
    "precision_recall",
    "ring_mode_coverage",
]


def _as_probabilities(probabilities):
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.ndim != 2 or len(probabilities) == 0:
        raise ValueError(
            "Expected class probabilities of shape (num_samples, num_classes). "
            f"Received shape {probabilities.shape}."
        )
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError(
            "Expected rows of class probabilities (non-negative, summing to 1), "
            "e.g. a softmax output, not logits."
        )
    return probabilities


def classifier_score(probabilities, eps=1e-12):
    """exp(mean over samples of KL(p(y|x) || p(y))), with p(y) the mean of p(y|x).

    Args:
        probabilities: (N, C) class probabilities of N samples.

    Returns:
        A float in [1, C].
    """
    probabilities = _as_probabilities(probabilities)
    marginal = probabilities.mean(axis=0, keepdims=True)
    kl = np.sum(probabilities * (np.log(probabilities + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(kl.mean()))


def _as_features(features, name):
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(
            f"Expected `{name}` of shape (num_samples >= 2, num_features). "
            f"Received shape {features.shape}."
        )
    return features


def feature_statistics(features):
    """Mean and unbiased covariance (divided by N - 1) of (N, D) features, in float64."""
    features = _as_features(features, "features")
    return features.mean(axis=0), np.cov(features, rowvar=False, ddof=1).reshape(
        features.shape[1], features.shape[1]
    )


def _symmetric_sqrt(matrix):
    """Square root of a symmetric positive semi-definite matrix (eigenvalues clipped at 0)."""
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def frechet_distance(mean_a, covariance_a, mean_b, covariance_b):
    """Fréchet distance between N(mean_a, covariance_a) and N(mean_b, covariance_b).

    ``||mean_a - mean_b||^2 + Tr(covariance_a + covariance_b - 2 (covariance_a covariance_b)^(1/2))``.

    The trace of the square root is computed as Tr((A^(1/2) B A^(1/2))^(1/2)),
    which equals Tr((AB)^(1/2)) but only involves symmetric matrices, so it
    never produces the complex or NaN values a general `sqrtm(A @ B)` can.
    """
    mean_a, mean_b = (np.asarray(m, dtype="float64") for m in (mean_a, mean_b))
    covariance_a, covariance_b = (np.asarray(c, dtype="float64") for c in (covariance_a, covariance_b))
    root_a = _symmetric_sqrt(covariance_a)
    cross_eigenvalues = np.linalg.eigvalsh(root_a @ covariance_b @ root_a)
    trace_sqrt = np.sum(np.sqrt(np.clip(cross_eigenvalues, 0, None)))
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(covariance_a) + np.trace(covariance_b) - 2 * trace_sqrt
    return float(max(distance, 0.0))


def frechet_feature_distance(features_a, features_b):
    """Fréchet distance between Gaussians fitted to two (N, D) feature sets."""
    return frechet_distance(*feature_statistics(features_a), *feature_statistics(features_b))


def mode_coverage(probabilities, confidence=0.9, presence=0.01):
    """Which classes the samples fall into, and how confidently.

    Args:
        probabilities: (N, C) class probabilities.
        confidence: a prediction is confident if its top probability exceeds this.
        presence: a class is present if at least this share of samples is
            predicted as it.

    Returns:
        dict with `class_shares` (list of C shares), `classes_present`,
        `largest_class_share` and `confident_share`.
    """
    probabilities = _as_probabilities(probabilities)
    shares = np.bincount(probabilities.argmax(axis=1), minlength=probabilities.shape[1]) / len(probabilities)
    return {
        "class_shares": [float(share) for share in shares],
        "classes_present": int(np.sum(shares >= presence)),
        "largest_class_share": float(shares.max()),
        "confident_share": float(np.mean(probabilities.max(axis=1) > confidence)),
    }


def _pairwise_distances(a, b):
    squared = np.sum(a**2, axis=1)[:, None] + np.sum(b**2, axis=1)[None, :] - 2 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


def _manifold_coverage(reference, queries, k, batch_size=1024):
    """Share of `queries` inside the union of k-NN balls around `reference` points."""
    distances = _pairwise_distances(reference, reference)
    # the k-th nearest neighbour, not counting the point itself (column 0 after sorting)
    radii = np.sort(distances, axis=1)[:, k]
    inside = np.zeros(len(queries), dtype=bool)
    for start in range(0, len(queries), batch_size):
        chunk = _pairwise_distances(queries[start : start + batch_size], reference)
        inside[start : start + batch_size] = np.any(chunk <= radii[None, :], axis=1)
    return float(inside.mean())


def precision_recall(real_features, fake_features, k=3):
    """Improved precision and recall (Kynkäänniemi et al. 2019), k = 3 as in the paper.

    Returns:
        (precision, recall): precision is the share of fake samples within the
        k-NN radius of some real sample; recall the share of real samples
        within the k-NN radius of some fake sample. Read them together: a set
        collapsed onto one point can sit inside the ball of a real outlier and
        score precision 1 with recall 0.
    """
    real_features = _as_features(real_features, "real_features")
    fake_features = _as_features(fake_features, "fake_features")
    for name, features in (("real_features", real_features), ("fake_features", fake_features)):
        if len(features) <= k:
            raise ValueError(f"`{name}` needs more than k={k} samples; received {len(features)}.")
    precision = _manifold_coverage(real_features, fake_features, k)
    recall = _manifold_coverage(fake_features, real_features, k)
    return precision, recall


def ring_mode_coverage(points, num_modes=8, radius=0.8, std=0.02, min_share=0.01):
    """Modes covered and high-quality share of 2-D samples of `data.gaussian_ring`.

    A sample is of high quality if it lies within 3 standard deviations of
    its nearest mode centre; a mode is covered if at least `min_share` of the
    samples are high-quality samples of that mode (Srivastava et al. 2017).

    Returns:
        dict with `modes_covered` (0 to num_modes) and `high_quality_share`.
    """
    from gan_keras.data import ring_centres

    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"Expected 2-D points of shape (N, 2). Received shape {points.shape}.")
    distances = np.linalg.norm(points[:, None, :] - ring_centres(num_modes, radius)[None], axis=2)
    good = distances.min(axis=1) <= 3 * std
    counts = np.bincount(distances.argmin(axis=1)[good], minlength=num_modes)
    return {
        "modes_covered": int(np.sum(counts >= min_share * len(points))),
        "high_quality_share": float(good.mean()),
    }



# --------------------------------------------------------------------------- #
# The shipped MNIST classifier
# --------------------------------------------------------------------------- #
MNIST_CLASSIFIER_WEIGHTS = Path(__file__).resolve().parent / "assets" / "mnist_classifier.weights.h5"


def mnist_classifier():
    """The digit classifier behind the MNIST metrics: 28x28x1 in [-1, 1] -> 10 probabilities.

    Two blocks of two 3x3 ReLU convolutions and max pooling, a third pooling,
    a 128-unit ReLU layer named "features" (the feature space of the Fréchet
    distance and of precision / recall) and a softmax. About 140,000 weights.
    """
    import keras
    from keras import layers

    images = keras.Input((28, 28, 1), name="image")
    x = images
    for filters in (32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(layers.MaxPooling2D()(x))
    features = layers.Dense(128, activation="relu", name="features")(x)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities")(layers.Dropout(0.3)(features))
    return keras.Model(images, probabilities, name="mnist_classifier")


def load_mnist_classifier(weights_path=MNIST_CLASSIFIER_WEIGHTS):
    """The trained classifier, as a model with two outputs: (features, probabilities)."""
    import keras

    weights_path = Path(weights_path)
    if not weights_path.exists():
        raise FileNotFoundError(
            f"The MNIST classifier weights are missing: {weights_path}. Train them with "
            "`python scripts/train_mnist_classifier.py`."
        )
    classifier = mnist_classifier()
    classifier.load_weights(weights_path)
    return keras.Model(
        classifier.inputs,
        [classifier.get_layer("features").output, classifier.output],
        name="mnist_classifier_features",
    )


def _features_and_probabilities(classifier, images, batch_size=500):
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(
            "The MNIST metrics take images of shape (N, 28, 28, 1) in [-1, 1]. "
            f"Received shape {images.shape}."
        )
    features, probabilities = classifier.predict(images, batch_size=batch_size, verbose=0)
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
    classifier = classifier or load_mnist_classifier()
    fake_features, fake_probabilities = _features_and_probabilities(classifier, generated_images)
    real_features, _ = _features_and_probabilities(classifier, real_images)
    precision, recall = precision_recall(real_features, fake_features, k=k)
    return {
        "num_samples": len(fake_features),
        "classifier_score": classifier_score(fake_probabilities),
        "frechet_distance": frechet_feature_distance(real_features, fake_features),
        "precision": precision,
        "recall": recall,
        **mode_coverage(fake_probabilities),
    }
