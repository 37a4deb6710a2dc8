#!/usr/bin/env python3
"""PyTorch's train step for mlc's sequence examples, same shapes and
optimizer: examples/mnist_lstm.mlir (LSTM(128) on 28 rows of 28, Dense(10))
and examples/char_transformer.mlir (2 pre-LN blocks, width 128, 4 causal
heads, GELU 512, context 64, 96 classes). Prints the best of 3 rounds of
50 steps, in ms per step, per model and batch size.

    python bench/peers_sequence.py [--threads N] [--compile] [BATCH...]

Needs torch (a venv: pip install torch); bench/sequence.sh runs it beside
mlc-step-bench. --compile also times torch.compile (its compile excluded)."""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class MnistLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(28, 128, batch_first=True)
        self.dense = nn.Linear(128, 10)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.dense(y[:, -1])


class Block(nn.Module):
    def __init__(self, width=128, heads=4, hidden=512):
        super().__init__()
        self.n1 = nn.LayerNorm(width, eps=1e-3)
        self.att = nn.MultiheadAttention(width, heads, batch_first=True)
        self.n2 = nn.LayerNorm(width, eps=1e-3)
        self.f1 = nn.Linear(width, hidden)
        self.f2 = nn.Linear(hidden, width)

    def forward(self, x, mask):
        h = self.n1(x)
        a, _ = self.att(h, h, h, attn_mask=mask, need_weights=False,
                        is_causal=True)
        x = x + a
        return x + self.f2(F.gelu(self.f1(self.n2(x))))


class CharTransformer(nn.Module):
    def __init__(self, vocab=96, width=128, context=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, width)
        self.pos = nn.Parameter(torch.randn(context, width) * 0.02)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.norm = nn.LayerNorm(width, eps=1e-3)
        self.out = nn.Linear(width, vocab)
        self.register_buffer(
            "mask", nn.Transformer.generate_square_subsequent_mask(context))

    def forward(self, t):
        x = self.emb(t) + self.pos
        for b in self.blocks:
            x = b(x, self.mask)
        return self.out(self.norm(x))


def time_steps(model, x, y, loss_fn, compiled):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    forward = torch.compile(model) if compiled else model

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(forward(x), y)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(50):
            step()
        best = min(best, (time.perf_counter() - start) / 50)
    return best * 1e3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--compile", action="store_true")
    p.add_argument("batches", nargs="*", type=int, default=[32, 128])
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    ce = nn.CrossEntropyLoss()
    seq_ce = lambda logits, y: ce(logits.reshape(-1, logits.shape[-1]),
                                  y.reshape(-1))
    for batch in args.batches:
        cases = [("mnist_lstm", MnistLSTM(), torch.rand(batch, 28, 28),
                  torch.randint(0, 10, (batch,)), ce),
                 ("char_transformer", CharTransformer(),
                  torch.randint(0, 70, (batch, 64)),
                  torch.randint(0, 70, (batch, 64)), seq_ce)]
        for name, model, x, y, loss_fn in cases:
            kinds = [("eager", False)] + ([("compile", True)]
                                          if args.compile else [])
            for kind, compiled in kinds:
                ms = time_steps(model, x, y, loss_fn, compiled)
                print(f"torch {torch.__version__} {kind:7s} {name:16s} "
                      f"batch {batch:4d} threads {args.threads}: "
                      f"{ms:8.2f} ms/step")


if __name__ == "__main__":
    main()
