"""The metrics' maths on cases with known answers."""

import time

import numpy as np
import pytest
import scipy.linalg

from gan_keras import metrics
from gan_keras.metrics import inception


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


def test_inception_score_is_the_mean_and_std_over_splits():
    two_even_classes = np.eye(2)[[0, 1, 0, 1]]  # score 2
    one_class = np.eye(2)[[0, 0, 0, 0]]  # score 1
    probabilities = np.concatenate([two_even_classes, one_class])
    assert metrics.inception_score(probabilities, splits=2) == pytest.approx((1.5, 0.5))
    assert metrics.inception_score(probabilities, splits=1)[0] == pytest.approx(
        metrics.classifier_score(probabilities)
    )


def test_inception_score_needs_a_sample_per_split():
    with pytest.raises(ValueError, match=r"at most one split per sample \(4 samples\). Received: splits=10"):
        metrics.inception_score(np.full((4, 3), 1 / 3), splits=10)


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


def test_frechet_distance_with_fewer_samples_than_features_matches_the_covariance_route():
    # 5 and 7 samples of 10 features: computed through the samples' singular values
    rng = np.random.default_rng(5)
    features_a, features_b = rng.normal(size=(5, 10)), 2 * rng.normal(size=(7, 10)) + 1
    statistics_a, statistics_b = metrics.feature_statistics(features_a), metrics.feature_statistics(features_b)
    expected = metrics.frechet_distance(*statistics_a, *statistics_b)
    assert metrics.frechet_feature_distance(features_a, features_b) == pytest.approx(expected, rel=1e-7)
    assert metrics.frechet_feature_distance(features_a, features_a) == pytest.approx(0.0, abs=1e-9)
    assert metrics.frechet_feature_distance(features_a, features_a + 1.0) == pytest.approx(10.0)  # ||shift||^2


def test_frechet_feature_distance_refuses_different_feature_counts():
    with pytest.raises(ValueError, match=r"same number of features. Received shapes \(4, 3\) and \(4, 5\)"):
        metrics.frechet_feature_distance(np.zeros((4, 3)), np.zeros((4, 5)))


def test_feature_statistics_use_the_unbiased_covariance():
    features = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 7.0]])
    mean, covariance = metrics.feature_statistics(features)
    np.testing.assert_allclose(mean, [3.0, 5.0])
    np.testing.assert_allclose(covariance, [[4.0, 5.0], [5.0, 7.0]])  # sums of products / (3 - 1)


def test_feature_statistics_refuse_too_few_samples():
    with pytest.raises(ValueError, match=r"num_samples >= 2.*Received shape \(1, 3\)"):
        metrics.feature_statistics(np.zeros((1, 3)))


# --------------------------------------------------- kernel Inception distance -- #
def _unbiased_mmd_squared_by_loops(features_a, features_b):
    """The unbiased MMD^2 of Bińkowski et al. 2018 (eq. 4), one kernel value at a time."""

    def kernel(x, y):
        return (np.dot(x, y) / len(x) + 1) ** 3

    m, n = len(features_a), len(features_b)
    within_a = sum(kernel(features_a[i], features_a[j]) for i in range(m) for j in range(m) if i != j)
    within_b = sum(kernel(features_b[i], features_b[j]) for i in range(n) for j in range(n) if i != j)
    across = sum(kernel(a, b) for a in features_a for b in features_b)
    return within_a / (m * (m - 1)) + within_b / (n * (n - 1)) - 2 * across / (m * n)


def test_kid_by_hand_in_one_dimension():
    # k(x, y) = (xy + 1)^3: within {0, 1}: k(0, 1) = 1; within {1, 2}: k(1, 2) = 27;
    # across: (1 + 1 + 8 + 27) / 4 = 9.25; so 1 + 27 - 2 * 9.25 = 9.5
    assert metrics.kernel_inception_distance([[0.0], [1.0]], [[1.0], [2.0]]) == (9.5, 0.0)


def test_kid_of_whole_sets_matches_the_formula_computed_with_loops():
    rng = np.random.default_rng(6)
    features_a, features_b = rng.normal(size=(6, 4)), rng.normal(0.5, 1.0, size=(6, 4))
    kid, kid_std = metrics.kernel_inception_distance(features_a, features_b, num_subsets=3, subset_size=6)
    assert kid == pytest.approx(_unbiased_mmd_squared_by_loops(features_a, features_b), rel=1e-12)
    assert kid_std == pytest.approx(0.0, abs=1e-12)  # every subset is the whole set


