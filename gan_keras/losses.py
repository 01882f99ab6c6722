"""Adversarial losses as plain functions of the discriminator's logits.

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
"""

from keras import ops

__all__ = [
    "sigmoid_cross_entropy",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "GENERATOR_LOSSES",
    "get_generator_loss",
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
    per_element = (
        ops.relu(logits) - logits * labels + ops.log1p(ops.exp(-ops.abs(logits)))
    )
    return ops.mean(per_element)


def minimax_discriminator_loss(real_logits, fake_logits):
    """The discriminator's loss of the original GAN (Goodfellow et al. 2014).

    ``d_loss = CE(D(x), 1) + CE(D(G(z)), 0)``
    ``       = mean(-log D(x)) + mean(-log(1 - D(G(z))))``

    Each term is a mean over its own batch, and the two are added (not
    averaged), as in the course: a discriminator that cannot tell real from
    fake (D = 0.5 everywhere) has loss ``2 log 2 = 1.386``.
    """
    real_loss = sigmoid_cross_entropy(real_logits, ops.ones_like(real_logits))
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


def get_generator_loss(name):
    """Returns the generator loss function called `name` (a key of GENERATOR_LOSSES)."""
    if name not in GENERATOR_LOSSES:
        raise ValueError(
            "Invalid value for argument `generator_loss`. Expected one of "
            f"{sorted(GENERATOR_LOSSES)}. Received: generator_loss={name!r}"
        )
    return GENERATOR_LOSSES[name]
