"""Milliseconds per D+G training step on a GPU: gan_keras (Keras on JAX) beside plain PyTorch.

The GPU machines lent to this project have JAX and PyTorch but no TensorFlow
and no Keras, so this script needs only Keras (carried as a wheel), JAX and
PyTorch; DEVELOPERS.md gives the one command that runs it there
(`benchmarks/gpu.sh`). It also runs on a CPU (slowly), which is how it is
tested before a GPU is lent.

Two networks, batch 64 by default:

- `gan`: the dense course GAN of Goodfellow et al. 2014 ("Generative
  Adversarial Nets"): `dense_generator` / `dense_discriminator`.
- `dcgan`: DCGAN of Radford et al. 2016 ("Unsupervised Representation
  Learning with Deep Convolutional GANs") on 28x28x1 (DCGAN-28):
  `dcgan_generator` / `dcgan_discriminator`.

For each, the package's `GAN` trains through `fit()` on one batch of real
digits repeated in memory (so the input pipeline is not measured), compiled
with XLA, once with Keras's default of one step per compiled call and once
with several (`steps_per_execution`, which removes Python's dispatch between
steps). Beside it, in the same process, a plain eager PyTorch GAN of the same
networks: `torch_twin` translates each Keras layer into its PyTorch
counterpart (same shapes and parameter counts, asserted; NCHW layout, so a
dense layer after a flatten sees its inputs in another, fixed order, which
changes no cost), the same losses (non-saturating, from logits), the same
Adam(2e-4, beta_1=0.5), the discriminator's real and fake batches in one call
unless it holds BatchNorm (as `GANStep` does). After a warm-up, each
configuration runs `--repeats` timed rounds of `--steps` steps, interleaved;
the table gives the median and the best milliseconds per step.

    KERAS_BACKEND=jax python benchmarks/gpu.py [--models gan dcgan] [--batch-size 64]
        [--steps 200] [--repeats 5] [--json benchmarks/results/gpu.json]
"""

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from device import device_name  # noqa: E402  (benchmarks/device.py)
from gan_keras.data import load_arrays, to_model_range  # noqa: E402
from gan_keras.models import GAN, dcgan_discriminator, dcgan_generator, dense_discriminator, dense_generator  # noqa: E402

NETWORKS = {
    "gan": (dense_generator, dense_discriminator),
    "dcgan": (dcgan_generator, dcgan_discriminator),
}


# --------------------------------------------------------------------------- #
# The package's GAN, timed through fit()
# --------------------------------------------------------------------------- #
def keras_gan(name, steps_per_execution):
    make_generator, make_discriminator = NETWORKS[name]
    model = GAN(make_generator(), make_discriminator(), seed=0)
    model.compile(jit_compile=True, steps_per_execution=steps_per_execution)
    return model


