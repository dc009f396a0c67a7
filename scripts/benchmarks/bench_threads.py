"""Benchmark (not a test): the threads lever for every kind of run of a scale, measured in one run.

For each kind of run the scale's plan trains (one representative run per problem, data, dtype,
mini-batch and sharpness logging), trains ``--iterations`` iterations through adamdyn.engine.train:

- ``1 thread``: one process alone on one thread;
- ``2 threads``: one process alone on two threads;
- ``2 x 1 thread``: two one-thread processes side by side (the best simple alternative on 2 cores).

It prints iterations per second of each and the ratio ``2 threads / (2 x 1 thread)``: below 1, two
one-thread jobs side by side train more per second than one two-thread job. The plan's thread
setting of each kind is printed beside it. Measure on an otherwise idle machine.

    python scripts/benchmarks/bench_threads.py --scale cpu --data-dir results/cpu/data --out docs/benchmarks-threads.md
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

from _bench import emit, processor


def _train(plan_dict: dict, threads: int, data_dir: str, queue) -> None:
    import torch

    from adamdyn.engine import train
    from adamdyn.runs import RunPlan

    torch.set_num_threads(threads)
    plan = RunPlan.from_dict(plan_dict)
    with tempfile.TemporaryDirectory() as tmp:
        # warm-up (imports, torch._dynamo in the optimiser, the data): a job's start-up, not its rate
        warm = dataclasses.replace(plan, iterations=2)
        train(warm, Path(tmp) / "warm.pt", torch.device("cpu"), checkpoint_every=10**9, log=lambda m: None,
              data_dir=data_dir)
        t0 = time.perf_counter()
        train(plan, Path(tmp) / "ck.pt", torch.device("cpu"), checkpoint_every=10**9, log=lambda m: None,
              data_dir=data_dir)
        queue.put(time.perf_counter() - t0)


def _timed(plan_dict: dict, threads: int, data_dir: str, processes: int) -> float:
    """Seconds until all ``processes`` copies (side by side) have trained the plan."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_train, args=(plan_dict, threads, data_dir, queue)) for _ in range(processes)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    times = [queue.get() for _ in procs]
    return max(times) if times else wall


def kinds(scale: str, config: str) -> dict[str, tuple]:
    from adamdyn.config import fold_shorthands, load_config
    from adamdyn.workflow import plan

    cfg = load_config(Path(config).parent)  # config.yaml with workflow/config/<id>.yaml merged in
    fold_shorthands(cfg)
    runs, _, _ = plan(scale, cfg["scales"][scale])
    out: dict[str, tuple] = {}
    for name, run in runs.items():
        s = run.spec
        key = json.dumps([s.problem, s.dtype, s.batch_size, run.sharpness_every], sort_keys=True)
        if key not in out:
            out[key] = (name, run, sorted(run.figures))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", default="cpu")
    p.add_argument("--config", default="config.yaml")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--seconds", type=float, default=6.0, help="about this long per measurement")
    p.add_argument("--out", type=Path)
    args = p.parse_args()

    rows = []
    for _, (name, run, figures) in kinds(args.scale, args.config).items():
        probe = dataclasses.replace(run, iterations=20, checkpoint_every=None)
        t = _timed(probe.to_dict(), 1, args.data_dir, 1)  # includes start-up: only for sizing
        its = max(20, min(run.iterations, int(20 * args.seconds / max(t, 1e-3))))
        plan = dataclasses.replace(run, iterations=its, checkpoint_every=None).to_dict()
        one = its / _timed(plan, 1, args.data_dir, 1)
        two = its / _timed(plan, 2, args.data_dir, 1)
        pair = 2 * its / _timed(plan, 1, args.data_dir, 2)
        rows.append((name, ", ".join(figures), run.threads, its, one, two, pair, two / pair))
        print(f"{name}: {its} it; 1 thread {one:.1f} it/s, 2 threads {two:.1f}, 2 x 1 thread {pair:.1f}; "
              f"ratio {two / pair:.2f} (plan: {run.threads} threads)", flush=True)

    lines = [f"Threads lever, scale `{args.scale}`, on {processor()} ({mp.cpu_count()} cores); iterations per second "
             "(engine, each measurement timed inside its process after a 2-iteration warm-up: start-up excluded).", "",
             "| run (representative) | figures | plan threads | iterations | 1 thread | 2 threads | 2 x 1 thread "
             "| 2 threads / (2 x 1 thread) |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| `{n}` | {f} | {th} | {its} | {a:.1f} | {b:.1f} | {c:.1f} | {r:.2f} |"
              for n, f, th, its, a, b, c, r in rows]
    emit(lines, args.out)


if __name__ == "__main__":
    main()
