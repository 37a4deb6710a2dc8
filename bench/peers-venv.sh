# shellcheck shell=bash
# Sourced by the peer benchmarks (mlp-peers.sh, cnn-peers.sh,
# sequence.sh): `peers_venv PACKAGE...` sets venv_py to the Python of the
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
