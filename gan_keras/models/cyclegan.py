"""CycleGAN: Zhu, Park, Isola & Efros 2017, "Unpaired Image-to-Image
Translation using Cycle-Consistent Adversarial Networks".

Course section 10. Two collections of images, domain A (say horses) and
domain B (zebras), with no pairs between them. CycleGAN learns two mappings,
G: A -> B and F: B -> A, each with its own discriminator (D_B judges B images,
real or made by G; D_A judges A images). Adversarial losses alone would let G
map every horse to any zebra at all; the *cycle-consistency* loss asks that
F(G(a)) gives back a and G(F(b)) gives back b, so each translation must keep
what the image is about. Read top to bottom:

1. the generator (the paper's appendix 7.2, after Johnson et al. 2016): a
   7x7 convolution, two stride-2 convolutions down, residual blocks, two
   stride-1/2 (transposed) convolutions up and a 7x7 convolution to the image
   with tanh; instance normalisation and ReLU after every convolution but the
   last; reflection padding before the 7x7 and the residual convolutions;
2. the discriminator, a PatchGAN: 4x4 convolutions with LeakyReLU(0.2) and
   instance normalisation (not on the first) that output a map of scores,
   one for each overlapping 70x70 patch of a 256x256 image;
3. `CycleGAN`, which trains the four networks in one step: both generators
   on the least-squares adversarial loss plus lambda times the cycle loss
   plus 0.5 lambda times the identity loss, then both discriminators on the
   least-squares loss, each judging fakes drawn from a history of 50
   (`gan_keras.layers.ImageHistoryPool`). Adam(2e-4, beta_1 = 0.5).
"""

import keras
import numpy as np
from keras import layers, ops

from gan_keras import losses
from gan_keras._checks import check_number, check_positive_int
from gan_keras.layers import ImageHistoryPool, InstanceNormalization, ReflectionPadding2D
from gan_keras.models._common import (
    GenerativeModel,
    check_image_shape,
    check_images,
    compile_with_optimizers,
    descend_together,
    resolve_optimizer,
)
from gan_keras.models.dcgan import dcgan_initializer
from gan_keras.pixels import check_model_range

__all__ = ["CycleGAN", "cyclegan_discriminator", "cyclegan_generator", "receptive_field"]

LEAK = 0.2  # the discriminator's LeakyReLU slope


# --------------------------------------------------------------------------- #
# 1. The generator
# --------------------------------------------------------------------------- #
def _convolution(filters, kernel_size, strides=1, padding="valid", name=None):
    # Every weight from N(0, 0.02), as in the paper's code.
    return layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                         kernel_initializer=dcgan_initializer(), name=name)


def _residual_block(x, filters, name):
    """Rk: two 3x3 convolutions of k maps with reflection padding, instance
    normalisation after each and ReLU after the first; the input added back."""
    shortcut = x
    x = ReflectionPadding2D(1, name=f"{name}_pad_a")(x)
    x = _convolution(filters, 3, name=f"{name}_conv_a")(x)
    x = layers.ReLU(name=f"{name}_relu")(InstanceNormalization(name=f"{name}_norm_a")(x))
    x = ReflectionPadding2D(1, name=f"{name}_pad_b")(x)
    x = InstanceNormalization(name=f"{name}_norm_b")(_convolution(filters, 3, name=f"{name}_conv_b")(x))
    return layers.Add(name=f"{name}_add")([shortcut, x])


