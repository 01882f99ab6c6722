"""gan_keras: the generative models of the course as Keras 3 models.

Importing the package registers its models and layers with Keras, so
`keras.models.load_model("run/model.keras")` works after `import gan_keras`.
"""

import os
import warnings

# Quiet TensorFlow's C++ start-up logs (they would land in notebook outputs);
# a user's own setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Keras 3.15 warns on every fit() on a tf.data.Dataset that its default
# shuffle=True is ignored; our datasets shuffle themselves, so the warning only
# distracts students.
warnings.filterwarnings("ignore", message=r"`shuffle=True` was passed, but will be ignored")

from gan_keras import (  # noqa: E402
    backend, callbacks, data, latent, layers, losses, metrics, models, objectives, pixels, plotting,
)
from gan_keras.models import GAN, VAE, Autoencoder  # noqa: E402

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
