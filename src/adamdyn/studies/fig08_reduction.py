"""The Fig 8 reduction study (beyond the paper): what the cpu scale's reduced phase diagram changes.

Which of the settings the paper leaves open, and how much of each, a reduced phase diagram needs
for its regions to sit where the published map has them (Fig 8's transect study).

A fixed set of cells of the paper's 40-point grid (``cells``: grid indices (j_a, j_b), a_j = b_j =
10^(-1+3j/39)) is trained under each candidate setting (``candidates``: a change of the problem,
e.g. the width of the MLP or the data set), every cell from the same initial weights, by the
batched executor as Fig 8's cells are. Each run is read at several lengths (``lengths``): the
first L iterations of a run are exactly a run of L iterations, so one run per candidate gives every
length. At each length a cell gets Fig 8's statistics (regime label, log10 of the mean loss over the
last ``window`` iterations).

Each cell is held against what the published map says of it: the phase-diagram readings of
``adamdyn.published`` that hold for every cell of a region (no divergence at a <= 2b, divergence at
a >= 4b (95 % of the published cells), spike at b >= 28.9, no spike at b <= 2.9, the diagonal
oscillation up to 11.9 and spike from 14.3). Per candidate and length the study reports how many
constrained cells agree, the smallest diverging a/b in each row against the theory lines
a = 2b - b^2 eta (beta = sqrt(alpha): the edge of bounded updates, Fig 8's module) and a = 4b, the
lowest cell, the default's gap above it, and the cost in cell-iterations per second.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..plotting import style
from ..settings import EPS, settings_close
from ..stats import curves
from ..figures.common import dynamics, job_rate, load_runs, rounded
from ..figures.phase import REGIME_COLOURS, bounded_update_edge, expected, grid_value, holds_where, published_constraints


def _merge(base: dict, change: dict) -> dict:
    return {**base, **change}


def candidate_problems(problem: dict, candidates: dict) -> dict[str, dict]:
    """Each candidate's problem: the study's ``problem`` with the candidate's ``problem`` merged in."""
    return {name: _merge(problem, c.get("problem", {})) for name, c in candidates.items()}


def candidate_settings(problem: dict, candidates: dict) -> dict[str, tuple[dict, float]]:
    """Each candidate's (problem, eps): Adam's eps is a candidate's too (scaling the loss by c is Adam
    with eps / c: the loss normalisations the paper leaves open, docs/calibration-design.md)."""
    return {name: (p, float(candidates[name].get("eps", EPS))) for name, p in candidate_problems(problem, candidates).items()}


def study_cells(grid: dict, cells: list) -> list[tuple[int, int, float, float]]:
    """(j_a, j_b, a, b) of every study cell, on the paper's grid by construction."""
    return [(int(ja), int(jb), grid_value(ja, grid["points"], grid["low"], grid["high"]),
             grid_value(jb, grid["points"], grid["low"], grid["high"])) for ja, jb in cells]


def expand(cfg: dict) -> dict:
    """Runs entries: one Adam run per candidate x cell (candidates in config order); with ``batched``
    the number of cells, each candidate's cells are one batch."""
    runs = [{"optimiser": "adam", "eta": cfg["eta"], "a": a, "b": b, "problem": problem,
             **({"eps": eps} if eps != EPS else {})}
            for problem, eps in candidate_settings(cfg["problem"], cfg["candidates"]).values()
            for _, _, a, b in study_cells(cfg["grid"], cfg["cells"])]
    keep = {k: cfg[k] for k in ("problem", "dtype", "iterations", "threads", "checkpoint_every", "batched") if k in cfg}
    return {**keep, "seeds": [cfg["seed"]], "runs": runs}


