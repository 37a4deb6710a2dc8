"""Train-step time of an MLP (relu hidden layers, softmax output, sparse
categorical cross-entropy, Adam 1e-3) in a peer framework, on random data:
the same step mlc-step-bench times for mlc.

usage: peers_mlp.py FRAMEWORK WIDTHS BATCH [--threads N] [--rounds R]
  FRAMEWORK  torch (eager), torch-compile, torch-bf16 (eager under
             torch.autocast("cpu", torch.bfloat16): bf16 matmuls, f32
             parameters), jax (jit per step), jax-scan (64 steps per
             compiled call in lax.scan, as a whole epoch would run), keras
             (Keras 3 on TensorFlow, train_on_batch)
  WIDTHS     e.g. 784,1024,1024,10
Prints "FRAMEWORK BATCH best_us median_us first_ms": microseconds per step
over R rounds of about 0.5 s each, and how many milliseconds longer the
first call took than the best (tracing and compiling: what a user waits
for before training starts, after the imports and the model's setup).
Run through bench/mlp-peers.sh, which sets the threads and the allocator
environment.
"""
import argparse
import os

from peers_timing import rounds_of


def torch_step(widths, batch, threads, compile_, bf16=False):
    import torch

    torch.set_num_threads(threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(0)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(batch, widths[0])
    y = torch.randint(0, widths[-1], (batch,))

    def train(x, y):
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    if compile_:
        train = torch.compile(train)
    return lambda: train(x, y)


SCAN_STEPS = 64


def keras_step(widths, batch, threads):
    """Keras 3 on TensorFlow, as the seed's own script trains: compile()
    with its defaults, one train_on_batch per step."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    layers = [keras.Input((widths[0],))]
    for i, w in enumerate(widths[1:]):
        last = i + 2 == len(widths)
        layers.append(keras.layers.Dense(w, activation="softmax" if last else "relu"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = rng.random((batch, widths[0]), dtype=np.float32)
    y = rng.integers(0, widths[-1], batch).astype(np.int32)
    return lambda: model.train_on_batch(x, y)


def jax_step(widths, batch, threads, scan=False):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + " --xla_cpu_multi_thread_eigen=%s intra_op_parallelism_threads=%d"
        % ("true" if threads > 1 else "false", threads)
    )
    import jax
    import jax.numpy as jnp

    key = jax.random.PRNGKey(0)
    params = []
    for i in range(len(widths) - 1):
        key, k = jax.random.split(key)
        limit = (6.0 / (widths[i] + widths[i + 1])) ** 0.5
        w = jax.random.uniform(k, (widths[i], widths[i + 1]), minval=-limit, maxval=limit)
        params.append((w, jnp.zeros(widths[i + 1])))
    state = [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params]
    state = (state, [(jnp.zeros_like(w), jnp.zeros_like(b)) for w, b in params], 0)

    def loss_fn(params, x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i + 1 < len(params):
                h = jax.nn.relu(h)
        logp = jax.nn.log_softmax(h)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    def update(params, state, x, y):
        m, v, t = state
        g = jax.grad(loss_fn)(params, x, y)
        t = t + 1
        lr = 1e-3 * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        new_p, new_m, new_v = [], [], []
        for (w, b), (mw, mb), (vw, vb), (gw, gb) in zip(params, m, v, g):
            mw = 0.9 * mw + 0.1 * gw
            mb = 0.9 * mb + 0.1 * gb
            vw = 0.999 * vw + 0.001 * gw * gw
            vb = 0.999 * vb + 0.001 * gb * gb
            new_p.append((w - lr * mw / (jnp.sqrt(vw) + 1e-7), b - lr * mb / (jnp.sqrt(vb) + 1e-7)))
            new_m.append((mw, mb))
            new_v.append((vw, vb))
        return new_p, (new_m, new_v, t)

    key, kx = jax.random.split(key)
    box = {"p": params, "s": state}
    if not scan:
        train = jax.jit(update)
        x = jax.random.uniform(kx, (batch, widths[0]))
        y = jax.random.randint(key, (batch,), 0, widths[-1])

        def step():
            box["p"], box["s"] = train(box["p"], box["s"], x, y)
            jax.block_until_ready(box["p"])

        return step, 1

    # The whole loop over SCAN_STEPS batches in one compiled call, as an
    # epoch in lax.scan runs.
    xs = jax.random.uniform(kx, (SCAN_STEPS, batch, widths[0]))
    ys = jax.random.randint(key, (SCAN_STEPS, batch), 0, widths[-1])

    @jax.jit
    def epoch(params, state, xs, ys):
        def body(carry, xy):
            p, s = update(carry[0], carry[1], xy[0], xy[1])
            return (p, s), None

        (params, state), _ = jax.lax.scan(body, (params, state), (xs, ys))
        return params, state

    def steps():
        box["p"], box["s"] = epoch(box["p"], box["s"], xs, ys)
        jax.block_until_ready(box["p"])

    return steps, SCAN_STEPS


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("framework",
                    choices=["torch", "torch-compile", "torch-bf16", "jax",
                             "jax-scan", "keras"])
    ap.add_argument("widths")
    ap.add_argument("batch", type=int)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    widths = [int(w) for w in a.widths.split(",")]
    per_call = 1
    if a.framework == "keras":
        step = keras_step(widths, a.batch, a.threads)
    elif a.framework in ("jax", "jax-scan"):
        step, per_call = jax_step(widths, a.batch, a.threads,
                                  a.framework == "jax-scan")
    else:
        step = torch_step(widths, a.batch, a.threads,
                          a.framework == "torch-compile",
                          a.framework == "torch-bf16")
    best, median, first = rounds_of(step, a.rounds)
    best, median = best / per_call, median / per_call
    print(f"{a.framework} {a.batch} {best * 1e6:.1f} {median * 1e6:.1f} "
          f"{first * 1e3:.1f}")


main()
