"""A variant's change merged into a figure's scale entry (:func:`apply_variant`): the declared
variants of :mod:`adamdyn.registry` and the calibration's candidates (:mod:`adamdyn.calibration`)."""
from __future__ import annotations


def _merge(base: dict, change: dict) -> dict:
    """``base`` with ``change`` merged in: nested mappings merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in change.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def apply_variant(cfg: dict, change: dict, problems: list[str] | None = None) -> dict:
    """A figure's scale entry with a variant's ``set`` merged in. A ``problem`` change applies to
    every problem of the figure: the entry's and each runs entry's own (Fig 1 and Fig 10 have two),
    or only to those whose name is in ``problems`` when given (a calibration candidate's loss is an
    MLP's option, :mod:`adamdyn.calibration`); ``datasets: {name: other}`` trains every problem on
    data set ``other`` where it used ``name`` (``other`` is a data set of the scale, e.g. one with more
    points: ``source: name`` there)."""
    change = dict(change)
    problem = change.pop("problem", {})
    swap = change.pop("datasets", {})  # {data set: the data set used in its place}

    def changed(p: dict) -> dict:
        if problems is None or p.get("name") in problems:
            p = _merge(p, problem)
        return {**p, "data": swap[p["data"]]} if p.get("data") in swap else p

    out = _merge({k: v for k, v in cfg.items() if k != "variants"}, change)
    if problem or swap:
        out["problem"] = changed(out["problem"])
        if "runs" in out:
            out["runs"] = [{**e, "problem": changed(e["problem"])} if "problem" in e else e for e in out["runs"]]
    return out
