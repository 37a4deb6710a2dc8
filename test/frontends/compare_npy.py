"""Compares two float32 .npy files (standard library only): same shape,
every element within ATOL + RTOL * |expected|. Prints the worst error."""

import ast
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        sys.exit("%s: not a .npy file" % path)
    major = data[6]
    size_bytes = 2 if major == 1 else 4
    n = int.from_bytes(data[8:8 + size_bytes], "little")
    start = 8 + size_bytes
    header = ast.literal_eval(data[start:start + n].decode("latin1"))
    if header["descr"] != "<f4" or header["fortran_order"]:
        sys.exit("%s: not a C-order float32 array" % path)
    body = data[start + n:]
    return header["shape"], struct.unpack("<%df" % (len(body) // 4), body)


def main():
    actual, expected = sys.argv[1], sys.argv[2]
    atol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
    rtol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    shape_a, a = load(actual)
    shape_e, e = load(expected)
    if shape_a != shape_e:
        sys.exit("shapes differ: %s vs %s" % (shape_a, shape_e))
    worst = max((abs(x - y) for x, y in zip(a, e)), default=0.0)
    bad = [i for i, (x, y) in enumerate(zip(a, e))
           if not abs(x - y) <= atol + rtol * abs(y)]
    if bad:
        i = bad[0]
        sys.exit("%d of %d elements differ; first at %d: %r vs %r" %
                 (len(bad), len(a), i, a[i], e[i]))
    print("match: %d elements, max abs error %.3g" % (len(a), worst))


main()
