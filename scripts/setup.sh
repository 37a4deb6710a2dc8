#!/usr/bin/env bash
# README command 1: install dependencies, build mlc, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
build_dir=${MLC_BUILD_DIR:-build}

# The main job: train the seed model (Keras's MNIST MLP) for 5 epochs on
# the shipped MNIST and print the test accuracy.
"$build_dir/bin/mlc" train examples/mnist_mlp.mlir --data mnist --epochs 5 --batch-size 32
