"""The metrics' maths on cases with known answers."""

import numpy as np
import pytest
import scipy.linalg

from gan_keras import metrics


# ------------------------------------------------------------ classifier score -- #
def test_perfect_confident_uniform_classifier_scores_ten():
    probabilities = np.eye(10)[np.repeat(np.arange(10), 7)]
    assert metrics.classifier_score(probabilities) == pytest.approx(10.0)


def test_a_single_class_scores_one():
    probabilities = np.tile([0.0, 1.0, 0.0], (20, 1))
    assert metrics.classifier_score(probabilities) == pytest.approx(1.0)


def test_unsure_predictions_score_one():
    assert metrics.classifier_score(np.full((5, 10), 0.1)) == pytest.approx(1.0)


def test_classifier_score_by_hand():
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8]])
    marginal = probabilities.mean(axis=0)
    kl = [np.sum(p * np.log(p / marginal)) for p in probabilities]
    assert metrics.classifier_score(probabilities) == pytest.approx(np.exp(np.mean(kl)))


def test_logits_are_refused():
    with pytest.raises(ValueError, match="not logits"):
        metrics.classifier_score(np.array([[2.0, -1.0]]))


# ------------------------------------------------------------ Fréchet distance -- #
def test_frechet_distance_of_diagonal_gaussians_matches_the_closed_form():
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    variances_a, variances_b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mean_a - mean_b) ** 2) + np.sum(variances_a + variances_b - 2 * np.sqrt(variances_a * variances_b))
    value = metrics.frechet_distance(mean_a, np.diag(variances_a), mean_b, np.diag(variances_b))
    assert value == pytest.approx(expected)  # 5 + (1 + 1 + 4) = 11
    assert value == pytest.approx(11.0)


def test_frechet_distance_of_full_covariances_matches_scipy_sqrtm():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    covariance_a, covariance_b = a @ a.T + np.eye(4), b @ b.T + 0.5 * np.eye(4)
    mean_a, mean_b = rng.normal(size=4), rng.normal(size=4)
    root = scipy.linalg.sqrtm(covariance_a @ covariance_b).real
    expected = np.sum((mean_a - mean_b) ** 2) + np.trace(covariance_a + covariance_b - 2 * root)
    assert metrics.frechet_distance(mean_a, covariance_a, mean_b, covariance_b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_survives_singular_covariances():
    singular = np.diag([1.0, 0.0])  # a feature that never varies
    assert metrics.frechet_distance(np.zeros(2), singular, np.zeros(2), singular) == pytest.approx(0.0, abs=1e-9)


def test_identical_feature_sets_are_at_distance_zero():
    features = np.random.default_rng(1).normal(size=(50, 6))
    assert metrics.frechet_feature_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def test_feature_statistics_use_the_unbiased_covariance():
    features = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 7.0]])
    mean, covariance = metrics.feature_statistics(features)
    np.testing.assert_allclose(mean, [3.0, 5.0])
    np.testing.assert_allclose(covariance, [[4.0, 5.0], [5.0, 7.0]])  # sums of products / (3 - 1)


def test_feature_statistics_refuse_too_few_samples():
    with pytest.raises(ValueError, match=r"num_samples >= 2.*Received shape \(1, 3\)"):
        metrics.feature_statistics(np.zeros((1, 3)))


# ---------------------------------------------------------------- mode coverage -- #
def test_a_single_class_set_has_coverage_one():
    coverage = metrics.mode_coverage(np.tile(np.eye(10)[3], (40, 1)))
    assert coverage["classes_present"] == 1
    assert coverage["largest_class_share"] == 1.0
    assert coverage["confident_share"] == 1.0
    assert coverage["class_shares"][3] == 1.0


def test_coverage_counts_classes_and_confidence():
    probabilities = np.array([[0.95, 0.05, 0.0], [0.6, 0.4, 0.0], [0.0, 0.05, 0.95], [0.1, 0.1, 0.8]])
    coverage = metrics.mode_coverage(probabilities, confidence=0.9)
    assert coverage["class_shares"] == [0.5, 0.0, 0.5]
    assert coverage["classes_present"] == 2
    assert coverage["confident_share"] == 0.5


# ---------------------------------------------------------- precision, recall -- #
def test_identical_sets_have_precision_and_recall_one():
    features = np.random.default_rng(2).normal(size=(40, 5))
    assert metrics.precision_recall(features, features) == (1.0, 1.0)


