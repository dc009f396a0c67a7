"""Measuring one reading on a run's curve or on Fig 8's statistics table, and its difference from
the published value (decades for a value on a curve, a plain difference for counts and fractions)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..figures.common import epoch_means
from ..stats import curves
from .readings import KINDS, _bounds
from .match import RunRef


# --- measuring one reading ---

def series_of(run: RunRef, reading: dict) -> tuple[np.ndarray, np.ndarray]:
    """The curve a reading is read on: (x, y) with x in iterations, t = eta x iteration, or epochs
    (the per-epoch mean loss, epochs counted from 1, as Fig 9 and the batch-size study plot it)."""
    name = reading.get("series", "loss")
    col = name.strip("|")
    hist = run.history
    axis = reading.get("x", "iteration")
    if axis == "epoch":
        y = epoch_means(hist, run.per_epoch, col)
        x = np.arange(1, len(y) + 1, dtype=float)
    else:
        part = hist[["step", col]].dropna()
        x, y = part["step"].to_numpy(dtype=float), part[col].to_numpy(dtype=float)
        if axis == "t":
            x = x * run.info["spec"]["optimiser"]["eta"]
    if name.startswith("|"):
        y = np.abs(y)
    return x, y


def _in(x, y, lo, hi):
    keep = (x >= lo) & (x <= hi)
    return x[keep], y[keep]


def _gmean(y: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.exp(np.mean(np.log(y)))) if len(y) and np.all(y > 0) else float("nan")


def measure_curve(reading: dict, x: np.ndarray, y: np.ndarray, regime: dict, collapse_factor: float,
                  tail: int) -> float | None:
    """The reading's quantity on one curve; None where the curve does not reach what is read.

    ``regime`` holds the spike-event thresholds (counted in points of the series); ``tail`` the
    late window (points) whose mean is the plateau a collapse is measured against."""
    kind = reading["kind"]
    if not len(y):
        return None
    # a series logged every few iterations (test error every 10) reaches what lies before its next point
    step = float(x[1] - x[0]) if len(x) > 1 else 1.0
    end = x[-1] + step - 1e-9 * step
    if kind == "start":
        return float(y[0])
    if kind in ("value_at", "final"):
        at = reading.get("at", None)
        w = reading.get("window", 0)
        if kind == "final" and at is None:
            return float(y[-1]) if w == 0 else _gmean(y[-(w + 1):])
        if at < x[0] or at > end:
            return None
        if w:
            return _gmean(_in(x, y, at - w, at + w)[1])
        return float(y[int(np.argmin(np.abs(x - at)))])
    if kind in ("floor", "peak", "plateau", "spike_count"):
        lo, hi = reading["range"]
        if hi > end or lo < x[0]:
            return None
        _, part = _in(x, y, lo, hi)
        if not len(part):
            return None
        if kind == "floor":
            return float(np.nanmin(part))
        if kind == "peak":
            return float(np.nanmax(part))
        if kind == "plateau":
            return _gmean(part)
        start, stop = int(np.searchsorted(x, lo)), int(np.searchsorted(x, hi, side="right"))
        events = curves.spike_events(y[:stop], start=start, **{**regime, "height": reading.get("height",
                                                                                               regime["height"])})
        return float(len(events))
    if kind == "collapse_iteration":
        plateau = float(np.mean(y[-tail:]))
        k = curves.first_below(y, collapse_factor * plateau)
        return None if k is None else float(x[k])
    raise ValueError(f"kind {kind} is not read on a curve")


def measure_cells(reading: dict, stats: pd.DataFrame) -> float | list | None:
    """A phase-diagram reading on the statistics table's grid cells (Fig 8)."""
    grid = stats[stats["on_grid"].astype(bool)] if "on_grid" in stats else stats
    kind = reading["kind"]
    if kind == "cells_fraction":
        among = grid.query(reading["among"]) if reading.get("among") else grid
        if among.empty:
            return None
        return float(len(among.query(reading["where"])) / len(among))
    finite = grid[~grid["diverged"].astype(bool)]
    late = finite["log10_tail_mean_loss"]
    if late.dropna().empty:
        return None
    best = finite.loc[late.idxmin()]
    if kind == "min_cell":
        return float(best["log10_tail_mean_loss"])
    if kind == "argmin_cell":
        return [float(best["a"]), float(best["b"])]
    if kind == "default_gap":
        a, b = (float(v) for v in str(reading["default"]).split(","))
        d = stats[np.isclose(stats["a"], a) & np.isclose(stats["b"], b)]
        if d.empty:
            return None
        value = float(d["log10_tail_mean_loss"].iloc[0]) if not bool(d["diverged"].iloc[0]) else float("inf")
        return value - float(best["log10_tail_mean_loss"])
    raise ValueError(f"kind {kind} is not read on the cells")


def difference(reading: dict, measured) -> float:
    """Measured against published: decades log10(measured / nearest end of the published range)
    for a value, a plain difference otherwise (0 inside the range); the distance in decades in the
    (a, b) plane for the location of a cell."""
    if measured is None:
        return float("nan")
    if reading["kind"] == "argmin_cell":
        (a, b), (pa, pb) = measured, reading["published"]
        return float(math.hypot(math.log10(a / pa), math.log10(b / pb)))
    lo, hi = _bounds(reading["published"])
    m = float(measured)
    if math.isnan(m):
        return float("nan")
    if lo <= m <= hi:
        return 0.0
    end = lo if m < lo else hi
    if KINDS[reading["kind"]] != "decades":
        return m - end
    if end == 0 or m / end <= 0:  # a sign the published value does not have
        return float("nan")
    return float(math.log10(m / end))