def time_keras(model, batches, steps):
    """Seconds for `steps` steps of fit() on `batches`, waiting for the last one."""
    start = time.perf_counter()
    model.fit(batches, batch_size=len(batches) // steps, epochs=1, shuffle=False, verbose=0)
    keras.ops.convert_to_numpy(model.generator.weights[0])  # the device has finished
    return time.perf_counter() - start


# --------------------------------------------------------------------------- #
# The same networks in plain PyTorch
# --------------------------------------------------------------------------- #
def torch_twin(network):
    """A torch.nn.Sequential with the layers of the Keras Sequential `network`."""
    import torch
    from torch import nn

    modules, shape = [], network.input_shape[1:]  # channels last: (H, W, C) or (features,)
    for layer in network.layers:
        kind = type(layer).__name__
        config = layer.get_config()
        if kind == "Dense":
            modules.append(nn.Linear(int(np.prod(shape)), config["units"], bias=config["use_bias"]))
        elif kind in ("Conv2D", "Conv2DTranspose"):
            kernel, stride = config["kernel_size"][0], config["strides"][0]
            assert config["padding"] == "same" and kernel % 2 == 1, (layer.name, config["padding"], kernel)
            args = dict(in_channels=shape[-1], out_channels=config["filters"], kernel_size=kernel,
                        stride=stride, padding=(kernel - 1) // 2, bias=config["use_bias"])
            if kind == "Conv2D":
                modules.append(nn.Conv2d(**args))
            else:  # "same": output side = input side * stride
                modules.append(nn.ConvTranspose2d(**args, output_padding=stride + 2 * args["padding"] - kernel))
        elif kind == "BatchNormalization":
            make = nn.BatchNorm1d if len(shape) == 1 else nn.BatchNorm2d
            # Keras: moving = momentum * moving + (1 - momentum) * batch; PyTorch the reverse.
            modules.append(make(shape[-1], eps=config["epsilon"], momentum=1 - config["momentum"]))
        elif kind == "LeakyReLU":
            modules.append(nn.LeakyReLU(config["negative_slope"]))
        elif kind == "ReLU":
            modules.append(nn.ReLU())
        elif kind == "Reshape":
            height, width, channels = config["target_shape"]
            modules.append(nn.Unflatten(1, (channels, height, width)))
        elif kind == "Flatten":
            modules.append(nn.Flatten())
        else:
            raise ValueError(f"torch_twin does not translate {kind} (layer {layer.name!r})")
        activation = config.get("activation", "linear")
        if activation == "tanh":
            modules.append(nn.Tanh())
        elif activation != "linear":
            raise ValueError(f"torch_twin does not translate activation {activation!r} (layer {layer.name!r})")
        shape = layer.compute_output_shape((None, *shape))[1:]
    twin = nn.Sequential(*modules)
    keras_count, torch_count = network.count_params(), sum(p.numel() for p in twin.parameters())
    keras_count -= sum(int(np.prod(w.shape)) for w in network.non_trainable_weights)  # moving statistics
    assert keras_count == torch_count, (network.name, keras_count, torch_count)
    return twin, torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TorchGAN:
    """The plain eager PyTorch GAN: D once on real and fake, then G once, each with fresh noise."""

    def __init__(self, name, batch_images):
        import torch

        make_generator, make_discriminator = NETWORKS[name]
        generator, discriminator = make_generator(), make_discriminator()
        self.latent_dim = generator.input_shape[-1]
        self.generator, device = torch_twin(generator)
        self.discriminator, _ = torch_twin(discriminator)
        self.generator.to(device), self.discriminator.to(device)
        self.batch_coupled = any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in self.discriminator)
        self.d_optimizer = torch.optim.Adam(self.discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.g_optimizer = torch.optim.Adam(self.generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
        images = np.transpose(batch_images, (0, 3, 1, 2))  # NHWC -> NCHW
        self.real = torch.as_tensor(images, device=device)
        self.ones = torch.ones(len(images), 1, device=device)
        self.zeros = torch.zeros(len(images), 1, device=device)
        self.device, self.torch = device, torch

    def step(self):
        torch, bce = self.torch, self.torch.nn.functional.binary_cross_entropy_with_logits
        size = len(self.real)
        fakes = self.generator(torch.randn(size, self.latent_dim, device=self.device)).detach()
        if self.batch_coupled:
            d_loss = bce(self.discriminator(self.real), self.ones) + bce(self.discriminator(fakes), self.zeros)
        else:
            logits = self.discriminator(torch.cat([self.real, fakes]))
            d_loss = bce(logits[:size], self.ones) + bce(logits[size:], self.zeros)
        self.d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_optimizer.step()
        g_loss = bce(self.discriminator(self.generator(torch.randn(size, self.latent_dim, device=self.device))),
                     self.ones)
        self.g_optimizer.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_optimizer.step()

    def time(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        if self.device.type == "cuda":
            self.torch.cuda.synchronize()
        return time.perf_counter() - start


# --------------------------------------------------------------------------- #
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", choices=list(NETWORKS), default=list(NETWORKS))
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200, help="steps per timed round")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per configuration")
    parser.add_argument("--steps-per-execution", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--no-torch", action="store_true", help="time the package alone")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.steps % max(args.steps_per_execution):
        parser.error("--steps must be a multiple of every --steps-per-execution")

    images, _ = load_arrays("mnist", "train")
    batch = to_model_range(images[: args.batch_size]).astype("float32")
    batches = np.concatenate([batch] * args.steps)
    keras.utils.set_random_seed(0)
    configurations = {}
    for name in args.models:
        for spe in args.steps_per_execution:
            model = keras_gan(name, spe)
            configurations[name, f"gan_keras, Keras {keras.__version__} on {keras.config.backend()}, "
                                 f"XLA, {spe} step{'s' if spe > 1 else ''} per call"] = (
                lambda model=model: time_keras(model, batches, args.steps))
        if not args.no_torch:
            import torch

            twin = TorchGAN(name, batch)
            configurations[name, f"plain PyTorch {torch.__version__}, eager"] = (
                lambda twin=twin: twin.time(args.steps))
    for run in configurations.values():  # warm-up: compilation, autotuning, allocation
        run()
    seconds = {key: [] for key in configurations}
    for _ in range(args.repeats):
        for key, run in configurations.items():
            seconds[key].append(run())

    device = device_name()
    rows = []
    for (name, implementation), runs in seconds.items():
        per_step = [1000 * s / args.steps for s in runs]
        rows.append({"model": name, "implementation": implementation, "batch_size": args.batch_size,
                     "median_ms_per_step": round(statistics.median(per_step), 3),
                     "best_ms_per_step": round(min(per_step), 3), "device": device})
    lines = ["| model | implementation | ms per D+G step, median | best | device |", "|---|---|---|---|---|"]
    lines += [f"| `{r['model']}`, batch {r['batch_size']} | {r['implementation']} | {r['median_ms_per_step']} | "
              f"{r['best_ms_per_step']} | {r['device']} |" for r in rows]
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"steps": args.steps, "repeats": args.repeats, "results": rows}, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    main()
