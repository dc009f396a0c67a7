"""The figures, one module each (``figNN.py``), discovered from this package.

A figure module holds, next to each other:

- ``table(runs, window, ...)``: its statistics table (one row per run) from the runs' histories;
- ``claims(stats, ...)``: the paper's claims about it, checked on that table (:class:`Claim` list);
- ``draw(runs, stats, png, pdf, stamp, ...)``: its drawing, in the house style; a figure of the
  paper also takes ``published`` (its comparison table, :mod:`adamdyn.published`) and marks the
  published readings on its panels;
- optionally ``expand(cfg)``: its scale config rewritten as runs entries (Fig 8's grid);

and its caption is ``workflow/report/figNN.rst``. Every keyword argument of ``table``, ``claims`` and
``draw`` is a setting of config.yaml, found by name (:func:`settings_for`): the statistics settings
shared by every figure (``window``, ``regime``, ``sensitivity``), the figure's own ``stats`` and
``claims`` sections, and its scale entry (``plot`` settings included). A figure is added by writing
its module, its config entries and its schema entry; ``tests/test_figures.py`` checks that these
agree.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

FIGURE_NAME = re.compile(r"^fig\d\d$")
PARTS = ("table", "claims", "draw")


def _discover() -> dict[str, ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if FIGURE_NAME.match(m.name))
    return {name: importlib.import_module(f"{__name__}.{name}") for name in names}


FIGURES: dict[str, ModuleType] = _discover()


def figure(name: str) -> ModuleType:
    try:
        return FIGURES[name]
    except KeyError:
        raise ValueError(f"no figure module {name!r}; the figures are {', '.join(FIGURES)}") from None


def expand(name: str, cfg: dict) -> dict:
    """A figure's scale config as runs entries (most figures list their runs already)."""
    module = figure(name)
    return module.expand(cfg) if hasattr(module, "expand") else cfg


def settings_for(name: str, part: str, config: dict, scale_cfg: dict) -> dict:
    """The keyword arguments of figure ``name``'s ``part`` (table, claims or draw), each taken by
    its name from config.yaml. ``table`` reads the shared statistics settings (``window`` is
    ``stats.tail_window``, ``regime``, ``sensitivity``), ``stats.<fig>`` and the figure's scale entry;
    ``claims`` reads ``claims.<fig>`` and the classifier's ``regime``; ``draw`` reads the scale entry's
    ``plot`` settings and ``claims.<fig>`` (what the claims are about, e.g. which (a, b) is the
    default). A keyword without a default that no source has is a configuration error."""
    fn = getattr(figure(name), part)
    stats = config["stats"]
    fig_cfg = scale_cfg.get(name, {})
    claims = config["claims"].get(name, {})
    shared = {"window": stats["tail_window"], "regime": stats["regime"], "sensitivity": stats["sensitivity"]}
    sources = {"table": [("stats", shared), (f"stats.{name}", stats.get(name, {})), (f"scales.<scale>.{name}", fig_cfg)],
               "claims": [(f"claims.{name}", claims), ("stats", {"regime": stats["regime"]})],
               "draw": [(f"scales.<scale>.{name}.plot", fig_cfg.get("plot", {})), (f"claims.{name}", claims)]}[part]
    out = {}
    for param in inspect.signature(fn).parameters.values():
        if param.name in ("runs", "stats", "png", "pdf", "stamp", "published") or param.kind in (param.VAR_POSITIONAL,
                                                                                   param.VAR_KEYWORD):
            continue
        found = [value[param.name] for _, value in sources if param.name in value]
        if found:
            out[param.name] = found[0]
        elif param.default is param.empty:
            raise ValueError(f"config: figure {name}'s {part} needs the setting {param.name!r}; put it in one of "
                             + ", ".join(where for where, _ in sources))
    return out
