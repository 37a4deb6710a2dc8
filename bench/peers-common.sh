# shellcheck shell=bash
# Sourced by the peer benchmarks (mlp-peers.sh, cnn-peers.sh,
# sequence.sh).

# `mlc-step-bench ... | mlc_step_lines THREADS` prints, for each batch's
# default row, "mlc BATCH US" (the best step) and "floor BATCH US": the
# step's matmul (and convolution) FLOPs at the FMA peak that run measured,
# on THREADS threads.
mlc_step_lines() {
  awk -v t="$1" '
    match($0, /FMA peak [0-9.]+/) { peak = substr($0, RSTART + 9, RLENGTH - 9) }
    $1 ~ /^[0-9]+$/ && $2 == "default" {
      sub("us", "", $3); print "mlc", $1, $3
      if (peak > 0) print "floor", $1, $5 / (peak * t) * 1e6
    }'
}

# `peers_venv PACKAGE...` sets venv_py to the Python of the
# venv MLC_BENCH_VENV names (empty when none is named). With
# MLC_BENCH_INSTALL=1 it first creates that venv ($build_dir/bench-venv
# unless MLC_BENCH_VENV says where) and installs the packages into it from
# PyPI (MLC_BENCH_PACKAGES replaces the list, e.g. "jax" alone). The tests
# never need any of it.
peers_venv() {
  if [ "${MLC_BENCH_INSTALL:-0}" = 1 ]; then
    MLC_BENCH_VENV=${MLC_BENCH_VENV:-$build_dir/bench-venv}
    if [ ! -x "$MLC_BENCH_VENV/bin/python" ]; then
      echo "creating the venv $MLC_BENCH_VENV" >&2
      # Debian's python3 makes venvs only with python3-venv.
      scripts/install-deps.sh python3-venv >/dev/null ||
        echo "note: could not check for python3-venv (install-deps.sh failed)" >&2
      if ! python3 -m venv "$MLC_BENCH_VENV"; then
        echo "error: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
        exit 1
      fi
    fi
    local packages=${MLC_BENCH_PACKAGES:-$*}
    echo "installing into $MLC_BENCH_VENV from PyPI: $packages" >&2
    # shellcheck disable=SC2086 # a list of package names
    if ! "$MLC_BENCH_VENV/bin/python" -m pip install --quiet $packages; then
      echo "error: pip could not install $packages into $MLC_BENCH_VENV" >&2
      exit 1
    fi
  fi
  venv_py=${MLC_BENCH_VENV:+$MLC_BENCH_VENV/bin/python}
  if [ -n "$venv_py" ] && [ ! -x "$venv_py" ]; then
    echo "error: MLC_BENCH_VENV=$MLC_BENCH_VENV has no bin/python (MLC_BENCH_INSTALL=1 creates it)" >&2
    exit 1
  fi
}
