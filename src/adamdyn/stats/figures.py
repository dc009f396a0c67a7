"""Each figure's statistics table: one row per run, from the runs' histories and run.json.

Statistics never train: they read ``history.parquet`` and ``run.json`` of each run, cut to the
iterations the figure asks for.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..io import read_history, read_json
from . import curves


def _base_row(run_dir: Path, iterations: int, window: int) -> tuple[dict, pd.DataFrame, dict]:
    info = read_json(run_dir / "run.json")
    hist = read_history(run_dir, iterations)
    opt = info["spec"]["optimiser"]
    row = {"run": info["name"], "optimiser": opt["name"], "eta": opt["eta"], "alpha": opt["alpha"],
           "beta": opt["beta"], "a": opt["a"], "b": opt["b"], "seed": info["spec"]["seed"]}
    row.update(curves.summarise(hist["loss"].to_numpy(), window))
    return row, hist, info


def fig05(runs: list[tuple[Path, int]], window: int, collapse_factor: float) -> pd.DataFrame:
    """Fig 5: the plateau after the fast phase, and when it is reached (in time t = eta * k).

    ``plateau`` is the mean loss over the late window; ``plateau_before`` the mean over the window
    just before it (equal when the loss has stopped decreasing). The collapse step is the first
    iteration whose loss is within ``collapse_factor`` of the plateau; ``prop4_bound`` is
    Proposition 4's stopping-time bound 2 sqrt((f(x0) - f(x*)) / mu) for the signGD flow.
    """
    rows = []
    for run_dir, iterations in runs:
        row, hist, info = _base_row(Path(run_dir), iterations, window)
        loss = hist["loss"].to_numpy()
        w = row["tail_window"]
        plateau = row["tail_mean_loss"]
        collapse = curves.first_below(loss, collapse_factor * plateau)
        row.update(plateau=plateau, plateau_before=curves.window_mean(loss, -2 * w, -w),
                   collapse_step=collapse,
                   collapse_time=None if collapse is None else collapse * row["eta"],
                   final_time=len(loss) * row["eta"], f0=info["problem_metadata"]["f0"],
                   mu=info["problem_metadata"]["mu"],
                   prop4_bound=info["problem_metadata"]["prop4_stop_time_bound"])
        rows.append(row)
    return pd.DataFrame(rows)


def fig06(runs: list[tuple[Path, int]], window: int, orbit_rel_tol: float, orbit_window: int) -> pd.DataFrame:
    """Fig 6: how close each alpha's iterate is to the 2-periodic orbit x = +/- eta/2, and from when."""
    rows = []
    for run_dir, iterations in runs:
        row, hist, _ = _base_row(Path(run_dir), iterations, window)
        x = hist["x0"].to_numpy()
        radius = row["eta"] / 2
        row.update(orbit_radius=radius, orbit_entry_step=curves.orbit_entry(x, radius, orbit_rel_tol),
                   orbit_rel_tol=orbit_rel_tol, orbit_window=orbit_window,
                   max_rel_deviation_last=curves.max_orbit_deviation(x, radius, orbit_window),
                   final_x=float(x[-1]))
        rows.append(row)
    return pd.DataFrame(rows)


TABLES = {"fig05": fig05, "fig06": fig06}
