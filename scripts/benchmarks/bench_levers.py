"""Benchmark (not a test): the levers of the cpu scale's training cost, as cell-iterations per second
of Fig 8's network (784-w x depth-10 ReLU MLP, full batch, Adam), all measured in one run on this
machine, and as ratios against the best simple alternative: one single-thread process per core,
each training its cells one at a time with torch.optim.Adam.

- ``loop, 1 thread``: one process, one thread, one cell at a time (torch.optim.Adam, its for-loop
  implementation; ``foreach`` and ``fused``: its multi-tensor and fused kernels);
- ``loop, 2 processes``: two such processes side by side, each with half the cells (the baseline);
- ``batched, 1 thread`` / ``batched, 2 threads``: the batched executor (adamdyn.batched.train_stack),
  every cell in one stack;
- ``engine, 1 thread`` against ``bare loop, 1 thread``: one run through adamdyn.engine.train (history,
  checkpoints, progress) against the same run as a bare torch loop.

Measure on an otherwise idle machine: a job that shares its cores with another busy process runs
several times slower. Writes a Markdown table (``--out``) with the processor it ran on.

    python scripts/benchmarks/bench_levers.py --widths 64 128 500 --out docs/benchmarks.md
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import torch
from _bench import emit, processor
from torch import nn

SAMPLES, DEPTH, ETA = 1000, 6, 1e-3


def _problem(width: int):
    """The same data and initial network in every process (seeded)."""
    from adamdyn.problems.networks import mlp_net

    gen = torch.Generator().manual_seed(0)
    x = torch.randn(SAMPLES, 784, generator=gen)
    y = nn.functional.one_hot(torch.randint(0, 10, (SAMPLES,), generator=gen), 10).float()
    torch.manual_seed(0)
    return x, y, mlp_net([784] + [width] * DEPTH + [10])


def _rates(cells: int):
    a = torch.logspace(-1, 2, cells)
    b = torch.logspace(2, -1, cells)
    return a, b


def _loop(width: int, cells: list[int], n_cells: int, iterations: int, threads: int, impl: str = "") -> float:
    """Train ``cells`` (indices of the rate grid) one at a time with torch.optim.Adam (``impl``: its
    default for-loop, or "foreach" or "fused"); seconds."""
    import copy

    torch.set_num_threads(threads)
    x, y, net = _problem(width)
    a, b = _rates(n_cells)
    t0 = time.perf_counter()
    for k in cells:
        cell = copy.deepcopy(net)
        opt = torch.optim.Adam(cell.parameters(), lr=ETA, betas=(1 - b[k].item() * ETA, 1 - a[k].item() * ETA),
                               **({impl: True} if impl else {"foreach": False}))
        for _ in range(iterations):
            opt.zero_grad()
            loss = nn.functional.mse_loss(cell(x), y)
            loss.item()
            loss.backward()
            opt.step()
    return time.perf_counter() - t0


def _side_by_side(width: int, n_cells: int, iterations: int, processes: int) -> float:
    """``processes`` single-thread processes at once, the cells split between them; wall seconds."""
    ctx = mp.get_context("spawn")
    parts = [list(range(i, n_cells, processes)) for i in range(processes)]
    with ctx.Pool(processes) as pool:
        pool.starmap(_loop, [(width, [0], n_cells, 2, 1)] * processes)  # warm-up: imports, allocations
        t0 = time.perf_counter()
        pool.starmap(_loop, [(width, part, n_cells, iterations, 1) for part in parts])
        return time.perf_counter() - t0


def _batched(width: int, n_cells: int, iterations: int, threads: int) -> float:
    from adamdyn.batched import train_stack

    torch.set_num_threads(threads)
    x, y, net = _problem(width)
    a, b = _rates(n_cells)
    train_stack(net, x, y, ETA, a, b, 2)  # warm-up
    t0 = time.perf_counter()
    train_stack(net, x, y, ETA, a, b, iterations)
    return time.perf_counter() - t0


def _engine_against_bare(width: int, iterations: int) -> tuple[float, float]:
    """One run through the engine (registered as a problem) and the same run as a bare loop; seconds."""
    from adamdyn import problems
    from adamdyn.engine import train
    from adamdyn.optim import OptimiserSpec
    from adamdyn.problems.base import Objective
    from adamdyn.runs import RunPlan, RunSpec

    torch.set_num_threads(1)

    def bench_mlp(width, dtype, device):
        x, y, net = _problem(width)
        return Objective(parameters=list(net.parameters()), loss=lambda batch=None: nn.functional.mse_loss(net(x), y),
                         module=net)

    problems.REGISTRY["bench_mlp"] = (bench_mlp, lambda p: f"bench{p['width']}")
    spec = RunSpec(problem={"name": "bench_mlp", "width": width},
                   optimiser=OptimiserSpec.from_config("adam", eta=ETA, a=1, b=100),
                   seed=0, dtype="float32")
    plan = RunPlan(spec=spec, iterations=iterations)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        train(plan, Path(tmp) / "ckpt.pt", torch.device("cpu"), checkpoint_every=max(1, iterations // 2),
              log=lambda s: None)
        engine = time.perf_counter() - t0
    bare = _loop(width, [0], 1, iterations, 1)
    return engine, bare


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--widths", type=int, nargs="+", default=[64, 128, 500])
    p.add_argument("--cells", type=int, default=4)
    p.add_argument("--work", type=float, default=4e10,
                   help="multiply-adds per measurement (sets the iterations per width; about 4-8 s each here)")
    p.add_argument("--out", type=Path, help="write the table here as Markdown")
    args = p.parse_args()
    rows = []
    for width in args.widths:
        macs = SAMPLES * 3 * (784 * width + (DEPTH - 1) * width * width + width * 10)
        iterations = max(4, int(args.work / (macs * args.cells)))
        work = args.cells * iterations
        _loop(width, [0], args.cells, 2, 1)  # warm-up of this process
        base = _side_by_side(width, args.cells, iterations, 2)
        timings = {"loop, 1 thread": _loop(width, list(range(args.cells)), args.cells, iterations, 1),
                   "loop, 2 processes side by side (baseline)": base,
                   "loop, 1 thread, foreach Adam": _loop(width, list(range(args.cells)), args.cells, iterations, 1, "foreach"),
                   "loop, 1 thread, fused Adam": _loop(width, list(range(args.cells)), args.cells, iterations, 1, "fused"),
                   "batched, 1 thread": _batched(width, args.cells, iterations, 1),
                   "batched, 2 threads": _batched(width, args.cells, iterations, 2)}
        for name, s in timings.items():
            rows.append((width, name, work / s, base / s))
        engine, bare = _engine_against_bare(width, iterations)
        rows.append((width, "engine, 1 thread, one run", iterations / engine, bare / engine))
        rows.append((width, "bare torch loop, 1 thread, one run", iterations / bare, 1.0))
        print(f"width {width}: {iterations} iterations x {args.cells} cells done", flush=True)
    lines = [f"Measured on {processor()} ({mp.cpu_count()} cores), torch {torch.__version__}, "
             f"{time.strftime('%Y-%m-%d')}: Fig 8's network 784-w x {DEPTH}-10 on {SAMPLES} samples, "
             f"{args.cells} cells, full batch, Adam (eta = {ETA:g}). Ratio: against two single-thread processes "
             "side by side (engine: against the bare loop of one run).", "",
             "| width | how | cell-iterations/s | ratio |", "|---|---|---|---|"]
    lines += [f"| {w} | {name} | {rate:.1f} | {ratio:.2f} |" for w, name, rate, ratio in rows]
    emit(lines, args.out)


if __name__ == "__main__":
    main()