def cyclegan_generator(image_shape=(256, 256, 3), filters=64, residual_blocks=9, downsamplings=2,
                       name="cyclegan_generator"):
    """The ResNet generator of the paper's appendix 7.2: for 256x256 images
    ``c7s1-64, d128, d256, R256 x 9, u128, u64, c7s1-3`` (6 residual blocks
    for 128x128), where c7s1-k is a 7x7 convolution of k maps, stride 1; dk a
    3x3 convolution of k maps, stride 2; Rk a residual block; uk a 3x3
    transposed convolution of k maps, stride 2. Instance normalisation and
    ReLU after each but the last, which ends in tanh.

    Args:
        image_shape: (height, width, channels) of both domains' images; the
            sides must divide by 2^downsamplings.
        filters: maps of the first convolution, doubled at each downsampling.
        residual_blocks: 9 (the paper at 256x256), 6 (at 128x128).
        downsamplings: stride-2 convolutions down (and as many up): 2 in the paper.
    """
    image_shape = check_image_shape(image_shape)
    for argument, value in (("filters", filters), ("residual_blocks", residual_blocks),
                            ("downsamplings", downsamplings)):
        check_positive_int(argument, value)
    if image_shape[0] % 2**downsamplings or image_shape[1] % 2**downsamplings:
        raise ValueError(f"cyclegan_generator halves the image {downsamplings} times: its sides must divide by "
                         f"{2**downsamplings}. Received: image_shape={image_shape}")
    images = keras.Input(image_shape, name="image")
    x = ReflectionPadding2D(3, name="pad_in")(images)
    x = _convolution(filters, 7, name="c7s1")(x)
    x = layers.ReLU(name="c7s1_relu")(InstanceNormalization(name="c7s1_norm")(x))
    for step in range(1, downsamplings + 1):
        width = filters * 2**step
        x = _convolution(width, 3, strides=2, padding="same", name=f"d{width}")(x)
        x = layers.ReLU(name=f"d{width}_relu")(InstanceNormalization(name=f"d{width}_norm")(x))
    for block in range(residual_blocks):
        x = _residual_block(x, filters * 2**downsamplings, name=f"r{block + 1}")
    for step in reversed(range(downsamplings)):
        width = filters * 2**step
        x = layers.Conv2DTranspose(width, 3, strides=2, padding="same", kernel_initializer=dcgan_initializer(),
                                   name=f"u{width}")(x)
        x = layers.ReLU(name=f"u{width}_relu")(InstanceNormalization(name=f"u{width}_norm")(x))
    x = ReflectionPadding2D(3, name="pad_out")(x)
    x = _convolution(image_shape[-1], 7, name="to_image")(x)
    return keras.Model(images, layers.Activation("tanh", name="tanh")(x), name=name)


# --------------------------------------------------------------------------- #
# 2. The discriminator
# --------------------------------------------------------------------------- #
def cyclegan_discriminator(image_shape=(256, 256, 3), filters=64, downsamplings=3, name="cyclegan_discriminator"):
    """The PatchGAN discriminator (the paper's appendix 7.2, after Isola et al.
    2017): ``C64-C128-C256-C512`` then a convolution to one map, where Ck is a
    4x4 convolution of k maps with instance normalisation (not on C64) and
    LeakyReLU(0.2); the first `downsamplings` have stride 2, the last two
    convolutions stride 1 (padding 1, as in the paper's code). The output is a
    map of least-squares scores, one per patch: with 3 downsamplings each
    score sees a 70x70 patch (`receptive_field`), with 2 (for 32x32 images)
    a 34x34 one.
    """
    image_shape = check_image_shape(image_shape)
    check_positive_int("filters", filters)
    check_positive_int("downsamplings", downsamplings)
    model = keras.Sequential(name=name)
    model.add(keras.Input(image_shape, name="image"))
    for index in range(downsamplings + 1):
        width = filters * 2 ** min(index, 3)  # at most 8 times the first width, as in the paper's code
        stride = 2 if index < downsamplings else 1
        model.add(layers.ZeroPadding2D(1, name=f"c{width}_pad"))
        model.add(_convolution(width, 4, strides=stride, name=f"c{width}"))
        if index > 0:
            model.add(InstanceNormalization(name=f"c{width}_norm"))
        model.add(layers.LeakyReLU(negative_slope=LEAK, name=f"c{width}_leaky"))
    model.add(layers.ZeroPadding2D(1, name="score_pad"))
    model.add(_convolution(1, 4, name="score"))
    return model


def receptive_field(network):
    """The side of the input patch that one output of `network` depends on,
    from its convolutions in order (each adds (kernel - 1) times the product
    of the strides before it)."""
    side, jump = 1, 1
    for layer in network._flatten_layers(include_self=False):
        if isinstance(layer, layers.Conv2D):  # a PatchGAN's: no transposed convolutions
            side += (layer.kernel_size[0] - 1) * jump
            jump *= layer.strides[0]
    return side


