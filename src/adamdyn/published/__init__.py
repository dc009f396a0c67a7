"""Against the published figures: the readings of the paper's images (``readings.yaml``, a
transcription of ``shared/paper/figure-readings.md``) and their comparison with our runs.

A reading is one number (or a range) read off one curve of one panel of a published figure: a
value at an iteration, a start, a final value, a floor (minimum over a range), a peak (maximum
over a range), a plateau (geometric mean over a range), a count of spikes, a collapse iteration,
or for the phase diagram (Fig 8) a fraction of cells, the heat-map's minimum, where it lies and
the default's gap above it. :func:`compare` measures each reading on a figure's runs (or its
statistics table) and says whether it agrees within the reading's uncertainty.

A reading is *comparable* only when a run matches its curve and that run has the paper's settings
for the figure (``paper`` in readings.yaml: iterations, widths, training set size, ...). Otherwise
it is still measured where it can be, but marked not comparable with the reason: a reduced scale
compares what is comparable and says so; nothing is dropped.
"""
from __future__ import annotations

import math
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..figures.common import epoch_means, per_epoch
from ..naming import split_figure_id
from ..settings import data_kind
from ..io import read_history, read_json
from ..stats import curves

READINGS_FILE = "readings.yaml"
# what is read, and in which unit the difference is: decades log10(measured / published) for a
# value on a curve; a plain difference for counts, iterations, fractions of cells, log10 units
KINDS = {"start": "decades", "value_at": "decades", "final": "decades", "floor": "decades", "peak": "decades",
         "plateau": "decades", "spike_count": "count", "collapse_iteration": "iterations",
         "cells_fraction": "fraction", "min_cell": "log10 units", "argmin_cell": "decades",
         "default_gap": "log10 units"}
CELL_KINDS = {"cells_fraction", "min_cell", "argmin_cell", "default_gap"}  # read on Fig 8's statistics table
NEEDS = {"value_at": ("at",), "floor": ("range",), "peak": ("range",), "plateau": ("range",),
         "cells_fraction": ("where",), "default_gap": ("default",)}
REQUIRED = ("id", "panel", "kind", "published", "uncertainty", "source", "note")
OPTIONAL = {"curve", "series", "x", "at", "window", "range", "height", "where", "among", "default", "paper"}
CURVE_KEYS = {"optimiser", "eta", "alpha", "beta", "a", "b", "data", "seed"}
SERIES = ("loss", "test_loss", "test_error", "x0", "|x0|", "norm_x", "norm_m", "norm_sqrt_v")
AXES = ("iteration", "t", "epoch")
PAPER_KEYS = {"iterations", "time", "epochs", "widths", "width", "n_train", "batch_size", "cells"}
COLUMNS = ["id", "figure", "panel", "curve", "series", "x", "kind", "unit", "published", "uncertainty", "source",
           "measured", "difference", "agrees", "comparable", "why_not", "run", "marker_x", "marker_y",
           "marker_lo", "marker_hi", "range_lo", "range_hi", "note"]


class ReadingError(ValueError):
    """A record of readings.yaml that cannot be used; the message names its id and the key."""


# --- the readings file ---

def readings_path() -> Path:
    return Path(str(resources.files(__package__).joinpath(READINGS_FILE)))


def _bad(rid, key, why) -> ReadingError:
    return ReadingError(f"{READINGS_FILE}: reading {rid!r}, key {key!r}: {why}")


def _bounds(published) -> tuple[float, float] | None:
    """A published value as (low, high): a number is (v, v); a range [low, high] (.inf allowed)."""
    if isinstance(published, bool):
        return None
    if isinstance(published, (int, float)):
        return float(published), float(published)
    if isinstance(published, list) and len(published) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in published):
        lo, hi = float(published[0]), float(published[1])
        return (lo, hi) if lo <= hi else None
    return None


