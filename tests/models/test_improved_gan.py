"""The improved techniques of Salimans et al. 2016, each an object of
gan_keras.objectives or a layer: the maths by hand, and all of them together
through fit, save and load."""

import math
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_keras import losses
from gan_keras.objectives import CrossEntropyLoss, FeatureMatching, HistoricalAveraging
from gan_keras.layers import MinibatchDiscrimination, VirtualBatchNormalization
from gan_keras.models import GAN, GANStep, dcgan_discriminator, dcgan_generator
from tests.models.helpers import check_fit_save_load_generate

METRICS = ["d_loss", "g_loss", "D_x", "D_G_z"]


def softplus(x):
    return math.log1p(math.exp(x))


def small_dcgan(generator_options=None, discriminator_options=None, **gan_options):
    keras.utils.set_random_seed(0)
    generator = dcgan_generator(latent_dim=8, base_filters=8, **(generator_options or {}))
    discriminator = dcgan_discriminator(base_filters=8, **(discriminator_options or {}))
    gan = GAN(generator, discriminator, seed=0, **gan_options)
    gan.compile()
    return gan


def digits(count=32):
    return np.random.default_rng(0).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


# -------------------------------------------------- one-sided label smoothing -- #
def test_one_sided_label_smoothing_by_hand():
    # Real logit 2 against target 0.9: 0.9 softplus(-2) + 0.1 softplus(2);
    # the fake term keeps target 0: softplus(-1) for logit -1.
    loss = losses.minimax_discriminator_loss(np.array([[2.0]]), np.array([[-1.0]]), real_label=0.9)
    expected = 0.9 * softplus(-2.0) + 0.1 * softplus(2.0) + softplus(-1.0)
    assert float(loss) == pytest.approx(expected, rel=1e-6)
    step = types.SimpleNamespace(real_logits=np.array([[2.0]]), fake_logits=np.array([[-1.0]]))
    gan_loss, values = small_dcgan(loss=CrossEntropyLoss(real_label=0.9)).loss_terms.discriminator_loss(step)
    assert float(gan_loss) == pytest.approx(expected, rel=1e-6)
    assert float(values["D_x"]) == pytest.approx(1 / (1 + math.exp(-2.0)), rel=1e-6)
    assert float(values["D_G_z"]) == pytest.approx(1 / (1 + math.exp(1.0)), rel=1e-6)


# ------------------------------------------------------------ feature matching -- #
def test_feature_matching_loss_by_hand():
    real = np.array([[1.0, 2.0], [3.0, 4.0]])  # mean (2, 3)
    fake = np.array([[0.0, 0.0], [2.0, 2.0]])  # mean (1, 1)
    assert float(losses.feature_matching_loss(real, fake)) == pytest.approx(1.0 + 4.0)


def test_feature_matching_uses_the_input_of_ds_last_layer_or_a_named_layer():
    gan = small_dcgan(loss=FeatureMatching())
    assert tuple(gan.loss_terms.features.output.shape) == (None, 7 * 7 * 16)  # the flattened features
    gan = small_dcgan(loss=FeatureMatching(layer="downsample0_leaky_relu"))
    assert tuple(gan.loss_terms.features.output.shape) == (None, 14, 14, 8)
    with pytest.raises(ValueError, match="no layer 'nope'"):
        small_dcgan(loss=FeatureMatching(layer="nope"))


def test_feature_matching_generator_loss_is_the_distance_of_feature_means():
    gan = small_dcgan(loss=FeatureMatching())
    step = GANStep(gan, digits(8), None, training=False)
    features = gan.loss_terms.features
    expected = losses.feature_matching_loss(features(step.real_images), features(step.fake_images))
    loss, values = gan.loss_terms.generator_loss(step)
    np.testing.assert_allclose(loss, expected, rtol=1e-6)
    assert set(values) == {"g_loss"}
    # D keeps the cross-entropy of the base loss.
    assert set(gan.loss_terms.discriminator_loss(step)[1]) == {"d_loss", "D_x", "D_G_z"}


# -------------------------------------------------------- historical averaging -- #
def test_historical_average_penalty_by_hand():
    weights = [np.array([1.0, 2.0]), np.array([[3.0]])]
    averages = [np.array([0.0, 0.0]), np.array([[1.0]])]
    assert float(losses.historical_average_penalty(weights, averages)) == pytest.approx(1 + 4 + 4)


def test_history_is_the_running_mean_of_past_weights():
    averaging = HistoricalAveraging(0.01)
    gan = small_dcgan(regularizers=[averaging])
    kernel = gan.generator.get_layer("project").kernel
    seen = [np.array(kernel.numpy())]
    for _ in range(2):
        gan.update(gan.generator, gan.g_optimizer, gan.loss_terms.generator_loss, digits(8), None)
        seen.append(np.array(kernel.numpy()))
    index = [w.path for w in gan.generator.trainable_weights].index(kernel.path)
    averages, count = averaging._networks[id(gan.generator)]
    np.testing.assert_allclose(averages[index].numpy(), np.mean(seen, axis=0), atol=1e-7)
    assert float(count.numpy()) == 3.0
    assert not np.allclose(seen[0], seen[2])


