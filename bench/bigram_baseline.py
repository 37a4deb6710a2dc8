#!/usr/bin/env python3
"""Held-out loss of a character bigram model, split as `mlc train --data
text:FILE` splits a text: the vocabulary is the file's characters, every
tenth piece of 20 x CONTEXT characters is the test set, the rest trains,
and the test positions are those of the model's windows of CONTEXT
characters over the test set (labels 1 .. windows * CONTEXT).

    bench/bigram_baseline.py FILE [CONTEXT]

Prints nats per character of the add-one smoothed bigram and of the
unigram, on those positions. Plain Python, no packages."""
import math
import sys


def main():
    path = sys.argv[1]
    context = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    text = open(path, encoding="utf-8").read().lstrip("\ufeff")
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = [index[c] for c in text]
    piece = 20 * context
    train, test = [], []
    for p, start in enumerate(range(0, len(ids), piece)):
        (test if p % 10 == 9 else train).extend(ids[start:start + piece])
    v = len(vocab)
    pair = [[1] * v for _ in range(v)]  # add-one smoothing
    single = [1] * v
    for a, b in zip(train, train[1:]):
        pair[a][b] += 1
    for a in train:
        single[a] += 1
    windows = (len(test) - 1) // context
    positions = range(1, windows * context + 1)
    total = sum(single)
    bigram = unigram = 0.0
    for t in positions:
        a, b = test[t - 1], test[t]
        bigram -= math.log(pair[a][b] / sum(pair[a]))
        unigram -= math.log(single[b] / total)
    n = len(positions)
    print(f"{path}: {len(ids)} characters, vocabulary {v}, "
          f"{n} test positions (context {context})")
    print(f"bigram (add-one): {bigram / n:.4f} nats/char")
    print(f"unigram:          {unigram / n:.4f} nats/char")


if __name__ == "__main__":
    main()
