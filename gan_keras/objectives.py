"""What the networks of a GAN minimise: adversarial losses and regularisers.

`gan_keras.losses` holds the maths as plain functions of tensors. This
module turns them into the objects a `GAN` trains with. Each reads one
record of the training step (`gan_keras.models.GANStep`: the real images and
labels, the latent vectors, the fakes, the discriminator's outputs for both,
and the discriminator itself), so a new loss or penalty needs no new hook in
the train loop:

* an adversarial loss (`CrossEntropyLoss`, `FeatureMatching`,
  `LeastSquaresLoss`, `WassersteinLoss`, `BoundaryEquilibriumLoss`) gives
  the discriminator's and the generator's loss, and the values the progress
  bar shows beside them (`metric_names`);
* a regulariser (`HistoricalAveraging`, `GradientPenalty`, `DriftPenalty`,
  `MutualInformation`) adds a penalty to the objective of the networks it
  concerns; `WeightClipping` adds none and clips the critic after each step.
  Regularisers compose: a GAN takes a list.

A loss or regulariser that keeps state (historical averaging's running
means, BEGAN's k_t) holds it in Keras variables, saved with the model, and
returns the new values from `state_updates(network, values)`, given the
values of the update just made; the loop assigns them after the optimiser
step: nothing is assigned inside a differentiated function.

Both are Keras layers only so that the model tracks their state and saves
their configuration; they are never called as layers.
"""

import keras
from keras import ops

from gan_keras import backend, losses
from gan_keras._checks import check_number

__all__ = [
    "AdversarialLoss",
    "BoundaryEquilibriumLoss",
    "CrossEntropyLoss",
    "DriftPenalty",
    "FeatureMatching",
    "GradientPenalty",
    "HistoricalAveraging",
    "LeastSquaresLoss",
    "MutualInformation",
    "Regularizer",
    "WassersteinLoss",
    "WeightClipping",
    "get_adversarial_loss",
]


# --------------------------------------------------------------------------- #
# Adversarial losses
# --------------------------------------------------------------------------- #
class AdversarialLoss(keras.layers.Layer):
    """The two players' losses, read from a `GANStep`.

    `discriminator_loss(step)` and `generator_loss(step)` each return
    `(loss, values)`: the scalar the network's optimiser minimises, and a
    dict of scalars for the progress bar, whose keys are among `metric_names`.
    `attach(gan)` is called once by the GAN that uses the loss;
    `state_updates(network, values)` as for a `Regularizer`.
    """

    metric_names = ("d_loss", "g_loss")

    def attach(self, gan):
        self.built = True

    def state_updates(self, network, values):
        return []

    def discriminator_loss(self, step):
        raise NotImplementedError

    def generator_loss(self, step):
        raise NotImplementedError


@keras.saving.register_keras_serializable(package="gan_keras")
class CrossEntropyLoss(AdversarialLoss):
    """Goodfellow et al. 2014: D is a real (label 1) / fake (label 0) classifier.

    D minimises the cross-entropy ``-log D(x) - log(1 - D(G(z)))``; G
    minimises ``-log D(G(z))`` ("non_saturating", the paper's advice and the
    course's choice) or ``log(1 - D(G(z)))`` ("minimax", the game as written,
    which saturates while G is bad). The progress bar also shows `D_x` and
    `D_G_z`, the mean probabilities D gives real images and fakes: at the
    game's equilibrium both are 1/2.

    Args:
        generator_loss: "non_saturating" or "minimax".
        real_label: D's target for real images; 0.9 is one-sided label
            smoothing (Salimans et al. 2016, section 3.4).
    """

    metric_names = ("d_loss", "g_loss", "D_x", "D_G_z")

    def __init__(self, generator_loss="non_saturating", real_label=1.0, **kwargs):
        super().__init__(**kwargs)
        self._generator_loss = losses.get_generator_loss(generator_loss)
        self.generator_loss_name = generator_loss
        check_number("real_label", real_label, "a number in (0.5, 1] (1: no smoothing, 0.9: one-sided label smoothing)",
                     lambda value: 0.5 < value <= 1.0)
        self.real_label = float(real_label)

    def discriminator_loss(self, step):
        real_logits, fake_logits = step.real_logits, step.fake_logits
        loss = losses.minimax_discriminator_loss(real_logits, fake_logits, real_label=self.real_label)
        return loss, {
            "d_loss": loss,
            "D_x": ops.mean(ops.sigmoid(ops.cast(real_logits, "float32"))),
            "D_G_z": ops.mean(ops.sigmoid(ops.cast(fake_logits, "float32"))),
        }

    def generator_loss(self, step):
        loss = self._generator_loss(step.fake_logits)
        return loss, {"g_loss": loss}

    def get_config(self):
        return {**super().get_config(), "generator_loss": self.generator_loss_name, "real_label": self.real_label}


