"""The registry of what the workflow builds: the paper's figures (:mod:`adamdyn.figures`, one module
``figNN.py`` each, fig01 ... fig10) and our studies beyond the paper (:mod:`adamdyn.studies`, one
module each, named by what it studies: ``spike_mechanism``, ``divergence_edge``, ...), discovered
from their packages. Both kinds are built by the same stages; a "figure id" below is either.

A figure or study module holds, next to each other:

- ``table(runs, window, ...)``: its statistics table (one row per run) from the runs' histories;
- ``claims(stats, ...)``: the claims about it, checked on that table (:class:`Claim` list);
- ``draw(runs, stats, png, pdf, stamp, ...)``: its drawing, in the house style; a figure of the
  paper also takes ``published`` (its comparison table, :mod:`adamdyn.published`) and marks the
  published readings on its panels;
- optionally ``expand(cfg)``: its scale config rewritten as runs entries (Fig 8's grid);

and its caption is ``workflow/report/<id>.rst``. Every keyword argument of ``table``, ``claims`` and
``draw`` is a setting, found by name (:func:`settings_for`): the statistics settings shared by every
figure (``window``, ``regime``, ``sensitivity``: config.yaml), the figure's own ``stats`` and
``claims`` sections and its scale entries (``plot`` settings included), all in its settings file
``workflow/config/<id>.yaml``. A figure is added by writing its module, its settings file and its
caption; ``tests/test_figures.py`` checks that these agree.

A figure's scale entry may declare named **variants** (``variants: {name: {why, set}}``): the same
figure with a setting the paper leaves open changed (initialisation, data, precision, weights of
the objective, ...). Variant ``v`` of ``figNN`` is the figure ``figNN-v``: its config is the main
entry with ``set`` merged in (:func:`variant_configs`), and it gets its own statistics, claims,
comparison with the published figure and drawing, by the same code. Its runs are named by their
settings, so a run a variant shares with the main figure is trained once.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Mapping
from types import ModuleType

from . import figures as _paper, studies as _studies
from .calibration import candidate_variants
from .variants import apply_variant
from .naming import split_figure_id

FIGURE_NAME = re.compile(r"^fig\d\d$")
STUDY_NAME = re.compile(r"^(?!fig\d\d$)[a-z][a-z0-9_]*$")  # a study module (helpers start with _)
VARIANT_NAME = re.compile(r"^[a-z0-9_]+$")
PARTS = ("table", "claims", "draw")


class _Modules(Mapping):
    """Figure modules by name, found from their packages' files and imported when first asked for:
    a statistics, claims or drawing job imports only its own figure's module (and no torch)."""

    def __init__(self, *found: tuple[ModuleType, re.Pattern]):
        self._where = {name: package.__name__ for package, pattern in found
                       for name in sorted(m.name for m in pkgutil.iter_modules(package.__path__) if pattern.match(m.name))}

    def __getitem__(self, name: str) -> ModuleType:
        return importlib.import_module(f"{self._where[name]}.{name}")

    def __iter__(self):
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


PAPER_FIGURES: Mapping[str, ModuleType] = _Modules((_paper, FIGURE_NAME))  # fig01 ... fig10
STUDIES: Mapping[str, ModuleType] = _Modules((_studies, STUDY_NAME))  # ours, named by what they study
FIGURES: Mapping[str, ModuleType] = _Modules((_paper, FIGURE_NAME), (_studies, STUDY_NAME))


def is_study(name: str) -> bool:
    """Whether ``name`` (a figure id, variants included) is one of our studies, not a figure of the paper."""
    return split_figure_id(name)[0] in STUDIES


def figure_order(name: str) -> tuple:
    """Sort key of figure ids: the paper's figures first, then the studies, each variant after its figure."""
    base, variant = split_figure_id(name)
    return (is_study(name), base, variant or "")


def title(name: str) -> str:
    """How captions, reports and lists name a figure id: "Figure 7" for the paper's, and for a study
    its module docstring's subject ("The spike-mechanism study")."""
    base = split_figure_id(name)[0]
    if base in PAPER_FIGURES:
        return f"Figure {int(base[3:])}"
    return (STUDIES[base].__doc__ or base).split(" (beyond the paper)")[0].strip()


