"""Train-step time of Keras's simple MNIST convnet (examples/mnist_cnn.mlir:
Conv2D 32 3x3 relu, MaxPool 2, Conv2D 64 3x3 relu, MaxPool 2, Flatten,
Dropout 0.5, Dense 10 softmax; sparse categorical cross-entropy, Adam 1e-3)
in a peer framework, on random 28x28x1 images: the step mlc-step-bench
times for mlc.

usage: peers_cnn.py FRAMEWORK BATCH [--threads N] [--rounds R]
  FRAMEWORK  torch (eager, NCHW as a PyTorch user writes it), torch-nhwc
             (eager, channels_last memory format), torch-compile, jax (jit
             per step), keras (Keras 3 on TensorFlow, train_on_batch)
Prints "FRAMEWORK BATCH best_us median_us" (microseconds per step over R
rounds of about 0.5 s each). Run through bench/cnn-peers.sh, which sets the
threads and the allocator environment.
"""
import argparse
import os

from peers_timing import rounds_of


def torch_step(batch, threads, compile_=False, nhwc=False):
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    x = torch.rand(batch, 1, 28, 28)
    if nhwc:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    y = torch.randint(0, 10, (batch,))

    def train(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    if compile_:
        train = torch.compile(train)
    return lambda: train(x, y)


def keras_step(batch, threads):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((batch, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, batch).astype(np.int32)
    return lambda: model.train_on_batch(x, y)


def jax_step(batch, threads):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + " --xla_cpu_multi_thread_eigen=%s intra_op_parallelism_threads=%d"
        % ("true" if threads > 1 else "false", threads))
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(0)
    shapes = [(3, 3, 1, 32), (32,), (3, 3, 32, 64), (64,), (1600, 10), (10,)]
    params = []
    for s in shapes:
        key, k = jax.random.split(key)
        params.append(jax.random.uniform(k, s, minval=-0.05, maxval=0.05))
    zeros = [jnp.zeros_like(p) for p in params]
    dn = ("NHWC", "HWIO", "NHWC")

    def loss_fn(p, x, y, key):
        h = jax.lax.conv_general_dilated(x, p[0], (1, 1), "VALID",
                                         dimension_numbers=dn) + p[1]
        h = jax.nn.relu(h)
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1),
                                  (1, 2, 2, 1), "VALID")
        h = jax.lax.conv_general_dilated(h, p[2], (1, 1), "VALID",
                                         dimension_numbers=dn) + p[3]
        h = jax.nn.relu(h)
        h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1),
                                  (1, 2, 2, 1), "VALID")
        h = h.reshape(h.shape[0], -1)
        keep = jax.random.uniform(key, h.shape) >= 0.5
        h = jnp.where(keep, h * 2.0, 0.0)
        logp = jax.nn.log_softmax(h @ p[4] + p[5])
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def update(p, m, v, t, x, y, key):
        g = jax.grad(loss_fn)(p, x, y, key)
        t = t + 1
        lr = 1e-3 * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        m = [0.9 * a + 0.1 * b for a, b in zip(m, g)]
        v = [0.999 * a + 0.001 * b * b for a, b in zip(v, g)]
        p = [a - lr * b / (jnp.sqrt(c) + 1e-7) for a, b, c in zip(p, m, v)]
        return p, m, v, t

    key, kx = jax.random.split(key)
    x = jax.random.uniform(kx, (batch, 28, 28, 1))
    y = jax.random.randint(key, (batch,), 0, 10)
    box = {"s": (params, zeros, list(zeros), 0)}

    def step():
        p, m, v, t = box["s"]
        box["s"] = update(p, m, v, t, x, y, jax.random.PRNGKey(t))
        jax.block_until_ready(box["s"][0])

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("framework", choices=["torch", "torch-nhwc",
                                          "torch-compile", "jax", "keras"])
    ap.add_argument("batch", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    if a.framework == "keras":
        step = keras_step(a.batch, a.threads)
    elif a.framework == "jax":
        step = jax_step(a.batch, a.threads)
    else:
        step = torch_step(a.batch, a.threads, a.framework == "torch-compile",
                          a.framework == "torch-nhwc")
    best, median, _ = rounds_of(step, a.rounds)
    print(f"{a.framework} {a.batch} {best * 1e6:.1f} {median * 1e6:.1f}")


main()