@keras.saving.register_keras_serializable(package="gan_keras")
class LeastSquaresLoss(AdversarialLoss):
    """LSGAN (Mao et al. 2017, "Least Squares Generative Adversarial Networks"), eq. 2.

    D's output is a score, not a logit: D minimises
    ``1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]`` and G minimises
    ``1/2 E[(D(G(z)) - c)^2]``. The squared error keeps pulling fakes that D
    already scores as real towards the real scores, where the sigmoid
    cross-entropy would saturate. The paper's 0-1-1 coding is the default.
    The progress bar shows `D_x` and `D_G_z`, the mean scores of real images
    and fakes (b and a at D's optimum).

    Args:
        fake_target, real_target, generator_target: a, b and c.
    """

    metric_names = ("d_loss", "g_loss", "D_x", "D_G_z")

    def __init__(self, fake_target=0.0, real_target=1.0, generator_target=1.0, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("fake_target", fake_target), ("real_target", real_target),
                                ("generator_target", generator_target)):
            check_number(argument, value)
        if fake_target == real_target:
            raise ValueError(f"Expected different targets for real and fake images. Received: a = b = {fake_target}")
        self.fake_target, self.real_target = float(fake_target), float(real_target)
        self.generator_target = float(generator_target)

    def discriminator_loss(self, step):
        real_scores, fake_scores = step.real_logits, step.fake_logits
        loss = losses.least_squares_discriminator_loss(real_scores, fake_scores, self.fake_target, self.real_target)
        return loss, {
            "d_loss": loss,
            "D_x": ops.mean(ops.cast(real_scores, "float32")),
            "D_G_z": ops.mean(ops.cast(fake_scores, "float32")),
        }

    def generator_loss(self, step):
        loss = losses.least_squares_generator_loss(step.fake_logits, self.generator_target)
        return loss, {"g_loss": loss}

    def get_config(self):
        return {**super().get_config(), "fake_target": self.fake_target, "real_target": self.real_target,
                "generator_target": self.generator_target}


@keras.saving.register_keras_serializable(package="gan_keras")
class WassersteinLoss(AdversarialLoss):
    """WGAN (Arjovsky et al. 2017, "Wasserstein GAN"), Algorithm 1.

    The critic D gives a score (a linear output) and minimises
    ``E[D(G(z))] - E[D(x)]``; G minimises ``-E[D(G(z))]``. The critic must
    be kept (roughly) 1-Lipschitz, by `WeightClipping` (the WGAN paper) or by
    `GradientPenalty` (WGAN-GP). The progress bar shows `wasserstein`,
    ``E[D(x)] - E[D(G(z))]``: the critic's estimate of the Wasserstein-1
    distance (up to the Lipschitz constant), which falls as the samples
    improve, unlike the standard GAN's losses.
    """

    metric_names = ("d_loss", "g_loss", "wasserstein")

    def discriminator_loss(self, step):
        loss = losses.wasserstein_critic_loss(step.real_logits, step.fake_logits)
        return loss, {"d_loss": loss, "wasserstein": -loss}

    def generator_loss(self, step):
        loss = losses.wasserstein_generator_loss(step.fake_logits)
        return loss, {"g_loss": loss}


