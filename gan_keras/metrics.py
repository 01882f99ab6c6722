"""How good are the samples? Metrics that compare generated images with real ones.

The maths, as plain functions of NumPy arrays (probabilities or features):

* `classifier_score`: exp(E_x KL(p(y|x) || p(y))), the Inception score
  (Salimans et al. 2016) computed with any classifier; 1 (useless) to the
  number of classes (every sample confidently one class, all classes equally
  often). `inception_score` follows the paper's protocol: the mean and
  standard deviation of `classifier_score` over 10 splits of the samples.
* `frechet_distance`: the Fréchet distance between two Gaussians fitted to
  two sets of features, ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))
  (Heusel et al. 2017, FID), in float64 with unbiased covariances and a
  symmetric, stable matrix square root.
* `kernel_inception_distance`: the unbiased squared maximum mean discrepancy
  between two sets of features with the cubic polynomial kernel
  k(x, y) = (x.y / d + 1)^3, averaged over random subsets (Bińkowski et al.
  2018, KID). Unlike the Fréchet distance it has no bias from the number of
  samples: its expected value is the same for any N, and 0 when both sets
  come from the same distribution.
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

For RGB images (CIFAR-10, CelebA, ...) `evaluate_rgb_samples` gives the
Inception score, FID and KID through Keras's InceptionV3 (Szegedy et al. 2016)
with its ImageNet weights: the 2048 features of its global average pooling
("pool3") and its 1000 softmax probabilities. The weights (about 92 MB) are
downloaded once and cached by Keras in `~/.keras/models/`; offline, without
that file, `InceptionWeightsUnavailableError` says so at once. The published
FID and Inception scores used the 2015 TensorFlow graph of Inception (1008
classes), so these values are close to the published ones but not identical:
compare them with values computed by this module.

These numbers depend on the number of samples: compare values computed with
the same N, and report the real data's own value at that N as the ceiling.
"""

import os
import tempfile
from pathlib import Path

import numpy as np

from gan_keras._checks import check_positive_int

__all__ = [
    "INCEPTION_IMAGE_SIZE",
    "INCEPTION_WEIGHTS_FILE",
    "INCEPTION_WEIGHTS_URL",
    "InceptionWeightsUnavailableError",
    "MNIST_CLASSIFIER_WEIGHTS",
    "conditional_accuracy",
    "control_metrics",
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


def _check_splits(splits, num_samples):
    check_positive_int("splits", splits)
    if splits > num_samples:
        raise ValueError(
            f"Invalid value for argument `splits`. Expected at most one split per sample "
            f"({num_samples} samples). Received: splits={splits}"
        )


def inception_score(probabilities, splits=10):
    """The Inception score as Salimans et al. 2016 report it: mean and std over splits.

    The samples are cut into `splits` consecutive parts of (nearly) equal size,
    `classifier_score` is computed on each part, and the mean and (population)
    standard deviation of those scores are returned. The paper uses 10 splits
    of 5,000 samples each (50,000 in all).

    Args:
        probabilities: (N, C) class probabilities of N samples, N >= splits.
        splits: number of parts.

    Returns:
        (mean, std), two floats.
    """
    probabilities = _as_probabilities(probabilities)
    _check_splits(splits, len(probabilities))
    scores = [classifier_score(part) for part in np.array_split(probabilities, splits)]
    return float(np.mean(scores)), float(np.std(scores))


def _as_features(features, name):
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(
            f"Expected `{name}` of shape (num_samples >= 2, num_features). "
            f"Received shape {features.shape}."
        )
    return features


def _as_feature_pair(features_a, features_b):
    features_a = _as_features(features_a, "features_a")
    features_b = _as_features(features_b, "features_b")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            "Expected `features_a` and `features_b` with the same number of features. "
            f"Received shapes {features_a.shape} and {features_b.shape}."
        )
    return features_a, features_b


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
    """Fréchet distance between Gaussians fitted to two (N, D) feature sets.

    When both sets have fewer samples than features (say 1,000 images and
    2,048 Inception features), the covariances are singular and their D x D
    eigendecompositions slow (about 20 s for D = 2048 on two CPU cores). The same value
    then comes from the samples: with centred features X_a and X_b, the
    nonzero eigenvalues of S_a S_b are the squared singular values of
    C = X_a X_b^T / sqrt((N_a - 1)(N_b - 1)), so Tr((S_a S_b)^(1/2)) is the sum
    of the singular values of the N_a x N_b matrix C.
    """
    features_a, features_b = _as_feature_pair(features_a, features_b)
    if max(len(features_a), len(features_b)) >= features_a.shape[1]:
        return frechet_distance(*feature_statistics(features_a), *feature_statistics(features_b))
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    centred_a, centred_b = features_a - mean_a, features_b - mean_b
    degrees_a, degrees_b = len(features_a) - 1, len(features_b) - 1  # unbiased covariances
    cross = centred_a @ centred_b.T / np.sqrt(degrees_a * degrees_b)
    trace_sqrt = np.sum(np.linalg.svd(cross, compute_uv=False))
    distance = (
        np.sum((mean_a - mean_b) ** 2)
        + np.sum(centred_a**2) / degrees_a
        + np.sum(centred_b**2) / degrees_b
        - 2 * trace_sqrt
    )
    return float(max(distance, 0.0))


