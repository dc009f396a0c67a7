"""The divergence-edge study's training job: the bisection of the divergence edge (:func:`adamdyn.edge.bisect_edges`),
each step's runs trained together by the batched executor, each run a real run folder.

At step s every chain (row b, seed, eta) tests one a/b. The step's runs of one eta (every row and
seed) are one stack of :func:`adamdyn.batched.train_batch` (a stack shares eta and length), with
its own checkpoint, so that a killed job resumes inside the step. A run is identified by its
settings as everywhere (``<runs_dir>/<run name>``), trained for t / eta iterations (the same t at
every eta) and logs the largest update (``update_max``). A run whose folder already holds it (same
settings, length and logging, undamaged history) is read instead of trained: a job run again after
a crash, or after a change of the classifier's thresholds, trains only what it has not yet trained,
and every step's choice is the same as before, so the result is identical.

The chains may be split into ``shards`` jobs that run at once (:func:`shard_chains`: balanced by
their iterations); on two cores two 1-thread shards trained 1.14x the cell-iterations per second of
one 2-thread job (scripts/benchmarks/bench_edge.py).

Anchors (``anchors``: values of a/b) are trained with the first step, in every row at the first seed
and eta, outside the bisection: runs with a < 2b - b^2 eta, where the update's bound is finite
(the bisection's midpoints seldom are), which also test the search's lower end.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import torch

from .batched import train_batch
from .edge import Chain, bisect_edges
from .io import damaged_history, read_history, read_json
from .naming import fmt
from .optim import OptimiserSpec
from .provenance import write_run
from .runs import RunPlan, RunSpec, run_identity, settings_close
from .stats import curves


def chains_of(job: dict) -> list[Chain]:
    """Every chain of the job, eta outer, then row b, then seed."""
    low, high = job["bracket"]
    return [Chain(b=float(b), seed=int(seed), eta=float(eta), low=float(low), high=float(high))
            for eta in job["etas"] for b in job["rows"] for seed in job["seeds"]]


def shard_chains(chains: list[Chain], shards: int, time: float) -> list[list[Chain]]:
    """The chains split into ``shards`` groups of nearly equal cost (t / eta iterations a chain's run):
    the costliest chain first, each to the group with the least cost so far; each group in the
    chains' order."""
    groups: list[list[int]] = [[] for _ in range(shards)]
    cost = [0.0] * shards
    for i in sorted(range(len(chains)), key=lambda i: -time / chains[i].eta):
        k = min(range(shards), key=lambda k: (cost[k], k))
        groups[k].append(i)
        cost[k] += time / chains[i].eta
    return [[chains[i] for i in sorted(g)] for g in groups]


def edge_plan(job: dict, chain: Chain, ratio: float, threads: int) -> RunPlan:
    """The run that tests a/b = ``ratio`` on ``chain``: t / eta iterations, logging the largest update."""
    opt = OptimiserSpec.from_config("adam", eta=chain.eta, a=ratio * chain.b, b=chain.b)
    spec = RunSpec(problem=dict(job["problem"]), optimiser=opt, seed=chain.seed, dtype=job["dtype"])
    return RunPlan(spec=spec, iterations=int(round(job["time"] / chain.eta)), threads=threads,
                   figures=[job["figure"]], log_update_max=True)


def already_trained(run_dir: Path, plan: RunPlan) -> bool:
    """Whether ``run_dir`` holds exactly this run: same settings and logging, same length, intact."""
    if not (run_dir / "run.json").exists() or not (run_dir / "history.parquet").exists():
        return False
    info = read_json(run_dir / "run.json")
    done = RunPlan.from_dict(info["plan"])
    return (done.iterations == plan.iterations and settings_close(run_identity(done), run_identity(plan))
            and damaged_history(run_dir) is None)


def bisect_figure(job: dict, regime: dict, runs_dir: Path, checkpoint_dir: Path, device: torch.device,
                  data_dir: Path | None, threads: int, checkpoint_every: int, log: Callable[[str], None] = print,
                  progress_every_s: float = 10.0, shard: int = 0, shards: int = 1) -> list[tuple[str, int]]:
    """Run the bisection of the job's chains of shard ``shard`` of ``shards``; returns [(run folder,
    iterations)] of every run it tested, step by step.

    ``job``: ``figure``, ``problem``, ``dtype``, ``rows`` (b), ``seeds``, ``etas``, ``time`` (t = eta x
    iterations), ``bracket`` ([low, high] of a/b), ``steps`` and ``anchors``; ``regime``: the classifier's settings
    (a run diverged when it labels it ``divergence``)."""
    runs_dir, checkpoint_dir = Path(runs_dir), Path(checkpoint_dir)
    tested: list[tuple[str, int]] = []

    mine = shard_chains(chains_of(job), shards, float(job["time"]))[shard]
    # the anchors of a row go with its chain of the first seed and eta
    first = [c for c in mine if c.seed == job["seeds"][0] and c.eta == job["etas"][0]]
    anchors = [(chain, float(r)) for chain in first for r in job.get("anchors", [])]

    def train(step: int, bisected: list[tuple[Chain, float]]) -> list[bool]:
        points = bisected + (anchors if step == 0 else [])
        plans = [edge_plan(job, chain, ratio, threads) for chain, ratio in points]
        for eta in dict.fromkeys(c.eta for c, _ in points):
            todo = [p for p, (c, _) in zip(plans, points) if c.eta == eta and not already_trained(runs_dir / p.name, p)]
            if not todo:
                continue
            name = f"{job['figure']}_shard{shard}_step{step}_eta{fmt(eta)}"
            log(f"step {step + 1}/{job['steps']}, eta {eta:g}: training {len(todo)} runs for {todo[0].iterations} iterations")
            started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            results = train_batch(todo, checkpoint_dir / f"{name}.pt", device, checkpoint_every, log=log,
                                  progress_every_s=progress_every_s, data_dir=data_dir)
            finished = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            stack = {"name": name, "executor": "batched", "runs": todo}
            for plan, result in zip(todo, results, strict=True):
                write_run(runs_dir / plan.name, plan, result, stack, threads, device, started, finished)
        diverged = []
        for plan, (chain, ratio) in zip(plans, points):
            loss = read_history(runs_dir / plan.name)["loss"].to_numpy()
            label = curves.regime(loss, **regime)["label"]
            diverged.append(label == "divergence")
            tested.append((str(runs_dir / plan.name), plan.iterations))
        log(f"step {step + 1}: " + ", ".join(f"b {c.b:.3g} seed {c.seed} eta {c.eta:g}: a/b {r:.3g} "
                                             f"{'diverged' if d else 'finite'}" for (c, r), d in zip(points, diverged)))
        return diverged[:len(bisected)]

    chains = bisect_edges(mine, int(job["steps"]), train)
    for c in chains:
        lo, hi = c.bracket()
        log(f"edge: b {c.b:.3g}, seed {c.seed}, eta {c.eta:g}: a/b in ({lo:.3g}, {hi:.3g}]")
    return tested
