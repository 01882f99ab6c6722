"""The GAN losses on hand-computed values."""

import math

import numpy as np
import pytest
import tensorflow as tf

from gan_keras import losses

LOGITS = np.array([[-3.0], [-0.5], [0.0], [2.0]], dtype="float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_sigmoid_cross_entropy_matches_tensorflow():
    labels = np.array([[1.0], [0.0], [1.0], [0.3]], dtype="float32")
    expected = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=LOGITS))
    assert float(losses.sigmoid_cross_entropy(LOGITS, labels)) == pytest.approx(float(expected), rel=1e-6)


def test_sigmoid_cross_entropy_is_stable_for_huge_logits():
    # A naive log(sigmoid(l)) gives log(0) = -inf for l = -200.
    value = float(losses.sigmoid_cross_entropy(np.array([-200.0, 200.0]), np.array([1.0, 0.0])))
    assert value == pytest.approx(200.0)


def test_discriminator_loss_by_hand():
    real_logits = np.array([2.0, 0.0], dtype="float32")
    fake_logits = np.array([-1.0, 1.0], dtype="float32")
    real_term = np.mean([-math.log(sigmoid(2.0)), -math.log(0.5)])
    fake_term = np.mean([-math.log(1 - sigmoid(-1.0)), -math.log(1 - sigmoid(1.0))])
    value = float(losses.minimax_discriminator_loss(real_logits, fake_logits))
    assert value == pytest.approx(real_term + fake_term, rel=1e-6)


def test_undecided_discriminator_has_loss_two_log_two():
    zeros = np.zeros((8, 1), "float32")
    assert float(losses.minimax_discriminator_loss(zeros, zeros)) == pytest.approx(2 * math.log(2), rel=1e-6)


def test_non_saturating_generator_loss_is_minus_log_d():
    expected = np.mean(-np.log(sigmoid(LOGITS)))
    assert float(losses.non_saturating_generator_loss(LOGITS)) == pytest.approx(expected, rel=1e-6)


def test_minimax_generator_loss_is_log_one_minus_d():
    expected = np.mean(np.log(1 - sigmoid(LOGITS)))
    assert float(losses.minimax_generator_loss(LOGITS)) == pytest.approx(expected, rel=1e-6)


def test_minimax_loss_saturates_where_non_saturating_does_not():
    # D confidently rejects the fake: logit -6, D(G(z)) = 0.0025.
    logit = tf.Variable([[-6.0]])
    gradients = {}
    for name, loss in losses.GENERATOR_LOSSES.items():
        with tf.GradientTape() as tape:
            value = loss(logit)
        gradients[name] = float(tape.gradient(value, logit)[0, 0])
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = sigmoid(l) - 1
    assert gradients["minimax"] == pytest.approx(-sigmoid(-6.0), rel=1e-5)
    assert gradients["non_saturating"] == pytest.approx(sigmoid(-6.0) - 1, rel=1e-5)
    assert abs(gradients["non_saturating"]) > 100 * abs(gradients["minimax"])


def test_unknown_generator_loss_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"Expected one of \['minimax', 'non_saturating'\].*'wasserstein'"):
        losses.get_generator_loss("wasserstein")
