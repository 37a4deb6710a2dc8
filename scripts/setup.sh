#!/usr/bin/env bash
# README command 1: install dependencies, build mlc, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build_dir=${MLC_BUILD_DIR:-build}

# The main job. Until `mlc train` lands: the seed model's core-op graph,
# then native code for it (an object file with its predict entry point).
"$build_dir/bin/mlc" compile --emit=mlir-graph examples/mnist_mlp.mlir
"$build_dir/bin/mlc" compile examples/mnist_mlp.mlir -o "$build_dir/mnist_mlp.o"
echo "setup: compiled examples/mnist_mlp.mlir to $build_dir/mnist_mlp.o ($(stat -c %s "$build_dir/mnist_mlp.o") bytes)"