@keras.saving.register_keras_serializable(package="gan_keras")
class BoundaryEquilibriumLoss(AdversarialLoss):
    """BEGAN (Berthelot et al. 2017, "BEGAN: Boundary Equilibrium Generative
    Adversarial Networks"), eq. 4.

    D is an autoencoder and L(v) = |v - D(v)| its reconstruction loss
    (`losses.began_reconstruction_loss`). D minimises
    ``L(x) - k_t L(G(z_D))`` and G minimises ``L(G(z_G))``; after each
    D update, ``k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z_D))), 0, 1)``,
    from the two losses of that update (as the paper's authors' widely used
    re-implementations do, where z_D = z_G). k_t is a Keras variable of this
    object: saved with the model, it continues where it was on resume.

    The progress bar shows `L_x` and `L_G_z` (D's reconstruction losses of
    real images and of fakes), `k_t` (the k of each update) and `M_global`
    = L(x) + |gamma L(x) - L(G(z))|, the paper's convergence measure.

    Args:
        gamma: the diversity ratio E[L(G(z))] / E[L(x)] held at equilibrium,
            in (0, 1]: lower gives sharper, less varied images (the paper
            shows 0.3 to 0.7; 0.5 is common).
        lambda_k: the proportional gain of k's control (0.001).
        initial_k: k_0 (0).
    """

    metric_names = ("d_loss", "g_loss", "L_x", "L_G_z", "k_t", "M_global")

    def __init__(self, gamma=0.5, lambda_k=0.001, initial_k=0.0, **kwargs):
        super().__init__(**kwargs)
        for argument, value, low, high in (("gamma", gamma, 0.0, 1.0), ("lambda_k", lambda_k, 0.0, 1.0)):
            check_number(argument, value, f"a number in ({low:g}, {high:g}]", lambda v: low < v <= high)
        check_number("initial_k", initial_k, "a number in [0, 1]", lambda value: 0.0 <= value <= 1.0)
        self.gamma, self.lambda_k, self.initial_k = float(gamma), float(lambda_k), float(initial_k)
        self.k = self.add_weight(shape=(), initializer=keras.initializers.Constant(self.initial_k), trainable=False,
                                 name="k")

    def attach(self, gan):
        self._discriminator = gan.discriminator
        self.built = True

    def discriminator_loss(self, step):
        real_loss = losses.began_reconstruction_loss(step.real_images, step.real_logits)  # D's output: D(x)
        fake_loss = losses.began_reconstruction_loss(step.fake_images, step.fake_logits)
        k = ops.copy(self.k)  # a read now: the progress bar shows the k this update used, not the next one
        loss = losses.began_discriminator_loss(real_loss, fake_loss, k)
        return loss, {
            "d_loss": loss,
            "L_x": real_loss,
            "L_G_z": fake_loss,
            "k_t": k,
            "M_global": losses.began_convergence_measure(real_loss, fake_loss, self.gamma),
        }

    def generator_loss(self, step):
        loss = losses.began_reconstruction_loss(step.fake_images, step.fake_logits)
        return loss, {"g_loss": loss}

    def state_updates(self, network, values):
        if network is not self._discriminator:
            return []
        # The values of D's update just made: numbers, out of any gradient.
        return [(self.k, losses.began_equilibrium_update(self.k, values["L_x"], values["L_G_z"], self.gamma, self.lambda_k))]

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "lambda_k": self.lambda_k, "initial_k": self.initial_k}


def get_adversarial_loss(loss):
    """An `AdversarialLoss` from itself or from a generator-loss name."""
    if isinstance(loss, AdversarialLoss):
        return loss
    if isinstance(loss, str) and loss in losses.GENERATOR_LOSSES:
        return CrossEntropyLoss(generator_loss=loss)
    raise ValueError(
        f"Invalid value for argument `loss`. Expected one of {sorted(losses.GENERATOR_LOSSES)} or an "
        f"AdversarialLoss such as CrossEntropyLoss(real_label=0.9). Received: loss={loss!r}"
    )