def test_historical_penalty_is_weight_times_distance_to_the_means():
    averaging = HistoricalAveraging(0.5)
    gan = small_dcgan(regularizers=[averaging])
    averages, _ = averaging._networks[id(gan.discriminator)]
    for average in averages:
        average.assign(average - 1.0)  # every weight 1 away from its mean
    penalty, _ = averaging.penalty(None, gan.discriminator)
    size = sum(int(np.prod(w.shape)) for w in gan.discriminator.trainable_weights)
    assert float(penalty) == pytest.approx(0.5 * size, rel=1e-5)


# ------------------------------------------------------ minibatch discrimination -- #
def test_minibatch_discrimination_by_hand():
    # T = identity (A = 2, one kernel of C = 2): M_i = f_i, and
    # o_i = sum over j != i of exp(-||f_i - f_j||_1).
    layer = MinibatchDiscrimination(num_kernels=1, kernel_dim=2)
    layer.build((None, 2))
    layer.kernel.assign(np.eye(2, dtype="float32"))
    features = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], "float32")
    out = np.asarray(layer(features))
    e = np.exp
    np.testing.assert_allclose(out[:, :2], features)
    np.testing.assert_allclose(out[:, 2], [e(-1) + e(-2), e(-1) + e(-3), e(-2) + e(-3)], rtol=1e-6)


def test_minibatch_discrimination_sees_a_collapsed_batch():
    layer = MinibatchDiscrimination(num_kernels=4, kernel_dim=3)
    varied = np.random.default_rng(0).normal(size=(6, 5)).astype("float32") * 3
    copies = np.repeat(varied[:1], 6, axis=0)
    assert np.asarray(layer(copies))[:, 5:].min() == pytest.approx(5.0)  # exp(0) from each of the 5 others
    assert np.asarray(layer(varied))[:, 5:].mean() < 5.0
    assert MinibatchDiscrimination.couples_batch
    with pytest.raises(ValueError, match="Flatten"):
        MinibatchDiscrimination()(np.zeros((2, 3, 3), "float32"))


# --------------------------------------------------- virtual batch normalisation -- #
def test_virtual_batch_normalisation_by_hand():
    # Reference rows 1 and 3 (R = 2): mean 2, mean square 5. Example 5:
    # mean (2*2 + 5)/3 = 3, mean square (2*5 + 25)/3 = 35/3, variance 8/3.
    layer = VirtualBatchNormalization(reference_size=2, epsilon=0.0)
    out = np.asarray(layer(np.array([[1.0], [3.0], [5.0]], "float32")))
    np.testing.assert_allclose(out[:, 0], [-1.0, 1.0, 2.0 / math.sqrt(8.0 / 3.0)], rtol=1e-6)


def test_a_vbn_generator_treats_each_example_on_its_own():
    keras.utils.set_random_seed(0)
    generator = dcgan_generator(latent_dim=8, base_filters=8, normalization="virtual_batch", reference_size=16)
    latent = np.random.default_rng(1).uniform(-1, 1, (5, 8)).astype("float32")
    together = np.asarray(generator(latent, training=True))
    alone = np.asarray(generator(latent[2:3], training=True))
    np.testing.assert_allclose(alone[0], together[2], atol=1e-5)
    assert together.shape == (5, 28, 28, 1)


def test_the_reference_batch_must_come_from_the_gans_prior():
    generator = dcgan_generator(latent_dim=8, base_filters=8, normalization="virtual_batch",
                                latent_distribution="normal")
    with pytest.raises(ValueError, match="reference batch"):
        GAN(generator, dcgan_discriminator(base_filters=8), latent_distribution="uniform")


# ------------------------------------------------------------------ bad values -- #
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: CrossEntropyLoss(real_label=0.3), "real_label"),
        (lambda: CrossEntropyLoss(real_label=1.2), "real_label"),
        (lambda: HistoricalAveraging(-1.0), "weight"),
    ],
)
def test_bad_values_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_all_techniques_together_fit_save_and_load(tmp_path):
    gan = small_dcgan(
        generator_options=dict(normalization="virtual_batch", reference_size=8, latent_distribution="uniform"),
        discriminator_options=dict(minibatch_discrimination=(10, 3)),
        latent_distribution="uniform",
        loss=FeatureMatching(CrossEntropyLoss(real_label=0.9)),
        regularizers=[HistoricalAveraging(1e-3)],
    )
    data = tf.data.Dataset.from_tensor_slices(digits()).batch(16)
    loaded = check_fit_save_load_generate(gan, data, METRICS, tmp_path)
    assert isinstance(loaded.loss_terms, FeatureMatching) and loaded.loss_terms.base.real_label == 0.9
    assert [type(r) for r in loaded.regularizers] == [HistoricalAveraging] and loaded.regularizers[0].weight == 1e-3
    for ours, theirs in zip(gan.regularizers[0].weights, loaded.regularizers[0].weights):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    assert float(gan.regularizers[0].weights[-1].numpy()) > 1  # the counts moved