def summary(name: str) -> str:
    """What a figure or study shows, in one sentence: its module docstring's first sentence, after
    the title."""
    doc = " ".join((figure(name).__doc__ or "").split())
    first = re.split(r"\.\s+(?=[A-Z])", doc)[0].rstrip(".")  # not at "eq. (13)"
    return first.split(": ", 1)[1] if ": " in first else first


def figure(name: str) -> ModuleType:
    """The module of figure ``name`` (``figNN``, or ``figNN-<variant>``: the same module)."""
    try:
        return FIGURES[split_figure_id(name)[0]]
    except KeyError:
        raise ValueError(f"no figure or study module {name!r}; they are {', '.join(FIGURES)}") from None


def expand(name: str, cfg: dict) -> dict:
    """A figure's scale config as runs entries (most figures list their runs already)."""
    module = figure(name)
    return module.expand(cfg) if hasattr(module, "expand") else cfg


def variant_configs(scale_cfg: dict) -> dict[str, dict]:
    """Every figure configured at a scale, variants included: {figNN or figNN-v: its scale entry}."""
    out = {}
    for fig in FIGURES:
        if fig not in scale_cfg:
            continue
        cfg = scale_cfg[fig]
        out[fig] = {k: v for k, v in cfg.items() if k != "variants"}
        for name, variant in (cfg.get("variants") or {}).items():
            if not VARIANT_NAME.match(str(name)):
                raise ValueError(f"{fig}.variants: the name {name!r} must be lower-case letters, digits and _")
            out[f"{fig}-{name}"] = apply_variant(cfg, variant.get("set", {}))
    for name, (cfg, _) in candidate_variants(scale_cfg).items():
        out[name] = cfg
    return out


def variant_notes(scale_cfg: dict) -> dict[str, dict]:
    """What each variant changes and why (``set`` and ``why`` of its config), by figure id; the
    calibration's candidates (``figNN-cal_<candidate>``) included."""
    notes = {f"{fig}-{name}": {"set": v.get("set", {}), "why": v.get("why", "")}
             for fig in FIGURES if fig in scale_cfg for name, v in (scale_cfg[fig].get("variants") or {}).items()}
    return {**notes, **{name: note for name, (_, note) in candidate_variants(scale_cfg).items()}}


def settings_for(name: str, part: str, config: dict, scale_cfg: dict) -> dict:
    """The keyword arguments of figure ``name``'s ``part`` (table, claims or draw), each taken by
    its name from the configuration (config.yaml and the figure's ``workflow/config/<id>.yaml``). ``table`` reads the shared statistics settings (``window`` is
    ``stats.tail_window``, ``regime``, ``sensitivity``), ``stats.<fig>`` and the figure's scale entry;
    ``claims`` reads ``claims.<fig>``, the evidence rules every claim shares (``claims.evidence``), the
    classifier's ``regime`` and the scale entry's ``chosen_on_results`` (a setting chosen after seeing
    results, reported with the verdicts); ``draw`` reads the scale entry's
    ``plot`` settings and ``claims.<fig>`` (what the claims are about, e.g. which (a, b) is the
    default). A keyword without a default that no source has is a configuration error."""
    fn = getattr(figure(name), part)
    base, variant = split_figure_id(name)
    stats = config["stats"]
    fig_cfg = variant_configs(scale_cfg).get(name, {}) if variant else scale_cfg.get(name, {})
    claims = config["claims"].get(base, {})
    name = base
    shared = {"window": stats["tail_window"], "regime": stats["regime"], "sensitivity": stats["sensitivity"]}
    sources = {"table": [("stats", shared), (f"stats.{name}", stats.get(name, {})), (f"scales.<scale>.{name}", fig_cfg)],
               "claims": [(f"claims.{name}", claims), ("claims.evidence", config["claims"].get("evidence", {})),
                          ("stats", {"regime": stats["regime"]}),
                          (f"scales.<scale>.{name}.chosen_on_results",
                           {"chosen_on_results": fig_cfg["chosen_on_results"]} if "chosen_on_results" in fig_cfg else {})],
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
