"""ProGAN: Karras, Aila, Laine & Lehtinen 2018, "Progressive Growing of GANs
for Improved Quality, Stability, and Variation".

Course section 9. Read top to bottom:

1. the growth schedule: training starts at 4x4, and each phase doubles the
   side (4, 8, 16, 32, ...). A new phase first fades its block in, alpha
   rising linearly from 0 to 1 over `fade_steps`, then trains `stable_steps`
   more with the block fully in (the paper: 800k images each);
2. the growing networks, `ProgressiveGenerator` and
   `ProgressiveDiscriminator`. Each holds the blocks of every resolution from
   the start, so the model has the same weights (and saves the same file) at
   every phase; phase p uses blocks 0..p, and the blocks above it are frozen
   and unused. G's image at the phase's resolution is upsampled (nearest
   neighbour) to the full size, and D average-pools its input down to the
   phase's resolution, so both networks keep the full image shape at every
   phase, as in the paper's code: an image made at 8x8 meets real images
   averaged to 8x8. The paper's three other ideas live in
   `gan_keras.layers`: the equalised learning rate (every weight N(0, 1),
   scaled by He's constant at run time), pixelwise feature normalisation
   after every convolution of G, and the minibatch standard deviation before
   D's last block;
3. `ProGAN`, the `GAN` of section 1 with the WGAN-GP loss plus the drift
   term, one critic step per generator step and the paper's Adam(1e-3, 0,
   0.99). Each step computes alpha from the model's step counter (so a resumed
   run goes on with its alpha) and fades the real images between the two
   resolutions as G's output is faded. `grow_to(phase)` moves the model to a
   phase (fresh optimisers, as the paper's code resets Adam at each new
   resolution); `fit_progressively()` trains through the whole schedule, one
   `fit()` per phase.

One setting differs from the paper's code: the gradient penalty's target
norm. The critic is penalised on the full-size images at every phase (as
there), and asked for unit norm on the 4x4 images it starts from, not on the
full-size ones (see `ProGAN`, `penalty_target`): with the paper's target the
samples collapsed from 8x8 on at this course's budgets.
"""

import math

import keras
import numpy as np
from keras import ops

from gan_keras._checks import check_number, check_positive_int
from gan_keras.layers import (
    EqualizedConv2D,
    EqualizedDense,
    FadeIn,
    MinibatchStandardDeviation,
    PixelNormalization,
)
from gan_keras.models._common import check_image_shape
from gan_keras.models.gan import GAN
from gan_keras.objectives import DriftPenalty, GradientPenalty, WassersteinLoss

__all__ = [
    "ProGAN",
    "ProgressiveDiscriminator",
    "ProgressiveGenerator",
    "progan_discriminator",
    "progan_generator",
    "progan_filters",
]

FIRST_SIDE = 4  # every ProGAN starts at 4x4
LEAK = 0.2  # LeakyReLU's slope everywhere (the paper's appendix A.1)


# --------------------------------------------------------------------------- #
# 1. Sizes
# --------------------------------------------------------------------------- #
def _levels(image_shape):
    """The number of resolutions 4, 8, ..., side of `image_shape`."""
    side, width, _ = check_image_shape(image_shape)
    levels = int(round(math.log2(side / FIRST_SIDE))) + 1 if side >= FIRST_SIDE else 0
    if side != width or levels < 1 or FIRST_SIDE * 2 ** (levels - 1) != side:
        raise ValueError(
            "ProGAN grows square images from 4x4 by doubling: expected a side of 4 * 2^k (4, 8, 16, 32, 64, ...). "
            f"Received: image_shape={tuple(image_shape)} (pad MNIST to 32x32: the dataset 'mnist32')."
        )
    return levels


