"""Fig 8's phase diagram: the (a, b) grid, its blocks of cells, and training one block.

The paper sweeps a and b over a 40-point log grid from 0.1 to 100 [I: a_j = b_j = 10^(-1+3j/39)]
with full-batch Adam, eta = 1e-3, alpha = 1 - a eta, beta = 1 - b eta (eq. (3)). A scale may keep
every ``every``-th grid point from ``offset`` (cells of the paper's grid, never new values) and
add ``extra`` cells off the sub-grid, e.g. the PyTorch default (1, 100). The cells are cut into
blocks of ``block_cells``; each block is one training job (:class:`adamdyn.batched.Block`) with
its own checkpoint.
"""
from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import torch

from .batched import Block
from .data import load_prepared
from .io import atomic_path
from .problems.networks import mlp_net

CHECKPOINT_FORMAT = 1


def grid_value(j: int, points: int, low: float, high: float) -> float:
    """a_j = low * (high / low)^(j / (points - 1)); with (40, 0.1, 100): 10^(-1 + 3j/39)."""
    return float(10 ** (math.log10(low) + (math.log10(high) - math.log10(low)) * j / (points - 1)))


def grid_cells(cfg: dict) -> list[dict]:
    """Every cell of a scale's Fig 8: the (sub-)grid in row-major order (b outer, a inner), then the
    extra cells. A cell is {a, b, ja, jb} with ja, jb its indices on the paper's grid (None off it)."""
    g = cfg["grid"]
    idx = list(range(g.get("offset", 0), g["points"], g.get("every", 1)))
    cells = [{"a": grid_value(ja, g["points"], g["low"], g["high"]),
              "b": grid_value(jb, g["points"], g["low"], g["high"]), "ja": ja, "jb": jb}
             for jb in idx for ja in idx]
    for text in cfg.get("extra", []):
        a, b = (float(v) for v in str(text).split(","))
        if not any(math.isclose(c["a"], a, rel_tol=1e-6) and math.isclose(c["b"], b, rel_tol=1e-6) for c in cells):
            cells.append({"a": a, "b": b, "ja": None, "jb": None})
    return cells


def block_plans(cfg: dict) -> dict[str, dict]:
    """block name -> the plan of that block's training job (JSON-able)."""
    cells = grid_cells(cfg)
    size = int(cfg["block_cells"])
    plans = {}
    for i in range(0, len(cells), size):
        name = f"block{i // size:03d}"
        plans[name] = {"name": name, "problem": dict(cfg["problem"]), "eta": float(cfg["eta"]),
                       "seed": int(cfg["seed"]), "dtype": cfg["dtype"], "iterations": int(cfg["iterations"]),
                       "threads": int(cfg.get("threads", 1)), "cells": cells[i:i + size]}
    return plans


def _identity(plan: dict) -> dict:
    """What determines a block's losses (not its threads)."""
    return {k: plan[k] for k in ("problem", "eta", "seed", "dtype", "cells")}


def build_block(plan: dict, device: torch.device, data_dir: str | Path) -> Block:
    """The block's cells, all from the MLP the engine's ``mlp`` problem builds with this seed."""
    problem = plan["problem"]
    dtype = getattr(torch, plan["dtype"])
    tensors, _ = load_prepared(Path(data_dir) / f"{problem['data']}.pt")
    x = tensors["x_train"].to(device, dtype)
    x = x.reshape(len(x), -1)
    y = tensors["y_train"].to(device, dtype)
    torch.manual_seed(plan["seed"])
    net = mlp_net([x.shape[1], *problem["widths"], y.shape[1]], problem.get("activation", "relu")).to(device, dtype)
    a = torch.tensor([c["a"] for c in plan["cells"]], dtype=dtype, device=device)
    b = torch.tensor([c["b"] for c in plan["cells"]], dtype=dtype, device=device)
    return Block(net, x, y, plan["eta"], a, b, plan["iterations"])


def train_phase_block(plan: dict, checkpoint: str | Path, device: torch.device, checkpoint_every: int,
                      data_dir: str | Path, log: Callable[[str], None] = print, progress_every_s: float = 10.0,
                      on_step: Callable[[int], None] | None = None) -> dict:
    """Train one block to ``plan["iterations"]``, resuming from ``checkpoint`` when it matches the plan.

    Returns {losses (iterations, K) numpy, diverged_at (K,), wall_time_s, resumed_from}.
    ``on_step(k)`` runs after iteration k (the tests interrupt a block with it).
    """
    checkpoint = Path(checkpoint)
    block = build_block(plan, device, data_dir)
    elapsed, resumed_from = 0.0, []
    if checkpoint.exists():
        try:
            state = torch.load(checkpoint, map_location=device, weights_only=False)
        except Exception as exc:  # a checkpoint is a cache: an unreadable one is discarded
            log(f"checkpoint {checkpoint} unreadable ({exc}); starting from scratch")
            state = None
        if state is not None and state.get("format") == CHECKPOINT_FORMAT and state["identity"] == _identity(plan) \
                and state["block"]["k"] <= plan["iterations"]:
            block.load_state_dict(state["block"])
            elapsed, resumed_from = state["elapsed"], state["resumed_from"] + [block.k]
            log(f"resumed from {checkpoint} at iteration {block.k}")
        elif state is not None:
            log(f"checkpoint {checkpoint} belongs to other settings; starting from scratch")

    t0 = last = time.perf_counter()

    def save() -> None:
        with atomic_path(checkpoint, suffix=".tmp") as tmp:
            torch.save({"format": CHECKPOINT_FORMAT, "identity": _identity(plan), "block": block.state_dict(),
                        "elapsed": elapsed + time.perf_counter() - t0, "resumed_from": resumed_from}, tmp)

    start = block.k
    while block.k < plan["iterations"]:
        block.step()
        k = block.k
        if k % checkpoint_every == 0 and k < plan["iterations"]:
            save()
        now = time.perf_counter()
        if now - last >= progress_every_s:
            rate = (k - start) / (now - t0)
            log(f"iteration {k}/{plan['iterations']}  {int(block.active.sum())}/{len(plan['cells'])} cells finite  "
                f"{rate * len(plan['cells']):.1f} cell-iterations/s  time left {(plan['iterations'] - k) / rate:.0f} s")
            last = now
        if on_step is not None:
            on_step(k - 1)
    save()
    wall = elapsed + time.perf_counter() - t0
    log(f"finished: {block.k} iterations, {int((block.diverged_at >= 0).sum())} of {len(plan['cells'])} "
        f"cells diverged, {wall:.1f} s")
    return {"losses": block.losses.numpy(), "diverged_at": block.diverged_at.numpy(), "wall_time_s": wall,
            "resumed_from": resumed_from}


def cell_column(i: int) -> str:
    """The history column of a block's i-th cell."""
    return f"loss_c{i:03d}"


def history_frame(losses: np.ndarray) -> pd.DataFrame:
    """A block's history: ``step`` and one loss column per cell (:func:`cell_column`)."""
    frame = pd.DataFrame({cell_column(i): losses[:, i] for i in range(losses.shape[1])})
    frame.insert(0, "step", np.arange(len(losses)))
    return frame
