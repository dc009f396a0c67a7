"""Statistics of one loss curve (or iterate trajectory), independent of any figure."""
from __future__ import annotations

import numpy as np
import pandas as pd


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


# --- Loss-curve dynamics: spikes, fast oscillations, regimes (spec: "Classifying a loss curve") ---

def log_loss(loss: np.ndarray) -> np.ndarray:
    """l_t = log10(loss_t) of the finite part of a curve (the engine stops at the first non-finite)."""
    loss = np.asarray(loss, dtype=float)
    finite = loss[np.isfinite(loss)]
    return np.log10(np.maximum(finite, np.finfo(float).tiny))


def trailing_floor(l: np.ndarray, window: int) -> np.ndarray:
    """floor_t = min(l_{t-window}, ..., l_{t-1}) (l_0 for t = 0)."""
    s = pd.Series(l).shift(1).rolling(window, min_periods=1).min()
    s.iloc[0] = l[0] if len(l) else np.nan
    return s.to_numpy()


def spike_events(loss: np.ndarray, height: float, floor_window: int, rise_within: int, recovery: float,
                 start: int = 0) -> list[dict]:
    """Spike events: sudden rises of the loss by >= ``height`` decades over its recent floor.

    An event starts at t >= ``start`` where l_t - floor_t >= height (floor: the minimum of l over
    the preceding ``floor_window`` iterations) and the rise from the floor (the last iteration
    within ``recovery`` decades of it) took at most ``rise_within`` iterations. It ends when l falls
    back within ``recovery`` decades of that floor, or when the run ends. Returns one dict per
    event: start (the rise's first iteration), peak, end, height (decades above the floor),
    recovered.
    """
    l = log_loss(loss)
    n = len(l)
    floor = trailing_floor(l, floor_window)
    above = np.flatnonzero(l - floor >= height)
    events, t_next = [], start
    for t in above:
        if t < t_next or t == 0:
            continue
        base = floor[t]
        lo = max(0, t - floor_window)
        near = np.flatnonzero(l[lo:t] <= base + recovery)
        rise_from = lo + near[-1] if len(near) else lo
        if t - rise_from > rise_within:
            continue
        back = np.flatnonzero(l[t + 1:] <= base + recovery)
        end = t + 1 + back[0] if len(back) else n
        peak = t + int(np.argmax(l[t:end]))
        events.append({"start": int(rise_from), "peak": int(peak), "end": int(end),
                       "height": float(l[peak] - base), "recovered": bool(len(back))})
        t_next = end
    return events


def oscillation(loss: np.ndarray, start: int = 0, smooth: int = 20) -> dict:
    """Amplitude (decades) and period (iterations) of the fast oscillation of l over [start, end).

    r_t = l_t - (centred running mean of l over ``smooth`` iterations, an even number so that a
    2-periodic oscillation averages out); the amplitude is half the 5-95 % range of r, the period
    2 x (length) / (sign changes of r).
    """
    l = log_loss(loss)[start:]
    if len(l) < 3:
        return {"amplitude": float("nan"), "period": float("nan")}
    r = l - pd.Series(l).rolling(smooth, center=True, min_periods=1).mean().to_numpy()
    q5, q95 = np.percentile(r, [5, 95])
    s = np.sign(r[np.abs(r) > 1e-12])
    changes = int(np.count_nonzero(s[1:] != s[:-1]))
    return {"amplitude": float((q95 - q5) / 2), "period": float(2 * len(l) / changes) if changes else float("inf")}


def classification_window(n: int, window: int, burn_in: int) -> int:
    """First iteration of the window W the regime is judged on: the last ``window`` iterations,
    never earlier than ``burn_in`` (the fast initial phase is not a late-phase behaviour)."""
    return min(max(burn_in, n - window), max(n - 1, 0))


def regime(loss: np.ndarray, window: int, burn_in: int, height: float, floor_window: int, rise_within: int,
           recovery: float, progress: float, rise: float, dense_fraction: float, dense_within: float) -> dict:
    """Label a loss curve oscillation, spike or divergence (the paper's three regimes, Fig 7-8).

    Over W = [w0, n) (:func:`classification_window`), on l = log10(loss):
    divergence if the loss became non-finite; or no real progress (median of l over W within
    ``progress`` decades of l_0); or the floor at the end of W rose ``rise`` decades or more above
    the floor at its start, unless W ends inside a spike that has not recovered yet (then the
    raised floor is that spike's); or large oscillation: at least ``dense_fraction`` of W's steps jump by a
    decade or more while l stays within ``dense_within`` decades of l_0. Else spike if W holds a
    spike event (:func:`spike_events`), else oscillation. Returns the label and its evidence.
    """
    loss = np.asarray(loss, dtype=float)
    l = log_loss(loss)
    n = len(l)
    w0 = classification_window(n, window, burn_in)
    W = l[w0:]
    nonfinite = len(l) < len(loss)
    no_progress = bool(len(W) and np.median(W) >= l[0] - progress)
    k = max(1, min(floor_window, len(W) // 4))
    floor_rise = float(W[-k:].min() - W[:k].min()) if len(W) else float("nan")
    jumps = np.abs(np.diff(W)) >= 1.0
    dense = bool(len(jumps) and jumps.mean() >= dense_fraction and np.median(W) >= l[0] - dense_within)
    events = spike_events(loss, height, floor_window, rise_within, recovery, start=w0) if len(W) else []
    # A window that ends inside a spike that has not recovered yet has a raised floor because of
    # that spike (Fig 1's last spike): the rise is the spike's, not a drift to divergence.
    unrecovered_spike = bool(events) and not events[-1]["recovered"]
    drift = floor_rise >= rise and not unrecovered_spike
    if nonfinite or no_progress or drift or dense:
        label = "divergence"
    elif events:
        label = "spike"
    else:
        label = "oscillation"
    return {"label": label, "window_start": int(w0), "nonfinite": bool(nonfinite), "no_progress": no_progress,
            "floor_rise_decades": floor_rise, "ends_in_spike": unrecovered_spike, "dense_jump_fraction": float(jumps.mean()) if len(jumps) else 0.0,
            "spikes_in_window": len(events),
            "max_spike_decades": max((e["height"] for e in events), default=0.0)}
