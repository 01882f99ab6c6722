"""DCGAN: Radford, Metz & Chintala 2016, "Unsupervised Representation Learning
with Deep Convolutional Generative Adversarial Networks".

Course section 5. DCGAN is not a new game: it is the `GAN` of section 1 with
networks built by the paper's rules (its section 3), which made convolutional
GANs train reliably:

1. no pooling: the discriminator downsamples with stride-2 convolutions, the
   generator upsamples with stride-2 transposed convolutions;
2. no fully connected hidden layers: G's first layer projects z to a small
   stack of feature maps (a matrix multiplication, then reshape), and D's last
   convolution is flattened into one output logit;
3. BatchNorm in both networks, except on G's output and D's input layer;
4. ReLU in G with tanh on the output; LeakyReLU (slope 0.2) in D;
5. Adam with learning rate 2e-4 and beta_1 = 0.5 (`GAN.compile`'s default),
   and every weight initialised from N(0, 0.02).

`dcgan_generator` and `dcgan_discriminator` follow these rules at any image
size whose side halves down to 4-7 pixels: 64x64x3 (the paper's faces and
bedrooms: 4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3, its
Figure 1) and 28x28x1 (MNIST: 7x7x128 -> 14x14x64 -> 28x28x1).
"""

import keras
from keras import layers

from gan_keras._checks import check_positive_int
from gan_keras.layers import (
    DropReferenceBatch,
    MinibatchDiscrimination,
    PrependReferenceBatch,
    VirtualBatchNormalization,
)
from gan_keras.models._common import MNIST_SHAPE, check_image_shape

__all__ = ["dcgan_discriminator", "dcgan_generator", "dcgan_initializer", "dcgan_stages"]

# Rule 3's BatchNorm settings, those of the paper's reference implementations.
BATCHNORM_MOMENTUM = 0.9
BATCHNORM_EPSILON = 1e-5
# The paper's generator for 64x64 images ends with 128 feature maps (Figure 1);
# for smaller images half as many keep a CPU lesson fast.
PAPER_BASE_FILTERS = 128
SMALL_IMAGE_BASE_FILTERS = 64