def _polynomial_kernel(features_a, features_b):
    """The cubic polynomial kernel of KID: (a.b / d + 1)^3 for every pair of rows."""
    return (features_a @ features_b.T / features_a.shape[1] + 1.0) ** 3


def _unbiased_mmd_squared(features_a, features_b):
    """Unbiased estimate of MMD^2 (Gretton et al. 2012) with the polynomial kernel.

    ``mean_{i != j} k(a_i, a_j) + mean_{i != j} k(b_i, b_j) - 2 mean_{i, j} k(a_i, b_j)``:
    the diagonals k(a_i, a_i) are left out, which removes the bias (and can
    make the estimate slightly negative when both sets are alike).
    """
    m, n = len(features_a), len(features_b)
    kernel_aa = _polynomial_kernel(features_a, features_a)
    kernel_bb = _polynomial_kernel(features_b, features_b)
    kernel_ab = _polynomial_kernel(features_a, features_b)
    return (
        (kernel_aa.sum() - np.trace(kernel_aa)) / (m * (m - 1))
        + (kernel_bb.sum() - np.trace(kernel_bb)) / (n * (n - 1))
        - 2 * kernel_ab.mean()
    )


def kernel_inception_distance(features_a, features_b, num_subsets=100, subset_size=1000, seed=0):
    """Kernel Inception distance (Bińkowski et al. 2018) between two feature sets.

    For each of `num_subsets` subsets, `subset_size` rows are drawn without
    replacement from each set and the unbiased MMD^2 with the kernel
    k(x, y) = (x.y / d + 1)^3 (d: the number of features) is computed; the
    subsets' mean is the KID. These are the paper's defaults (100 subsets of
    1,000). Written for Inception features, it works with any features.

    Args:
        features_a, features_b: (N_a, D) and (N_b, D) features, N >= 2.
        num_subsets: number of random subsets.
        subset_size: rows per subset, clipped to min(N_a, N_b). When it equals
            both set sizes every subset is the whole set and the result does
            not depend on `seed`.
        seed: seed of the subset draws.

    Returns:
        (mean, std) of the subsets' MMD^2 values, two floats. The mean can be
        slightly negative for two samples of the same distribution.
    """
    features_a, features_b = _as_feature_pair(features_a, features_b)
    check_positive_int("num_subsets", num_subsets)
    check_positive_int("subset_size", subset_size)
    if subset_size < 2:
        raise ValueError(
            f"Invalid value for argument `subset_size`. Expected at least 2 (the unbiased "
            f"estimate leaves each sample's kernel with itself out). Received: subset_size={subset_size}"
        )
    subset_size = min(subset_size, len(features_a), len(features_b))
    rng = np.random.default_rng(seed)
    values = [
        _unbiased_mmd_squared(
            features_a[rng.choice(len(features_a), subset_size, replace=False)],
            features_b[rng.choice(len(features_b), subset_size, replace=False)],
        )
        for _ in range(num_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


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


def matched_category_error(categories, labels):
    """The error of an unsupervised categorical code used as a classifier
    (InfoGAN's MNIST metric, Chen et al. 2016, section 7.2).

    Each category is matched to one class so that the most images agree (the
    Hungarian algorithm on the category x class counts: a one-to-one matching,
    stricter than letting several categories vote for the same digit); the
    error is the share of images whose category's class is not their label.

    Args:
        categories: (N,) ints, the category each image was put in.
        labels: (N,) ints, the true classes.

    Returns:
        dict: `error`, and `mapping` {category: class}.
    """
    from scipy.optimize import linear_sum_assignment

    categories, labels = np.asarray(categories), np.asarray(labels)
    if categories.shape != labels.shape or categories.ndim != 1:
        raise ValueError(f"Expected two int arrays of the same shape (N,). Received: {categories.shape} and "
                         f"{labels.shape}")
    category_values, category_index = np.unique(categories, return_inverse=True)
    label_values, label_index = np.unique(labels, return_inverse=True)
    counts = np.zeros((len(category_values), len(label_values)), "int64")
    np.add.at(counts, (category_index, label_index), 1)
    rows, columns = linear_sum_assignment(counts, maximize=True)
    return {
        "error": float(1.0 - counts[rows, columns].sum() / len(labels)),
        "mapping": {int(category_values[r]): int(label_values[c]) for r, c in zip(rows, columns)},
    }


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


# --------------------------------------------------------------------------- #
# RGB images through InceptionV3
# --------------------------------------------------------------------------- #
INCEPTION_WEIGHTS_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
# The file `keras.applications.InceptionV3(weights="imagenet")` downloads, and its MD5.
INCEPTION_WEIGHTS_URL = (
    f"https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/{INCEPTION_WEIGHTS_FILE}"
)
_INCEPTION_WEIGHTS_MD5 = "9a0d58056eeedaa3f26cb7ebd46da564"
INCEPTION_IMAGE_SIZE = 299
# Generated images may overshoot [-1, 1] by float rounding; more means another range.
_RANGE_TOLERANCE = 1e-3


class InceptionWeightsUnavailableError(RuntimeError):
    """InceptionV3's ImageNet weights are not cached and cannot be downloaded."""


def _keras_cache_dir():
    """Where `keras.utils.get_file` keeps downloads by default.

    `$KERAS_HOME`, else `~/.keras`; `/tmp/.keras` where that is not writable.
    """
    directory = os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))
    if not os.access(directory, os.W_OK):
        directory = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(), ".keras")
    return Path(directory)