def table(runs, window: int, regime: dict, sensitivity: dict, grid: dict, cells: list, problem: dict,
          candidates: dict, lengths: list[int]) -> pd.DataFrame:
    """One row per candidate x cell x length: the cell's Fig 8 statistics on the first L iterations,
    what the published map says of it, whether they agree, and the candidate's cost."""
    settings = candidate_settings(problem, candidates)
    index = {(round(a, 9), round(b, 9)): (ja, jb) for ja, jb, a, b in study_cells(grid, cells)}
    constraints = published_constraints()
    rows = []
    for run in load_runs(runs):
        spec, opt = run.info["spec"], run.info["spec"]["optimiser"]
        name = next((n for n, (p, eps) in settings.items()
                     if p == spec["problem"] and settings_close(float(opt["eps"]), eps)), None)
        if name is None:
            raise ValueError(f"run {run.info['name']}: its problem and eps are none of the candidates'")
        ja, jb = index[min(index, key=lambda k: abs(np.log(k[0] / opt["a"])) + abs(np.log(k[1] / opt["b"])))]
        a, b = (grid_value(j, grid["points"], grid["low"], grid["high"]) for j in (ja, jb))
        loss = run.history["loss"].to_numpy()
        rate = job_rate(run)
        for length in lengths:
            part = loss[:length]
            summary = curves.summarise(part, window)
            dyn = dynamics(part, regime, sensitivity)
            said = expected(a, b, constraints)
            verdicts = [holds_where(where, dyn["regime"], summary["diverged"]) == should for where, should in said]
            rows.append({"run": run.info["name"], "candidate": name, "a": a, "b": b, "ja": ja, "jb": jb,
                         "length": int(length), "iterations_read": int(len(part)), "diverged": summary["diverged"],
                         "final_loss": summary["final_loss"], "tail_mean_loss": summary["tail_mean_loss"],
                         "min_loss": summary["min_loss"],
                         "regime": dyn["regime"], "tail_window": summary["tail_window"],
                         "log10_tail_mean_loss": float(np.log10(summary["tail_mean_loss"]))
                         if summary["tail_mean_loss"] > 0 else float("nan"),
                         "published_says": "; ".join(f"{w}" if s else f"not ({w})" for w, s in said),
                         "agrees": all(verdicts) if said else None,
                         "cell_iterations_per_s": rounded(rate, 4) if rate else None,
                         "width": max(spec["problem"].get("widths", [0])), "data": spec["problem"].get("data"),
                         "eta": opt["eta"], "eps": float(opt["eps"])})
    return pd.DataFrame(rows)


def summary(stats: pd.DataFrame, default: str | None = None) -> pd.DataFrame:
    """One row per candidate x length: constrained cells that agree, the smallest diverging a/b per
    row of three or more cells (with the theory edge a/b = 2 - b eta there), the lowest cell, the
    default's gap above it (log10 units), the cost."""
    rows, eta = [], float(stats["eta"].iloc[0])
    for (cand, length), part in stats.groupby(["candidate", "length"], sort=False):
        constrained = part[part["agrees"].notna()]
        onset = {}
        for b, row in part.groupby("b"):
            if len(row) >= 3:
                div = row[row["regime"] == "divergence"]
                onset[f"{b:.3g}"] = rounded(float((div["a"] / b).min()), 3) if len(div) else None
        finite = part[~part["diverged"].astype(bool)]
        best = finite.loc[finite["log10_tail_mean_loss"].idxmin()] if len(finite) else None
        gap = None
        if default is not None and best is not None:
            da, db = (float(v) for v in default.split(","))
            d = part[np.isclose(part["a"], da) & np.isclose(part["b"], db)]
            if len(d):
                gap = float("inf") if bool(d["diverged"].iloc[0]) else \
                    rounded(float(d["log10_tail_mean_loss"].iloc[0] - best["log10_tail_mean_loss"]), 3)
        rows.append({"candidate": cand, "length": int(length),
                     "agree": int(constrained["agrees"].astype(bool).sum()), "constrained": int(len(constrained)),
                     "disagreeing_cells": " ".join(f"({r.a:.3g},{r.b:.3g}):{r.regime}" for r in
                                                   constrained[~constrained["agrees"].astype(bool)].itertuples()),
                     "divergence_onset_a_over_b_by_b": onset,
                     "theory_a_over_b_by_b": {f"{b:.3g}": rounded(bounded_update_edge(b, eta) / b, 3)
                                              for b in map(float, onset)},
                     "best_cell": None if best is None else f"({best['a']:.3g}, {best['b']:.3g})",
                     "best_log10": None if best is None else rounded(float(best["log10_tail_mean_loss"]), 3),
                     "default_gap": gap,
                     "cell_iterations_per_s": part["cell_iterations_per_s"].dropna().median()
                     if part["cell_iterations_per_s"].notna().any() else None})
    return pd.DataFrame(rows)


