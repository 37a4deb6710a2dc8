#!/usr/bin/env bash
# Checks that the C and C++ sources are formatted as .clang-format says
# (LLVM style), with LLVM 22's clang-format: versions format differently.
# Lists the files that are not and exits 1; `scripts/check-format.sh -i`
# formats them in place instead.
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-/usr/lib/llvm-22/bin/clang-format}
if [ ! -x "$clang_format" ]; then
  # ctest reports 77 as skipped: other versions format differently.
  echo "check-format: $clang_format not found (apt-get install clang-format-22)" >&2
  exit 77
fi
mapfile -t files < <(find bench compiler dialects examples runtime test tools \
  -path '*/Inputs' -prune -o \
  \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) -type f -print | sort)
if [ "${1:-}" = "-i" ]; then
  "$clang_format" -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -ne 0 ]; then
  echo "check-format: not in LLVM style (fix with scripts/check-format.sh -i):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files in LLVM style"