def _weights_unavailable_message(cache_dir, reason):
    return (
        f"InceptionV3's ImageNet weights ({INCEPTION_WEIGHTS_FILE}, about 92 MB) are not in "
        f"the Keras cache {cache_dir / 'models'} and could not be downloaded from "
        f"{INCEPTION_WEIGHTS_URL}: {reason}. The RGB metrics need an internet connection "
        "once; Keras then keeps the file in that cache for every later run. Offline, the "
        "MNIST metrics (`gan_keras.metrics.evaluate_mnist_samples`) work with the classifier "
        "shipped in the package, and `weights=None` builds InceptionV3 with random weights "
        "(to test code only: its numbers mean nothing)."
    )


def _imagenet_inception_weights():
    """Path of the cached ImageNet weights, downloading them if needed and possible."""
    import keras

    from gan_keras.data import is_offline

    cache_dir = _keras_cache_dir()
    if not (cache_dir / "models" / INCEPTION_WEIGHTS_FILE).exists() and is_offline():
        raise InceptionWeightsUnavailableError(
            _weights_unavailable_message(
                cache_dir,
                "gan_keras is offline (GAN_KERAS_OFFLINE=1 is set, or storage.googleapis.com "
                "did not answer within 2 seconds)",
            )
        )
    try:
        return keras.utils.get_file(
            INCEPTION_WEIGHTS_FILE,
            INCEPTION_WEIGHTS_URL,
            cache_dir=str(cache_dir),
            cache_subdir="models",
            file_hash=_INCEPTION_WEIGHTS_MD5,
        )
    except Exception as error:  # get_file raises a bare Exception on URL errors
        raise InceptionWeightsUnavailableError(
            _weights_unavailable_message(cache_dir, f"the download failed ({error})")
        ) from error


def inception_feature_extractor(weights="imagenet"):
    """InceptionV3 (Szegedy et al. 2016) as the feature extractor of the RGB metrics.

    The model takes float32 RGB images in [-1, 1] of any one size, resizes
    them to 299x299 (bilinear, as the reference FID code does) and returns two
    outputs:

    * the 2048 features of the global average pooling ("avg_pool", the
      "pool3" features of FID and KID);
    * the 1000 ImageNet class probabilities, the softmax output of the
      "predictions" layer (the Inception score needs probabilities, not logits).

    InceptionV3 expects pixels scaled to [-1, 1]
    (`keras.applications.inception_v3.preprocess_input` maps [0, 255] there),
    which is the package's own range, so images go in unchanged.

    Args:
        weights: "imagenet" (downloaded once into the Keras cache; raises
            `InceptionWeightsUnavailableError` at once when that is not
            possible), None (random weights: for testing code only, the
            numbers mean nothing), or the path of a weights file of the full
            1000-class InceptionV3.

    Returns:
        A `keras.Model`: (N, H, W, 3) images -> [(N, 2048) features, (N, 1000) probabilities].

    Example:

    ```python
    extractor = inception_feature_extractor()
    features, probabilities = extractor.predict(images, batch_size=50)
    ```
    """
    import keras
    from keras import layers

    if weights == "imagenet":
        weights = _imagenet_inception_weights()
    inception = keras.applications.InceptionV3(include_top=True, weights=weights)
    features_and_probabilities = keras.Model(
        inception.inputs,
        [inception.get_layer("avg_pool").output, inception.get_layer("predictions").output],
        name="inception_v3_pool_and_predictions",
    )
    images = keras.Input((None, None, 3), name="image")
    resized = layers.Resizing(
        INCEPTION_IMAGE_SIZE, INCEPTION_IMAGE_SIZE, interpolation="bilinear", name="resize"
    )(images)
    return keras.Model(images, features_and_probabilities(resized), name="inception_feature_extractor")


