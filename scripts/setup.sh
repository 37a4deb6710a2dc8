#!/usr/bin/env bash
# README command 1: install dependencies, build mlc, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build_dir=${MLC_BUILD_DIR:-build}

# The main job. Until `mlc train` lands, compile the seed model to its
# core-op graph (parse, verify, materialize the params).
"$build_dir/bin/mlc" compile examples/mnist_mlp.mlir
