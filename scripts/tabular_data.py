"""Writes the classic tabular sets that Debian's python3-sklearn ships
(iris, wine, breast cancer, diabetes) as CSV files with a header, split
80/20 into train.csv and test.csv by a seeded shuffle. Standard library
only; scikit-learn's own loaders are not needed."""

import csv
import gzip
import os
import random
import sys

SRC = "/usr/lib/python3/dist-packages/sklearn/datasets/data"


def sklearn_csv(name):
    """sklearn's format: a first row of counts and class names, then the
    rows with a class index last."""
    with open(os.path.join(SRC, name)) as f:
        rows = list(csv.reader(f))
    first, body = rows[0], rows[1:]
    return first[2:], body


def split(rows, seed=0):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    cut = len(rows) * 4 // 5
    return rows[:cut], rows[cut:]


def write(out, name, header, rows):
    os.makedirs(os.path.join(out, name), exist_ok=True)
    train, test = split(rows)
    for part, part_rows in (("train", train), ("test", test)):
        with open(os.path.join(out, name, part + ".csv"), "w",
                  newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(part_rows)


def main(out):
    if not os.path.isdir(SRC):
        sys.exit("tabular_data.py: %s is missing (apt-get install "
                 "python3-sklearn)" % SRC)
    names, rows = sklearn_csv("iris.csv")
    write(out, "iris",
          ["sepal_length", "sepal_width", "petal_length", "petal_width",
           "species"],
          [r[:-1] + [names[int(r[-1])]] for r in rows])
    _, rows = sklearn_csv("wine_data.csv")
    write(out, "wine", ["m%d" % i for i in range(13)] + ["cultivar"], rows)
    names, rows = sklearn_csv("breast_cancer.csv")
    write(out, "breast_cancer", ["f%d" % i for i in range(30)] +
          ["diagnosis"], [r[:-1] + [names[int(r[-1])]] for r in rows])
    with gzip.open(os.path.join(SRC, "diabetes_data_raw.csv.gz"), "rt") as f:
        x = [line.split() for line in f if line.strip()]
    with gzip.open(os.path.join(SRC, "diabetes_target.csv.gz"), "rt") as f:
        y = [float(line) for line in f if line.strip()]
    write(out, "diabetes",
          ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
           "progression"],
          [a + ["%g" % b] for a, b in zip(x, y)])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/tabular")