# --------------------------------------------------------------------------- #
# 3. The model
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="gan_keras")
class CycleGAN(GenerativeModel):
    """CycleGAN (Zhu et al. 2017): translation between two unpaired domains.

    Trains on `fit(images_a, images_b)` or on batches of pairs
    `(images_a, images_b)`, the two drawn independently from the two domains
    (nothing pairs them). One step:

    1. the generators, together: ``adversarial + lambda * cycle + identity_weight * lambda * identity``,
       where adversarial is ``mean((D_B(G(a)) - 1)^2) + mean((D_A(F(b)) - 1)^2)``
       (the least-squares loss of the paper's eq. 2, as its code computes it),
       cycle is ``mean|F(G(a)) - a| + mean|G(F(b)) - b|`` (eq. 2) and identity
       ``mean|G(b) - b| + mean|F(a) - a|`` (section 5.2: it keeps the colours of
       an image already in the target domain);
    2. the discriminators, together: for each, LSGAN's
       ``1/2 mean((D(real) - 1)^2) + 1/2 mean(D(fake)^2)`` (the half slows D
       down relative to G, as in the paper's code), the fakes those of step
       1 passed through a 50-image history pool.

    The progress bar shows g_loss, adversarial, cycle, identity, d_a_loss
    and d_b_loss. `preview` (what `SampleGrid` and the command line draw)
    shows fixed examples of each domain, their translations and the cycle
    back: `set_preview_images(images_a, images_b)` chooses them (saved with
    the model); when none are set, `fit` on arrays takes their first 8 of
    each domain, on `UnpairedBatches` those of the first batch.

    Args:
        generator_ab, generator_ba: G: A -> B and F: B -> A
            (`cyclegan_generator(...)`, two of them, of one image shape).
        discriminator_a, discriminator_b: D_A (judges A images) and D_B
            (`cyclegan_discriminator(...)`).
        cycle_weight: lambda (10).
        identity_weight: the identity loss's weight relative to lambda (0.5; 0 turns it off).
        pool_size: fakes kept for each discriminator (50).
        seed: seed of the pools' draws.
    """

    LOSS_NAMES = ("g_loss", "adversarial", "cycle", "identity", "d_a_loss", "d_b_loss")
    # A preview row: a, G(a), F(G(a)), b, F(b), G(F(b)).
    preview_columns = 6
    PREVIEW_EXAMPLES = 8  # examples of each domain `fit` keeps for the preview when none are set
    LEARNING_RATE = 2e-4  # the paper's, for every network, before the decay

    def __init__(self, generator_ab, generator_ba, discriminator_a, discriminator_b, cycle_weight=10.0,
                 identity_weight=0.5, pool_size=50, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator_ab, self.generator_ba = generator_ab, generator_ba
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        networks = (generator_ab, generator_ba, discriminator_a, discriminator_b)
        if len({network.name for network in networks}) != 4:
            raise ValueError("CycleGAN's four networks need four names (each optimiser finds its weights by them). "
                             f"Received: {[network.name for network in networks]}")
        self.image_shape = check_image_shape(generator_ab.input_shape[1:])
        for network in networks[1:]:
            if tuple(network.input_shape[1:]) != self.image_shape:
                raise ValueError(f"CycleGAN's networks must take one image shape: {network.name} takes "
                                 f"{tuple(network.input_shape[1:])}, {generator_ab.name} {self.image_shape}.")
        self.cycle_weight = check_number("cycle_weight", cycle_weight, "a number >= 0", lambda value: value >= 0)
        self.identity_weight = check_number("identity_weight", identity_weight, "a number >= 0",
                                            lambda value: value >= 0)
        check_positive_int("pool_size", pool_size)
        self.pool_size = int(pool_size)
        self.seed = seed
        self.pool_a = ImageHistoryPool(pool_size, seed=seed, name="history_a")
        self.pool_b = ImageHistoryPool(pool_size, seed=None if seed is None else seed + 1, name="history_b")
        for pool in (self.pool_a, self.pool_b):
            pool.build((None, *self.image_shape))
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.LOSS_NAMES}
        self._preview_a = self._preview_b = None
        self.built = True

    @property
    def metrics(self):
        return list(self.trackers.values())

    # ------------------------------------------------------ compiling -- #
    def default_optimizers(self):
        """The paper's Adam(2e-4, beta_1=0.5) for each of the four networks (one
        Adam over both generators, as in its code, takes the same steps: Adam
        works weight by weight)."""
        return {name: keras.optimizers.Adam(learning_rate=self.LEARNING_RATE, beta_1=0.5)
                for name in ("g_ab_optimizer", "g_ba_optimizer", "d_a_optimizer", "d_b_optimizer")}

    def schedule_callbacks(self, total_epochs):
        """The paper's schedule over a run of `total_epochs`: the rate 2e-4 for
        the first half of the epochs, then decaying linearly to 0 (`LinearDecay`;
        the paper: 100 + 100 epochs)."""
        from gan_keras.callbacks import LinearDecay

        check_positive_int("total_epochs", total_epochs)
        return [LinearDecay(self.LEARNING_RATE, total_epochs // 2, total_epochs - total_epochs // 2)]

    def compile(self, optimizers="auto", jit_compile="auto", **kwargs):
        """Sets one optimiser per network.

        Args:
            optimizers: "auto" (`default_optimizers()`), or a dict with the
                keys g_ab_optimizer, g_ba_optimizer, d_a_optimizer, d_b_optimizer.
            jit_compile, **kwargs: as for `keras.Model.compile`.
        """
        defaults = self.default_optimizers()
        if optimizers == "auto":
            optimizers = defaults
        if not isinstance(optimizers, dict) or set(optimizers) != set(defaults):
            raise ValueError(f"Invalid value for argument `optimizers`. Expected 'auto' or a dict with the keys "
                             f"{sorted(defaults)}. Received: optimizers={optimizers!r}")
        optimizers = {name: resolve_optimizer(name, optimizers[name], defaults[name]) for name in defaults}
        if len({id(optimizer) for optimizer in optimizers.values()}) != 4:
            raise ValueError("CycleGAN needs four different optimizer objects: each keeps its own network's moments.")
        networks = (self.generator_ab, self.generator_ba, self.discriminator_a, self.discriminator_b)
        compiled = compile_with_optimizers(self, dict(zip(networks, optimizers.values())), jit_compile, kwargs)
        self.g_ab_optimizer, self.g_ba_optimizer, self.d_a_optimizer, self.d_b_optimizer = compiled

    def get_compile_config(self):
        if not self.compiled:
            return super().get_compile_config()
        names = ("g_ab_optimizer", "g_ba_optimizer", "d_a_optimizer", "d_b_optimizer")
        return {"optimizers": {name: keras.saving.serialize_keras_object(getattr(self, name)) for name in names},
                **self._compile_arguments}

    def compile_from_config(self, config):
        config = dict(config)
        optimizers = {name: keras.saving.deserialize_keras_object(value)
                      for name, value in config.pop("optimizers").items()}
        self.compile(optimizers=optimizers, **config)

    def updates_done(self):
        """How many times the generators have been updated (once per batch)."""
        return int(ops.convert_to_numpy(self.g_ab_optimizer.iterations))

    # ---------------------------------------------------------- a step -- #
    def train_batch(self, data):
        """One step of both generators, then of both discriminators."""
        real_a, real_b, _ = keras.utils.unpack_x_y_sample_weight(data)
        real_a, real_b = ops.cast(real_a, "float32"), ops.cast(real_b, "float32")

        def taken_for_real(scores):  # the least-squares generator loss, as the paper's code has it: no 1/2
            return ops.mean(ops.square(ops.cast(scores, "float32") - 1.0))

        def generators_objective():
            fake_b = self.generator_ab(real_a, training=True)
            fake_a = self.generator_ba(real_b, training=True)
            adversarial = (taken_for_real(self.discriminator_b(fake_b, training=True)) +
                           taken_for_real(self.discriminator_a(fake_a, training=True)))
            cycle = losses.cycle_consistency_loss(real_a, self.generator_ba(fake_b, training=True),
                                                  real_b, self.generator_ab(fake_a, training=True))
            if self.identity_weight > 0:
                identity = losses.identity_loss(real_a, self.generator_ba(real_a, training=True),
                                                real_b, self.generator_ab(real_b, training=True))
            else:
                identity = ops.zeros(())
            total = adversarial + self.cycle_weight * (cycle + self.identity_weight * identity)
            return total, {"g_loss": total, "adversarial": adversarial, "cycle": cycle, "identity": identity,
                           "fake_a": ops.stop_gradient(fake_a), "fake_b": ops.stop_gradient(fake_b)}

        values = descend_together(generators_objective, [(self.generator_ab, self.g_ab_optimizer),
                                                         (self.generator_ba, self.g_ba_optimizer)], scale_jointly=True)
        earlier_a, earlier_b = self.pool_a(values.pop("fake_a")), self.pool_b(values.pop("fake_b"))

        def discriminators_objective():
            d_a_loss = losses.least_squares_discriminator_loss(self.discriminator_a(real_a, training=True),
                                                               self.discriminator_a(earlier_a, training=True))
            d_b_loss = losses.least_squares_discriminator_loss(self.discriminator_b(real_b, training=True),
                                                               self.discriminator_b(earlier_b, training=True))
            return d_a_loss + d_b_loss, {"d_a_loss": d_a_loss, "d_b_loss": d_b_loss}

        values.update(descend_together(discriminators_objective, [(self.discriminator_a, self.d_a_optimizer),
                                                                  (self.discriminator_b, self.d_b_optimizer)],
                                       scale_jointly=True))
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    # ------------------------------------------------------ previewing -- #
    def set_preview_images(self, images_a, images_b):
        """The examples `preview` translates: images of domain A and of
        domain B (as many of each), float32 in [-1, 1]; saved with the model."""
        check_model_range(images_a, "the preview images of domain A")
        check_model_range(images_b, "the preview images of domain B")
        images_a, images_b = check_images(images_a, self.image_shape), check_images(images_b, self.image_shape)
        if len(images_a) != len(images_b) or not len(images_a):
            raise ValueError(f"set_preview_images takes as many images of domain A as of domain B, at least one. "
                             f"Received: {len(images_a)} and {len(images_b)}")
        self._preview_a, self._preview_b = images_a.copy(), images_b.copy()

    def preview(self, num_images=60, seed=0):
        """Rows of six images, for a grid of `preview_columns` = 6 columns:
        a, G(a), F(G(a)), b, F(b), G(F(b)) for the preview examples in order
        (deterministic: `seed` is not used). As many rows as `num_images`
        holds (at least one) and there are examples."""
        if self._preview_a is None:
            raise ValueError("CycleGAN.preview translates the examples given to set_preview_images(images_a, "
                             "images_b) (fit on arrays or UnpairedBatches keeps some of its data); none are set.")
        rows = max(1, min(int(num_images) // self.preview_columns, len(self._preview_a)))
        real_a, real_b = self._preview_a[:rows], self._preview_b[:rows]
        fake_b, fake_a = self.translate(real_a, to="b"), self.translate(real_b, to="a")
        columns = [real_a, fake_b, self.translate(fake_b, to="a"), real_b, fake_a, self.translate(fake_a, to="b")]
        return np.stack(columns, axis=1).reshape(-1, *self.image_shape)

    def fit(self, x=None, y=None, *args, **kwargs):
        """`keras.Model.fit` on `(images_a, images_b)` arrays or batches of
        pairs. When no preview examples are set, keeps up to 8 of each domain:
        the arrays' first, or a `keras.utils.PyDataset`'s first batch's (a
        tf.data pipeline or a generator is not read ahead: that would move it on)."""
        if self._preview_a is None:
            first = None
            if isinstance(x, keras.utils.PyDataset) and len(x):
                first = x[0]
            elif isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
                first = (x, y)
            if isinstance(first, (tuple, list)) and len(first) >= 2:
                count = min(self.PREVIEW_EXAMPLES, len(first[0]), len(first[1]))
                if count and tuple(np.shape(first[0])[1:]) == self.image_shape == tuple(np.shape(first[1])[1:]):
                    try:
                        self.set_preview_images(first[0][:count], first[1][:count])
                    except ValueError:
                        pass  # fit's own check says what is wrong with the data
        return super().fit(x, y, *args, **kwargs)

    def save_own_variables(self, store):
        super().save_own_variables(store)
        if self._preview_a is not None:
            store["preview_images_a"], store["preview_images_b"] = self._preview_a, self._preview_b

    def load_own_variables(self, store):
        super().load_own_variables(store)
        if "preview_images_a" in store:
            self._preview_a = np.asarray(store["preview_images_a"], dtype="float32")
            self._preview_b = np.asarray(store["preview_images_b"], dtype="float32")

    # ----------------------------------------------------- translating -- #
    def translate(self, images, to="b", batch_size=64):
        """`images` of one domain translated into the other: `to="b"` runs
        G (A -> B), `to="a"` runs F (B -> A). float32 in [-1, 1] in and out."""
        if to not in ("a", "b"):
            raise ValueError(f"Invalid value for argument `to`. Expected 'a' or 'b'. Received: to={to!r}")
        images = check_images(images, self.image_shape)
        network = self.generator_ab if to == "b" else self.generator_ba
        return np.asarray(ops.convert_to_numpy(network.predict(images, batch_size=batch_size, verbose=0)))

    def get_config(self):
        return {
            **super().get_config(),
            "generator_ab": keras.saving.serialize_keras_object(self.generator_ab),
            "generator_ba": keras.saving.serialize_keras_object(self.generator_ba),
            "discriminator_a": keras.saving.serialize_keras_object(self.discriminator_a),
            "discriminator_b": keras.saving.serialize_keras_object(self.discriminator_b),
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)
