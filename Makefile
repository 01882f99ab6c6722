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

# Strict nbval: every notebook cell not marked NBVAL_IGNORE_OUTPUT must
# reproduce its committed output (notebooks/conftest.py explains the modes).
test: $(VENV)/.installed
	GAN_KERAS_QUICK=1 GAN_KERAS_OFFLINE=1 $(BIN)/python -m pytest tests -q
	GAN_KERAS_QUICK=1 GAN_KERAS_OFFLINE=1 $(BIN)/python -m pytest --nbval notebooks/ -q

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

clean:
	rm -rf $(VENV) runs
