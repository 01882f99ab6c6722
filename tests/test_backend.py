"""The backend seam (gan_keras.backend) and what the trainer must carry through
a step: gradients by hand, a gradient penalty per sample and its own
gradient, every piece of state moving in a step and surviving save/load, the
same seed giving the same run, and a model saved on one backend used on the
other. Every test runs on the backend of KERAS_BACKEND (make test runs both)."""

import json
import os
import subprocess
import sys
import types

import keras
import numpy as np
import pytest
from keras import ops

from gan_keras import backend
from gan_keras.models import GAN, PixelCNN, dense_discriminator, dense_generator, pixelcnn_network
from gan_keras.objectives import GradientPenalty, HistoricalAveraging, Regularizer

OTHER_BACKEND = {"tensorflow": "jax", "jax": "tensorflow"}[keras.config.backend()]


def as_numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


# ------------------------------------------------------------- gradients -- #
def test_value_and_gradients_by_hand():
    # loss = (w . x)^2 with w = (1, 2), x = (3, -1): w.x = 1, d/dw = 2 (w.x) x = (6, -2).
    w = keras.Variable(np.array([1.0, 2.0], "float32"))
    x = np.array([3.0, -1.0], "float32")
    loss, aux, (gradient,) = backend.value_and_gradients(lambda: (ops.sum(w * x) ** 2, {"dot": ops.sum(w * x)}), [w])
    assert float(loss) == pytest.approx(1.0)
    assert float(aux["dot"]) == pytest.approx(1.0)
    np.testing.assert_allclose(as_numpy(gradient), [6.0, -2.0], rtol=1e-6)


def test_value_and_gradients_keeps_the_updates_of_the_call():
    # BatchNorm's moving mean moves in a training call inside the loss.
    network = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization(momentum=0.5), keras.layers.Dense(1)])
    inputs = np.full((4, 3), 2.0, "float32")
    backend.value_and_gradients(lambda: (ops.sum(network(inputs, training=True)), None), network.trainable_variables)
    np.testing.assert_allclose(network.layers[0].moving_mean.numpy(), [1.0, 1.0, 1.0], rtol=1e-6)


def test_input_gradients_by_hand_and_differentiable_again():
    # f(x) = w * sum(x^2) per sample: df/dx = 2 w x. Its squared norm, summed,
    # is 4 w^2 sum(x^2), whose derivative in w is 8 w sum(x^2).
    w = keras.Variable(np.array(1.5, "float32"))
    x = np.array([[1.0, 2.0], [0.0, -1.0]], "float32")
    gradient = backend.input_gradients(lambda inputs: w * ops.sum(inputs**2, axis=1), x)
    np.testing.assert_allclose(as_numpy(gradient), 2 * 1.5 * x, rtol=1e-6)

    def squared_norm():
        g = backend.input_gradients(lambda inputs: w * ops.sum(inputs**2, axis=1), x)
        return ops.sum(g**2), None

    value, _, (dw,) = backend.value_and_gradients(squared_norm, [w])
    assert float(value) == pytest.approx(4 * 1.5**2 * 6.0, rel=1e-6)
    assert float(dw) == pytest.approx(8 * 1.5 * 6.0, rel=1e-6)


def test_run_if_runs_the_update_only_when_true():
    counter = keras.Variable(0.0)
    backend.run_if(ops.convert_to_tensor(False), lambda: counter.assign_add(1.0))
    backend.run_if(ops.convert_to_tensor(True), lambda: counter.assign_add(1.0))
    backend.run_if(False, lambda: counter.assign_add(10.0))  # a Python bool decides at once
    backend.run_if(True, lambda: counter.assign_add(100.0))
    assert float(ops.convert_to_numpy(counter)) == 101.0


def test_compiled_functions_read_the_current_weights():
    dense = keras.layers.Dense(1, use_bias=False)
    dense.build((None, 1))
    dense.kernel.assign([[2.0]])
    double = backend.compiled(lambda x: dense(x), dense.variables)
    x = np.array([[3.0]], "float32")
    assert float(as_numpy(double(x))[0, 0]) == 6.0
    dense.kernel.assign([[5.0]])
    assert float(as_numpy(double(x))[0, 0]) == 15.0


# ------------------------------------------------------ gradient penalty -- #
class HalfSquaredNorm(keras.layers.Layer):
    """D(x) = sum(x^2) / 2 per sample, so grad_x D = x."""

    def call(self, images):
        return 0.5 * ops.sum(ops.reshape(images**2, (ops.shape(images)[0], -1)), axis=1, keepdims=True)


def penalty_step(discriminator, images):
    # Real and fake batches equal: every interpolate is the image itself, whatever eps is.
    return types.SimpleNamespace(
        discriminator=discriminator, real_images=images, fake_images=images,
        judge_logits=lambda x: discriminator(x),
    )


