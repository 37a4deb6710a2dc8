#!/usr/bin/env bash
# The sanitizer suite (scripts/test.sh runs it after the main suite, so CI
# does): mlc's own code built with clang-22, AddressSanitizer, UBSan and
# libFuzzer's instrumentation in $MLC_SANITIZE_BUILD_DIR (default
# build-sanitize/, which scripts/fuzz.sh shares), then every ctest suite
# (lit, unit tests, the fuzz targets over their corpora and regression
# inputs) and a shorter differential test. Debian's LLVM and MLIR are not
# instrumented. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${MLC_SANITIZE_BUILD_DIR:-build-sanitize}
if [ ! -f "$build_dir/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S . -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release -DMLC_FUZZ=ON "${launcher[@]}"
fi
# `scripts/sanitize.sh --build TARGET...` only builds (scripts/fuzz.sh).
if [ "${1:-}" = --build ]; then
  shift
  exec cmake --build "$build_dir" -j "${MLC_JOBS:-$(nproc)}" --target "$@"
fi
start=$(date +%s)
cmake --build "$build_dir" -j "${MLC_JOBS:-$(nproc)}"
echo "sanitize: built in $(( $(date +%s) - start )) s"
start=$(date +%s)
# Any report fails the test that made it. allow_user_poisoning=0: LLVM's
# inline allocator code in mlc's (instrumented) files poisons slabs that
# Debian's (uninstrumented) libMLIR then hands out unpoisoned, which ASan
# would report as use-after-poison.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1:allow_user_poisoning=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The formatting and docs checks are the main suite's; the full difftest
# is too (a shorter one runs below).
ctest --test-dir "$build_dir" --output-on-failure -j "${MLC_JOBS:-$(nproc)}" \
  -E '^(difftest|clang-format|docs-up-to-date/.*)$'
# The difftest's checks run in forked children, which exit without freeing
# the compiled models: no leak check there.
ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0 \
  "$build_dir/bin/mlc-difftest" --graphs 40 --seed 1
echo "sanitize: tests passed in $(( $(date +%s) - start )) s"
