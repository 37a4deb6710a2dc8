#!/bin/sh
# Trains examples/tabular/*.mlir on the tabular sets Debian's
# python3-sklearn ships (iris, wine, breast cancer, diabetes) from CSV
# through `mlc train`, and fits scikit-learn's LinearRegression on the same
# diabetes split for comparison (when /usr/bin/python3 has sklearn).
#   scripts/tabular.sh [BUILD_DIR] [OUT_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-$build/tabular}
mlc=$build/bin/mlc
python3 scripts/tabular_data.py "$out"
run() {
  name=$1
  shift
  echo "== $name"
  "$mlc" train "examples/tabular/$name.mlir" --data "$out/$name/train.csv" \
    --test-data "$out/$name/test.csv" --normalize standardize --seed 1 \
    --checkpoint "$out/$name/model.safetensors" "$@" | tail -n 2
}
run iris --epochs 100 --batch-size 16
run wine --epochs 100 --batch-size 16
run breast_cancer --epochs 100 --batch-size 32
# Full-batch gradient descent: 10 000 steps reach the least-squares fit.
run diabetes --epochs 10000 --batch-size 512
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  /usr/bin/python3 - "$out/diabetes" <<'PY'
import csv, sys
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_absolute_error, mean_squared_error
def load(path):
    rows = list(csv.reader(open(path)))[1:]
    return [[float(v) for v in r[:-1]] for r in rows], [float(r[-1]) for r in rows]
x, y = load(sys.argv[1] + "/train.csv")
xt, yt = load(sys.argv[1] + "/test.csv")
p = LinearRegression().fit(x, y).predict(xt)
print("scikit-learn LinearRegression: test MSE %.4f - mae: %.4f"
      % (mean_squared_error(yt, p), mean_absolute_error(yt, p)))
PY
fi