def test_kid_of_one_distribution_is_near_zero_and_grows_with_a_shift():
    rng = np.random.default_rng(7)
    features_a, features_b = rng.normal(size=(200, 16)), rng.normal(size=(200, 16))
    same, _ = metrics.kernel_inception_distance(features_a, features_b, num_subsets=20, subset_size=100)
    small_shift, _ = metrics.kernel_inception_distance(features_a, features_b + 0.25, num_subsets=20, subset_size=100)
    large_shift, _ = metrics.kernel_inception_distance(features_a, features_b + 1.0, num_subsets=20, subset_size=100)
    assert abs(same) < 0.05  # unbiased: can fall slightly below zero
    assert 0.1 < small_shift < large_shift


def test_kid_subsets_are_clipped_to_the_smaller_set_and_follow_the_seed():
    rng = np.random.default_rng(8)
    features_a, features_b = rng.normal(size=(10, 3)), rng.normal(size=(4, 3))
    kid, kid_std = metrics.kernel_inception_distance(features_a, features_b, num_subsets=5, seed=1)
    assert kid_std > 0  # subsets of 4 of the 10 rows differ
    assert metrics.kernel_inception_distance(features_a, features_b, num_subsets=5, seed=1) == (kid, kid_std)
    assert metrics.kernel_inception_distance(features_a, features_b, num_subsets=5, seed=2) != (kid, kid_std)


def test_kid_refuses_subsets_of_one():
    with pytest.raises(ValueError, match="Received: subset_size=1"):
        metrics.kernel_inception_distance(np.zeros((4, 2)), np.zeros((4, 2)), subset_size=1)


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


def test_toy_mode_coverage_on_constructed_points():
    from gan_keras.data import toy_modes, toy_points

    modes = toy_modes("gaussians25")
    # 100 points: 10 on each of 5 modes (10% each: covered), 2 just inside 3 std
    # of a sixth mode (2%: covered), 1 on a seventh (1%: covered), 37 in between
    on_modes = np.repeat(modes.centres[:5], 10, axis=0)
    near_sixth = modes.centres[5] + [[2.9 * modes.std, 0], [0, -2.9 * modes.std]]
    outside = np.tile(modes.centres[7] + [3.1 * modes.std, 0], (37, 1))
    points = np.concatenate([on_modes, near_sixth, modes.centres[6:7], outside, np.zeros((10, 2)) + 5])
    assert len(points) == 100
    assert metrics.toy_mode_coverage(points, *modes) == {"modes_covered": 7, "high_quality_share": 0.53}
    assert metrics.toy_mode_coverage(points, *modes, min_share=0.02)["modes_covered"] == 6
    real = metrics.toy_mode_coverage(toy_points("gaussians25", 5000), *modes)
    assert real["modes_covered"] == 25 and real["high_quality_share"] > 0.98  # 3 sigma in 2-D: 98.9%
    collapsed = np.repeat(modes.centres[:1], 5000, axis=0)
    assert metrics.toy_mode_coverage(collapsed, *modes) == {"modes_covered": 1, "high_quality_share": 1.0}
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        metrics.toy_mode_coverage(np.zeros((5, 3)), *modes)


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


def test_digits_padded_to_32x32_are_scored_on_their_central_28x28(classifier, real_test_digits):
    images, _ = real_test_digits
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)), constant_values=-1.0)  # "mnist32"
    assert metrics.evaluate_mnist_samples(padded[::2], padded[1::2], classifier=classifier) == \
        metrics.evaluate_mnist_samples(images[::2], images[1::2], classifier=classifier)


def test_mnist_metrics_refuse_other_image_shapes(classifier):
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\).*Received shape \(4, 32, 32, 3\)"):
        metrics.evaluate_mnist_samples(np.zeros((4, 32, 32, 3)), np.zeros((4, 28, 28, 1)), classifier=classifier)


def test_missing_weights_say_how_to_make_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="scripts/train_mnist_classifier.py"):
        metrics.load_mnist_classifier(tmp_path / "none.weights.h5")



# ------------------------------------------------------ RGB metrics, InceptionV3 -- #
@pytest.fixture(scope="module")
def random_inception():
    """InceptionV3 with random weights: right shapes and maths, meaningless values."""
    return metrics.inception_feature_extractor(weights=None)


def _rgb_images(num_images, size=32, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (num_images, size, size, channels)).astype("float32")


def test_inception_gives_pool_features_and_class_probabilities(random_inception):
    images = _rgb_images(4)
    features, probabilities = metrics.inception_features(images, feature_extractor=random_inception, batch_size=3)
    assert features.shape == (4, 2048) and probabilities.shape == (4, 1000)
    assert np.all(features >= 0)  # averages of ReLU outputs
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    resize = random_inception.get_layer("resize").get_config()
    assert (resize["height"], resize["width"], resize["interpolation"]) == (299, 299, "bilinear")


