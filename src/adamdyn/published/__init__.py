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

The parts: :mod:`.readings` (the file and its validation), :mod:`.match` (which run is a reading's
curve), :mod:`.measure` (measuring a reading and its difference), :mod:`.markers` (where it is drawn);
this module holds :func:`compare`, which joins them for one figure.
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..naming import split_figure_id
from ..stats import curves
from .markers import marker
from .measure import difference, measure_cells, measure_curve, series_of
from .readings import (AXES, CELL_KINDS, CURVE_KEYS, KINDS, NEEDS, OPTIONAL, PAPER_KEYS, READINGS_FILE, REQUIRED,
                       SERIES, ReadingError, fact, load, parse, readings_path, validate)
from .match import RunRef, curve_text, differences

__all__ = ["AXES", "CELL_KINDS", "COLUMNS", "CURVE_KEYS", "KINDS", "NEEDS", "OPTIONAL", "PAPER_KEYS", "READINGS_FILE",
           "REQUIRED", "SERIES", "ReadingError", "RunRef", "compare", "curve_text", "difference", "differences", "fact",
           "load", "marker", "measure_cells", "measure_curve", "parse", "readings_path", "series_of", "validate"]

COLUMNS = ["id", "figure", "panel", "curve", "series", "x", "kind", "unit", "published", "uncertainty", "source",
           "measured", "difference", "agrees", "comparable", "why_not", "run", "marker_x", "marker_y",
           "marker_lo", "marker_hi", "range_lo", "range_hi", "note"]


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