@keras.saving.register_keras_serializable(package="gan_keras")
class FeatureMatching(AdversarialLoss):
    """Salimans et al. 2016, section 3.1: G matches D's features instead of fooling D.

    G minimises ``|| mean f(x) - mean f(G(z)) ||^2`` over the batch, where f
    is the output of a layer of D (by default the input of D's last layer,
    as in the paper). D keeps the loss of `base`.

    Args:
        base: the adversarial loss D trains with (default `CrossEntropyLoss()`).
        layer: None (the input of D's last layer) or the name of a D layer.
    """

    def __init__(self, base=None, layer=None, **kwargs):
        super().__init__(**kwargs)
        self.base = CrossEntropyLoss() if base is None else get_adversarial_loss(base)
        self.layer = layer
        self.metric_names = self.base.metric_names

    def attach(self, gan):
        self.base.attach(gan)
        discriminator = gan.discriminator
        if self.layer is None:
            features = discriminator.layers[-1].input  # what D's last layer sees
        else:
            try:
                features = discriminator.get_layer(self.layer).output
            except ValueError:
                names = [layer.name for layer in discriminator.layers]
                raise ValueError(
                    f"Invalid value for argument `layer`: the discriminator has no layer {self.layer!r}. "
                    f"Expected None or one of {names}."
                ) from None
        inputs = discriminator.inputs
        self.features = keras.Model(inputs[0] if len(inputs) == 1 else inputs, features, name="discriminator_features")
        self.built = True

    def discriminator_loss(self, step):
        return self.base.discriminator_loss(step)

    def state_updates(self, network, values):
        return self.base.state_updates(network, values)

    def generator_loss(self, step):
        real_features = step.features(self.features, step.real_images)
        fake_features = step.features(self.features, step.fake_images)
        loss = losses.feature_matching_loss(ops.stop_gradient(real_features), fake_features)
        return loss, {"g_loss": loss}

    def get_config(self):
        return {
            **super().get_config(),
            "base": keras.saving.serialize_keras_object(self.base),
            "layer": self.layer,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["base"] = keras.saving.deserialize_keras_object(config["base"])
        return cls(**config)


# --------------------------------------------------------------------------- #
# Regularisers
# --------------------------------------------------------------------------- #
class Regularizer(keras.layers.Layer):
    """A penalty added to the objective of some of a GAN's networks.

    `penalty(step, network)` returns `(value, values)` (the scalar added to
    `network`'s objective and a dict for the progress bar, keys among
    `metric_names`), or None when the regulariser does not concern
    `network`. `state_updates(network, values)` returns `(variable, new
    value)` pairs that the loop assigns after `network`'s optimiser step
    (`values`: the progress-bar values of that step).
    """

    metric_names = ()

    def attach(self, gan):
        self.built = True

    def penalty(self, step, network):
        raise NotImplementedError

    def state_updates(self, network, values):
        return []


@keras.saving.register_keras_serializable(package="gan_keras")
class HistoricalAveraging(Regularizer):
    """Salimans et al. 2016, section 3.3: ``weight * || theta - mean of past thetas ||^2``.

    Added to each network's objective, with the running mean of that
    network's own weights over all past steps (the initial weights included);
    the means are Keras variables, saved with the model.
    """

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.weight = check_number("weight", weight, "a number > 0", lambda value: value > 0)

    def attach(self, gan):
        self._networks = {}
        for index, network in enumerate((gan.generator, gan.discriminator)):
            averages = [
                self.add_weight(shape=w.shape, initializer="zeros", trainable=False, name=f"{network.name}_average_{i}")
                for i, w in enumerate(network.trainable_weights)
            ]
            for average, w in zip(averages, network.trainable_weights):
                average.assign(ops.convert_to_numpy(w))  # a copy: JAX must not see one buffer in two variables
            count = self.add_weight(shape=(), initializer="ones", trainable=False, name=f"{network.name}_count")
            self._networks[id(network)] = (averages, count)
        self.built = True

    def penalty(self, step, network):
        averages, _ = self._networks[id(network)]
        value = self.weight * losses.historical_average_penalty(network.trainable_weights, averages)
        return value, {}

    def state_updates(self, network, values):
        """The running mean after one more update: a += (theta - a) / (n + 1)."""
        averages, count = self._networks[id(network)]
        new_count = count + 1.0
        updates = [
            (average, average + (ops.cast(w, average.dtype) - average) / new_count)
            for average, w in zip(averages, network.trainable_weights)
        ]
        return updates + [(count, new_count)]

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@keras.saving.register_keras_serializable(package="gan_keras")
class GradientPenalty(Regularizer):
    """Gulrajani et al. 2017 ("Improved Training of Wasserstein GANs"), eq. 3:
    ``weight * E[(|| grad_x D(x_hat) ||_2 - 1)^2]`` on the discriminator,
    with x_hat = eps x + (1 - eps) G(z) and eps ~ U[0, 1] drawn per sample.
    With a `target` norm gamma other than 1, ProGAN's code's form (its
    `wgan_target`): ``weight * E[(|| grad ||_2 - gamma)^2] / gamma^2``, the
    same penalty for a critic scaled by gamma.

    The gradient is taken per sample (the sum of D's outputs over the batch
    has, for sample i, exactly D(x_hat_i)'s gradient, as long as D treats
    each image on its own; behind a minibatch standard deviation, as in
    ProGAN, it mixes each group's images, as in that paper's code) and its norm over all
    the sample's pixels (`losses.per_sample_norm`: finite, with finite
    gradients, where a gradient is zero). The progress bar shows
    `gradient_penalty`, the unweighted mean, and `gradient_norm`, the mean
    norm divided by gamma (1 for the critic the penalty asks for).

    Args:
        weight: lambda (10 in the paper).
        target: gamma, the norm asked for (1 in the paper).
        seed: seed of eps.
    """

    metric_names = ("gradient_penalty", "gradient_norm")

    def __init__(self, weight=10.0, target=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.weight = check_number("weight", weight, "a number > 0", lambda value: value > 0)
        self.target = check_number("target", target, "a number > 0", lambda value: value > 0)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def penalty(self, step, network):
        if network is not step.discriminator:
            return None
        real = ops.cast(step.real_images, "float32")
        fake = ops.cast(ops.stop_gradient(step.fake_images), "float32")
        shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
        eps = keras.random.uniform(shape, seed=self.seed_generator)
        interpolates = eps * real + (1.0 - eps) * fake
        gradients = backend.input_gradients(lambda images: step.judge_logits(images), interpolates)
        norms = losses.per_sample_norm(gradients) / self.target
        per_sample = (norms - 1.0) ** 2  # losses.gradient_penalty, from the norms already at hand
        return self.weight * ops.mean(per_sample), {
            "gradient_penalty": ops.mean(per_sample),
            "gradient_norm": ops.mean(ops.stop_gradient(norms)),
        }

    def get_config(self):
        return {**super().get_config(), "weight": self.weight, "target": self.target, "seed": self.seed}


@keras.saving.register_keras_serializable(package="gan_keras")
class DriftPenalty(Regularizer):
    """ProGAN's drift term (Karras et al. 2018, appendix A.1):
    ``epsilon * E[D(x)^2]`` on the critic, epsilon = 0.001, beside the
    gradient penalty. It keeps the critic's scores for real images near zero
    (the Wasserstein loss fixes only their differences) at almost no cost to
    the loss. The progress bar shows `drift`, the unweighted E[D(x)^2].
    """

    metric_names = ("drift",)

    def __init__(self, epsilon=0.001, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_number("epsilon", epsilon, "a number > 0", lambda value: value > 0)

    def penalty(self, step, network):
        if network is not step.discriminator:
            return None
        drift = losses.drift_penalty(step.real_logits)
        return self.epsilon * drift, {"drift": drift}

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="gan_keras")
class WeightClipping(Regularizer):
    """WGAN's constraint (Arjovsky et al. 2017, Algorithm 1): after every
    update of the critic, each of its weights is clipped to [-c, c].

    No penalty is added; the clipping is a state update of the critic's
    weights after its optimiser step (c = 0.01 in the paper). The paper
    calls it "a clearly terrible way to enforce a Lipschitz constraint":
    too large a c trains slowly, too small a c makes the gradients vanish.
    """

    def __init__(self, clip_value=0.01, **kwargs):
        super().__init__(**kwargs)
        self.clip_value = check_number("clip_value", clip_value, "a number > 0", lambda value: value > 0)

    def attach(self, gan):
        self._critic = gan.discriminator
        self.built = True

    def penalty(self, step, network):
        return None

    def state_updates(self, network, values):
        if network is not self._critic:
            return []
        return [(w, ops.clip(w, -self.clip_value, self.clip_value)) for w in network.trainable_weights]

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}


@keras.saving.register_keras_serializable(package="gan_keras")
class MutualInformation(Regularizer):
    """InfoGAN's ``lambda * L_I`` (Chen et al. 2016), added to both networks.

    L_I = CE(c_cat, softmax(Q_cat)) + sum_j (c_j - Q_j)^2 / 2: the negative
    log-likelihood of the fakes' code c = [one-hot category, continuous
    values] under Q's prediction (a unit-variance Gaussian for the continuous
    part, up to its constant), i.e. minus the paper's lower bound on
    I(c; G(z, c)) plus the code's fixed entropy. Q is the discriminator's
    auxiliary output; the code is the last `num_categories + num_continuous`
    entries of the latent vector. `info_loss` (L_I, unweighted) joins the
    progress bar, averaged over both networks' steps.
    """

    metric_names = ("info_loss",)

    def __init__(self, num_categories=10, num_continuous=2, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.num_categories, self.num_continuous = int(num_categories), int(num_continuous)
        self.weight = float(weight)

    def information_loss(self, codes, q_outputs):
        """L_I of codes (N, K + C) under Q's outputs (N, K + C): a scalar."""
        codes, q_outputs = ops.cast(codes, "float32"), ops.cast(q_outputs, "float32")
        k = self.num_categories
        categorical = ops.mean(keras.losses.categorical_crossentropy(codes[:, :k], q_outputs[:, :k], from_logits=True))
        continuous = ops.mean(ops.sum(0.5 * (codes[:, k:] - q_outputs[:, k:]) ** 2, axis=-1))
        return categorical + continuous

    def penalty(self, step, network):
        code_size = self.num_categories + self.num_continuous
        loss = self.information_loss(step.latent[:, -code_size:], step.fake_auxiliary)
        return self.weight * loss, {"info_loss": loss}

    def get_config(self):
        return {
            **super().get_config(),
            "num_categories": self.num_categories,
            "num_continuous": self.num_continuous,
            "weight": self.weight,
        }