def claims(stats: pd.DataFrame, default: str) -> list[Claim]:
    """The study's finding, checked: longer runs move the cells onto the published map (the probe
    that motivated the study: divergence near the edge takes thousands of iterations to develop)."""
    table_ = summary(stats, default)
    by = {c: part.sort_values("length") for c, part in table_.groupby("candidate", sort=False)}
    measured = {c: {int(r.length): f"{r.agree}/{r.constrained}" for r in part.itertuples()} for c, part in by.items()}
    gains = {c: int(part["agree"].iloc[-1] - part["agree"].iloc[0]) for c, part in by.items()}
    return [Claim(
        id="fig08_reduction.length_moves_the_map",
        statement="Run length, which the paper leaves open ('until the behaviour is stable'), decides how many "
                  "cells sit where the published map has them: the longest length agrees with more constrained "
                  "cells than the shortest, for every candidate",
        measured={"agreeing_constrained_cells_by_candidate_and_length": measured,
                  "gain_longest_over_shortest": gains},
        threshold="for every candidate, agreeing cells at the longest length > at the shortest",
        passed=bool(gains) and all(g > 0 for g in gains.values()))]


def draw(runs, stats, png, pdf, stamp=None) -> None:
    """Rows: candidates; columns: lengths. Each panel: the study's cells in the (a, b) plane coloured
    by regime, a black ring where the cell agrees with the published map and a red cross where it
    does not (no mark: the map says nothing of it); the lines a = b (dotted), a = 2b - b^2 eta
    (dashed; bounded updates below it) and a = 4b (dash-dot)."""
    from matplotlib.lines import Line2D

    cands = list(dict.fromkeys(stats["candidate"]))
    lengths = sorted(stats["length"].unique())
    fig, axes = style.subplots(nrows=len(cands), ncols=len(lengths), width=2.3, height=2.2, sharex=True, sharey=True)
    lo, hi, eta = 0.08, 130.0, float(stats["eta"].iloc[0])
    bs = np.logspace(np.log10(lo), np.log10(hi), 200)
    for i, cand in enumerate(cands):
        for j, length in enumerate(lengths):
            ax = axes[i][j]
            part = stats[(stats["candidate"] == cand) & (stats["length"] == length)]
            ax.plot(bs, bs, ls=":", color="0.5", lw=0.8)
            edge = np.array([bounded_update_edge(b, eta) for b in bs])
            ax.plot(edge[edge > 0], bs[edge > 0], ls="--", color="0.2", lw=0.9)
            ax.plot(4 * bs, bs, ls="-.", color="0.2", lw=0.9)
            for r in part.itertuples():
                ax.scatter([r.a], [r.b], s=42, color=REGIME_COLOURS[r.regime], zorder=3,
                           edgecolor="black" if r.agrees is True else "none", linewidth=1.0)
                if r.agrees is False:
                    ax.scatter([r.a], [r.b], s=30, marker="x", color="#CC0000", zorder=4, linewidth=1.2)
            constrained = part[part["agrees"].notna()]
            ax.set_title(f"{cand}, {length} it.: {int(constrained['agrees'].astype(bool).sum())}/{len(constrained)}",
                         fontsize=8)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlim(lo, hi)
            ax.set_ylim(lo, hi)
            ax.grid(False)
            if i == len(cands) - 1:
                ax.set_xlabel("a")
            if j == 0:
                ax.set_ylabel("b")
    handles = [Line2D([], [], marker="o", ls="", color=c, label=k) for k, c in REGIME_COLOURS.items()]
    handles += [Line2D([], [], marker="o", ls="", color="white", markeredgecolor="black", label="agrees with the map"),
                Line2D([], [], marker="x", ls="", color="#CC0000", label="disagrees"),
                Line2D([], [], ls="--", color="0.2", label=r"$a = 2b - b^2\eta$"),
                Line2D([], [], ls="-.", color="0.2", label="a = 4b")]
    axes[0][-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=7)
    fig.suptitle("Fig 8's transect: the study cells under each candidate setting, read at each length", fontsize=10)
    style.save(fig, png, pdf, stamp)
