"""gan_keras: the generative models of the course as Keras 3 models.

Importing the package registers its models and layers with Keras, so
`keras.models.load_model("run/model.keras")` works after `import gan_keras`.
(A file saved by gan_keras cannot be loaded without that import: Keras looks
custom classes up among the registered ones and imports no other package.)

`python -m gan_keras` is the exception: it reads its arguments first, so that
a mistyped argument is reported at once, and loads Keras (and TensorFlow)
only for a command that needs it (see gan_keras/cli.py).
"""

import importlib
import os
import sys
import warnings

# Quiet TensorFlow's C++ start-up logs (they would land in notebook outputs);
# a user's own setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Keras 3.15 warns on every fit() on a tf.data.Dataset that its default
# shuffle=True is ignored; our datasets shuffle themselves, so the warning only
# distracts students.
warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed, but will be ignored")

__version__ = "0.1.0"
__all__ = [
    "GAN",
    "VAE",
    "Autoencoder",
    "backend",
    "callbacks",
    "data",
    "latent",
    "layers",
    "losses",
    "metrics",
    "models",
    "objectives",
    "pixels",
    "plotting",
    "__version__",
]


_SUBMODULES = (
    "backend", "callbacks", "data", "latent", "layers", "losses", "metrics", "models", "objectives", "pixels",
    "plotting",
)


def load():
    """Imports the whole package, which registers its models and layers with Keras."""
    for name in _SUBMODULES:
        importlib.import_module(f"gan_keras.{name}")
    from gan_keras.models import GAN, VAE, Autoencoder

    globals().update(GAN=GAN, VAE=VAE, Autoencoder=Autoencoder)


def _started_as_command_line():
    """True while Python imports this package to run the command line:
    `python -m gan_keras` (Python sets sys.argv[0] to "-m" until it has found
    the module) or the `gan-keras` script that pip installs."""
    if sys.argv and os.path.basename(sys.argv[0]) in ("gan-keras", "gan-keras.exe"):
        return True
    original = list(getattr(sys, "orig_argv", []))
    return sys.argv[:1] == ["-m"] and "-m" in original and original[original.index("-m") + 1:][:1] == ["gan_keras"]


def __getattr__(name):  # only reached before load() (python -m gan_keras)
    if name in __all__:
        load()
        return globals()[name]
    raise AttributeError(f"module 'gan_keras' has no attribute {name!r}")


if not _started_as_command_line():
    load()
