#!/usr/bin/env bash
# Train-step time of Keras's MNIST convnet (examples/mnist_cnn.mlir) in mlc
# next to its peers, on one machine, in alternating rounds:
# mlc-step-bench (bench/step-bench.cpp) and bench/peers_cnn.py for PyTorch
# eager (NCHW as written by users, and channels_last), torch.compile
# (MLC_BENCH_TORCH_COMPILE=1), JAX jit and Keras 3 on TensorFlow. Peers
# come from the venv MLC_BENCH_VENV names; MLC_BENCH_INSTALL=1 creates it
# and installs torch, jax and tensorflow into it from PyPI
# (bench/peers-common.sh). Else PyTorch comes from Debian's python3-torch;
# the tests never need them. Prints microseconds per step, the peers' time
# over mlc's, and the step's floor (its matmul and convolution FLOPs at
# the FMA peak mlc-step-bench measures), for each batch size.
#   bench/cnn-peers.sh [THREADS [ROUNDS [BATCH...]]]   default: 1 3 32 128
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
threads=${1:-1}
rounds=${2:-3}
shift $(($# > 2 ? 2 : $#))
batches=("$@")
[ ${#batches[@]} -eq 0 ] && batches=(32 128)
model=examples/mnist_cnn.mlir
cmake --build "$build_dir" --target mlc-step-bench >/dev/null
export MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
lscpu | grep -E "^(Model name|CPU family|Model|Flags)" | sed 's/^Flags:.*\(avx512f\).*/Flags: ... avx512f .../; s/^Flags:.*\(avx2\).*/Flags: ... avx2 (no avx512f) .../'
. bench/peers-common.sh
peers_venv torch jax tensorflow
peers=()
if [ -n "$venv_py" ] && "$venv_py" -c "import torch" 2>/dev/null; then
  peers+=("torch:$venv_py" "torch-nhwc:$venv_py")
  [ -n "${MLC_BENCH_TORCH_COMPILE:-}" ] && peers+=("torch-compile:$venv_py")
elif /usr/bin/python3 -c "import torch" 2>/dev/null; then
  peers+=("torch:/usr/bin/python3" "torch-nhwc:/usr/bin/python3")
fi
if [ -n "$venv_py" ] && "$venv_py" -c "import jax" 2>/dev/null; then
  peers+=("jax:$venv_py")
fi
if [ -n "$venv_py" ] && "$venv_py" -c "import keras, tensorflow" 2>/dev/null; then
  peers+=("keras:$venv_py")
fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c "0-$((threads - 1))")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
  for b in "${batches[@]}"; do
    "${pin[@]}" "$build_dir/bin/mlc-step-bench" "$model" "$b" --threads "$threads" --rounds 3 |
      mlc_step_lines "$threads" >>"$out"
    for p in "${peers[@]}"; do
      name=${p%%:*} py=${p#*:}
      "${pin[@]}" "$py" bench/peers_cnn.py "$name" "$b" --threads "$threads" --rounds 3 2>/dev/null |
        awk '{ print $1, $2, $3 }' >>"$out"
    done
  done
done
echo "threads $threads; best of $rounds alternating rounds, microseconds per train step"
for b in "${batches[@]}"; do
  awk -v b="$b" '$2 == b { if (!($1 in best) || $3 < best[$1]) best[$1] = $3 }
    END {
      m = best["mlc"]; f = best["floor"]
      printf "batch %s\n", b
      for (k in best) {
        if (k == "floor") continue
        printf "  %-14s %10.1f us  %5.2fx mlc", k, best[k], best[k] / m
        if (f > 0) printf "  %5.2fx the floor", best[k] / f
        printf "\n"
      }
      if (f > 0) printf "  %-14s %10.1f us  (the step'"'"'s matmul and convolution FLOPs at the FMA peak)\n", "floor", f
    }' "$out"
done
