"""The maths of the sample-quality metrics, as plain functions of NumPy arrays.

Each takes what a network gives (class probabilities or features) and knows
nothing about the network:

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
* `matched_category_error`: the error of an unsupervised categorical code
  used as a classifier (InfoGAN, Chen et al. 2016).
* `toy_mode_coverage` (and `ring_mode_coverage`): for a 2-D mixture of
  Gaussians, how many modes the samples cover and how many samples are of
  high quality (Srivastava et al. 2017, VEEGAN).

These numbers depend on the number of samples: compare values computed with
the same N, and report the real data's own value at that N as the ceiling.
"""

import numpy as np

from gan_keras._checks import check_positive_int

__all__ = [
    "classifier_score",
    "feature_statistics",
    "frechet_distance",
    "frechet_feature_distance",
    "inception_score",
    "kernel_inception_distance",
    "matched_category_error",
    "mode_coverage",
    "precision_recall",
    "ring_mode_coverage",
    "toy_mode_coverage",
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


def toy_mode_coverage(points, centres, std, min_share=0.01):
    """Modes covered and high-quality share of 2-D samples of a mixture of Gaussians.

    A sample is of high quality if it lies within 3 standard deviations of
    its nearest mode centre; a mode is covered if at least `min_share` of
    all the samples are high-quality samples of that mode (Srivastava et al.
    2017, VEEGAN). For the WGAN-GP paper's data: `toy_mode_coverage(points,
    *gan_keras.data.toy_modes("gaussians25"))`.

    Args:
        points: (N, 2) samples.
        centres: (K, 2) the modes' centres.
        std: the standard deviation of each mode.

    Returns:
        dict with `modes_covered` (0 to K) and `high_quality_share`.
    """
    points = np.asarray(points, dtype="float64")
    centres = np.asarray(centres, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"Expected 2-D points of shape (N, 2). Received shape {points.shape}.")
    if centres.ndim != 2 or centres.shape[1] != 2:
        raise ValueError(f"Expected mode centres of shape (K, 2). Received shape {centres.shape}.")
    if not std > 0:
        raise ValueError(f"Expected a positive std of the modes. Received: std={std!r}")
    distances = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
    good = distances.min(axis=1) <= 3 * std
    counts = np.bincount(distances.argmin(axis=1)[good], minlength=len(centres))
    return {
        "modes_covered": int(np.sum(counts >= min_share * len(points))),
        "high_quality_share": float(good.mean()),
    }


def ring_mode_coverage(points, num_modes=8, radius=0.8, std=0.02, min_share=0.01):
    """`toy_mode_coverage` for the ring of `data.gaussian_ring`."""
    from gan_keras.data import ring_centres

    return toy_mode_coverage(points, ring_centres(num_modes, radius), std, min_share)


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
