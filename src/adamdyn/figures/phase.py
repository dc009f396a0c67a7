"""The (a, b) plane of Fig 8, shared by Fig 8 and the studies that read its cells (the divergence
edge, Fig 8's reduction): the paper's log grid [I: a_j = b_j = 10^(-1+3j/39)], the theory edge of
bounded updates, the regime colours, and what the published map says of a cell."""
from __future__ import annotations

import math

import pandas as pd

from .common import parse_ab

REGIME_COLOURS = {"oscillation": "#0072B2", "spike": "#E69F00", "divergence": "#CC3311"}


def grid_value(j: int, points: int, low: float, high: float) -> float:
    """a_j = low * (high / low)^(j / (points - 1)); with (40, 0.1, 100): 10^(-1 + 3j/39)."""
    return float(10 ** (math.log10(low) + (math.log10(high) - math.log10(low)) * j / (points - 1)))


def grid_index(value: float, points: int, low: float, high: float) -> int | None:
    """The j with grid_value(j) = value (None off the grid)."""
    j = (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low)) * (points - 1)
    k = round(j)
    return k if 0 <= k < points and math.isclose(grid_value(k, points, low, high), value, rel_tol=1e-6) else None


def bounded_update_edge(b: float, eta: float) -> float:
    """The a at which beta = sqrt(alpha) for eq. (3)'s alpha = 1 - a eta, beta = 1 - b eta:
    a = 2b - b^2 eta. Below it (a < 2b - b^2 eta, beta < sqrt(alpha)) Adam's update
    m / sqrt(v) stays bounded whatever the gradients; above it a run of gradients of one sign can
    grow it without bound (the theory edge of the divergence region, drawn on the map)."""
    return 2 * b - b * b * eta


def on_subgrid(j: int | None, grid: dict) -> bool:
    """Whether grid index j is kept by the scale's sub-grid (j = offset, offset + every, ...)."""
    return j is not None and j >= grid.get("offset", 0) and (j - grid.get("offset", 0)) % grid.get("every", 1) == 0


def grid_cells(grid: dict, extra: list[str] = ()) -> list[tuple[float, float]]:
    """Every (a, b) of a scale's Fig 8: the (sub-)grid in row-major order (b outer, a inner), then
    the extra cells that are not on it."""
    idx = list(range(grid.get("offset", 0), grid["points"], grid.get("every", 1)))
    values = [grid_value(j, grid["points"], grid["low"], grid["high"]) for j in idx]
    cells = [(a, b) for b in values for a in values]
    for text in extra:
        a, b = parse_ab(text)
        if not any(math.isclose(a, x, rel_tol=1e-6) and math.isclose(b, y, rel_tol=1e-6) for x, y in cells):
            cells.append((a, b))
    return cells


def published_constraints(readings: list[dict] | None = None) -> list[dict]:
    """The Fig 8 readings that say what every cell of a region is: cells fractions among a region
    published as 0 (no cell has the label) or at least 0.95 (every cell has it)."""
    if readings is None:
        from ..published import load
        readings = load().get("fig08", [])
    return [r for r in readings if r["kind"] == "cells_fraction" and r.get("among")
            and (r["published"] == 0 or r["published"] >= 0.95)]


def expected(a: float, b: float, constraints: list[dict]) -> list[tuple[str, bool]]:
    """What the published map says of the cell (a, b): [(label query, should hold)]."""
    cell = pd.DataFrame({"a": [a], "b": [b]})
    return [(r["where"], r["published"] != 0) for r in constraints if len(cell.query(r["among"]))]


def holds_where(where: str, regime: str, diverged: bool) -> bool:
    return bool(len(pd.DataFrame({"regime": [regime], "diverged": [diverged]}).query(where)))


def published_onset() -> tuple[tuple[float, float], tuple[float, float]]:
    """The published map's onset of divergence (readings.yaml, facts.fig08.divergence_onset): the rows
    b it holds for, and the band of a/b where the first divergent a lies."""
    from ..published import fact

    onset = fact("fig08", "divergence_onset")
    return tuple(onset["rows_b"]), tuple(onset["a_over_b"])
