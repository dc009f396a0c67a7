"""The readings file (``readings.yaml``): what a reading is, its validation record by record, and the
published figures' facts (``facts``: values a claim or drawing uses as they stand)."""
from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml


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
