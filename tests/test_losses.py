"""The losses on hand-computed values: adversarial, then likelihood terms."""

import math

import numpy as np
import pytest

from gan_keras import losses
from gan_keras.backend import input_gradients

LOGITS = np.array([[-3.0], [-0.5], [0.0], [2.0]], dtype="float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_sigmoid_cross_entropy_matches_the_stable_closed_form():
    # What tf.nn.sigmoid_cross_entropy_with_logits computes: max(l, 0) - l y + log(1 + exp(-|l|)).
    labels = np.array([[1.0], [0.0], [1.0], [0.3]], dtype="float32")
    expected = np.mean([
        max(logit, 0.0) - logit * label + math.log1p(math.exp(-abs(logit)))
        for logit, label in zip(LOGITS[:, 0].tolist(), labels[:, 0].tolist())
    ])
    assert float(losses.sigmoid_cross_entropy(LOGITS, labels)) == pytest.approx(expected, rel=1e-6)


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
    logit = np.array([[-6.0]], "float32")
    gradients = {name: float(input_gradients(loss, logit)[0, 0]) for name, loss in losses.GENERATOR_LOSSES.items()}
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l); d/dl -log sigmoid(l) = sigmoid(l) - 1
    assert gradients["minimax"] == pytest.approx(-sigmoid(-6.0), rel=1e-5)
    assert gradients["non_saturating"] == pytest.approx(sigmoid(-6.0) - 1, rel=1e-5)
    assert abs(gradients["non_saturating"]) > 100 * abs(gradients["minimax"])


@pytest.mark.parametrize("logit", [-6.0, -0.5, 0.0, 0.5, 6.0])
def test_generator_loss_gradients_by_the_logit_are_exact_everywhere(logit):
    # d/da log(1 - sigmoid(a)) = -sigmoid(a) and d/da -log sigmoid(a) = sigmoid(a) - 1,
    # at a = 0 too, where a relu/abs form of the cross-entropy has a kink.
    fake_logit = np.array([logit], "float32")
    sigmoid = 1 / (1 + math.exp(-logit))
    assert float(input_gradients(losses.minimax_generator_loss, fake_logit)[0]) == pytest.approx(-sigmoid, abs=1e-6)
    assert float(input_gradients(losses.non_saturating_generator_loss, fake_logit)[0]) == pytest.approx(
        sigmoid - 1, abs=1e-6
    )


def test_unknown_generator_loss_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"Expected one of \['minimax', 'non_saturating'\].*'wasserstein'"):
        losses.get_generator_loss("wasserstein")


# ------------------------------------------------------ likelihood terms -- #
def test_bernoulli_nll_of_even_odds_is_log_2_per_pixel():
    bits = np.array([[[0.0, 1.0], [1.0, 1.0]]], "float32")
    assert float(losses.bernoulli_negative_log_likelihood(bits, np.zeros_like(bits))[0]) == pytest.approx(4 * np.log(2))


def test_bernoulli_nll_is_summed_per_example():
    logits = np.array([[2.0, -1.0], [0.5, 3.0]], "float32")
    bits = np.array([[1.0, 0.0], [0.0, 0.0]], "float32")
    p = 1 / (1 + np.exp(-logits))
    expected = -np.sum(bits * np.log(p) + (1 - bits) * np.log(1 - p), axis=1)
    np.testing.assert_allclose(losses.bernoulli_negative_log_likelihood(bits, logits), expected, rtol=1e-6)


