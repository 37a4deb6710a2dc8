"""One epoch of the seed MLP (784-128-10, relu, softmax, sparse CE, Adam 1e-3)
in PyTorch eager mode on MNIST, single-threaded. Prints the epoch's seconds.

usage: torch_mlp.py DATA_DIR BATCH_SIZE
Run through bench/epoch.sh, which sets the allocator environment PyTorch
needs on this machine. Denormals are flushed to zero, as mlc does.
"""
import gzip
import struct
import sys
import time

import numpy as np
import torch


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def main():
    data_dir, batch = sys.argv[1], int(sys.argv[2])
    torch.set_num_threads(1)
    # mlc flushes denormals to zero while its code runs; so does PyTorch here.
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    x = torch.from_numpy(read_idx(data_dir + "/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(data_dir + "/train-labels-idx1-ubyte.gz").astype(np.int64))
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])
    start = time.perf_counter()
    for i in range(0, x.shape[0], batch):
        idx = order[i : i + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    print(f"{time.perf_counter() - start:.4f}")


main()
