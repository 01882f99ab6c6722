"""Training speed of the dense course GAN: gan_keras vs a plain keras.io-style GAN.

Both train the same dense networks (the dense MNIST GAN of Goodfellow et al.
2014, "Generative Adversarial Nets": `dense_generator` and
`dense_discriminator`) with the same batch of real MNIST digits held in memory
(so the input pipeline is not measured), each with XLA off and on, on
whatever device the Keras backend uses. The keras.io-style reference is
written for TensorFlow; with KERAS_BACKEND=jax only the package's GAN is
timed (compiled: JAX without jit runs op by op). After a warm-up that includes compilation,
the four configurations are timed in interleaved rounds (so a slow spell of a
shared machine hits them all alike). The table gives the best and the median
steps per second of the wall clock and the median CPU time per step: on a
shared virtual machine the best of many short runs is the steadiest estimate
of what the code itself costs.

    python benchmarks/speed.py [--batch-size 64] [--steps 100] [--repeats 15] [--xla off|on|both]
    KERAS_BACKEND=jax python benchmarks/speed.py --xla on
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from device import device_name  # noqa: E402  (benchmarks/device.py)
from gan_keras.data import load_arrays, to_model_range  # noqa: E402
from gan_keras.models import GAN, dense_discriminator, dense_generator  # noqa: E402


class KerasIoStyleGAN(keras.Model):
    """The GAN of the keras.io examples, as one would write it in one file.

    The discriminator sees real and fake images in one concatenated batch; the
    generator is trained with "misleading" labels (all real). Kept here only as
    a speed reference.
    """

    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer, g_optimizer, loss_fn, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def train_step(self, real_images):
        import tensorflow as tf

        batch_size = tf.shape(real_images)[0]
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        generated = self.generator(noise, training=True)
        combined = tf.concat([generated, real_images], axis=0)
        labels = tf.concat([tf.zeros((batch_size, 1)), tf.ones((batch_size, 1))], axis=0)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined, training=True)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading_labels = tf.ones((batch_size, 1))
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(noise, training=True), training=True)
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}


def make_model(kind, jit_compile):
    generator, discriminator = dense_generator(), dense_discriminator()
    if kind == "gan_keras":
        model = GAN(generator, discriminator, seed=0)
        model.compile(jit_compile=jit_compile)
    else:
        model = KerasIoStyleGAN(discriminator, generator, latent_dim=100)
        model.compile(
            d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
            loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
            jit_compile=jit_compile,
        )
    return model


def time_steps(model, batches, steps):
    """(wall seconds, CPU seconds) of `steps` training steps on `batches` (N x batch images)."""
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(batches, batch_size=len(batches) // steps, epochs=1, shuffle=False, verbose=0)
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--xla", choices=["off", "on", "both"], default="both")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    images, _ = load_arrays("mnist", "train")
    batch = to_model_range(images[: args.batch_size])
    batches = np.concatenate([batch] * args.steps)  # the same batch, `steps` times: one epoch
    device = device_name()
    xla_modes = {"off": [False], "on": [True], "both": [False, True]}[args.xla]
    kinds = ("keras_io_style", "gan_keras") if keras.config.backend() == "tensorflow" else ("gan_keras",)
    configurations = [(kind, xla) for kind in kinds for xla in xla_modes]
    models = {}
    for kind, xla in configurations:
        models[kind, xla] = make_model(kind, xla)
        time_steps(models[kind, xla], batches, args.steps)  # compile and warm up
    timings = {configuration: [] for configuration in configurations}
    for _ in range(args.repeats):
        for configuration in configurations:
            timings[configuration].append(time_steps(models[configuration], batches, args.steps))
    results = []
    for (kind, xla), runs in timings.items():
        rates = [args.steps / wall for wall, _ in runs]
        cpu_ms = statistics.median(1000 * cpu / args.steps for _, cpu in runs)
        results.append({"implementation": kind, "xla": xla, "best_steps_per_s": round(max(rates), 1),
                         "median_steps_per_s": round(statistics.median(rates), 1),
                         "cpu_ms_per_step": round(cpu_ms, 1)})

    backend = keras.config.backend()
    backend_version = __import__(backend).__version__
    print(f"\nDense course GAN, batch {args.batch_size}, {device}, {backend} {backend_version}, Keras {keras.__version__}\n")
    print("| implementation | XLA | steps/s, best | steps/s, median | CPU ms/step, median |")
    print("|---|---|---|---|---|")
    for row in results:
        print(f"| {row['implementation']} | {'on' if row['xla'] else 'off'} | {row['best_steps_per_s']} | "
              f"{row['median_steps_per_s']} | {row['cpu_ms_per_step']} |")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"device": device, "backend": backend, "backend_version": backend_version,
                       "batch_size": args.batch_size, "results": results}, file, indent=2)


if __name__ == "__main__":
    main()
