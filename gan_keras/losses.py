"""Losses as plain functions of network outputs: adversarial and likelihood.

Every function here takes the discriminator's raw outputs (logits, before any
sigmoid) and returns a scalar. They know nothing about models, so a model calls
them and a test can check them on hand-computed numbers (TF-GAN's design).

The original GAN (Goodfellow et al. 2014, "Generative Adversarial Nets") plays

    min_G max_D  E_x[log D(x)] + E_z[log(1 - D(G(z)))],   D(x) = sigmoid(logit).

Written as losses to minimise:

* the discriminator is a binary classifier with real label 1 and fake label 0:
  ``-log D(x) - log(1 - D(G(z)))``, i.e. two sigmoid cross-entropies;
* the generator's *minimax* (saturating) loss is ``log(1 - D(G(z)))``: its
  gradient vanishes exactly when the generator is bad and D(G(z)) is near 0;
* the generator's *non-saturating* loss is ``-log D(G(z))``: "label the fakes
  as real"; same fixed point, strong gradients early in training. The paper
  recommends it and the course uses it.

All cross-entropies are computed from logits with the numerically stable form
``max(l, 0) - l * y + log(1 + exp(-|l|))`` (what
``tf.nn.sigmoid_cross_entropy_with_logits`` computes), so no probability is
ever rounded to 0 or 1 before a log.

The likelihood models (VAE, PixelCNN) use the second half of this file:
per-example negative log-likelihoods in nats, summed over every pixel
(`bernoulli_negative_log_likelihood`, `gaussian_negative_log_likelihood`),
the closed-form KL divergence of a diagonal Gaussian from N(0, I)
(`gaussian_kl_divergence`), and the log-density of a diagonal Gaussian
(`diagonal_gaussian_log_density`, for importance weighting). They return one
value per example, because a likelihood bound is a statement about each image;
the model averages over the batch.
"""

from keras import ops

__all__ = [
    "sigmoid_cross_entropy",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "GENERATOR_LOSSES",
    "get_generator_loss",
    "feature_matching_loss",
    "historical_average_penalty",
    "gradient_penalty",
    "per_sample_norm",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "cycle_consistency_loss",
    "identity_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "drift_penalty",
    "began_reconstruction_loss",
    "began_discriminator_loss",
    "began_equilibrium_update",
    "began_convergence_measure",
    "bernoulli_negative_log_likelihood",
    "gaussian_negative_log_likelihood",
    "gaussian_kl_divergence",
    "diagonal_gaussian_log_density",
]


def sigmoid_cross_entropy(logits, labels):
    """Mean sigmoid cross-entropy between `labels` in [0, 1] and `logits`.

    ``mean(-labels * log(sigmoid(logits)) - (1 - labels) * log(1 - sigmoid(logits)))``,
    computed stably from the logits.

    Args:
        logits: tensor of raw scores, any shape.
        labels: tensor of targets, broadcastable to `logits`.

    Returns:
        A float32 scalar.
    """
    # float32 even under mixed precision: the log terms need the range.
    logits = ops.cast(logits, "float32")
    labels = ops.cast(ops.broadcast_to(labels, ops.shape(logits)), "float32")
    # -y log(sigmoid(l)) - (1 - y) log(1 - sigmoid(l)) = softplus(l) - y l. The
    # form relu(l) - y l + log1p(exp(-|l|)) has the same value but a kink at
    # l = 0, where relu and abs have no derivative: its gradient there came out
    # as -y instead of 1/2 - y. softplus is smooth, with derivative sigmoid(l).
    return ops.mean(ops.softplus(logits) - logits * labels)


def minimax_discriminator_loss(real_logits, fake_logits, real_label=1.0):
    """The discriminator's loss of the original GAN (Goodfellow et al. 2014).

    ``d_loss = CE(D(x), 1) + CE(D(G(z)), 0)``
    ``       = mean(-log D(x)) + mean(-log(1 - D(G(z))))``

    Each term is a mean over its own batch, and the two are added (not
    averaged), as in the course: a discriminator that cannot tell real from
    fake (D = 0.5 everywhere) has loss ``2 log 2 = 1.386``.

    `real_label` < 1 is one-sided label smoothing (Salimans et al. 2016,
    section 3.4): real images get the target 0.9, say, fakes keep 0, so D is
    not pushed to ever more extreme logits on real data. Smoothing the fake
    label too would reward G's fakes where the data has no mass, which is why
    only one side is smoothed.
    """
    real_loss = sigmoid_cross_entropy(real_logits, ops.full_like(real_logits, real_label))
    fake_loss = sigmoid_cross_entropy(fake_logits, ops.zeros_like(fake_logits))
    return real_loss + fake_loss


