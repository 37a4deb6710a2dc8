#!/usr/bin/env bash
# The sequence examples' train step in mlc next to PyTorch, on one machine,
# in alternating rounds: mlc-step-bench (bench/step-bench.cpp) of
# examples/mnist_lstm.mlir and examples/char_transformer.mlir, and
# bench/peers_sequence.py (PyTorch eager; torch.compile too with
# MLC_BENCH_TORCH_COMPILE=1) with the same layers, shapes and optimizer.
# PyTorch comes from the venv MLC_BENCH_VENV names (MLC_BENCH_INSTALL=1
# creates it and installs torch into it from PyPI: bench/peers-common.sh),
# else Debian's python3-torch; the tests never need it. Prints ms per step
# (best of the rounds' bests) and PyTorch's time over mlc's.
#   bench/sequence.sh [THREADS [ROUNDS [BATCH...]]]    default: 1 3 32 128
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
threads=${1:-1}
rounds=${2:-3}
shift $(($# > 2 ? 2 : $#))
batches=("$@")
[ ${#batches[@]} -eq 0 ] && batches=(32 128)
cmake --build "$build_dir" --target mlc-step-bench >/dev/null
export OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
lscpu | grep -E "^(Model name|CPU family|Model):"
. bench/peers-common.sh
peers_venv torch
py=$venv_py
if [ -z "$py" ] || ! "$py" -c "import torch" 2>/dev/null; then
  py=/usr/bin/python3
  "$py" -c "import torch" 2>/dev/null || py=
fi
compile=()
[ -n "${MLC_BENCH_TORCH_COMPILE:-}" ] && compile=(--compile)
pin=()
command -v taskset >/dev/null && pin=(taskset -c "0-$((threads - 1))")
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
  for model in mnist_lstm char_transformer; do
    "${pin[@]}" "$build_dir/bin/mlc-step-bench" "examples/$model.mlir" "${batches[@]}" --threads "$threads" --rounds 3 |
      awk -v m="$model" '$2 == "default" { sub("us", "", $3); print "mlc", m, $1, $3 / 1000 }' >>"$out"
  done
  if [ -n "$py" ]; then
    "${pin[@]}" "$py" bench/peers_sequence.py --threads "$threads" "${compile[@]}" "${batches[@]}" |
      awk '{ print "torch-" $3, $4, $6, $(NF - 1) }' >>"$out"
  fi
done
# system model batch ms -> the best per (system, model, batch), then ratios.
printf "%-16s %-17s %6s %10s %8s   (%s thread(s))\n" system model batch ms/step "vs mlc" "$threads"
awk '
  { k = $1 " " $2 " " $3; if (!(k in best) || $4 < best[k]) best[k] = $4 }
  END {
    for (k in best) {
      split(k, f, " "); m = "mlc " f[2] " " f[3]
      printf "%-16s %-17s %6d %10.2f %7.2fx\n", f[1], f[2], f[3], best[k], (m in best) ? best[k] / best[m] : 0
    }
  }' "$out" | sort -k2,2 -k3,3n -k1,1
