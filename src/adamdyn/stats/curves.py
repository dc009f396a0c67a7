"""Statistics of one loss curve (or iterate trajectory), independent of any figure."""
from __future__ import annotations

import numpy as np


def tail_window(n: int, window: int) -> int:
    """The late-phase window: the last ``window`` iterations, or the last third if that is shorter."""
    return max(1, min(window, n // 3))


def summarise(loss: np.ndarray, window: int) -> dict:
    """Final loss, mean loss over the late-phase window, minimum, and whether the curve diverged.

    A curve that hit a non-finite loss has diverged; its statistics are those of its finite part
    (the engine stops at the first non-finite value).
    """
    loss = np.asarray(loss, dtype=float)
    finite = loss[np.isfinite(loss)]
    w = tail_window(len(finite), window)
    return {
        "iterations": int(len(loss)),
        "final_loss": float(finite[-1]) if len(finite) else float("nan"),
        "tail_window": int(w),
        "tail_mean_loss": float(finite[-w:].mean()) if len(finite) else float("nan"),
        "min_loss": float(finite.min()) if len(finite) else float("nan"),
        "diverged": bool(len(finite) < len(loss)),
    }


def window_mean(loss: np.ndarray, start: int, stop: int) -> float:
    """Mean of loss[start:stop] (negative indices count from the end)."""
    return float(np.asarray(loss, dtype=float)[start:stop].mean())


def first_below(loss: np.ndarray, level: float) -> int | None:
    """The first iteration whose loss is at or below ``level`` (None if never)."""
    hits = np.flatnonzero(np.asarray(loss, dtype=float) <= level)
    return int(hits[0]) if len(hits) else None


def orbit_entry(x: np.ndarray, radius: float, rel_tol: float) -> int | None:
    """The first iteration from which a 1-D iterate stays on the 2-periodic orbit x = +/- radius.

    On the orbit means ``| |x_t| - radius | <= rel_tol * radius`` and ``sign(x_t) != sign(x_{t-1})``
    for every later t. Returns None if the trajectory is not on the orbit at its end.
    """
    x = np.asarray(x, dtype=float)
    close = np.abs(np.abs(x) - radius) <= rel_tol * radius
    alternates = np.ones_like(close)
    alternates[1:] = np.sign(x[1:]) != np.sign(x[:-1])
    good = close & alternates
    if not len(good) or not good[-1]:
        return None
    bad = np.flatnonzero(~good)
    return int(bad[-1] + 1) if len(bad) else 0


def max_orbit_deviation(x: np.ndarray, radius: float, last: int) -> float:
    """max over the last ``last`` iterations of | |x_t| - radius | / radius."""
    x = np.asarray(x, dtype=float)[-last:]
    return float(np.max(np.abs(np.abs(x) - radius)) / radius)
