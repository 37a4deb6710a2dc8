#!/usr/bin/env bash
# The GPU benchmark, on a machine with an NVIDIA GPU: mlc's seed-MLP train
# step (batch 128) and 4096^3 sgemm kernel, next to PyTorch/cuBLAS on the
# same device. Builds mlc-gpu-bench if needed; PyTorch is optional (a CUDA
# build of torch for the python3 on PATH, or MLC_PYTHON).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
steps=${1:-50}
cmake --build "$build_dir" --target mlc-gpu-bench >/dev/null
"$build_dir/bin/mlc-gpu-bench" "$steps"
python=${MLC_PYTHON:-python3}
if "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  "$python" bench/gpu_torch.py "$steps"
else
  echo "PyTorch with CUDA not found for $python: no PyTorch/cuBLAS comparison"
fi