def progan_filters(level, filter_base=8192, max_filters=512):
    """The width of the blocks at resolution 4 * 2^level: the paper's code's
    ``min(filter_base / 2^(level + 1), max_filters)`` (512 up to 32x32 with
    its defaults, then halving with each doubling of the side: 16 at 1024)."""
    return int(min(filter_base // 2 ** (level + 1), max_filters))


def _side(level):
    return FIRST_SIDE * 2**level


# Both resamplings are a reshape and a broadcast or a mean: cheap to
# differentiate twice, as the gradient penalty does (TensorFlow's pooling and
# repeat ops made a CPU step several times slower there).
def _upsample(images, factor):
    """Nearest-neighbour upsampling by an integer factor."""
    if factor == 1:
        return images
    _, height, width, channels = images.shape
    blocks = ops.broadcast_to(images[:, :, None, :, None, :],
                              (ops.shape(images)[0], height, factor, width, factor, channels))
    return ops.reshape(blocks, (-1, height * factor, width * factor, channels))


def _downsample(images, factor):
    """Average pooling by an integer factor (the paper's downscaling)."""
    if factor == 1:
        return images
    _, height, width, channels = images.shape
    blocks = ops.reshape(images, (-1, height // factor, factor, width // factor, factor, channels))
    return ops.mean(blocks, axis=(2, 4))


def _leaky(x):
    return ops.leaky_relu(x, negative_slope=LEAK)


# --------------------------------------------------------------------------- #
# 2. The growing networks
# --------------------------------------------------------------------------- #
class _GeneratorBlock(keras.layers.Layer):
    """The paper's generator block (Table 2): upsample x2 (nearest), then two
    3x3 convolutions, each followed by LeakyReLU and pixel normalisation."""

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.first = EqualizedConv2D(filters, 3, name="conv_a")
        self.second = EqualizedConv2D(filters, 3, name="conv_b")
        self.normalize = PixelNormalization(name="pixel_norm")

    def build(self, input_shape):
        batch, height, width, _ = input_shape
        self.first.build((batch, 2 * height, 2 * width, input_shape[-1]))
        self.second.build((batch, 2 * height, 2 * width, self.first.filters))

    def call(self, x):
        x = _upsample(x, 2)
        x = self.normalize(_leaky(self.first(x)))
        return self.normalize(_leaky(self.second(x)))


class _DiscriminatorBlock(keras.layers.Layer):
    """The paper's discriminator block: two 3x3 convolutions with LeakyReLU
    (the second to the next lower resolution's width), then average pooling x2."""

    def __init__(self, filters, output_filters, **kwargs):
        super().__init__(**kwargs)
        self.first = EqualizedConv2D(filters, 3, name="conv_a")
        self.second = EqualizedConv2D(output_filters, 3, name="conv_b")

    def build(self, input_shape):
        self.first.build(input_shape)
        self.second.build((*input_shape[:-1], self.first.filters))

    def call(self, x):
        x = _leaky(self.second(_leaky(self.first(x))))
        return _downsample(x, 2)


class _Growing(keras.layers.Layer):
    """What both growing networks share: their phase, and which blocks train."""

    def __init__(self, image_shape, filter_base, max_filters, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = check_image_shape(image_shape)
        self.num_levels = _levels(self.image_shape)
        check_positive_int("filter_base", filter_base)
        check_positive_int("max_filters", max_filters)
        self.filter_base, self.max_filters = int(filter_base), int(max_filters)
        self.phase = 0  # the subclass calls set_phase once its blocks exist

    def filters(self, level):
        return progan_filters(level, self.filter_base, self.max_filters)

    def check_phase(self, phase):
        if isinstance(phase, bool) or not isinstance(phase, (int, np.integer)) or not 0 <= phase < self.num_levels:
            raise ValueError(
                f"Invalid value for argument `phase`. Expected an int in [0, {self.num_levels - 1}] "
                f"(resolutions {', '.join(f'{_side(i)}x{_side(i)}' for i in range(self.num_levels))}). "
                f"Received: phase={phase!r}"
            )
        return int(phase)

    def set_phase(self, phase):
        """Uses the blocks of levels 0..phase from now on, and the image
        converters (1x1 convolutions) of the levels the phase reads: its own
        and, for the fade, the one below. The others are frozen (not trainable)."""
        self.phase = self.check_phase(phase)
        for level, layers_of_level in enumerate(self.blocks_by_level()):
            for layer in layers_of_level:
                layer.trainable = level <= self.phase
        for level, converter in enumerate(self.image_converters()):
            converter.trainable = level in (self.phase - 1, self.phase)

    def blocks_by_level(self):
        """The layers of each level's block, lowest resolution first."""
        raise NotImplementedError

    def image_converters(self):
        """Each level's 1x1 convolution from or to images, lowest resolution first."""
        raise NotImplementedError

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": self.image_shape,
            "filter_base": self.filter_base,
            "max_filters": self.max_filters,
            "phase": self.phase,
        }


@keras.saving.register_keras_serializable(package="gan_keras")
class ProgressiveGenerator(_Growing):
    """ProGAN's generator at every resolution, used up to its current `phase`.

    z (normalised to the unit hypersphere by pixel normalisation) -> an
    equalised dense layer to 4x4 maps -> a 3x3 convolution: the 4x4 block.
    Each later block doubles the side (`_GeneratorBlock`). `to_images[i]`, a
    1x1 convolution with a linear output, turns level i's maps into an image.
    At phase p during a fade, the image is
    ``(1 - alpha) * upsample(to_images[p-1](x)) + alpha * to_images[p](block_p(x))``
    (`FadeIn`); at alpha = 1 only the new path counts. The result is upsampled
    to the full side.

    Input: (batch, latent_dim). Output: (batch, *image_shape), linear (the
    paper's generator has no tanh; images are in [-1, 1] once trained).
    """

    def __init__(self, image_shape=(32, 32, 1), filter_base=8192, max_filters=512, phase=0, **kwargs):
        super().__init__(image_shape, filter_base, max_filters, **kwargs)
        channels = self.image_shape[-1]
        self.normalize = PixelNormalization(name="pixel_norm")
        # The paper's code gives the first layer He's gain / 4 (its 4x4 output
        # has 16 times the units of an ordinary layer's pixel).
        self.project = EqualizedDense(16 * self.filters(0), gain=np.sqrt(2.0) / 4, name="project_4x4")
        self.first_conv = EqualizedConv2D(self.filters(0), 3, name="conv_4x4")
        self.blocks = [
            _GeneratorBlock(self.filters(level), name=f"block_{_side(level)}x{_side(level)}")
            for level in range(1, self.num_levels)
        ]
        self.to_images = [
            EqualizedConv2D(channels, 1, gain=1.0, name=f"to_image_{_side(level)}x{_side(level)}")
            for level in range(self.num_levels)
        ]
        self.fade = FadeIn(name="fade")
        self.set_phase(phase)

    def blocks_by_level(self):
        return [[self.project, self.first_conv], *([block] for block in self.blocks)]

    def image_converters(self):
        return self.to_images

    def build(self, latent_shape):
        self.project.build(latent_shape)
        self.first_conv.build((None, FIRST_SIDE, FIRST_SIDE, self.filters(0)))
        for level, block in enumerate(self.blocks, start=1):
            block.build((None, _side(level - 1), _side(level - 1), self.filters(level - 1)))
        for level, to_image in enumerate(self.to_images):
            to_image.build((None, _side(level), _side(level), self.filters(level)))

    def call(self, latent):
        x = self.project(self.normalize(latent))
        x = ops.reshape(x, (-1, FIRST_SIDE, FIRST_SIDE, self.filters(0)))
        x = self.normalize(_leaky(x))
        x = self.normalize(_leaky(self.first_conv(x)))
        if self.phase == 0:
            image = self.to_images[0](x)
        else:
            for block in self.blocks[: self.phase - 1]:  # the blocks below the newest
                x = block(x)
            old = _upsample(self.to_images[self.phase - 1](x), 2)
            new = self.to_images[self.phase](self.blocks[self.phase - 1](x))
            image = self.fade([old, new])
        return _upsample(image, 2 ** (self.num_levels - 1 - self.phase))

    def compute_output_shape(self, latent_shape):
        return (latent_shape[0], *self.image_shape)


@keras.saving.register_keras_serializable(package="gan_keras")
class ProgressiveDiscriminator(_Growing):
    """ProGAN's discriminator (a critic) at every resolution, used up to its current `phase`.

    The input is average-pooled to the phase's side; `from_images[i]`, a 1x1
    convolution with LeakyReLU, turns an image at level i into maps; each
    block halves the side (`_DiscriminatorBlock`) down to 4x4, where the last
    block appends the minibatch standard deviation and applies a 3x3
    convolution, a dense layer and a linear score. During a fade, the maps
    entering level p-1 are
    ``(1 - alpha) * from_images[p-1](downsample(x)) + alpha * block_p(from_images[p](x))``.

    Input: (batch, *image_shape). Output: (batch, 1), a score.
    """

    def __init__(self, image_shape=(32, 32, 1), filter_base=8192, max_filters=512, group_size=4, phase=0,
                 **kwargs):
        super().__init__(image_shape, filter_base, max_filters, **kwargs)
        self.group_size = group_size
        self.from_images = [
            EqualizedConv2D(self.filters(level), 1, name=f"from_image_{_side(level)}x{_side(level)}")
            for level in range(self.num_levels)
        ]
        self.blocks = [
            _DiscriminatorBlock(self.filters(level), self.filters(level - 1), name=f"block_{_side(level)}x{_side(level)}")
            for level in range(1, self.num_levels)
        ]
        self.minibatch_std = MinibatchStandardDeviation(group_size, name="minibatch_std")
        self.last_conv = EqualizedConv2D(self.filters(0), 3, name="conv_4x4")
        self.dense = EqualizedDense(self.filters(0), name="dense_4x4")
        self.score = EqualizedDense(1, gain=1.0, name="score")
        self.fade = FadeIn(name="fade")
        self.set_phase(phase)

    def blocks_by_level(self):
        return [[self.last_conv, self.dense, self.score], *([block] for block in self.blocks)]

    def image_converters(self):
        return self.from_images

    def build(self, images_shape):
        for level, from_image in enumerate(self.from_images):
            from_image.build((None, _side(level), _side(level), self.image_shape[-1]))
        for level, block in enumerate(self.blocks, start=1):
            block.build((None, _side(level), _side(level), self.filters(level)))
        self.last_conv.build((None, FIRST_SIDE, FIRST_SIDE, self.filters(0) + 1))
        self.dense.build((None, FIRST_SIDE * FIRST_SIDE * self.filters(0)))
        self.score.build((None, self.filters(0)))

    def call(self, images):
        images = _downsample(images, 2 ** (self.num_levels - 1 - self.phase))
        x = _leaky(self.from_images[self.phase](images))
        if self.phase > 0:
            new = self.blocks[self.phase - 1](x)
            old = _leaky(self.from_images[self.phase - 1](_downsample(images, 2)))
            x = self.fade([old, new])
            for block in reversed(self.blocks[: self.phase - 1]):
                x = block(x)
        x = self.minibatch_std(x)
        x = _leaky(self.last_conv(x))
        x = _leaky(self.dense(ops.reshape(x, (-1, FIRST_SIDE * FIRST_SIDE * self.filters(0)))))
        return self.score(x)

    def compute_output_shape(self, images_shape):
        return (images_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size}


def progan_generator(latent_dim=512, image_shape=(32, 32, 1), filter_base=8192, max_filters=512, phase=0):
    """ProGAN's generator as a model z -> image of `image_shape` (see
    `ProgressiveGenerator`). The paper: latent_dim 512, filter_base 8192,
    max_filters 512 (512 maps at every side up to 32x32)."""
    check_positive_int("latent_dim", latent_dim)
    # A Sequential builds its layers under its own name, which starts the
    # paths of their weights (each network's optimiser finds them by it).
    return keras.Sequential(
        [keras.Input((latent_dim,), name="z"),
         ProgressiveGenerator(image_shape, filter_base, max_filters, phase, name="growing_generator")],
        name="progan_generator",
    )


def progan_discriminator(image_shape=(32, 32, 1), filter_base=8192, max_filters=512, group_size=4, phase=0):
    """ProGAN's discriminator as a model image -> score (see `ProgressiveDiscriminator`)."""
    return keras.Sequential(
        [keras.Input(check_image_shape(image_shape), name="image"),
         ProgressiveDiscriminator(image_shape, filter_base, max_filters, group_size, phase,
                                  name="growing_discriminator")],
        name="progan_discriminator",
    )


def _growing_layer(network, kind):
    found = [layer for layer in network._flatten_layers(include_self=False) if isinstance(layer, kind)]
    if len(found) != 1:
        raise ValueError(
            f"ProGAN needs networks built around one {kind.__name__} (progan_generator() and "
            f"progan_discriminator()). Received: {network.name!r} with {len(found)}."
        )
    return found[0]


# --------------------------------------------------------------------------- #
# 3. The model
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class ProGAN(GAN):
    """ProGAN (Karras et al. 2018): a `GAN` whose networks grow during training.

    The loss is WGAN-GP's (`WassersteinLoss`, `GradientPenalty(10)`, one
    critic step per generator step) plus the drift term `DriftPenalty(0.001)`;
    `compile()` defaults to the paper's Adam(learning_rate=1e-3, beta_1=0,
    beta_2=0.99, epsilon=1e-8). With the minibatch standard deviation, D's
    output for one image depends on its group of 4, so the gradient penalty
    is per group rather than per image, as in the paper's code.

    The penalty's target norm gamma, on the full-size images, is 4 / side by
    default (1/8 at 32x32), where the paper's code asks for 1 (for networks
    built at a later phase, that phase's side / side). At phase p the
    critic first average-pools the image by f = side / (4 * 2^p), so its
    gradient with respect to the full-size image is f times smaller than
    with respect to the image it reads. gamma = 4 / side asks for unit norm
    on the 4x4 images where training starts, the norm its He-scaled layers
    begin near; and since a critic that pools keeps its full-size norm when
    it grows, the demand does not jump at a new phase. Measured on 32x32
    MNIST (the registry's widths, batch 64, 200 steps per fade and per
    stable stretch): with gamma = 1 the 4x4 and 8x8 critics had to reach
    norm 8 and 4 on their own inputs, which equalised layers do slowly; the
    penalty stayed near 0.6, the critic scored the fakes above the reals and
    the samples collapsed from 8x8 on (recall 0). With gamma = 4 / side the
    penalty stayed below 0.02 and the samples kept their variety (recall
    0.38 at the end of 8x8, 0.19 at 32x32). Unit norm at each phase's own
    resolution fails differently: at each growth the old critic has half the
    norm asked of it, and the penalty jumped to 0.3-0.6 with the samples
    collapsing at 16x16.

    The schedule: phase 0 trains at 4x4 for `stable_steps`; each later phase
    fades its new resolution in over `fade_steps` (alpha 0 -> 1) and then
    trains `stable_steps` at it. Networks built at a later phase start there
    with alpha 1 (e.g. `phase=3`: trained directly at 32x32, the paper's
    comparison without growing). The last phase may go on for as long as
    `fit()` is asked to. The paper uses 800k images for each (50,000 steps at
    its batch size of 16).

    The progress bar shows d_loss, g_loss, wasserstein, gradient_penalty,
    gradient_norm, drift and alpha (its value at the step).

    Args:
        generator: `progan_generator(...)`.
        discriminator: `progan_discriminator(...)` of the same image shape.
        stable_steps, fade_steps: the schedule, in steps.
        penalty_target: gamma of `GradientPenalty` on the full-size images;
            default: unit norm with respect to the images at the side
            training starts at (4 / side from phase 0; see above).
        loss, regularizers, discriminator_steps, seed: as for `GAN`
            (defaults above).

    Example:

    ```python
    progan = ProGAN(progan_generator(image_shape=(32, 32, 1), filter_base=256, max_filters=64),
                    progan_discriminator((32, 32, 1), filter_base=256, max_filters=64),
                    stable_steps=1000, fade_steps=1000, seed=0)
    progan.compile()
    progan.fit_progressively(gan_keras.data.load_batches("mnist32", batch_size=64), steps_per_epoch=500)
    progan.phase, progan.resolution  # 3, 32 (4 -> 8 -> 16 -> 32)
    ```
    """

    def __init__(self, generator, discriminator, stable_steps=50_000, fade_steps=50_000, penalty_target=None,
                 loss=None, regularizers=None, discriminator_steps=1, **kwargs):
        if penalty_target is None:  # unit norm on the images at the side training starts at
            starts_at = _growing_layer(discriminator, ProgressiveDiscriminator)
            penalty_target = _side(starts_at.phase) / starts_at.image_shape[0]
        penalty_target = check_number("penalty_target", penalty_target, "a number > 0", lambda value: value > 0)
        if regularizers is None:
            regularizers = [GradientPenalty(10.0, target=penalty_target), DriftPenalty(0.001)]
        super().__init__(generator, discriminator, loss=loss or WassersteinLoss(), regularizers=regularizers,
                         discriminator_steps=discriminator_steps, **kwargs)
        growing_generator, growing_discriminator = self.growing_networks
        if growing_generator.image_shape != growing_discriminator.image_shape:
            raise ValueError(
                f"The generator grows to {growing_generator.image_shape} but the discriminator to "
                f"{growing_discriminator.image_shape}: build both for one image shape."
            )
        if growing_generator.phase != growing_discriminator.phase:
            raise ValueError(
                f"The generator is at phase {growing_generator.phase} and the discriminator at phase "
                f"{growing_discriminator.phase}: build both at one phase."
            )
        check_positive_int("stable_steps", stable_steps)
        check_positive_int("fade_steps", fade_steps)
        self.stable_steps, self.fade_steps = int(stable_steps), int(fade_steps)
        self.penalty_target = penalty_target
        self.num_phases = growing_generator.num_levels
        # The step counter and the step at which the current phase began:
        # alpha is computed from them in every step, so it survives saving.
        self.steps_done = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False,
                                          name="steps_done")
        # Networks built at a phase above 0 start there with their top block
        # fully in (alpha 1: training directly at that resolution); only
        # grow_to() fades a block in.
        already_faded = -self.fade_steps if self.phase > 0 else 0
        self.phase_start_step = self.add_weight(shape=(), dtype="int32", trainable=False, name="phase_start_step",
                                                initializer=keras.initializers.Constant(already_faded))
        self.trackers["alpha"] = keras.metrics.Mean(name="alpha")

    @property
    def growing_networks(self):
        """(the `ProgressiveGenerator`, the `ProgressiveDiscriminator`) inside the two networks."""
        return (_growing_layer(self.generator, ProgressiveGenerator),
                _growing_layer(self.discriminator, ProgressiveDiscriminator))

    @property
    def phase(self):
        """The current phase: 0 at 4x4, `num_phases - 1` at the full resolution."""
        return self.growing_networks[0].phase

    @property
    def resolution(self):
        """The side of the images the networks work at now (4, 8, 16, ...)."""
        return _side(self.phase)

    def default_optimizers(self):
        """The paper's Adam(learning_rate=1e-3, beta_1=0, beta_2=0.99, epsilon=1e-8) for each network."""
        return {
            "d_optimizer": keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
            "g_optimizer": keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8),
        }

    # -------------------------------------------------------- schedule -- #
    def phase_starts(self):
        """The step at which each phase begins on the schedule."""
        return [0] + [self.stable_steps + (phase - 1) * (self.fade_steps + self.stable_steps)
                      for phase in range(1, self.num_phases)]

    def scheduled_steps(self):
        """The length of the whole schedule: the last phase's fade and stable steps included."""
        return self.phase_starts()[-1] + (self.fade_steps if self.num_phases > 1 else 0) + self.stable_steps

    def phase_at(self, step):
        """The phase the schedule gives for training step `step` (counted from 0)."""
        return max(phase for phase, start in enumerate(self.phase_starts()) if start <= step)

    def alpha(self):
        """alpha for the next step: the share of the fade done, from 0 to 1 (1 in phase 0)."""
        if self.phase == 0:
            return ops.convert_to_tensor(1.0)
        done = ops.cast(self.steps_done - self.phase_start_step, "float32")
        return ops.clip(done / float(self.fade_steps), 0.0, 1.0)

    def grow_to(self, phase):
        """Moves both networks to `phase` and starts its fade at alpha 0; a
        compiled model gets fresh optimisers of the same settings (the paper's
        code resets Adam at each new resolution). Nothing happens if the model
        is at `phase` already."""
        growing_generator, growing_discriminator = self.growing_networks
        phase = growing_generator.check_phase(phase)
        if phase == self.phase:
            return
        growing_generator.set_phase(phase)
        growing_discriminator.set_phase(phase)
        self.phase_start_step.assign(ops.copy(self.steps_done))  # its own buffer (JAX donates each variable's)
        for network in (growing_generator, growing_discriminator):
            network.fade.alpha.assign(0.0)
        if self.compiled:
            fresh = {name: _fresh_copy(getattr(self, name)) for name in ("d_optimizer", "g_optimizer")}
            self.compile(**fresh, **self._compile_arguments)

    def updates_done(self):
        """The step counter: each phase starts fresh optimisers, whose counts start again."""
        return int(ops.convert_to_numpy(self.steps_done))

    def generate_from(self, latent, labels=None, batch_size=256):
        """As for `GAN`, clipped to [-1, 1]: the paper's generator ends
        linear, and its code clips the images it shows in the same way."""
        return np.clip(super().generate_from(latent, labels, batch_size), -1.0, 1.0)

    # ----------------------------------------------------------- steps -- #
    def split_batch(self, data):
        """The real images as D sees them in this phase: during a fade,
        ``(1 - alpha) * the images at half the phase's side + alpha * at its side``
        (the paper's appendix A.1), brought back to the full size."""
        images, labels = super().split_batch(data)
        growing_discriminator = self.growing_networks[1]
        top = growing_discriminator.num_levels - 1
        at_phase = _upsample(_downsample(images, 2 ** (top - self.phase)), 2 ** (top - self.phase))
        if self.phase == 0:
            return at_phase, labels
        below = _upsample(_downsample(images, 2 ** (top - self.phase + 1)), 2 ** (top - self.phase + 1))
        alpha = ops.cast(growing_discriminator.fade.alpha, images.dtype)
        return below + alpha * (at_phase - below), labels

    def train_batch(self, data):
        """One step of the GAN at the current phase, with alpha from the step counter."""
        alpha = self.alpha()
        for network in self.growing_networks:
            network.fade.alpha.assign(alpha)
        super().train_batch(data)
        self.trackers["alpha"].update_state(alpha)
        self.steps_done.assign_add(1)
        return self.results()

    # -------------------------------------------------------- training -- #
    def plan_training(self, total_steps):
        """Spreads the schedule evenly over a new run of `total_steps`: every
        fade and every stable stretch gets the same number of steps, the last
        phase the rest (what `python -m gan_keras train progan --steps N` does)."""
        check_positive_int("total_steps", total_steps)
        stretches = 2 * self.num_phases - 1  # phase 0 has no fade
        self.stable_steps = self.fade_steps = max(1, total_steps // stretches)

    def training_breaks(self):
        """The steps at which the schedule starts a new phase."""
        return self.phase_starts()[1:]

    def prepare_to_train(self, step):
        """Grows the networks to the phase of `step` on the schedule."""
        self.grow_to(self.phase_at(step))

    def fit_progressively(self, batches, steps_per_epoch=None, total_steps=None, callbacks=None, verbose="auto"):
        """Trains through the schedule from where the model is: one `fit()`
        per phase (and per part of an epoch where a phase ends inside one),
        growing the networks between them.

        Args:
            batches: one epoch of training batches as
                `gan_keras.data.load_batches` gives them; epoch after epoch
                they are reshuffled from their seed (`batches_from_step`).
            steps_per_epoch: batches per epoch of the progress bar and the
                callbacks (default: one pass over `batches`).
            total_steps: where to stop (default `scheduled_steps()`).
            callbacks, verbose: as for `fit()`.

        Returns:
            a `keras.callbacks.History` of every epoch of every phase.
        """
        from gan_keras.data import batches_from_step
        from gan_keras.runs import fit_through_segments

        if steps_per_epoch is None:
            steps_per_epoch = len(batches) if isinstance(batches, keras.utils.PyDataset) else int(batches.cardinality())
        check_positive_int("steps_per_epoch", steps_per_epoch)
        if total_steps is None:
            total_steps = self.scheduled_steps()
        check_positive_int("total_steps", total_steps)
        history = keras.callbacks.History()
        history.epoch = []
        done = int(ops.convert_to_numpy(self.steps_done))
        for part in fit_through_segments(self, lambda start, num_steps: batches_from_step(batches, start, num_steps),
                                         done, total_steps, steps_per_epoch, callbacks or [], verbose=verbose):
            history.epoch += part.epoch
            for name, values in part.history.items():
                history.history.setdefault(name, []).extend(values)
        history.set_model(self)
        return history

    def get_config(self):
        return {**super().get_config(), "stable_steps": self.stable_steps, "fade_steps": self.fade_steps,
                "penalty_target": self.penalty_target}


def _fresh_copy(optimizer):
    """A new optimiser with `optimizer`'s settings and no state."""
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # compile() wraps again for mixed_float16
    return type(optimizer).from_config(optimizer.get_config())
