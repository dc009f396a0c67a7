"""Benchmark (not a test): Fig 9's ResNet18 in PyTorch's default layout (NCHW) and channels-last
(NHWC), in one run, on one thread: seconds per training iteration (forward, backward, Adam) and
their ratio, at the cpu scale's width 8 and batch 100 (``--width``, ``--batch``), on random images
of CIFAR's shape. The layout changes the arithmetic only at rounding level.

    python scripts/benchmarks/bench_resnet_layout.py --out docs/benchmarks-resnet-layout.md
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from _bench import emit, processor
from adamdyn.problems.resnet import resnet18_net


def seconds_per_iteration(layout: torch.memory_format, width: int, batch: int, iterations: int) -> float:
    torch.manual_seed(0)
    x = torch.randn(batch, 3, 32, 32).contiguous(memory_format=layout)
    y = torch.randn(batch, 10)
    net = resnet18_net(width).to(memory_format=layout)
    opt = torch.optim.Adam(net.parameters(), 1e-3)

    def step():
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()

    for _ in range(3):   # warm-up
        step()
    t0 = time.perf_counter()
    for _ in range(iterations):
        step()
    return (time.perf_counter() - t0) / iterations


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=8)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    torch.set_num_threads(1)
    layouts = {"NCHW (default)": torch.contiguous_format, "NHWC (channels-last)": torch.channels_last}
    best = {name: min(seconds_per_iteration(f, args.width, args.batch, args.iterations) for _ in range(args.repeats))
            for name, f in layouts.items()}
    base = best["NCHW (default)"]
    lines = [f"Measured on {processor()}, torch {torch.__version__}, one thread: ResNet18 width {args.width}, "
             f"batch {args.batch} of 3x32x32 images, best of {args.repeats} x {args.iterations} iterations. "
             "Ratio: speed against the default layout.", "",
             "| layout | s / iteration | ratio |", "|---|---|---|"]
    lines += [f"| {name} | {s:.4f} | {base / s:.2f} |" for name, s in best.items()]
    emit(lines, args.out)


if __name__ == "__main__":
    main()