def dcgan_initializer():
    """Rule 5: weights drawn from a zero-centred normal with standard deviation 0.02.

    Unseeded, so that every layer draws its own values; seed the whole
    construction with `keras.utils.set_random_seed` to repeat it."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def dcgan_stages(image_shape):
    """How many stride-2 layers the networks use for `image_shape`, and the
    side of the smallest feature map: halve while the side is even and its
    half is at least 4 (64 -> 4 in 4 stages, 28 -> 7 in 2, 32 -> 4 in 3)."""
    height, width, _ = check_image_shape(image_shape)
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and height // 2 >= 4 and width // 2 >= 4:
        height, width, stages = height // 2, width // 2, stages + 1
    if stages == 0:
        raise ValueError(
            "DCGAN's networks halve the image side with stride-2 layers, so height and width must be "
            f"even and at least 8. Received: image_shape={tuple(image_shape)}"
        )
    return stages, (height, width)


def _base_filters(image_shape, base_filters):
    if base_filters is None:
        return PAPER_BASE_FILTERS if image_shape[0] >= 64 else SMALL_IMAGE_BASE_FILTERS
    check_positive_int("base_filters", base_filters)
    return base_filters


NORMALIZATIONS = ("batch", "virtual_batch")


def _batchnorm(name):
    return layers.BatchNormalization(momentum=BATCHNORM_MOMENTUM, epsilon=BATCHNORM_EPSILON, name=name)


def dcgan_generator(
    latent_dim=100,
    image_shape=MNIST_SHAPE,
    base_filters=None,
    kernel_size=5,
    normalization="batch",
    reference_size=64,
    latent_distribution="uniform",
):
    """The DCGAN generator: z -> project and reshape -> transposed convolutions -> tanh image.

    For image_shape (64, 64, 3) this is the paper's Figure 1: z (100) ->
    4x4x1024 -> 8x8x512 -> 16x16x256 -> 32x32x128 -> 64x64x3. Every hidden
    layer is followed by BatchNorm and ReLU; the output layer has neither
    BatchNorm nor bias-free weights, only tanh. Hidden layers have no bias
    (BatchNorm's beta replaces it).

    Args:
        latent_dim: size of z (100 in the paper, drawn from N(0, I) here;
            the paper drew it uniformly, which `GAN` does not).
        image_shape: (height, width, channels) of the images made.
        base_filters: feature maps of the last hidden layer; each layer
            before it has twice as many. None: 128 for images of 64 pixels
            or more (the paper), 64 below.
        kernel_size: side of every transposed-convolution kernel (5).
        normalization: "batch" (DCGAN) or "virtual_batch" (Salimans et
            al. 2016: every example normalised with a fixed reference batch's
            statistics; `gan_keras.layers.VirtualBatchNormalization`).
        reference_size: size of the reference batch for "virtual_batch".
        latent_distribution: the GAN's prior ("uniform" or "normal"); for
            "virtual_batch" only, where the reference latents are drawn from it.
    """
    check_positive_int("latent_dim", latent_dim)
    image_shape = check_image_shape(image_shape)
    stages, (height, width) = dcgan_stages(image_shape)
    base_filters = _base_filters(image_shape, base_filters)
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"Invalid value for argument `normalization`. Expected one of {NORMALIZATIONS}. "
                         f"Received: normalization={normalization!r}")
    virtual = normalization == "virtual_batch"
    if virtual:
        check_positive_int("reference_size", reference_size)

    def normalize(name):
        if virtual:
            return VirtualBatchNormalization(reference_size, epsilon=BATCHNORM_EPSILON, name=f"{name}_virtual")
        return _batchnorm(name)

    initializer = dcgan_initializer()
    filters = base_filters * 2 ** (stages - 1)

    model = keras.Sequential(name="dcgan_generator")
    model.add(keras.Input(shape=(latent_dim,), name="z"))
    if virtual:
        model.add(PrependReferenceBatch(reference_size, latent_distribution, name="prepend_reference_batch"))
    model.add(layers.Dense(height * width * filters, use_bias=False, kernel_initializer=initializer, name="project"))
    model.add(layers.Reshape((height, width, filters), name="reshape"))
    model.add(normalize("project_batchnorm"))
    model.add(layers.ReLU(name="project_relu"))
    for stage in range(1, stages):
        filters //= 2
        model.add(
            layers.Conv2DTranspose(
                filters, kernel_size, strides=2, padding="same", use_bias=False, kernel_initializer=initializer,
                name=f"upsample{stage}",
            )
        )
        model.add(normalize(f"upsample{stage}_batchnorm"))
        model.add(layers.ReLU(name=f"upsample{stage}_relu"))
    model.add(
        layers.Conv2DTranspose(
            image_shape[-1], kernel_size, strides=2, padding="same", activation="tanh",
            kernel_initializer=initializer, name="to_image",
        )
    )
    if virtual:
        model.add(DropReferenceBatch(reference_size, name="drop_reference_batch"))
    return model


def dcgan_discriminator(
    image_shape=MNIST_SHAPE, base_filters=64, kernel_size=5, leak=0.2, minibatch_discrimination=False,
    normalization="batch",
):
    """The DCGAN discriminator: stride-2 convolutions -> flatten -> one logit.

    For (64, 64, 3): 32x32x64 -> 16x16x128 -> 8x8x256 -> 4x4x512 -> logit;
    for (28, 28, 1): 14x14x64 -> 7x7x128 -> logit. LeakyReLU(0.2) after every
    convolution; BatchNorm after all but the first (rule 3: not on the input
    layer). The output is linear: a logit, as `GAN`'s losses expect.

    Args:
        image_shape: (height, width, channels) of the images judged.
        base_filters: feature maps of the first convolution, doubled at each
            later one (64, as in the paper's reference code).
        kernel_size: side of every convolution kernel (5).
        leak: LeakyReLU slope for negative inputs (0.2).
        minibatch_discrimination: False, True, or (num_kernels, kernel_dim):
            put a `gan_keras.layers.MinibatchDiscrimination` layer between
            the flattened features and the logit (Salimans et al. 2016; True
            is their (100, 5)).
        normalization: "batch" (DCGAN's BatchNorm), "layer" (LayerNorm over
            each image's feature maps) or None. A critic trained with a
            gradient penalty must not use BatchNorm, which makes each
            image's output depend on the rest of the batch (Gulrajani et al.
            2017, section 4): WGAN-GP uses None (or "layer").
    """
    if normalization not in ("batch", "layer", None):
        raise ValueError(
            "Invalid value for argument `normalization`. Expected 'batch', 'layer' or None. "
            f"Received: normalization={normalization!r}"
        )
    image_shape = check_image_shape(image_shape)
    stages, _ = dcgan_stages(image_shape)
    check_positive_int("base_filters", base_filters)
    initializer = dcgan_initializer()

    model = keras.Sequential(name="dcgan_discriminator")
    model.add(keras.Input(shape=image_shape, name="image"))
    for stage in range(stages):
        model.add(
            layers.Conv2D(
                base_filters * 2**stage, kernel_size, strides=2, padding="same", use_bias=stage == 0 or normalization is None,
                kernel_initializer=initializer, name=f"downsample{stage}",
            )
        )
        if stage > 0 and normalization == "batch":
            model.add(_batchnorm(f"downsample{stage}_batchnorm"))
        elif stage > 0 and normalization == "layer":
            model.add(layers.LayerNormalization(axis=[1, 2, 3], name=f"downsample{stage}_layernorm"))
        model.add(layers.LeakyReLU(negative_slope=leak, name=f"downsample{stage}_leaky_relu"))
    model.add(layers.Flatten(name="flatten"))
    if minibatch_discrimination:
        sizes = (100, 5) if minibatch_discrimination is True else tuple(minibatch_discrimination)
        model.add(MinibatchDiscrimination(*sizes, name="minibatch_discrimination"))
    model.add(layers.Dense(1, kernel_initializer=initializer, name="logit"))
    return model
