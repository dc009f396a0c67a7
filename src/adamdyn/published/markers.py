"""Where a reading is drawn on our figure: its marker (x, y, the published range, a plateau's span)."""
from __future__ import annotations

import math


from .readings import KINDS, _bounds


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
