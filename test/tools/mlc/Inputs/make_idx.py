"""Writes small IDX data sets, good and broken, for the mlc train tests.

usage: make_idx.py DIR KIND
KIND: good | bad-magic | truncated-gzip | count-mismatch | label-range |
      small-images | small-test-images | big-test-images | huge-count |
      no-gzip-trailer | gzip-garbage
"""
import gzip
import os
import struct
import sys


def idx(dims, data):
    magic = struct.pack(">BBBB", 0, 0, 8, len(dims))
    return magic + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def write(path, blob, compress=True):
    if compress:
        with gzip.open(path + ".gz", "wb") as f:
            f.write(blob)
    else:
        with open(path, "wb") as f:
            f.write(blob)


def main():
    out, kind = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    side = 14 if kind == "small-images" else 28
    test_side = {"small-test-images": 14, "big-test-images": 40}.get(kind, side)
    n_train, n_test = 64, 32
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        side = test_side if prefix == "t10k" else side
        images = [(i * 7 + j) % 256 for i in range(n) for j in range(side * side)]
        labels = [i % 10 for i in range(n)]
        if kind == "label-range" and prefix == "train":
            labels[5] = 12
        n_labels = n - 1 if kind == "count-mismatch" and prefix == "t10k" else n
        image_blob = idx([n, side, side], images)
        if kind == "huge-count" and prefix == "train":
            # 2^31 x 2^31 x 4 wraps to 0 in 64 bits; the payload is tiny.
            image_blob = idx([2**31, 2**31, 4], images[:100])
        if kind == "bad-magic" and prefix == "train":
            image_blob = b"\x00\x00\x08\x01" + image_blob[4:]
        write(os.path.join(out, prefix + "-images-idx3-ubyte"), image_blob)
        write(os.path.join(out, prefix + "-labels-idx1-ubyte"),
              idx([n_labels], labels[:n_labels]))
    if kind == "truncated-gzip":
        path = os.path.join(out, "t10k-images-idx3-ubyte.gz")
        with open(path, "rb") as f:
            blob = f.read()
        with open(path, "wb") as f:
            f.write(blob[: len(blob) // 2])
    if kind in ("no-gzip-trailer", "gzip-garbage"):
        path = os.path.join(out, "train-labels-idx1-ubyte.gz")
        with open(path, "rb") as f:
            blob = f.read()
        # The trailer (CRC and length) is the last 8 bytes.
        blob = blob[:-8] if kind == "no-gzip-trailer" else blob + b"garbage"
        with open(path, "wb") as f:
            f.write(blob)


main()
