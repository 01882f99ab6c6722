"""Sample-quality metrics of RGB images through InceptionV3 (Szegedy et al. 2016).

`evaluate_rgb_samples` gives the Inception score, FID and KID of images such
as CIFAR-10 or CelebA through Keras's InceptionV3 with its ImageNet weights:
the 2048 features of its global average pooling ("pool3") and its 1000
softmax probabilities. The weights (about 92 MB) are downloaded once and
cached by Keras in `~/.keras/models/`; offline, without that file,
`InceptionWeightsUnavailableError` says so at once. The published FID and
Inception scores used the 2015 TensorFlow graph of Inception (1008 classes),
so these values are close to the published ones but not identical: compare
them with values computed by this module.
"""

import os
import tempfile
from pathlib import Path

import numpy as np

from gan_keras._checks import check_positive_int
from gan_keras.metrics.scores import (
    _check_splits,
    frechet_feature_distance,
    inception_score,
    kernel_inception_distance,
)

__all__ = [
    "INCEPTION_IMAGE_SIZE",
    "INCEPTION_WEIGHTS_FILE",
    "INCEPTION_WEIGHTS_URL",
    "InceptionWeightsUnavailableError",
    "evaluate_rgb_samples",
    "inception_feature_extractor",
    "inception_features",
]

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
            f"[0, 255] images with `gan_keras.pixels.to_model_range`). Received values in "
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
