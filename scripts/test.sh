#!/usr/bin/env bash
# README command 2 (and CI): build if needed, then run every test suite
# (lit + GoogleTest + docs freshness) through ctest, then the sanitizer
# suite (scripts/sanitize.sh: ASan + UBSan build, docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
# ONNX's node tests come from PyPI's onnx package: without a network their
# lit test is UNSUPPORTED, not failed.
scripts/onnx-node-tests.sh --prepare ||
  echo "test.sh: could not make the ONNX node-test data (PyPI or python3 -m venv unavailable); skipping them" >&2
ctest --test-dir "${MLC_BUILD_DIR:-build}" --output-on-failure -j "${MLC_JOBS:-$(nproc)}"
scripts/sanitize.sh