def test_far_away_fakes_have_precision_and_recall_zero():
    real = np.random.default_rng(3).normal(size=(40, 2))
    assert metrics.precision_recall(real, real + 100.0) == (0.0, 0.0)


def test_collapsed_fakes_have_high_precision_and_low_recall():
    rng = np.random.default_rng(4)
    real = np.concatenate([rng.normal(0, 0.1, (50, 2)), rng.normal(10, 0.1, (50, 2))])  # two modes
    fake = rng.normal(0, 0.1, (100, 2))  # all in the first mode
    precision, recall = metrics.precision_recall(real, fake)
    assert precision > 0.9 and recall == pytest.approx(0.5, abs=0.06)


def test_precision_recall_by_hand_in_one_dimension():
    real = np.array([[0.0], [1.0], [2.0], [3.0]])  # k=1 radii: 1, 1, 1, 1
    fake = np.array([[0.5], [10.0]])  # k=1 radii: 9.5, 9.5
    precision, recall = metrics.precision_recall(real, fake, k=1)
    assert precision == 0.5  # 0.5 is inside, 10 is not
    assert recall == 1.0  # every real point lies within 9.5 of 0.5


def test_precision_recall_need_more_than_k_samples():
    with pytest.raises(ValueError, match="more than k=3 samples"):
        metrics.precision_recall(np.zeros((3, 2)), np.zeros((10, 2)))


# ------------------------------------------------------------------ toy ring -- #
def test_ring_coverage_counts_the_modes_hit():
    from gan_keras.data import gaussian_ring, ring_centres

    on_three_modes = np.repeat(ring_centres()[:3], 10, axis=0)
    assert metrics.ring_mode_coverage(on_three_modes) == {"modes_covered": 3, "high_quality_share": 1.0}
    assert metrics.ring_mode_coverage(np.zeros((10, 2)))["high_quality_share"] == 0.0  # the empty centre
    real = metrics.ring_mode_coverage(gaussian_ring(2000))
    assert real["modes_covered"] == 8 and real["high_quality_share"] > 0.98  # 3 sigma in 2-D: 98.9%


# ------------------------------------------------ the shipped MNIST classifier -- #
@pytest.fixture(scope="module")
def classifier():
    return metrics.load_mnist_classifier()


@pytest.fixture(scope="module")
def real_test_digits():
    from gan_keras.data import load_arrays, to_model_range

    images, labels = load_arrays("mnist", "test", offline=True)
    return to_model_range(images), labels


def test_shipped_classifier_is_small_and_recognises_held_out_digits(classifier, real_test_digits):
    images, labels = real_test_digits
    assert metrics.MNIST_CLASSIFIER_WEIGHTS.stat().st_size < 1_000_000
    features, probabilities = classifier.predict(images, verbose=0)
    assert features.shape == (500, 128) and probabilities.shape == (500, 10)
    assert np.mean(probabilities.argmax(axis=1) == labels) >= 0.98


def test_real_digits_score_near_the_ceiling(classifier, real_test_digits):
    images, _ = real_test_digits
    result = metrics.evaluate_mnist_samples(images[::2], images[1::2], classifier=classifier)
    assert result["num_samples"] == 250
    assert result["classifier_score"] > 9.0
    assert result["classes_present"] == 10
    assert result["precision"] > 0.8 and result["recall"] > 0.8


def test_noise_scores_far_below_real_digits(classifier, real_test_digits):
    images, _ = real_test_digits
    noise = np.random.default_rng(0).uniform(-1, 1, (250, 28, 28, 1)).astype("float32")
    noisy = metrics.evaluate_mnist_samples(noise, images[1::2], classifier=classifier)
    real = metrics.evaluate_mnist_samples(images[::2], images[1::2], classifier=classifier)
    assert noisy["frechet_distance"] > 10 * real["frechet_distance"]
    assert noisy["classifier_score"] < 1.5 and noisy["classes_present"] == 1
    # All noise images land on one point of feature space: nothing of the real
    # manifold is covered (recall 0), whatever the precision says.
    assert noisy["recall"] == 0.0 and real["recall"] > 0.8


def test_mnist_metrics_refuse_other_image_shapes(classifier):
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\).*Received shape \(4, 32, 32, 3\)"):
        metrics.evaluate_mnist_samples(np.zeros((4, 32, 32, 3)), np.zeros((4, 28, 28, 1)), classifier=classifier)


def test_missing_weights_say_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="scripts/train_mnist_classifier.py"):
        metrics.load_mnist_classifier(tmp_path / "none.weights.h5")
