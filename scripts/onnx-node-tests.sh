#!/usr/bin/env bash
# ONNX's backend node tests on mlc (docs/onnx.md):
#   scripts/onnx-node-tests.sh [--prepare] [mlc-onnx-node-tests flags...]
# Writes the node tests of the onnx package (pinned below, installed from
# PyPI into a venv in the build directory; $MLC_ONNX_VENV names another
# venv that has it) into $MLC_BUILD_DIR/onnx-node, where the lit suite
# finds them, then runs them (--prepare: only writes them). The data is
# made once per onnx version.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${MLC_BUILD_DIR:-build}
data=$build/onnx-node
venv=${MLC_ONNX_VENV:-$build/onnx-venv}
version=1.23.2
if [ ! -f "$data/.made-by-onnx-$version" ]; then
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
  fi
  if ! "$venv/bin/python" -c "import onnx; assert onnx.__version__ == '$version'" 2>/dev/null; then
    "$venv/bin/pip" install -q "onnx==$version"
  fi
  rm -rf "$data.tmp"
  "$venv/bin/python" scripts/onnx_node_data.py "$data.tmp" 2>/dev/null
  touch "$data.tmp/.made-by-onnx-$version"
  rm -rf "$data"
  mv "$data.tmp" "$data"
fi
if [ "${1:-}" = --prepare ]; then
  exit 0
fi
"$build/bin/mlc-onnx-node-tests" "$data" "$@"