def test_grey_images_are_repeated_into_three_channels(random_inception):
    grey = _rgb_images(3, size=28, channels=1)
    from_grey = metrics.inception_features(grey, feature_extractor=random_inception)
    from_rgb = metrics.inception_features(np.repeat(grey, 3, axis=-1), feature_extractor=random_inception)
    for grey_output, rgb_output in zip(from_grey, from_rgb):
        np.testing.assert_allclose(grey_output, rgb_output, rtol=1e-6)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((28, 28, 3)), r"\(num_images, height, width, channels\).*Received shape \(28, 28, 3\)"),
        (np.zeros((2, 28, 28, 4)), r"1 \(grey\) or 3 \(RGB\) channels. Received shape \(2, 28, 28, 4\)"),
        (np.full((2, 8, 8, 3), 255.0), r"values in \[-1, 1\].*Received values in \[255, 255\]"),
        (np.full((2, 8, 8, 3), np.nan), "Received NaN or infinite values"),
    ],
)
def test_rgb_metrics_refuse_bad_images_before_building_inception(images, message, monkeypatch, tmp_path):
    # offline with an empty Keras cache: building InceptionV3 would raise another error
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(ValueError, match=message):
        metrics.evaluate_rgb_samples(images, _rgb_images(2), splits=1)


def test_rgb_metrics_check_the_splits_before_building_inception(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # offline with an empty cache, as above
    with pytest.raises(ValueError, match=r"\(4 samples\). Received: splits=10"):
        metrics.evaluate_rgb_samples(_rgb_images(4), _rgb_images(4))


def test_values_just_outside_the_range_are_accepted_and_clipped(random_inception):
    images = _rgb_images(2)
    images[0, 0, 0, 0] = 1.0005  # float rounding of a tanh output, say
    features, _ = metrics.inception_features(images, feature_extractor=random_inception)
    images[0, 0, 0, 0] = 1.0
    np.testing.assert_array_equal(features, metrics.inception_features(images, feature_extractor=random_inception)[0])


def test_evaluate_rgb_samples_with_random_weights_returns_every_metric():
    result = metrics.evaluate_rgb_samples(_rgb_images(6, seed=1), _rgb_images(6, seed=2), weights=None, splits=2)
    # The keys shared with evaluate_mnist_samples have the same names there.
    assert set(result) == {
        "num_samples", "inception_score", "inception_score_std", "frechet_distance", "kid", "kid_std"
    }
    assert result["num_samples"] == 6
    assert all(np.isfinite(value) for value in result.values())
    assert 1.0 <= result["inception_score"] <= 1000.0 and result["frechet_distance"] >= 0.0


def test_offline_without_cached_weights_fails_at_once_with_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))  # an empty cache
    monkeypatch.setenv("GAN_KERAS_OFFLINE", "1")
    start = time.monotonic()
    with pytest.raises(metrics.InceptionWeightsUnavailableError) as raised:
        metrics.evaluate_rgb_samples(_rgb_images(2), _rgb_images(2), splits=1)
    assert time.monotonic() - start < 2.0
    message = str(raised.value)
    assert metrics.INCEPTION_WEIGHTS_URL in message and str(tmp_path / "models") in message
    assert "internet connection" in message and "evaluate_mnist_samples" in message
    assert not (tmp_path / "models").exists()  # no download was tried


def test_a_failed_download_is_reported_with_its_cause(monkeypatch, tmp_path):
    import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("GAN_KERAS_OFFLINE", "0")  # online as far as gan_keras can tell
    failure = Exception("URL fetch failure on https://storage.googleapis.com/...: None -- timed out")

    def failing_get_file(*args, **kwargs):
        raise failure

    monkeypatch.setattr(keras.utils, "get_file", failing_get_file)
    with pytest.raises(metrics.InceptionWeightsUnavailableError, match="the download failed") as raised:
        metrics.inception_feature_extractor()
    assert raised.value.__cause__ is failure


def test_cached_weights_are_used_offline(monkeypatch, tmp_path):
    import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("GAN_KERAS_OFFLINE", "1")
    cached = tmp_path / "models" / metrics.INCEPTION_WEIGHTS_FILE
    cached.parent.mkdir()
    cached.touch()
    requests = []
    monkeypatch.setattr(keras.utils, "get_file", lambda *args, **kwargs: requests.append(kwargs) or str(cached))
    assert inception._imagenet_inception_weights() == str(cached)
    assert requests[0]["cache_dir"] == str(tmp_path) and requests[0]["file_hash"]  # Keras checks the file


