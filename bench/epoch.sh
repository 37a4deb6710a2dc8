#!/usr/bin/env bash
# Epoch time of the seed MLP on MNIST (Adam, one thread), side by side:
# mlc, PyTorch eager (Debian python3-torch), and a hand-written C++ step
# calling oneDNN sgemm (bench/onednn_step.cpp). Prints seconds and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
scripts/install-deps.sh libdnnl-dev python3-torch python3-numpy >/dev/null
scripts/build.sh >/dev/null
cmake "$build_dir" >/dev/null
cmake --build "$build_dir" --target mlc-onednn-step >/dev/null
# Peers at their best: glibc keeps freed memory (page faults are slow
# here), one thread each.
export MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX
data=data/mnist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf "%-8s %10s %10s %10s %12s %12s\n" batch mlc PyTorch oneDNN "PyTorch/mlc" "oneDNN/mlc"
for batch in 32 128; do
  best() { sort -g | head -n 1; }
  m=$(for r in 1 2 3; do
        "$build_dir/bin/mlc" train examples/mnist_mlp.mlir --data mnist --epochs 1 \
          --batch-size "$batch" --threads 1 --report "$tmp/r.json" >/dev/null
        grep -o '"seconds": [0-9.e+-]*' "$tmp/r.json" | head -n 1 | cut -d' ' -f2
      done | best)
  t=$(for r in 1 2 3; do /usr/bin/python3 bench/torch_mlp.py "$data" "$batch"; done | best)
  o=$(for r in 1 2 3; do "$build_dir/bin/mlc-onednn-step" "$data" "$batch"; done | best)
  printf "%-8s %9.3fs %9.3fs %9.3fs %11.2fx %11.2fx\n" "$batch" "$m" "$t" "$o" \
    "$(echo "$t / $m" | bc -l)" "$(echo "$o / $m" | bc -l)"
done
echo "(best of 3 epochs each; seconds per epoch of 60000 images, one thread)"
