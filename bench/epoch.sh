#!/usr/bin/env bash
# Epoch time of the seed MLP on MNIST (Adam, one thread): mlc against a
# hand-written C++ step calling oneDNN sgemm, epoch for epoch in one process
# (mlc-epoch-bench, bench/epoch-bench.cpp), then PyTorch eager (Debian
# python3-torch) in its own process. Prints seconds and ratios.
#   bench/epoch.sh [ROUNDS]   (default 5 paired epochs per batch size)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
rounds=${1:-5}
scripts/install-deps.sh libdnnl-dev ocl-icd-opencl-dev python3-torch python3-numpy >/dev/null
scripts/build.sh >/dev/null
cmake "$build_dir" >/dev/null
cmake --build "$build_dir" --target mlc-epoch-bench >/dev/null
# Peers at their best: glibc keeps freed memory (page faults are slow
# here), one thread each.
export MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX
data=data/mnist
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build_dir/bin/mlc-epoch-bench" "$data" 32 128 -r "$rounds" | tee "$out"
echo
printf "%-6s %12s %12s %12s\n" batch "mlc best" "PyTorch best" "PyTorch/mlc"
for batch in 32 128; do
  m=$(awk -v b="$batch" '$1 == b && $2 == "mlc" { sub("s", "", $4); print $4 }' "$out")
  t=$(for r in 1 2 3; do /usr/bin/python3 bench/torch_mlp.py "$data" "$batch"; done | sort -g | head -n 1)
  printf "%-6s %11.3fs %11.3fs %11.2fx\n" "$batch" "$m" "$t" "$(echo "$t / $m" | bc -l)"
done
echo "(seconds per epoch of 60000 images, one thread; PyTorch best of 3 epochs)"
