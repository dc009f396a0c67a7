"""The one checkpoint format and the one progress reporter of every training job.

A training job trains one run (:func:`adamdyn.engine.train`) or a batch of runs at once
(:mod:`adamdyn.batched`). Either way its checkpoint is one file holding an envelope::

    {"format", "identity", "iteration", "state", "elapsed", "resumed_from"}

``identity`` is what determines the job's trajectory (the runs' settings and what they log); a
checkpoint whose identity differs from the job's (floats beyond 1e-9 relative) is ignored. ``state`` is the executor's own
(parameters, optimiser moments, RNG, the history so far). The file is written atomically, and read
with ``torch.load(weights_only=True)``: a checkpoint is data, never code, so a file from elsewhere
cannot execute anything. A checkpoint is a cache: an unreadable one is reported and discarded.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import torch

from .io import atomic_path
from .settings import settings_close

FORMAT = 2


def save_checkpoint(path: str | Path, identity: dict, iteration: int, state: dict, elapsed: float,
                    resumed_from: list[int]) -> None:
    envelope = {"format": FORMAT, "identity": identity, "iteration": int(iteration), "state": state,
                "elapsed": float(elapsed), "resumed_from": list(resumed_from)}
    with atomic_path(path, suffix=".tmp") as tmp:
        torch.save(envelope, tmp)


def load_checkpoint(path: str | Path, identity: dict, device: torch.device,
                    log: Callable[[str], None]) -> dict | None:
    """The envelope saved at ``path`` if it belongs to ``identity``, else None (with a log line)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        envelope = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # a checkpoint is a cache: an unreadable one is discarded, not fatal
        log(f"checkpoint {path} unreadable ({type(exc).__name__}: {str(exc).splitlines()[0]}); starting from scratch")
        return None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT \
            or not settings_close(envelope.get("identity"), identity):
        log(f"checkpoint {path} belongs to other settings; starting from scratch")
        return None
    return envelope


class Progress:
    """Progress lines every ``every_s`` seconds: iteration, a job-specific text, rate, time left."""

    def __init__(self, log: Callable[[str], None], total: int, start: int, every_s: float, work_per_iteration: int = 1,
                 unit: str = "it/s"):
        self.log, self.total, self.start, self.every_s = log, total, start, every_s
        self.work, self.unit = work_per_iteration, unit
        self.t0 = self.last = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def update(self, done: int, text: str) -> None:
        """``done`` iterations are finished; report if ``every_s`` seconds passed since the last line."""
        now = time.perf_counter()
        if now - self.last < self.every_s or done <= self.start:
            return
        rate = (done - self.start) / (now - self.t0)
        self.log(f"iteration {done}/{self.total}  {text}  {rate * self.work:.1f} {self.unit}  "
                 f"time left {(self.total - done) / rate:.0f} s")
        self.last = now
