#!/usr/bin/env bash
# Builds and runs mlc-bench: mlc next to OpenBLAS and oneDNN, one thread.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
scripts/install-deps.sh libopenblas-dev libdnnl-dev ocl-icd-opencl-dev >/dev/null
scripts/build.sh >/dev/null
cmake "$build_dir" >/dev/null   # pick up the libraries if just installed
cmake --build "$build_dir" --target mlc-bench
# Peers at their best: OpenBLAS 0.3.21 detects Zen 5 as Haswell and runs
# AVX2 kernels unless told; page faults are slow here, so glibc keeps freed
# memory; every library gets exactly one thread.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 DNNL_MAX_CPU_ISA=${DNNL_MAX_CPU_ISA:-AVX512_CORE}
export MALLOC_TRIM_THRESHOLD_=268435456 MALLOC_MMAP_THRESHOLD_=33554432
# Single-threaded rows use one thread each; the 2-thread row needs both cores.
exec "$build_dir/bin/mlc-bench" "$@"