def validate(record: dict, figure: str, paper: dict) -> dict:
    """One reading checked and completed with its figure and its paper settings (the figure's,
    overridden by the reading's own ``paper``). Raises :class:`ReadingError` naming id and key."""
    rid = record.get("id", "<no id>")
    for key in REQUIRED:
        if key not in record:
            raise _bad(rid, key, "missing")
    unknown = set(record) - set(REQUIRED) - OPTIONAL
    if unknown:
        raise _bad(rid, sorted(unknown)[0], f"unknown key; a reading has {', '.join(REQUIRED)} and optionally "
                   + ", ".join(sorted(OPTIONAL)))
    if not str(rid).startswith(f"{figure}."):
        raise _bad(rid, "id", f"must start with '{figure}.'")
    kind = record["kind"]
    if kind not in KINDS:
        raise _bad(rid, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    for key in NEEDS.get(kind, ()):
        if key not in record:
            raise _bad(rid, key, f"kind {kind} needs it")
    if kind not in CELL_KINDS and not isinstance(record.get("curve"), dict):
        raise _bad(rid, "curve", f"kind {kind} reads a curve: give a mapping of {', '.join(sorted(CURVE_KEYS))}")
    if set(record.get("curve", {})) - CURVE_KEYS:
        raise _bad(rid, "curve", f"unknown selector {sorted(set(record['curve']) - CURVE_KEYS)[0]!r}")
    if kind == "argmin_cell":
        p = record["published"]
        if not (isinstance(p, list) and len(p) == 2 and all(isinstance(v, (int, float)) and v > 0 for v in p)):
            raise _bad(rid, "published", "argmin_cell is published as [a, b], both > 0")
    elif _bounds(record["published"]) is None:
        raise _bad(rid, "published", "a number or a range [low, high] with low <= high")
    elif KINDS[kind] == "decades" and _bounds(record["published"])[0] == 0 == _bounds(record["published"])[1]:
        raise _bad(rid, "published", "a value compared in decades cannot be 0")
    u = record["uncertainty"]
    if isinstance(u, bool) or not isinstance(u, (int, float)) or not u > 0:
        raise _bad(rid, "uncertainty", f"must be a number > 0, got {u!r}")
    if record["source"] not in ("eye", "digitised"):
        raise _bad(rid, "source", "eye or digitised")
    if record.get("series", "loss") not in SERIES:
        raise _bad(rid, "series", f"one of {', '.join(SERIES)}")
    if record.get("x", "iteration") not in AXES:
        raise _bad(rid, "x", f"one of {', '.join(AXES)}")
    for key, ok, what in (("window", lambda v: isinstance(v, int) and v >= 0, "a whole number of points >= 0"),
                          ("height", lambda v: isinstance(v, (int, float)) and v > 0, "decades > 0"),
                          ("at", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
                          ("where", lambda v: isinstance(v, str) and v, "a query on the statistics table"),
                          ("among", lambda v: isinstance(v, str) and v, "a query on the statistics table")):
        if key in record and not ok(record[key]):
            raise _bad(rid, key, f"must be {what}, got {record[key]!r}")
    if "range" in record:
        r = record["range"]
        if not (isinstance(r, list) and len(r) == 2 and r[0] < r[1]):
            raise _bad(rid, "range", "[first, last] with first < last")
    merged = {**paper, **record.get("paper", {})}
    if set(merged) - PAPER_KEYS:
        raise _bad(rid, "paper", f"unknown setting {sorted(set(merged) - PAPER_KEYS)[0]!r}; known: "
                   + ", ".join(sorted(PAPER_KEYS)))
    return {**record, "figure": figure, "paper": merged}


def parse(doc: dict) -> dict[str, list[dict]]:
    """The readings of every figure, validated: {figure: [reading, ...]}."""
    if not isinstance(doc, dict) or not isinstance(doc.get("figures"), dict):
        raise ReadingError(f"{READINGS_FILE}: a top-level 'figures' mapping is missing")
    out, seen = {}, set()
    for figure, entry in doc["figures"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("readings"), list):
            raise ReadingError(f"{READINGS_FILE}: figure {figure!r} needs a 'readings' list")
        paper = entry.get("paper", {})
        out[figure] = []
        for record in entry["readings"]:
            if not isinstance(record, dict):
                raise ReadingError(f"{READINGS_FILE}: figure {figure!r}: a reading is not a mapping: {record!r}")
            r = validate(record, figure, paper)
            if r["id"] in seen:
                raise _bad(r["id"], "id", "used twice")
            seen.add(r["id"])
            out[figure].append(r)
    return out


@cache
def _load(path: str) -> dict[str, list[dict]]:
    return parse(yaml.safe_load(Path(path).read_text()))


@cache
def _facts(path: str) -> dict[str, dict]:
    doc = yaml.safe_load(Path(path).read_text())
    return doc.get("facts", {}) if isinstance(doc, dict) else {}


def fact(figure: str, name: str, path: str | Path | None = None) -> dict:
    """A fact of a published figure (``facts`` of readings.yaml), e.g. Fig 8's ``divergence_onset``:
    the one place the published value is written."""
    try:
        return _facts(str(path or readings_path()))[figure][name]
    except KeyError:
        raise ReadingError(f"{READINGS_FILE}: no fact {figure}.{name} under 'facts'") from None


def load(path: str | Path | None = None) -> dict[str, list[dict]]:
    """The validated readings of every figure (from the package's readings.yaml by default)."""
    return _load(str(path or readings_path()))


# --- which run is a reading's curve ---

class RunRef:
    """A run a figure reads: its run.json now, its history (cut to what the figure reads) when asked."""

    def __init__(self, folder: Path, iterations: int):
        self.folder, self.iterations = Path(folder), int(iterations)
        self.info = read_json(self.folder / "run.json")
        self._history = None

    @property
    def history(self) -> pd.DataFrame:
        if self._history is None:
            self._history = read_history(self.folder, self.iterations)
        return self._history

    @property
    def per_epoch(self) -> int:
        return per_epoch(self)

    def matches(self, curve: dict) -> bool:
        opt, spec = self.info["spec"]["optimiser"], self.info["spec"]
        problem = spec["problem"]
        for key, want in curve.items():
            if key == "optimiser":
                ok = opt["name"] == want
            elif key == "data":
                ok = data_kind(problem) == want
            elif key == "seed":
                ok = spec["seed"] == want
            else:
                have = opt.get(key)
                ok = have is not None and math.isclose(have, float(want), rel_tol=1e-6)
            if not ok:
                return False
        return True

    def facts(self, cells: int) -> dict:
        """The settings a reading's paper settings are checked against."""
        spec, meta = self.info["spec"], self.info["problem_metadata"]
        return {"iterations": self.iterations, "time": self.iterations * spec["optimiser"]["eta"],
                "epochs": self.iterations // self.per_epoch, "widths": spec["problem"].get("widths"),
                "width": spec["problem"].get("width"), "batch_size": spec["batch_size"],
                "n_train": meta.get("n_train", meta.get("n_interior")), "cells": cells}


def differences(paper: dict, facts: dict) -> list[str]:
    """Each setting in which a run differs from the paper's, in words ("width 128 vs the paper's 500")."""
    out = []
    for key, want in paper.items():
        have = facts.get(key)
        same = (have == want) if not isinstance(want, float) else (
            have is not None and math.isclose(have, want, rel_tol=1e-6))
        if not same:
            out.append(f"{key} {have} vs the paper's {want}")
    return out


def curve_text(curve: dict | None) -> str:
    return " ".join(f"{k}={v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else f"{k}={v}"
                    for k, v in (curve or {}).items())


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


def marker(reading: dict) -> dict:
    """Where the published reading is drawn on our figure: (x, y) and the vertical extent of a range."""
    kind = reading["kind"]
    none = {"marker_x": None, "marker_y": None, "marker_lo": None, "marker_hi": None,
            "range_lo": None, "range_hi": None}
    if kind == "argmin_cell":
        return {**none, "marker_x": reading["published"][0], "marker_y": reading["published"][1]}
    if KINDS[kind] != "decades":
        return none
    lo, hi = _bounds(reading["published"])
    if lo <= 0 or math.isinf(hi):
        y = lo if math.isinf(hi) else hi
    else:
        y = math.sqrt(lo * hi)
    axis = reading.get("x", "iteration")
    paper_end = {"iteration": reading["paper"].get("iterations"), "epoch": reading["paper"].get("epochs"),
                 "t": reading["paper"].get("time")}[axis]
    if kind == "start":
        x = 1.0 if axis == "epoch" else 0.0
    elif kind == "final":
        x = reading.get("at", paper_end)
    elif "range" in reading:  # where the published figure shows it, else the middle of the range
        x = reading.get("at", (reading["range"][0] + reading["range"][1]) / 2)
    else:
        x = reading["at"]
    out = {**none, "marker_x": x, "marker_y": y, "marker_lo": lo if lo != hi else None,
           "marker_hi": hi if lo != hi and not math.isinf(hi) else None}
    if kind == "plateau":  # a level held over a span: the span is drawn
        out.update(range_lo=reading["range"][0], range_hi=reading["range"][1])
    return out


# --- one figure ---

def compare(figure: str, runs: list[tuple[Path, int]], stats: pd.DataFrame, regime: dict,
            collapse_factor: float, tail_window: int, readings: dict[str, list[dict]] | None = None) -> pd.DataFrame:
    """Every reading of ``figure`` against its runs (reads: (run folder, iterations)) and statistics
    table: one row per reading (:data:`COLUMNS`); none is left out. ``regime`` is the classifier's
    settings (its spike-event thresholds count spikes), ``collapse_factor`` Fig 5's definition of the
    collapse (within that factor of the plateau, the mean of the last ``tail_window`` iterations)."""
    readings = load() if readings is None else readings
    refs = [RunRef(d, n) for d, n in runs]
    rows = []
    for r in readings.get(split_figure_id(figure)[0], []):  # a variant figNN-v is held against figNN
        row = {"id": r["id"], "figure": figure, "panel": r["panel"], "curve": curve_text(r.get("curve")),
               "series": r.get("series", "loss") if r["kind"] not in CELL_KINDS else "",
               "x": r.get("x", "iteration") if r["kind"] not in CELL_KINDS else "", "kind": r["kind"],
               "unit": KINDS[r["kind"]], "published": _published_text(r["published"]),
               "uncertainty": r["uncertainty"], "source": r["source"], "note": r["note"], "run": ""}
        measured, why = None, []
        if r["kind"] in CELL_KINDS:
            if refs:
                why += differences(r["paper"], refs[0].facts(len(refs)))
            measured = measure_cells(r, stats) if len(stats) else None
        else:
            found = sorted((ref for ref in refs if ref.matches(r["curve"])), key=lambda ref: ref.info["spec"]["seed"])
            if not found:
                why.append("no run matches the curve at this scale")
            else:
                run = found[0]  # the paper shows one run; the lowest seed stands for it
                row["run"] = run.info["name"]
                why += differences(r["paper"], run.facts(len(refs)))
                x, y = series_of(run, r)
                every = run.per_epoch if r.get("x") == "epoch" else 1
                spikes = {"height": regime["height"], "floor_window": max(1, regime["floor_window"] // every),
                          "rise_within": max(1, regime["rise_within"] // every), "recovery": regime["recovery"]}
                measured = measure_curve(r, x, y, spikes, collapse_factor, curves.tail_window(len(y), tail_window))
        if measured is None and not why:
            why.append("the curve does not reach what is read")
        diff = difference(r, measured)
        comparable = not why
        tol = r["uncertainty"]
        row.update(measured=_measured_text(measured), difference=diff,
                   agrees=(bool(abs(diff) <= tol + 1e-12) if not math.isnan(diff) else False) if comparable else None,
                   comparable=comparable, why_not="; ".join(why), **marker(r))
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def _published_text(p):
    if isinstance(p, list):
        return f"[{p[0]:g}, {p[1]:g}]"
    return f"{p:g}"


def _measured_text(m):
    if m is None:
        return None
    if isinstance(m, list):
        return f"[{m[0]:.4g}, {m[1]:.4g}]"
    return float(m)
