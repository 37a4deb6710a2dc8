#!/usr/bin/env bash
# Fuzzes one reader with libFuzzer, AddressSanitizer and UBSan:
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
# TARGET: idx, csv, npy, npz, text, safetensors, model, keras or onnx (fuzz/*Fuzzer.cpp). Builds the targets
# with clang-22 in $MLC_SANITIZE_BUILD_DIR (default build-sanitize/, shared
# with scripts/sanitize.sh), starts from the checked-in corpus
# (fuzz/corpus/TARGET) plus what earlier runs found there
# (build-sanitize/corpus/TARGET), and runs $MLC_FUZZ_JOBS workers (default
# 1). A crash is written to build-sanitize/crashes/TARGET/: add it to
# fuzz/regressions/TARGET/ with the fix, and ctest replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: scripts/fuzz.sh idx|csv|npy|npz|text|safetensors|model|keras|onnx SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target=$1 seconds=$2
shift 2
case $target in
  idx|csv|npy|npz|text|safetensors|model|keras|onnx) ;;
  *) echo "fuzz.sh: unknown target '$target' (idx, csv, npy, npz, text, safetensors, model, keras or onnx)" >&2; exit 2 ;;
esac
build_dir=${MLC_SANITIZE_BUILD_DIR:-build-sanitize}
scripts/sanitize.sh --build "mlc-fuzz-$target"

corpus="$build_dir/corpus/$target" crashes="$build_dir/crashes/$target"
mkdir -p "$corpus" "$crashes"
# Model text is small; long inputs only slow each execution down.
max_len=()
[ "$target" = model ] && max_len=(-max_len=4096)
jobs=${MLC_FUZZ_JOBS:-1}
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-fork="$jobs")
# See scripts/sanitize.sh for why user poisoning is off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0}
log="$build_dir/fuzz-$target.log"
echo "fuzz.sh: fuzzing $target for $seconds s (log: $log)"
set +e
"$build_dir/bin/mlc-fuzz-$target" "$corpus" "fuzz/corpus/$target" \
  "fuzz/regressions/$target" -max_total_time="$seconds" -timeout=30 \
  -rss_limit_mb=4096 -artifact_prefix="$crashes/" -print_final_stats=1 \
  "${max_len[@]}" "${parallel[@]}" "$@" > "$log" 2>&1
status=$?
set -e
grep -a -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|Done)' "$log" || true
runs=$(grep -a -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | awk '{s += $2} END {print s + 0}')
echo "fuzz.sh: $target: $runs executions in $seconds s, exit status $status"
exit "$status"
