"""Makes the ONNX fixtures of test/frontends/ONNX: PyTorch models exported
with torch.onnx, the inputs they were run on, their outputs, and their
outputs after two full-batch SGD steps, which mlc must reproduce.

Needs PyTorch (and the onnx package torch.onnx uses); neither is needed to
run the tests:

    python3 -m venv /tmp/tv && /tmp/tv/bin/pip install torch onnx
    /tmp/tv/bin/python test/frontends/ONNX/make_fixtures.py

Each fixture NAME gets NAME.onnx, NAME.x.npy, NAME.pred.npy and, for the
trained ones, NAME.train.npz (x and y) and NAME.after.npy: the outputs
after two steps of SGD (learning rate 0.05) on the cross-entropy of the
logits, on that one batch."""

import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "Inputs")


def save(name, model, x, opset, train=None, fold=True):
    path = os.path.join(OUT, name)
    model.eval()
    torch.onnx.export(model, torch.from_numpy(x), path + ".onnx",
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"},
                                    "output": {0: "batch"}},
                      opset_version=opset, do_constant_folding=fold,
                      dynamo=False)
    np.save(path + ".x.npy", x)
    with torch.no_grad():
        np.save(path + ".pred.npy", model(torch.from_numpy(x)).numpy())
    if train is not None:
        tx, ty = train
        np.savez(path + ".train.npz", x=tx, y=ty)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        for _ in range(2):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                model(torch.from_numpy(tx)), torch.from_numpy(ty))
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            np.save(path + ".after.npy", model(torch.from_numpy(x)).numpy())


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(0)
    nn = torch.nn

    def images(n, c=1, h=28, w=28):
        return rng.normal(size=(n, c, h, w)).astype("float32")

    def labels(n, k=10):
        return rng.integers(0, k, n).astype("int64")

    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(),
                        nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 10))
    save("mlp", mlp, images(4), 17, train=(images(16), labels(16)))

    # Convolutions whose output is flattened over space (NCHW order),
    # symmetric padding with stride 2, max pooling.
    torch.manual_seed(1)
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.Sigmoid(),
                        nn.Flatten(), nn.Linear(392, 10))
    save("cnn", cnn, images(3), 18, train=(images(8), labels(8)))

    # Batch norm (inference form), padded average pooling, global average
    # pooling, a depthwise convolution, softmax.
    torch.manual_seed(2)
    bn = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6),
                       nn.ReLU(), nn.Conv2d(6, 6, 3, groups=6),
                       nn.AvgPool2d(2, padding=1, count_include_pad=False),
                       nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                       nn.Linear(6, 5), nn.Softmax(dim=1))
    with torch.no_grad():
        bn[1].running_mean.uniform_(-0.5, 0.5)
        bn[1].running_var.uniform_(0.5, 2.0)
        bn[1].weight.uniform_(0.5, 1.5)
        bn[1].bias.uniform_(-0.5, 0.5)
    # Unfolded, so that the BatchNormalization node stays in the graph.
    save("bn_softmax", bn, images(2, 3, 9, 9), 20, fold=False)

    # What mlc refuses: an LSTM.
    lstm = nn.LSTM(4, 3, batch_first=True)
    torch.onnx.export(lstm, torch.zeros(1, 5, 4),
                      os.path.join(OUT, "unsupported_lstm.onnx"),
                      opset_version=17, dynamo=False)


main()