def _as_rgb_images(images, name):
    """Validated float32 (N, H, W, 3) images in [-1, 1]; grey images are tiled to RGB."""
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            f"Expected `{name}` of shape (num_images, height, width, channels) with 1 (grey) "
            f"or 3 (RGB) channels. Received shape {images.shape}."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError(f"Expected finite values in `{name}`. Received NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    if low < -1 - _RANGE_TOLERANCE or high > 1 + _RANGE_TOLERANCE:
        raise ValueError(
            f"Expected `{name}` with values in [-1, 1], the package's image range (convert "
            f"[0, 255] images with `gan_keras.data.to_model_range`). Received values in "
            f"[{low:g}, {high:g}]."
        )
    images = np.clip(images, -1.0, 1.0)
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


def inception_features(images, weights="imagenet", feature_extractor=None, batch_size=50):
    """InceptionV3 pool features and class probabilities of images in [-1, 1].

    Args:
        images: (N, H, W, 1 or 3) float images in [-1, 1], any size; grey
            images are repeated into three channels.
        weights: see `inception_feature_extractor`; unused when
            `feature_extractor` is given.
        feature_extractor: a model from `inception_feature_extractor`, to
            reuse across calls; built from `weights` when None.
        batch_size: images resized and passed through the network at a time
            (each is 299x299x3 inside it, about 1 MB).

    Returns:
        (features, probabilities): float64 arrays of shape (N, 2048) and (N, 1000).
    """
    images = _as_rgb_images(images, "images")
    check_positive_int("batch_size", batch_size)
    if feature_extractor is None:
        feature_extractor = inception_feature_extractor(weights)
    return _predict_features(feature_extractor, images, batch_size)


def _predict_features(feature_extractor, rgb_images, batch_size):
    features, probabilities = feature_extractor.predict(rgb_images, batch_size=batch_size, verbose=0)
    return features.astype("float64"), probabilities.astype("float64")


def evaluate_rgb_samples(
    generated_images,
    real_images,
    weights="imagenet",
    feature_extractor=None,
    batch_size=50,
    kid_subset_size=1000,
    kid_num_subsets=100,
    splits=10,
    seed=0,
):
    """Inception score, FID and KID of `generated_images` against `real_images`.

    * Inception score (Salimans et al. 2016): `inception_score` of the
      generated images' probabilities over `splits` splits; higher is better.
    * FID (Heusel et al. 2017): `frechet_feature_distance` of the two sets'
      2048 pool features; lower is better.
    * KID (Bińkowski et al. 2018): `kernel_inception_distance` of the same
      features; lower is better, 0 for one distribution.

    The usual protocol takes 50,000 generated images (10,000 at least for FID,
    whose bias shrinks with N); use the same number in every comparison, and
    the real data against another real set of that size as the ceiling.

    Args:
        generated_images, real_images: (N, H, W, 1 or 3) float images in
            [-1, 1] (see `inception_features`), N >= 2 and N >= splits for the
            generated set.
        weights: "imagenet" or None, see `inception_feature_extractor`;
            unused when `feature_extractor` is given.
        feature_extractor: a model from `inception_feature_extractor`, to
            reuse across evaluations.
        batch_size: images through InceptionV3 at a time.
        kid_subset_size, kid_num_subsets, seed: see `kernel_inception_distance`.
        splits: splits of the Inception score.

    Returns:
        dict: `num_samples` (generated images evaluated), `inception_score`,
        `inception_score_std`, `frechet_distance` (the FID), `kid` and
        `kid_std`; `num_samples` and `frechet_distance` mean what they mean
        in `evaluate_mnist_samples`.
    """
    # Check the images, batch size and splits before InceptionV3 is built and run
    # (minutes for 50,000 images).
    generated_images = _as_rgb_images(generated_images, "generated_images")
    real_images = _as_rgb_images(real_images, "real_images")
    check_positive_int("batch_size", batch_size)
    _check_splits(splits, len(generated_images))
    if feature_extractor is None:
        feature_extractor = inception_feature_extractor(weights)
    fake_features, fake_probabilities = _predict_features(feature_extractor, generated_images, batch_size)
    real_features, _ = _predict_features(feature_extractor, real_images, batch_size)
    score, score_std = inception_score(fake_probabilities, splits=splits)
    kid, kid_std = kernel_inception_distance(
        real_features, fake_features, num_subsets=kid_num_subsets, subset_size=kid_subset_size, seed=seed
    )
    return {
        "num_samples": len(fake_features),
        "inception_score": score,
        "inception_score_std": score_std,
        "frechet_distance": frechet_feature_distance(real_features, fake_features),
        "kid": kid,
        "kid_std": kid_std,
    }