def test_gradient_penalty_is_taken_per_sample():
    images = np.zeros((3, 2, 2, 1), "float32")
    images[0, 0, 0], images[1] = 3.0, 0.5  # norms 3, 1 (four pixels of 0.5), 0
    discriminator = keras.Sequential([keras.Input((2, 2, 1)), HalfSquaredNorm()])
    penalty, values = GradientPenalty(10.0, seed=0).penalty(penalty_step(discriminator, images), discriminator)
    per_sample = np.array([(3 - 1) ** 2, (1 - 1) ** 2, (0 - 1) ** 2])  # not (||grad of the batch sum|| - 1)^2
    assert float(values["gradient_penalty"]) == pytest.approx(per_sample.mean(), rel=1e-5)
    assert float(penalty) == pytest.approx(10 * per_sample.mean(), rel=1e-5)
    assert GradientPenalty().penalty(penalty_step(discriminator, images), object()) is None  # not for G
    # a target norm gamma (ProGAN's code): 10 (|| grad || - gamma)^2 / gamma^2, the norm shown divided by gamma
    penalty, values = GradientPenalty(10.0, target=0.5, seed=0).penalty(penalty_step(discriminator, images), discriminator)
    per_sample = np.array([(3 - 0.5) ** 2, (1 - 0.5) ** 2, (0 - 0.5) ** 2]) / 0.25  # 25, 1, 1
    assert float(penalty) == pytest.approx(10 * per_sample.mean(), rel=1e-5)
    assert float(values["gradient_norm"]) == pytest.approx((3 + 1 + 0) / 3 / 0.5, rel=1e-5)


class ScaledHalfSquaredNorm(keras.layers.Layer):
    """D(x) = a sum(x^2) / 2 per sample with a trainable a, so grad_x D = a x."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, images):
        return self.scale * HalfSquaredNorm()(images)


def test_gradient_penalty_is_finite_where_the_gradient_is_zero():
    # At the zero image grad_x D = 0, where the square root of the norm has an
    # infinite derivative: its gradient in a must be 0 there, not NaN.
    images = np.zeros((2, 2, 2, 1), "float32")
    images[0, 0, 0] = 3.0  # norm 3a; the second image has norm 0
    layer = ScaledHalfSquaredNorm()
    discriminator = keras.Sequential([keras.Input((2, 2, 1)), layer])
    regularizer = GradientPenalty(1.0, seed=0)
    value, values, (gradient,) = backend.value_and_gradients(
        lambda: regularizer.penalty(penalty_step(discriminator, images), discriminator), [layer.scale]
    )
    # mean of (3a - 1)^2 and (0 - 1)^2 at a = 1; d/da = (2 (3a - 1) 3 + 0) / 2 = 6
    assert float(value) == pytest.approx((4 + 1) / 2, rel=1e-6)
    assert float(as_numpy(gradient)) == pytest.approx(6.0, rel=1e-6)
    assert float(values["gradient_norm"]) == pytest.approx(1.5, rel=1e-6)


def test_gradient_penalty_trains_the_critic_by_double_backpropagation():
    # A linear critic D(x) = w . x: grad_x D = w for every sample, penalty
    # (||w|| - 1)^2, whose gradient in w is 2 (||w|| - 1) w / ||w||.
    dense = keras.layers.Dense(1, use_bias=False)
    discriminator = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(), dense])
    w = np.array([[1.0], [2.0], [0.0], [2.0]], "float32")  # ||w|| = 3
    dense.kernel.assign(w)
    images = np.random.default_rng(0).normal(size=(5, 2, 2, 1)).astype("float32")
    step = penalty_step(discriminator, images)
    regularizer = GradientPenalty(1.0, seed=0)
    value, _, (gradient,) = backend.value_and_gradients(lambda: regularizer.penalty(step, discriminator), [dense.kernel])
    assert float(value) == pytest.approx(4.0, rel=1e-5)
    np.testing.assert_allclose(as_numpy(gradient), 2 * (3 - 1) * w / 3, rtol=1e-5)


# ------------------------------------------------------- state in a step -- #
def small_gan(seed=0, regularizers=()):
    keras.utils.set_random_seed(seed)
    gan = GAN(dense_generator(latent_dim=4), dense_discriminator(), regularizers=list(regularizers), seed=seed)
    gan.compile()
    return gan


def digits(count=32):
    return np.random.default_rng(0).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def snapshot(variables):
    return [np.array(v.numpy()) for v in variables]


def test_every_piece_of_state_moves_in_a_step_and_survives_save_and_load(tmp_path):
    # On JAX a variable the trainer does not carry would silently keep its
    # old value: each kind of state must change through fit().
    gan = small_gan(regularizers=[HistoricalAveraging(1e-3)])
    groups = {
        "generator weights": gan.generator.trainable_variables,
        "discriminator weights": gan.discriminator.trainable_variables,
        "BatchNorm statistics": gan.generator.non_trainable_variables,
        "D optimiser": gan.d_optimizer.variables,
        "G optimiser": gan.g_optimizer.variables,
        "seed": [gan.seed_generator.state],
        "regulariser state": gan.regularizers[0].variables,
    }
    before = {name: snapshot(variables) for name, variables in groups.items()}
    gan.fit(digits(), batch_size=16, epochs=1, verbose=0)
    for name, variables in groups.items():
        moved = [not np.array_equal(a, b) for a, b in zip(before[name], snapshot(variables))]
        assert any(moved), f"{name} did not change in fit()"
    assert int(gan.optimizer.iterations) == 2 and int(gan.d_optimizer.iterations) == 2
    assert float(gan.trackers["d_loss"].count.numpy()) == 2  # the metrics' state too

    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    for mine, theirs in zip(gan.variables + gan.optimizer.variables, loaded.variables + loaded.optimizer.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=mine.path)


def test_the_same_seed_gives_the_same_run():
    runs = []
    for _ in range(2):
        gan = small_gan(seed=3)
        history = gan.fit(digits(), batch_size=16, epochs=2, verbose=0).history
        runs.append((history, snapshot(gan.variables)))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)
    other = small_gan(seed=4)
    other.fit(digits(), batch_size=16, epochs=2, verbose=0)
    assert not np.array_equal(snapshot(other.generator.variables)[0], runs[0][1][0])


def test_learning_rate_callbacks_reach_both_networks():
    gan = small_gan()
    gan.compile(d_optimizer=keras.optimizers.Adam(4e-4), g_optimizer=keras.optimizers.Adam(2e-4))
    halve = keras.callbacks.LearningRateScheduler(lambda epoch, rate: rate / 2 if epoch else rate)
    gan.fit(digits(), batch_size=16, epochs=2, verbose=0, callbacks=[halve])
    # The scheduler reads the first network's rate and scales every rate by the same factor.
    assert float(gan.d_optimizer.learning_rate.numpy()) == pytest.approx(2e-4)
    assert float(gan.g_optimizer.learning_rate.numpy()) == pytest.approx(1e-4)


# --------------------------------------------- from one backend to the other -- #
_USE_ON_OTHER_BACKEND = """
import json, sys
import numpy as np
import keras
import gan_keras
gan = keras.models.load_model(sys.argv[1])
pixelcnn = keras.models.load_model(sys.argv[2])
latent = np.linspace(-1, 1, 2 * gan.latent_dim, dtype="float32").reshape(2, gan.latent_dim)
samples = pixelcnn.sample(2, seed=0)
print(json.dumps({"images": gan.generate_from(latent).tolist(), "backend": keras.config.backend(),
                  "samples_ok": bool(samples.shape == (2, 6, 6, 1) and set(np.unique(samples)) <= {-1.0, 1.0})}))
