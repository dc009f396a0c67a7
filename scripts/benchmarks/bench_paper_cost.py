"""Benchmark (not a test): the cost of the paper-scale GPU jobs, Fig 8 and Fig 9, on this device.

Times a few iterations of one Fig 8 block (``--cells`` copies of the 784-500x6-10 MLP on 10,000
samples, batched Adam) and of Fig 9's ResNet18 (width 32, batch 1000), on random data of the
paper's shapes, and prints the estimated wall time of the paper scale: Fig 8 = 1600 cells x 5000
iterations, Fig 9 = 3 runs x 500 epochs x 10 mini-batches.

    python scripts/benchmarks/bench_paper_cost.py --device cuda
"""
from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from adamdyn.batched import train_stack
from adamdyn.engine import resolve_device
from adamdyn.problems.networks import mlp_net
from adamdyn.problems.resnet import resnet18_net


def _timed(fn, device, repeat: int) -> float:
    fn()  # warm-up
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) / repeat


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="auto")
    p.add_argument("--cells", type=int, default=100, help="cells of one Fig 8 block")
    p.add_argument("--iterations", type=int, default=5, help="timed iterations of each")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    gen = torch.Generator().manual_seed(0)

    x = torch.randn(10000, 784, generator=gen).to(device)
    y = nn.functional.one_hot(torch.randint(0, 10, (10000,), generator=gen), 10).float().to(device)
    torch.manual_seed(0)
    net = mlp_net([784] + [500] * 6 + [10]).to(device)
    a = torch.logspace(-1, 2, args.cells)
    b = torch.logspace(2, -1, args.cells)
    block_it = _timed(lambda: train_stack(net, x, y, 1e-3, a, b, args.iterations), device, 1) / args.iterations
    fig08_s = 1600 / args.cells * 5000 * block_it

    images = torch.randn(10000, 3, 32, 32, generator=gen).to(device)
    labels = nn.functional.one_hot(torch.randint(0, 10, (10000,), generator=gen), 10).float().to(device)
    resnet = resnet18_net(32).to(device)
    opt = torch.optim.Adam(resnet.parameters(), lr=1e-3)

    def resnet_step():
        idx = torch.randint(0, 10000, (1000,), device=device)
        opt.zero_grad()
        nn.functional.mse_loss(resnet(images[idx]), labels[idx]).backward()
        opt.step()

    resnet_it = _timed(resnet_step, device, args.iterations)
    fig09_s = 3 * 500 * 10 * resnet_it
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {args.threads} threads"
    print(f"device: {name}")
    print(f"Fig 8: one block of {args.cells} cells, {block_it:.3f} s/iteration "
          f"({args.cells / block_it:.0f} cell-iterations/s); paper scale 1600 cells x 5000 iterations: "
          f"{fig08_s / 3600:.2f} h")
    print(f"Fig 9: ResNet18 width 32, batch 1000: {resnet_it:.3f} s/iteration, {10 * resnet_it:.2f} s/epoch; "
          f"paper scale 3 runs x 500 epochs: {fig09_s / 3600:.2f} h")


if __name__ == "__main__":
    main()
