"""PyTorch on the GPU, the peer of bench/mlc-gpu-bench.cpp: the seed MLP's
train step (784-128-10, relu, softmax, sparse CE, Adam 1e-3) at batch 128,
and a 4096 x 4096 x 4096 float32 matmul (cuBLAS; TF32 off, as mlc computes
in float32). Times with CUDA events, median of the runs.

usage: gpu_torch.py [STEPS]
"""
import sys

import torch


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def timed(fn, runs):
    times = []
    for _ in range(runs):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return median(times)


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    if not torch.cuda.is_available():
        sys.exit("gpu_torch.py: PyTorch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    print("GPU:", torch.cuda.get_device_name(0), "PyTorch", torch.__version__)

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10)).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    x = torch.rand(128, 28, 28, device=dev)
    y = torch.randint(0, 10, (128,), device=dev)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    torch.cuda.synchronize()
    s = timed(step, steps)
    print(f"seed MLP train step, batch 128: PyTorch {s * 1e6:.1f} us")

    n = 4096
    a = torch.rand(n, n, device=dev) - 0.5
    b = torch.rand(n, n, device=dev) - 0.5
    for _ in range(3):
        a @ b
    s = timed(lambda: a @ b, 10)
    print(f"sgemm 4096^3 (cuBLAS): {s * 1e3:.2f} ms, {2 * n**3 / s * 1e-12:.2f} TFLOP/s")


if __name__ == "__main__":
    main()