def test_bernoulli_nll_is_finite_for_extreme_logits():
    logits = np.array([[200.0, -200.0]], "float32")
    assert float(losses.bernoulli_negative_log_likelihood(np.array([[1.0, 0.0]]), logits)[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(losses.bernoulli_negative_log_likelihood(np.array([[0.0, 1.0]]), logits)[0]) == pytest.approx(400.0)


def test_gaussian_nll_by_hand():
    targets = np.array([[1.0, -0.5]], "float32")
    mean = np.array([[0.0, 0.5]], "float32")
    # scale e^-1: z = (1, -1) * e; sum 0.5 z^2 + log s + 0.5 log 2 pi
    expected = 0.5 * (np.e**2) * 2 - 2 + np.log(2 * np.pi)
    assert float(losses.gaussian_negative_log_likelihood(targets, mean, -1.0)[0]) == pytest.approx(expected, rel=1e-6)


def test_kl_is_zero_for_the_prior_and_matches_the_closed_form():
    assert float(losses.gaussian_kl_divergence(np.zeros((1, 3)), np.zeros((1, 3)))[0]) == 0.0
    mean, log_variance = np.array([[1.0, -2.0]]), np.array([[np.log(4.0), 0.0]])
    expected = 0.5 * ((4 + 1 - 1 - np.log(4)) + (1 + 4 - 1 - 0))
    assert float(losses.gaussian_kl_divergence(mean, log_variance)[0]) == pytest.approx(expected, rel=1e-6)


def test_kl_matches_a_monte_carlo_estimate():
    # KL(q || p) = E_q[log q(z) - log p(z)], estimated with 400,000 samples of q.
    mean = np.array([0.7, -0.3, 1.2], "float32")
    log_variance = np.array([-1.0, 0.5, 0.0], "float32")
    z = mean + np.exp(0.5 * log_variance) * np.random.default_rng(0).standard_normal((400_000, 3)).astype("float32")
    log_q = losses.diagonal_gaussian_log_density(z, mean, log_variance)
    log_p = losses.diagonal_gaussian_log_density(z, 0.0, 0.0)
    monte_carlo = float(np.mean(log_q - log_p))
    closed_form = float(losses.gaussian_kl_divergence(mean[None], log_variance[None])[0])
    assert monte_carlo == pytest.approx(closed_form, abs=0.01)


def test_gaussian_log_density_of_the_standard_normal_at_zero():
    assert float(losses.diagonal_gaussian_log_density(np.zeros((1, 2)), 0.0, 0.0)[0]) == pytest.approx(-np.log(2 * np.pi))


# ------------------------------------------- least squares and Wasserstein -- #
REAL_SCORES = np.array([[1.0], [0.5]], "float32")
FAKE_SCORES = np.array([[0.0], [1.0]], "float32")


def test_least_squares_losses_by_hand():
    # D: 1/2 mean((1 - 1)^2, (0.5 - 1)^2) + 1/2 mean((0 - 0)^2, (1 - 0)^2) = 0.0625 + 0.25
    assert float(losses.least_squares_discriminator_loss(REAL_SCORES, FAKE_SCORES)) == pytest.approx(0.3125)
    # G (c = 1): 1/2 mean((0 - 1)^2, (1 - 1)^2) = 0.25
    assert float(losses.least_squares_generator_loss(FAKE_SCORES)) == pytest.approx(0.25)
    # the -1-1-0 coding of the paper's section 3.2.3: a = -1, b = 1, c = 0
    value = losses.least_squares_discriminator_loss(REAL_SCORES, FAKE_SCORES, fake_target=-1.0, real_target=1.0)
    assert float(value) == pytest.approx(0.5 * (0 + 0.25) / 2 + 0.5 * (1 + 4) / 2)
    assert float(losses.least_squares_generator_loss(FAKE_SCORES, target=0.0)) == pytest.approx(0.25)


def test_wasserstein_losses_by_hand():
    real, fake = np.array([[2.0], [4.0]], "float32"), np.array([[1.0], [-1.0]], "float32")
    assert float(losses.wasserstein_critic_loss(real, fake)) == pytest.approx(0.0 - 3.0)
    assert float(losses.wasserstein_generator_loss(fake)) == pytest.approx(0.0)
    assert float(losses.wasserstein_generator_loss(real)) == pytest.approx(-3.0)



def test_began_losses_by_hand():
    images = np.array([[[0.5, -1.0]], [[1.0, 0.0]]], "float32")  # two 1x2 "images"
    reconstructions = np.array([[[0.0, -1.0]], [[0.5, 1.0]]], "float32")
    # L = mean |v - D(v)| over images and pixels: (0.5 + 0 + 0.5 + 1) / 4
    real_loss = losses.began_reconstruction_loss(images, reconstructions)
    assert float(real_loss) == pytest.approx(0.5)
    assert float(losses.began_reconstruction_loss(images, images)) == 0.0
    # L_D = L(x) - k L(G(z)): 0.5 - 0.25 * 0.4
    assert float(losses.began_discriminator_loss(0.5, 0.4, 0.25)) == pytest.approx(0.4)
    # k_{t+1} = k_t + lambda_k (gamma L(x) - L(G(z))): 0.25 + 0.001 (0.5 * 0.5 - 0.4)
    assert float(losses.began_equilibrium_update(0.25, 0.5, 0.4, gamma=0.5, lambda_k=0.001)) == pytest.approx(
        0.25 - 0.00015)
    # ... clipped to [0, 1]
    assert float(losses.began_equilibrium_update(0.0001, 0.5, 0.4, gamma=0.5, lambda_k=0.001)) == 0.0
    assert float(losses.began_equilibrium_update(0.9999, 0.5, 0.1, gamma=0.5, lambda_k=0.001)) == 1.0
    # M_global = L(x) + |gamma L(x) - L(G(z))|: 0.5 + |0.25 - 0.4|
    assert float(losses.began_convergence_measure(0.5, 0.4, gamma=0.5)) == pytest.approx(0.65)
    assert float(losses.began_convergence_measure(0.5, 0.25, gamma=0.5)) == pytest.approx(0.5)  # at equilibrium

def test_per_sample_norm_is_exact_and_zero_at_zero():
    values = np.zeros((3, 2, 2), "float32")
    values[0, 0, 0], values[0, 1, 1], values[1] = 3.0, 4.0, 0.5
    np.testing.assert_allclose(np.asarray(losses.per_sample_norm(values)), [5.0, 1.0, 0.0], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(losses.gradient_penalty(values)), [16.0, 0.0, 1.0], rtol=1e-6)