"""


def test_a_model_saved_on_one_backend_loads_and_samples_on_the_other(tmp_path):
    gan = small_gan()
    gan.fit(digits(), batch_size=16, epochs=1, verbose=0)
    gan.save(tmp_path / "gan.keras")
    pixelcnn = PixelCNN(pixelcnn_network((6, 6, 1), hidden_channels=4, residual_blocks=1, output_channels=4), seed=0)
    pixelcnn.compile()
    pixelcnn.save(tmp_path / "pixelcnn.keras")
    environment = {**os.environ, "KERAS_BACKEND": OTHER_BACKEND, "GAN_KERAS_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", _USE_ON_OTHER_BACKEND, str(tmp_path / "gan.keras"), str(tmp_path / "pixelcnn.keras")],
        capture_output=True, text=True, env=environment, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    other = json.loads(result.stdout.strip().splitlines()[-1])
    assert other["backend"] == OTHER_BACKEND and other["samples_ok"]
    latent = np.linspace(-1, 1, 2 * gan.latent_dim, dtype="float32").reshape(2, gan.latent_dim)
    np.testing.assert_allclose(np.array(other["images"]), gan.generate_from(latent), atol=1e-5)


# ---------------------------------------------------- a new regulariser -- #
class CentreTheLogits(Regularizer):
    """README's example: a penalty on D's mean logit, with its own progress-bar value."""

    metric_names = ("mean_logit",)

    def penalty(self, step, network):
        if network is not step.discriminator:
            return None
        mean = ops.mean(step.real_logits)
        return 0.1 * mean**2, {"mean_logit": mean}


def test_a_new_regulariser_needs_no_change_to_the_loop():
    gan = small_gan(regularizers=[CentreTheLogits()])
    history = gan.fit(digits(), batch_size=16, epochs=1, verbose=0).history
    assert set(history) == {"d_loss", "g_loss", "D_x", "D_G_z", "mean_logit"}
    assert np.isfinite(history["mean_logit"][0])
