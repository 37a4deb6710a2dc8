#!/usr/bin/env bash
# Train-step time of an MLP in mlc next to its peers, on one machine, in
# alternating rounds: mlc-step-bench (bench/step-bench.cpp) and
# bench/peers_mlp.py for PyTorch eager, torch.compile
# (MLC_BENCH_TORCH_COMPILE=1), JAX jit per step, JAX with 64 steps in one
# lax.scan (as a whole epoch runs) and Keras 3 on TensorFlow. The peers come from the venv
# MLC_BENCH_VENV names; MLC_BENCH_INSTALL=1 creates it and installs torch,
# jax and tensorflow into it from PyPI (bench/peers-common.sh). Else PyTorch
# comes from Debian's python3-torch; the tests never need them. Prints
# microseconds per step, the peers' time over mlc's, and the step's floor:
# its matmul FLOPs at the FMA peak mlc-step-bench measures.
#   bench/mlp-peers.sh [MODEL WIDTHS BATCH [THREADS [ROUNDS]]]
#   default: bench/models/wide_mlp.mlir 784,1024,1024,10 256 1 3
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
model=${1:-bench/models/wide_mlp.mlir}
widths=${2:-784,1024,1024,10}
batch=${3:-256}
threads=${4:-1}
rounds=${5:-3}
cmake --build "$build_dir" --target mlc-step-bench >/dev/null
export MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
lscpu | grep -E "^(Model name|CPU family|Model|Flags)" | sed 's/^Flags:.*\(avx512f\).*/Flags: ... avx512f .../; s/^Flags:.*\(avx2\).*/Flags: ... avx2 (no avx512f) .../'
# PyTorch from the venv when it has it (a current PyTorch 2 from PyPI),
# else Debian's; torch.compile only with the venv's (it needs a compiler
# toolchain and PyTorch 2).
. bench/peers-common.sh
peers_venv torch jax tensorflow
# MLC_BENCH_PRECISION=bf16: mlc's --precision=bf16 against PyTorch eager
# under torch.autocast(bfloat16) (and against the f32 peers).
precision=${MLC_BENCH_PRECISION:-f32}
peers=()
if [ -n "$venv_py" ] && "$venv_py" -c "import torch" 2>/dev/null; then
  peers+=("torch:$venv_py")
  [ "$precision" = bf16 ] && peers+=("torch-bf16:$venv_py")
  [ -n "${MLC_BENCH_TORCH_COMPILE:-}" ] && peers+=("torch-compile:$venv_py")
elif /usr/bin/python3 -c "import torch" 2>/dev/null; then
  peers+=("torch:/usr/bin/python3")
  [ "$precision" = bf16 ] && peers+=("torch-bf16:/usr/bin/python3")
fi
if [ -n "$venv_py" ] && "$venv_py" -c "import jax" 2>/dev/null; then
  peers+=("jax:$venv_py" "jax-scan:$venv_py")
fi
if [ -n "$venv_py" ] && "$venv_py" -c "import keras, tensorflow" 2>/dev/null; then
  peers+=("keras:$venv_py")
fi
# Every system gets the same cores: XLA's runtime runs independent ops of
# a step concurrently on a pool of its own and would otherwise use every
# core of the machine whatever the thread settings say.
pin=()
command -v taskset >/dev/null && pin=(taskset -c "0-$((threads - 1))")
out=$(mktemp)
# Compile times, "SYSTEM MS": mlc's first compile in its process (the
# compile cache off), the peers' first call less a steady one.
compiles=$(mktemp)
trap 'rm -f "$out" "$compiles"' EXIT
for r in $(seq "$rounds"); do
  bench_out=$(MLC_NO_CACHE=1 "${pin[@]}" "$build_dir/bin/mlc-step-bench" "$model" "$batch" --threads "$threads" --rounds 3 --precision "$precision")
  mlc_step_lines "$threads" <<<"$bench_out" | awk '{ print $1, $3 }' >>"$out"
  sed -n 's/^[^ ]*: compiled in \([0-9.]*\) ms.*/mlc \1/p' <<<"$bench_out" >>"$compiles"
  for p in "${peers[@]}"; do
    name=${p%%:*} py=${p#*:}
    peer_out=$("${pin[@]}" "$py" bench/peers_mlp.py "$name" "$widths" "$batch" --threads "$threads" --rounds 3)
    awk '{ print $1, $3 }' <<<"$peer_out" >>"$out"
    awk 'NF >= 5 { print $1, $5 }' <<<"$peer_out" >>"$compiles"
  done
done
echo
printf "%-8s %12s   %-16s %s\n" system "best us/step" "over mlc's best" "compile ms (min)"
m=$(awk '$1 == "mlc" { print $2 }' "$out" | sort -g | head -n 1)
# The floor of the round whose FMA peak measured highest (the lowest).
f=$(awk '$1 == "floor" { print $2 }' "$out" | sort -g | head -n 1)
for name in mlc torch torch-bf16 torch-compile jax jax-scan keras; do
  t=$(awk -v n="$name" '$1 == n { print $2 }' "$out" | sort -g | head -n 1)
  c=$(awk -v n="$name" '$1 == n { print $2 }' "$compiles" | sort -g | head -n 1)
  [ -n "$t" ] && printf "%-8s %12.1f   %-16s %8s%s\n" "$name" "$t" "$(printf "%.2fx" "$(echo "$t / $m" | bc -l)")" \
    "${c:--}" "${f:+   $(printf "%.2f" "$(echo "$t / $f" | bc -l)")x the floor}"
done
[ -n "$f" ] && printf "%-8s %12.1f   (the step's matmul FLOPs at the FMA peak measured)\n" floor "$f"
echo "($model, batch $batch, $threads thread(s), mlc in $precision, best of $rounds alternating rounds)"
echo "(compile: mlc's first compile in its process, parse to callable, the compile cache off;"
echo " the peers' first call less a steady call: tracing and compiling; eager PyTorch compiles nothing)"
