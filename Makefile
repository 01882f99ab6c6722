# Two commands, each from a fresh clone with only Python 3.10+ and make:
#   make demo   set up .venv, train the dense MNIST GAN briefly, write runs/demo/samples.png
#   make test   set up .venv, run the unit tests, then every notebook in quick mode under strict nbval
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test clean

demo: $(VENV)/.installed
	rm -rf runs/demo
	$(BIN)/python -m gan_keras train gan --epochs 50 --batch-size 64 --seed 0 --out runs/demo
	@echo "Samples of the trained GAN: runs/demo/samples.png (progress per epoch: runs/demo/progress/)"

# The unit tests run on TensorFlow (the default backend), then the tests of
# everything that trains or computes on the backend run again on JAX.
JAX_TESTS := tests/models tests/test_backend.py tests/test_layers.py tests/test_losses.py \
             tests/test_callbacks.py tests/test_cli.py tests/test_latent.py tests/test_runs.py

# Strict nbval: every notebook cell not marked NBVAL_IGNORE_OUTPUT must
# reproduce its committed output (notebooks/conftest.py explains the modes).

# Tests run in WORKERS processes (pytest-xdist), one test file per process at
# a time (--dist loadfile: a file's shared fixtures are built once, a
# notebook's cells run in order in one kernel). `make test WORKERS=1` runs
# them one by one.
WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadfile

test: $(VENV)/.installed
	GAN_KERAS_QUICK=1 GAN_KERAS_OFFLINE=1 $(PYTEST) tests
	KERAS_BACKEND=jax GAN_KERAS_QUICK=1 GAN_KERAS_OFFLINE=1 $(PYTEST) $(JAX_TESTS)
	GAN_KERAS_QUICK=1 GAN_KERAS_OFFLINE=1 $(PYTEST) --nbval notebooks/

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

clean:
	rm -rf $(VENV) runs
