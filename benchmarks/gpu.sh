#!/usr/bin/env bash
# The GPU benchmarks in one call of a lent GPU machine (DEVELOPERS.md says how):
# ms per D+G step beside plain PyTorch (gpu.py), then the GANs' quality at the
# README budgets, 3 seeds, on JAX (backends.py). Needs the wheels in .whl/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site:$PWD:$PWD/benchmarks KERAS_BACKEND=jax GAN_KERAS_OFFLINE=1 PYTHONUNBUFFERED=1
export XLA_PYTHON_CLIENT_PREALLOCATE=false  # JAX and PyTorch share the GPU in gpu.py
out=${OUT:-benchmarks/results}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$out/gpu_device.txt"
python3 benchmarks/gpu.py --json "$out/gpu.json" | tee "$out/gpu.md"
python3 benchmarks/backends.py --models gan dcgan --seeds 0 1 2 | tee "$out/backends_gpu.log"
if [ "$out" != benchmarks/results ]; then cp benchmarks/results/backends.json benchmarks/results/backends.md "$out/"; fi