def minimax_generator_loss(fake_logits):
    """The generator's saturating loss: ``mean(log(1 - D(G(z))))``.

    This is the term of the minimax game that the generator minimises. Its
    value tends to 0 from below as D(G(z)) -> 0, and its gradient with
    respect to the logit, ``-sigmoid(logit)``, vanishes there: a generator that
    D easily rejects learns almost nothing. Kept for the lesson's comparison.
    """
    # log(1 - sigmoid(l)) = -CE(l, label 0)
    return -sigmoid_cross_entropy(fake_logits, ops.zeros_like(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """The generator's non-saturating loss: ``mean(-log D(G(z)))``.

    Cross-entropy of D's output on the fakes against the *real* label 1. Its
    gradient with respect to the logit, ``sigmoid(logit) - 1``, is close to -1
    when D rejects the fakes, so a bad generator gets a strong signal
    (Goodfellow et al. 2014, section 3).
    """
    return sigmoid_cross_entropy(fake_logits, ops.ones_like(fake_logits))


GENERATOR_LOSSES = {
    "non_saturating": non_saturating_generator_loss,
    "minimax": minimax_generator_loss,
}


def feature_matching_loss(real_features, fake_features):
    """Feature matching (Salimans et al. 2016, section 3.1): ||E f(x) - E f(G(z))||_2^2.

    f is an intermediate layer of the discriminator; the means are over each
    batch and the squared distance sums over the (flattened) features. G then
    matches the statistics D finds useful rather than maximising D's output
    on the current D, which the paper found steadier.
    """
    real_mean = ops.mean(ops.reshape(ops.cast(real_features, "float32"), (ops.shape(real_features)[0], -1)), axis=0)
    fake_mean = ops.mean(ops.reshape(ops.cast(fake_features, "float32"), (ops.shape(fake_features)[0], -1)), axis=0)
    return ops.sum((real_mean - fake_mean) ** 2)


def historical_average_penalty(weights, averages):
    """Historical averaging (Salimans et al. 2016, section 3.3): sum ||theta - mean of past thetas||^2."""
    return ops.sum(ops.stack([ops.sum((w - a) ** 2) for w, a in zip(weights, averages)]))


def per_sample_norm(values):
    """The Euclidean norm of each sample's entries: shape (N,) for values of shape (N, ...).

    Differentiable everywhere, twice: at a zero vector the square root's
    derivative would be infinite (and 0 * inf = NaN in a gradient penalty's
    double backpropagation), so there the norm is computed from a safe
    stand-in and its gradient is 0, while its value stays exactly 0.
    """
    flat = ops.reshape(ops.cast(values, "float32"), (ops.shape(values)[0], -1))
    squared = ops.sum(ops.square(flat), axis=1)
    positive = squared > 0
    return ops.where(positive, ops.sqrt(ops.where(positive, squared, 1.0)), 0.0)


def gradient_penalty(gradients):
    """Per sample, ``(|| gradient ||_2 - 1)^2`` over all of the sample's entries
    (Gulrajani et al. 2017, eq. 3): shape (N,) for gradients of shape (N, ...).
    Finite, with a finite gradient, where a gradient is exactly zero."""
    return (per_sample_norm(gradients) - 1.0) ** 2


# --------------------------------------------------------------------------- #
# Least squares (LSGAN) and Wasserstein (WGAN) losses: D gives scores, not logits
# --------------------------------------------------------------------------- #
def least_squares_discriminator_loss(real_scores, fake_scores, fake_target=0.0, real_target=1.0):
    """LSGAN's discriminator loss (Mao et al. 2017, eq. 2), with a = `fake_target`, b = `real_target`:

    ``1/2 mean((D(x) - b)^2) + 1/2 mean((D(G(z)) - a)^2)``

    D's output is a score, used as it is (no sigmoid). The paper's 0-1-1
    coding (a = 0, b = 1, c = 1) is the default.
    """
    real_scores, fake_scores = ops.cast(real_scores, "float32"), ops.cast(fake_scores, "float32")
    return 0.5 * ops.mean(ops.square(real_scores - real_target)) + 0.5 * ops.mean(ops.square(fake_scores - fake_target))


def least_squares_generator_loss(fake_scores, target=1.0):
    """LSGAN's generator loss (Mao et al. 2017, eq. 2), with c = `target`: ``1/2 mean((D(G(z)) - c)^2)``."""
    return 0.5 * ops.mean(ops.square(ops.cast(fake_scores, "float32") - target))


# --------------------------------------------------------------------------- #
# CycleGAN's reconstruction terms
# --------------------------------------------------------------------------- #
def _mean_absolute_errors(real_a, images_a, real_b, images_b):
    cast = lambda images: ops.cast(images, "float32")  # noqa: E731
    return (ops.mean(ops.abs(cast(images_a) - cast(real_a))) +
            ops.mean(ops.abs(cast(images_b) - cast(real_b))))


def cycle_consistency_loss(real_a, cycled_a, real_b, cycled_b):
    """CycleGAN's cycle-consistency loss (Zhu et al. 2017, eq. 2), unweighted:
    ``mean|F(G(a)) - a| + mean|G(F(b)) - b|``, each an L1 distance averaged
    over pixels (as the paper's code computes it). `cycled_a` is F(G(a))."""
    return _mean_absolute_errors(real_a, cycled_a, real_b, cycled_b)


def identity_loss(real_a, mapped_a, real_b, mapped_b):
    """CycleGAN's identity loss (Zhu et al. 2017, section 5.2), unweighted:
    ``mean|F(a) - a| + mean|G(b) - b|``: a generator given an image already of
    its target domain should leave it as it is (`mapped_a` is F(a))."""
    return _mean_absolute_errors(real_a, mapped_a, real_b, mapped_b)


def wasserstein_critic_loss(real_scores, fake_scores):
    """WGAN's critic loss (Arjovsky et al. 2017, Algorithm 1): ``mean(D(G(z))) - mean(D(x))``.

    The critic maximises ``mean(D(x)) - mean(D(G(z)))``, which for a
    1-Lipschitz critic estimates the Wasserstein-1 distance between the real
    and the generated distributions; minimising the negative is the same.
    """
    return ops.mean(ops.cast(fake_scores, "float32")) - ops.mean(ops.cast(real_scores, "float32"))


def wasserstein_generator_loss(fake_scores):
    """WGAN's generator loss (Arjovsky et al. 2017, Algorithm 1): ``-mean(D(G(z)))``."""
    return -ops.mean(ops.cast(fake_scores, "float32"))


def drift_penalty(real_scores):
    """ProGAN's drift term (Karras et al. 2018, appendix A.1), unweighted:
    ``mean(D(x)^2)``. The Wasserstein losses see only differences of scores,
    so without it the critic's scores may drift far from zero together."""
    return ops.mean(ops.square(ops.cast(real_scores, "float32")))


# --------------------------------------------------------------------------- #
# BEGAN (Berthelot et al. 2017): losses of an autoencoder discriminator
# --------------------------------------------------------------------------- #
def began_reconstruction_loss(images, reconstructions):
    """BEGAN's L(v) = |v - D(v)| (eq. 1 with eta = 1): the mean absolute
    pixel error of the autoencoder D, over the batch's images and pixels.

    Its value lies in [0, 2] for images and reconstructions in [-1, 1]."""
    return ops.mean(ops.abs(ops.cast(images, "float32") - ops.cast(reconstructions, "float32")))


def began_discriminator_loss(real_loss, fake_loss, k):
    """BEGAN's discriminator loss (eq. 4): ``L(x) - k_t L(G(z_D))``: D
    reconstructs real images well and, weighted by k_t, fakes badly."""
    return real_loss - k * fake_loss


def began_equilibrium_update(k, real_loss, fake_loss, gamma=0.5, lambda_k=0.001):
    """BEGAN's proportional control of k (eq. 4):
    ``k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1)``.

    k rises while the fakes are reconstructed better than gamma times the
    real images (D then pushes harder against fakes), and falls otherwise,
    holding E[L(G(z))] = gamma E[L(x)]: the equilibrium the model is named after."""
    return ops.clip(ops.convert_to_tensor(k, "float32") + lambda_k * (gamma * real_loss - fake_loss), 0.0, 1.0)


def began_convergence_measure(real_loss, fake_loss, gamma=0.5):
    """BEGAN's global convergence measure (section 3.4.1):
    ``M_global = L(x) + |gamma L(x) - L(G(z))|``: low when D reconstructs real
    images well and the equilibrium holds (the paper finds it falling as the
    samples improve)."""
    return real_loss + ops.abs(gamma * real_loss - fake_loss)


def get_generator_loss(name):
    """Returns the generator loss function called `name` (a key of GENERATOR_LOSSES)."""
    if name not in GENERATOR_LOSSES:
        raise ValueError(
            "Invalid value for argument `generator_loss`. Expected one of "
            f"{sorted(GENERATOR_LOSSES)}. Received: generator_loss={name!r}"
        )
    return GENERATOR_LOSSES[name]


# --------------------------------------------------------------------------- #
# Likelihood terms (VAE, PixelCNN): one value in nats per example
# --------------------------------------------------------------------------- #
_LOG_2PI = 1.8378770664093453  # log(2 pi)


def _sum_per_example(values):
    """Sums over every axis but the first (the batch)."""
    return ops.sum(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


def bernoulli_negative_log_likelihood(targets, logits):
    """-log p(x) in nats per example for independent Bernoulli pixels.

    ``sum_i -x_i log sigmoid(l_i) - (1 - x_i) log(1 - sigmoid(l_i))`` over all
    pixels i of each example, from the logits l (the stable form above).

    Args:
        targets: bits x in {0, 1} (other values in [0, 1] give the
            cross-entropy, which is not a likelihood), shape (batch, ...).
        logits: the decoder's logits, same shape.

    Returns:
        A float32 tensor of shape (batch,).
    """
    logits = ops.cast(logits, "float32")
    targets = ops.cast(targets, "float32")
    per_pixel = ops.relu(logits) - logits * targets + ops.log1p(ops.exp(-ops.abs(logits)))
    return _sum_per_example(per_pixel)


def gaussian_negative_log_likelihood(targets, mean, log_scale):
    """-log N(x; mean, scale^2) in nats per example, summed over all pixels.

    ``sum_i 0.5 ((x_i - m_i) / s_i)^2 + log s_i + 0.5 log(2 pi)``.

    Args:
        targets, mean: tensors of shape (batch, ...).
        log_scale: log of the standard deviation, broadcastable to `mean`
            (a scalar for one noise level shared by all pixels).

    Returns:
        A float32 tensor of shape (batch,).
    """
    targets = ops.cast(targets, "float32")
    mean = ops.cast(mean, "float32")
    log_scale = ops.broadcast_to(ops.cast(log_scale, "float32"), ops.shape(mean))
    standardised = (targets - mean) * ops.exp(-log_scale)
    return _sum_per_example(0.5 * ops.square(standardised) + log_scale + 0.5 * _LOG_2PI)


def gaussian_kl_divergence(mean, log_variance):
    """KL(N(mean, diag(exp(log_variance))) || N(0, I)) in nats per example.

    The closed form of Kingma & Welling 2014, appendix B:
    ``0.5 * sum_j (exp(v_j) + m_j^2 - 1 - v_j)``, with v the log-variance.

    Args:
        mean, log_variance: the encoder's outputs, shape (batch, latent_dim).

    Returns:
        A float32 tensor of shape (batch,).
    """
    mean = ops.cast(mean, "float32")
    log_variance = ops.cast(log_variance, "float32")
    return 0.5 * ops.sum(ops.exp(log_variance) + ops.square(mean) - 1.0 - log_variance, axis=-1)


def diagonal_gaussian_log_density(values, mean, log_variance):
    """log N(values; mean, diag(exp(log_variance))), summed over the last axis.

    ``-0.5 * sum_j ((z_j - m_j)^2 exp(-v_j) + v_j + log(2 pi))``. With
    mean = 0 and log_variance = 0 it is the standard normal prior log p(z).

    Returns:
        A float32 tensor of the shape of `values` without its last axis.
    """
    values = ops.cast(values, "float32")
    mean = ops.cast(mean, "float32")
    log_variance = ops.cast(log_variance, "float32")
    return -0.5 * ops.sum(
        ops.square(values - mean) * ops.exp(-log_variance) + log_variance + _LOG_2PI, axis=-1
    )
