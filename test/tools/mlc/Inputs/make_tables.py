"""Writes small tables for data-tables.test: CSV files, .npy arrays and
.npz archives (written here with the standard library only, as NumPy
writes them), with labels a small model learns exactly."""

import random
import struct
import sys
import zipfile

out = sys.argv[1]
rng = random.Random(7)


def npy(shape, values, descr="<f4"):
    """The bytes of a version 1.0 .npy file."""
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, dims)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    code = {"<f4": "f", "<i8": "q", "|u1": "B"}[descr]
    data = struct.pack("<%d%s" % (len(values), code), *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + \
        header.encode() + data


def npz(path, arrays):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in arrays.items():
            z.writestr(name + ".npy", blob)


# Three blobs in the plane, one per class name (sorted: left, right, up).
centers = {"left": (-2.0, 0.0), "right": (2.0, 0.0), "up": (0.0, 2.5)}
def blobs(n):
    rows = []
    for i in range(n):
        name = ["up", "left", "right"][i % 3]
        cx, cy = centers[name]
        rows.append((cx + rng.gauss(0, 0.4), cy + rng.gauss(0, 0.4), name))
    return rows

train, test = blobs(90), blobs(30)
def write_csv(path, rows, header="a,b,kind"):
    with open(path, "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(
                ("%.6f" % v) if isinstance(v, float) else str(v)
                for v in r) + "\n")

write_csv(out + "/blobs.csv", train)
write_csv(out + "/blobs_test.csv", test)
write_csv(out + "/blobs_x.csv", [r[:2] for r in test], "a,b")
write_csv(out + "/blobs_renamed.csv", test, "a,c,kind")
write_csv(out + "/blobs_unknown.csv", test[:5] + [(0.0, 0.0, "down")])
# Two classes by name, for binary cross-entropy.
write_csv(out + "/two.csv", [r for r in train if r[2] != "up"])
# Class indices as numbers.
index = {"left": 0, "right": 1, "up": 2}
write_csv(out + "/indices.csv", [(a, b, index[k]) for a, b, k in train])
write_csv(out + "/index7.csv", [(1.0, 2.0, 7)])

# A linear target: y = 2a - 3b + 1.
reg = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(200)]
write_csv(out + "/linear.csv", [(a, b, 2 * a - 3 * b + 1) for a, b in reg],
          "a,b,y")

# The blobs as arrays: x [n, 2] float32, y [n] int64.
def flat(rows):
    return [v for r in rows for v in r[:2]]
ytrain = [index[r[2]] for r in train]
ytest = [index[r[2]] for r in test]
npz(out + "/blobs.npz", {"x": npy((90, 2), flat(train)),
                         "y": npy((90,), ytrain, "<i8")})
npz(out + "/keras.npz", {"x_train": npy((90, 2), flat(train)),
                         "y_train": npy((90,), ytrain, "<i8"),
                         "x_test": npy((30, 2), flat(test)),
                         "y_test": npy((30,), ytest, "<i8")})
npz(out + "/onlyx.npz", {"x": npy((90, 2), flat(train))})
with open(out + "/x.npy", "wb") as f:
    f.write(npy((90, 2), flat(train)))
with open(out + "/y.npy", "wb") as f:
    f.write(npy((90,), ytrain, "<i8"))
with open(out + "/y_short.npy", "wb") as f:
    f.write(npy((89,), ytrain[:89], "<i8"))
npz(out + "/wide.npz", {"x": npy((90, 2), flat(train)),
                        "y": npy((90, 2), flat(train))})
npz(out + "/pixels.npz", {"x": npy((4, 784), [0.5] * 4 * 784),
                          "y": npy((4,), [0, 1, 2, 3], "<i8")})
# One-hot rows as float targets (MSE on one-hot labels).
onehot = [v for i in ytrain for v in ([0.0] * i + [1.0] + [0.0] * (2 - i))]
with open(out + "/onehot.npy", "wb") as f:
    f.write(npy((90, 3), onehot))
