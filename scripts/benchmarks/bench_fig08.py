"""Benchmark (not a test): Fig 8 cells x iterations per second, a batched block against the same
cells trained one at a time with torch.optim.Adam, and the block's matmul rate against this
machine's peak (a 2048^2 float32 matmul), all measured in the same run.

    python scripts/benchmarks/bench_fig08.py --cells 8 --width 128 --samples 1000 --iterations 20 --threads 2
"""
from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from torch import nn

from adamdyn.batched import train_stack
from adamdyn.engine import resolve_device
from adamdyn.problems.networks import mlp_net


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=8)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--depth", type=int, default=6, help="hidden layers (the paper: 6 of width 500)")
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--device", default="auto")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.samples, 784, generator=gen).to(device)
    y = nn.functional.one_hot(torch.randint(0, 10, (args.samples,), generator=gen), 10).float().to(device)
    torch.manual_seed(0)
    net = mlp_net([784] + [args.width] * args.depth + [10]).to(device)
    eta = 1e-3
    a = torch.logspace(-1, 2, args.cells)
    b = torch.logspace(2, -1, args.cells)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    m1, m2 = torch.randn(2048, 2048, device=device), torch.randn(2048, 2048, device=device)

    def timed(fn) -> float:
        sync()
        t0 = time.perf_counter()
        fn()
        sync()
        return time.perf_counter() - t0

    def matmuls():
        for _ in range(10):
            m1 @ m2

    def one_at_a_time():
        for k in range(args.cells):
            cell = copy.deepcopy(net)
            opt = torch.optim.Adam(cell.parameters(), lr=eta, betas=(1 - b[k].item() * eta, 1 - a[k].item() * eta))
            for _ in range(args.iterations):
                opt.zero_grad()
                loss = nn.functional.mse_loss(cell(x), y)
                loss.item()
                loss.backward()
                opt.step()

    matmuls()  # warm-up
    train_stack(net, x, y, eta, a, b, 2)
    # interleaved repeats, medians: a shared machine's speed drifts within a run
    samples = [(timed(matmuls), timed(lambda: train_stack(net, x, y, eta, a, b, args.iterations)),
                timed(one_at_a_time)) for _ in range(args.repeats)]
    peak = 10 * 2 * 2048 ** 3 / statistics.median(s[0] for s in samples)
    batched = statistics.median(s[1] for s in samples)
    looped = statistics.median(s[2] for s in samples)
    ratio = statistics.median(s[2] / s[1] for s in samples)
    fraction = statistics.median(s[0] / 10 / (2 * 2048 ** 3) / s[1] for s in samples)  # per repeat: block rate / peak
    work = args.cells * args.iterations
    dims = [784] + [args.width] * args.depth + [10]
    macs = sum(i * o for i, o in zip(dims[:-1], dims[1:]))
    # forward, weight gradients, input gradients (none for the first layer: the data needs none)
    flops = 2 * args.samples * (3 * macs - dims[0] * dims[1]) * work
    print(f"device {device}, {args.threads} threads, {args.cells} cells of 784-{args.width}x{args.depth}-10 "
          f"on {args.samples} samples, {args.iterations} iterations")
    print(f"batched: {work / batched:.1f} cell-iterations/s; one at a time: {work / looped:.1f} cell-iterations/s; "
          f"ratio {ratio:.2f} (median of {args.repeats} interleaved repeats)")
    print(f"batched block: {flops / batched / 1e9:.1f} GFLOP/s, {flops * fraction:.0%} of the measured "
          f"matmul peak ({peak / 1e9:.1f} GFLOP/s, 2048^2 float32)")


if __name__ == "__main__":
    main()