def test_weights_url_is_the_one_keras_downloads():
    from keras.src.applications import inception_v3

    assert metrics.INCEPTION_WEIGHTS_URL == inception_v3.WEIGHTS_PATH


@pytest.mark.parametrize(
    "real, message",
    [
        (np.full((4, 28, 28, 1), 255, "uint8"), "received uint8 pixels. Convert them with gan_keras.data.to_model_range"),
        (np.full((4, 28, 28, 1), 255.0, "float32"), "received values from 255 to 255. Convert [0, 255] pixels"),
        (np.full((4, 28, 28, 1), np.nan, "float32"), "non-finite values"),
    ],
)
def test_evaluate_mnist_samples_refuses_images_outside_the_model_range(real, message):
    # uint8 real digits (as load_arrays returns them) used to give Fréchet 11,798,776 silently
    fake = np.zeros((4, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match="real_images") as error:
        metrics.evaluate_mnist_samples(fake, real, classifier=object())
    assert message in str(error.value) and "\n" not in str(error.value)


# ------------------------------------------- translation (CycleGAN on mnist_mnistm) -- #
def test_domain_a_images_turn_back_into_mnist_digits():
    from gan_keras.data import load_arrays, mnist_mnistm_halves, to_model_range

    digits = to_model_range(load_arrays("mnist_mnistm", "testA")[0][:20])
    as_mnist = metrics.domain_a_as_mnist(digits)
    assert as_mnist.shape == (20, 28, 28, 1) and as_mnist.dtype == np.float32
    # the MNIST digits they were made from (resized to 32 and back: close, not equal)
    mnist, labels = load_arrays("mnist", "test")
    originals = to_model_range(mnist[mnist_mnistm_halves(labels)[0][:20]])
    assert np.abs(as_mnist - originals).mean() < 0.05
    with pytest.raises(ValueError, match=r"Expected images of shape \(N, 32, 32, 3\)"):
        metrics.domain_a_as_mnist(np.zeros((2, 28, 28, 1), "float32"))


class _PairedLookup:
    """A 'translation model' that knows the pairs: each A image to the B image
    of the same digit and back, exactly (what a perfect translation would do)."""

    def __init__(self, images_a, images_b):
        self.to_b = {a.tobytes(): b for a, b in zip(images_a, images_b)}
        self.to_a = {b.tobytes(): a for a, b in zip(images_a, images_b)}

    def translate(self, images, to="b"):
        table = self.to_b if to == "b" else self.to_a
        return np.stack([table[image.tobytes()] for image in np.asarray(images, "float32")])


def test_a_perfect_translation_keeps_every_label_the_classifiers_read_and_cycles_exactly():
    from gan_keras.data import load_arrays, mnistm_blend, to_model_range

    grey, labels = load_arrays("mnist_mnistm", "testA")
    images_a, images_b = to_model_range(grey), to_model_range(mnistm_blend(grey[..., :1], seed=5))
    result = metrics.translation_metrics(_PairedLookup(images_a, images_b), images_a, labels, images_b, labels)
    assert result["num_images_a"] == result["num_images_b"] == 250
    assert result["label_survival_a_to_b"] == result["real_accuracy_b"] >= 0.9
    assert result["label_survival_b_to_a"] == result["real_accuracy_a"] >= 0.95
    assert result["cycle_error_a"] == result["cycle_error_b"] == 0.0
    assert abs(result["frechet_distance_a_to_b"]) < 1e-6 and abs(result["frechet_distance_b_to_a"]) < 1e-6
    # a translation that swaps the images of two different digits loses those labels
    shuffled = _PairedLookup(images_a, images_b[np.argsort(labels, kind="stable")[::-1]])
    swapped = metrics.translation_metrics(shuffled, images_a, labels, images_b, labels)
    assert swapped["label_survival_a_to_b"] < 0.3 and swapped["cycle_error_a"] == 0.0


def test_the_shipped_mnistm_classifier_is_small_and_reads_held_out_blends():
    from gan_keras.data import load_arrays, to_model_range

    assert metrics.MNISTM_CLASSIFIER_WEIGHTS.stat().st_size < 1_000_000
    images, labels = load_arrays("mnist_mnistm", "testB")
    features, probabilities = metrics.load_mnistm_classifier().predict(to_model_range(images), verbose=0)
    assert features.shape == (250, 128) and probabilities.shape == (250, 10)
    assert np.mean(probabilities.argmax(axis=1) == labels) >= 0.9
