"""Benchmark (not a test): the divergence-edge study's bisection stacks on a 2-core machine, one job of 2 threads against
two jobs of 1 thread at once (``shards: 2``), each holding half the cells, measured alternately in
the same run and reported as the ratio of their cell-iterations per second.

    python scripts/benchmarks/bench_edge.py --cells 16 --width 64 --samples 1000 --iterations 300 --repeats 3
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import torch
from torch import nn

from adamdyn.batched import Stack
from adamdyn.problems.networks import mlp_net


def stack_rate(cells: int, width: int, samples: int, iterations: int, threads: int) -> float:
    """Cell-iterations per second of one stack of ``cells`` cells (each its own seed's weights),
    logging the largest update as the divergence-edge study's runs do."""
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(samples, 784, generator=gen)
    y = nn.functional.one_hot(torch.randint(0, 10, (samples,), generator=gen), 10).float()
    torch.manual_seed(0)
    net = mlp_net([784] + [width] * 6 + [10])
    eta = 1e-3
    b = torch.logspace(-0.15, 1.1, cells)
    stack = Stack(net, x, y, eta, 3 * b, b, iterations, log_update_max=True)
    t = time.perf_counter()
    while stack.k < iterations:
        stack.step()
    return cells * iterations / (time.perf_counter() - t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=16, help="cells of the one job; each of the two jobs has half")
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--samples", type=int, default=1000)
    p.add_argument("--iterations", type=int, default=300)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)  # cells of a 1-thread worker
    args = p.parse_args()
    if args.worker:
        print(stack_rate(args.worker, args.width, args.samples, args.iterations, threads=1))
        return
    one, two = [], []
    worker = [sys.executable, __file__, "--worker", str(args.cells // 2), "--width", str(args.width),
              "--samples", str(args.samples), "--iterations", str(args.iterations)]
    for _ in range(args.repeats):
        one.append(stack_rate(args.cells, args.width, args.samples, args.iterations, threads=2))
        procs = [subprocess.Popen(worker, stdout=subprocess.PIPE, text=True) for _ in range(2)]
        two.append(sum(float(pr.communicate()[0]) for pr in procs))
    m1, m2 = statistics.median(one), statistics.median(two)
    print(f"one job, 2 threads, {args.cells} cells:   {m1:.1f} cell-iterations/s (median of {args.repeats}: "
          + ", ".join(f"{r:.0f}" for r in one) + ")")
    print(f"two jobs, 1 thread, {args.cells // 2} cells each: {m2:.1f} cell-iterations/s together ("
          + ", ".join(f"{r:.0f}" for r in two) + ")")
    print(f"ratio (two jobs / one job): {m2 / m1:.2f}")


if __name__ == "__main__":
    main()
