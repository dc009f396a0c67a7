"""The one dispatcher of executors: a job of the plan (:class:`adamdyn.runs.Job`) is trained by the
engine (one run, or several one after another, :func:`adamdyn.engine.train`) or by the batched
executor (runs that differ only in Adam's (a, b), :func:`adamdyn.batched.train_batch`). Both write the same history and checkpoint
format; which runs form a batch is the plan's rule (:func:`adamdyn.runs.batch_refusal`)."""
from __future__ import annotations

from pathlib import Path

import torch

from .batched import train_batch
from .engine import TrainResult, train
from .runs import RunPlan

EXECUTORS = ("single", "batched", "sequence")


def train_group(executor: str, plans: list[RunPlan], checkpoint_path: str | Path, device: torch.device,
                checkpoint_every: int, **kwargs) -> list[TrainResult]:
    """Train one job of the plan: a single run (``executor`` "single", :func:`adamdyn.engine.train`),
    a batch of runs that differ only in Adam's (a, b) (``"batched"``, :func:`train_batch`), or runs one
    after another in this process (``"sequence"``: the same :func:`adamdyn.engine.train` of each)."""
    if executor == "single":
        (plan,) = plans
        return [train(plan, checkpoint_path, device, checkpoint_every, **kwargs)]
    if executor == "batched":
        return train_batch(plans, checkpoint_path, device, checkpoint_every, **kwargs)
    if executor == "sequence":  # one after another, each run with its own checkpoint under the job's name
        folder = Path(checkpoint_path).with_suffix("")
        return [train(plan, folder / f"{plan.name}.pt", device, checkpoint_every, **kwargs) for plan in plans]
    raise ValueError(f"unknown executor {executor!r} (expected one of {', '.join(EXECUTORS)})")
