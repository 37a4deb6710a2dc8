#!/usr/bin/env bash
# Configures and builds mlc in $MLC_BUILD_DIR (default: build/) with Ninja,
# ccache and lld against Debian's LLVM/MLIR 22.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_BUILD_DIR:-build}
jobs=${MLC_JOBS:-$(nproc)}

if [ ! -f "$build_dir/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -G Ninja -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}"
fi
start=$(date +%s)
cmake --build "$build_dir" -j "$jobs"
echo "build: done in $(( $(date +%s) - start )) s"
