#!/usr/bin/env bash
# README command 2 (and CI): build if needed, then run every test suite
# (lit + GoogleTest + docs freshness) through ctest, then the sanitizer
# suite (scripts/sanitize.sh: ASan + UBSan build, docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir "${MLC_BUILD_DIR:-build}" --output-on-failure -j "${MLC_JOBS:-$(nproc)}"
scripts/sanitize.sh
