"""The divergence-edge study (beyond the paper): where Adam starts to diverge in the (a, b) plane.

The divergence edge of Adam's (a, b) map, by bisection, against theory.

For rows b of Fig 8's grid (``rows``: grid indices j, b_j = 10^(-1+3j/39)), several seeds and two step
sizes at the same t = eta x iterations, the smallest a/b at which full-batch Adam diverges (the
classifier's ``divergence`` label, as on Fig 8's map) is found by bisection in log(a/b) on
``bracket`` (:mod:`adamdyn.edge`, :mod:`adamdyn.bisection`: all rows, seeds and etas of one step train
together). The runs are on Fig 8's miniature (its network, data and t). What the literature expects:

- Zhang et al. (arXiv 2208.09632): below a = 2b - b^2 eta (beta < sqrt(alpha)) the update
  |m_hat| / sqrt(v_hat) is bounded (by about b / (sqrt(a eta) (b - a/2))), so no run diverges there;
- Barakat & Bianchi (arXiv 1810.02263): the ODE analysis asks a <= 4b;
- the published Fig 8 puts the onset in a band of a/b between the two (readings.yaml, facts);
- in the (a, b) parametrisation the edge is a property of (a, b) and t, not of eta.

Each run also logs its largest update over eta, max |m_hat| / (sqrt(v_hat) + eps), which is checked
against the bound B_t at every step where the bound is finite.

The figure's runs are decided as the bisection goes: its reads file is written by the bisection's
job (rule ``bisect_divergence_edge``), not by the plan; :func:`expand` gives the plan no runs.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..claims import Claim
from ..edge import update_bound, update_bound_at
from ..plotting import style
from ..stats import curves
from ..figures.common import base_row, dynamics, job_rate, load_runs, rounded
from ..figures.phase import REGIME_COLOURS, bounded_update_edge, grid_value, published_onset

ODE_EDGE = 4.0               # a <= 4b (Barakat & Bianchi)


def expand(cfg: dict) -> dict:
    """No runs for the plan: the bisection's job decides and trains them (rule ``bisect_divergence_edge``).
    Checked before any job: every a/b the search may test gives 0 < alpha, beta < 1."""
    grid, high = cfg["grid"], float(cfg["bracket"][1])
    for j in cfg["rows"]:
        b = grid_value(j, grid["points"], grid["low"], grid["high"])
        for eta in cfg["etas"]:
            if high * b * eta >= 1 or b * eta >= 1:
                raise ValueError(f"divergence_edge: at row j = {j} (b = {b:.3g}) and eta = {eta:g} the bracket's high end "
                                 f"a/b = {high:g} gives a = {high * b:.3g}, alpha = 1 - a eta = {1 - high * b * eta:.3g} "
                                 "<= 0; lower divergence_edge.bracket[1], or the rows or etas")
    return {"problem": cfg["problem"], "dtype": cfg["dtype"], "threads": cfg["threads"], "seeds": [], "runs": []}


def bisection_job(figure: str, cfg: dict) -> dict:
    """The bisection's job (:func:`adamdyn.bisection.bisect_figure`) from the figure's scale entry."""
    grid = cfg["grid"]
    return {"figure": figure, "problem": cfg["problem"], "dtype": cfg["dtype"],
            "rows": [grid_value(j, grid["points"], grid["low"], grid["high"]) for j in cfg["rows"]],
            "seeds": list(cfg["seeds"]), "etas": list(cfg["etas"]), "time": float(cfg["time"]),
            "bracket": list(cfg["bracket"]), "steps": int(cfg["steps"]), "anchors": list(cfg.get("anchors", []))}


def table(runs, window: int, regime: dict, sensitivity: dict, bracket: list, steps: int, etas: list) -> pd.DataFrame:
    """One row per tested run, in the bisection's order: its (a, b), eta, seed, a/b, regime label,
    the largest update over eta (whole run and late window), the bound B and how often the measured
    update exceeded the step's bound B_t, and the search's settings (so a chain's bracket is known)."""
    rows = []
    for run in load_runs(runs):
        row = base_row(run, window)
        hist = run.history
        loss = hist["loss"].to_numpy()
        row.update(dynamics(loss, regime, sensitivity))
        a, b, eta = row["a"], row["b"], row["eta"]
        # the row's b as configured: (1 - beta) / eta differs between etas in the last digits
        # a/b as the bisection chose it (a = ratio x b is stored as alpha = 1 - a eta: 4 comes back as 3.9999999)
        row.update({"row_b": float(f"{b:.6g}"), "a_over_b": float(f"{a / b:.9g}"),
                    "iterations": int(run.info["plan"]["iterations"]),
                    "bounded_update_edge": bounded_update_edge(b, eta) / b,
                    "bracket_low": float(bracket[0]), "bracket_high": float(bracket[1]), "steps": int(steps),
                    "first_eta": float(etas[0])})
        u = hist["update_max"].to_numpy(dtype=float) if "update_max" in hist else np.full(len(hist), np.nan)
        finite = np.isfinite(u)
        t = np.arange(1, len(u) + 1)
        bound = update_bound(a, b, eta)
        bt = update_bound_at(a, b, eta, t)
        late = slice(max(0, len(u) - curves.tail_window(len(u), window)), len(u))
        row.update({"update_max": float(np.nanmax(u)) if finite.any() else float("nan"),
                    "update_max_late": float(np.nanmax(u[late])) if finite[late].any() else float("nan"),
                    "update_bound": bound,
                    "update_bound_approx": b / (math.sqrt(a * eta) * (b - a / 2)) if a < 2 * b else math.inf,
                    "update_over_bound_max": float(np.nanmax(u[finite] / bt[finite])) if finite.any() else float("nan"),
                    "update_bound_exceeded": int((u[finite] > bt[finite] * (1 + 1e-5)).sum()) if math.isfinite(bound) else 0})
        rate = job_rate(run)
        if rate:
            row["cell_iterations_per_s"] = rounded(rate, 4)
        rows.append(row)
    return pd.DataFrame(rows)


def edges(stats: pd.DataFrame) -> pd.DataFrame:
    """One row per chain (b, seed, eta): its bracket (lo, hi] of the edge a*/b (the largest tested
    a/b that did not diverge, the smallest that did; the search's end where none), whether each end
    was tested, the midpoint sqrt(lo hi) and the theory edge 2 - b eta."""
    out = []
    for (b, seed, eta), chain in stats.groupby(["row_b", "seed", "eta"], sort=True):
        div = chain["regime"] == "divergence"
        lo_t, hi_t = chain.loc[~div, "a_over_b"], chain.loc[div, "a_over_b"]
        lo = float(lo_t.max()) if len(lo_t) else float(chain["bracket_low"].iloc[0])
        hi = float(hi_t.min()) if len(hi_t) else float(chain["bracket_high"].iloc[0])
        out.append({"b": b, "seed": int(seed), "eta": eta, "lo": lo, "hi": hi, "lo_tested": bool(len(lo_t)),
                    "hi_tested": bool(len(hi_t)), "mid": math.sqrt(lo * hi), "monotone": bool(lo < hi),
                    "bounded_update_edge": bounded_update_edge(b, eta) / b, "tested": len(chain)})
    return pd.DataFrame(out)


def row_medians(e: pd.DataFrame) -> pd.DataFrame:
    """Per row b and eta: the median over seeds of the chains' midpoints, and their range."""
    g = e.groupby(["b", "eta"])["mid"]
    return pd.DataFrame({"median": g.median(), "min": g.min(), "max": g.max()}).reset_index()


def _by_row(frame: pd.DataFrame, column: str) -> dict:
    return {f"b={b:.3g}, eta={eta:g}": rounded(v, 3) for b, eta, v in zip(frame["b"], frame["eta"], frame[column])}


def claims(stats: pd.DataFrame) -> list[Claim]:
    """Where the edge lies against a = 2b - b^2 eta, a = 4b and the published band, and whether it
    moves with eta at a given t. (That the measured largest update stays below B_t where the bound is
    finite is an identity of Adam's moment recursion: a test, ``tests/test_edge.py``, not a claim.)"""
    e = edges(stats)
    med = row_medians(e)
    base_eta = float(stats["first_eta"].iloc[0]) if len(stats) else float("nan")  # the first eta configured (Fig 8's)
    etas = sorted(e["eta"].unique())
    resolution = (float(stats["bracket_high"].iloc[0]) / float(stats["bracket_low"].iloc[0])) ** (
        1 / 2 ** int(stats["steps"].iloc[0])) if len(stats) else float("nan")
    below = e[e["hi"] <= e["bounded_update_edge"]]
    tol = 1e-6  # a/b is rounded to 9 digits; the bisection's first probe is exactly the ODE edge 4
    beyond = e[e["lo_tested"] & (e["lo"] > ODE_EDGE * (1 + tol))]
    at_edge = e[e["lo_tested"] & np.isclose(e["lo"], ODE_EDGE, rtol=tol)]
    paper = med[np.isclose(med["eta"], base_eta)]
    chains = e[np.isclose(e["eta"], base_eta)]
    _, (band_lo, band_hi) = published_onset()
    overlap = (chains["lo"] < band_hi) & (chains["hi"] >= band_lo)
    rows_overlap = overlap.groupby(chains["b"]).all()
    out = [
        Claim(id="divergence_edge.bounded_edge",
              statement="No run diverges below a = 2b - b^2 eta (beta < sqrt(alpha)), where Adam's update is "
                        "bounded (Zhang et al., arXiv 2208.09632)",
              measured={"chains_with_a_diverging_run_below_the_edge": f"{len(below)}/{len(e)}",
                        "smallest_diverging_a_over_b": rounded(float(e.loc[e['hi_tested'], 'hi'].min()), 3)
                        if e["hi_tested"].any() else None},
              threshold="no chain's smallest diverging a/b is at or below 2 - b eta",
              passed=bool(len(e)) and len(below) == 0),
        Claim(id="divergence_edge.ode_edge",
              statement="Divergence begins by a = 4b (the ODE analysis, Barakat & Bianchi, arXiv 1810.02263)",
              measured={"chains_with_a_finite_run_beyond_4": f"{len(beyond)}/{len(e)}",
                        "chains_whose_largest_finite_run_is_at_exactly_4": f"{len(at_edge)}/{len(e)}",
                        "largest_finite_a_over_b": rounded(float(e.loc[e['lo_tested'], 'lo'].max()), 3)
                        if e["lo_tested"].any() else None},
              threshold="no chain has a run with a/b > 4 that does not diverge; a finite run at exactly a/b = 4, the "
                        "theory's own boundary, with no probe between 4 and the next diverging one: inconclusive",
              **({"passed": bool(len(e)) and len(beyond) == 0} if len(beyond) or not len(at_edge) else
                 {"passed": None, "why": f"{len(at_edge)} chain(s) stay finite at exactly a/b = 4, the boundary value, "
                                         "and diverge at their next probe: the bisection cannot tell an edge just "
                                         "above 4 from one at 4"})),
        Claim(id="divergence_edge.published_band",
              statement=f"In every row, divergence begins at a/b between {band_lo:g} and {band_hi:g} (the published Fig 8, "
                        f"eta = {base_eta:g})",
              measured={"median_onset_a_over_b": _by_row(paper, "median"),
                        "brackets_by_row": {f"b={b:.3g}": [[rounded(lo, 3), rounded(hi, 3)] for lo, hi in
                                                           zip(g["lo"], g["hi"])] for b, g in chains.groupby("b")},
                        "rows_whose_brackets_overlap_the_band": f"{int(rows_overlap.sum())}/{len(rows_overlap)}"},
              threshold="in every row, every seed's bracket (largest finite a/b, smallest diverging a/b] overlaps "
                        f"[{band_lo:g}, {band_hi:g}] (as Fig 8's onset claim tests its grid)",
              passed=bool(len(rows_overlap)) and bool(rows_overlap.all())),
    ]
    if len(etas) >= 2:
        wide = med.pivot(index="b", columns="eta", values="median")
        gap = np.abs(np.log(wide[etas[-1]] / wide[etas[0]]))
        out.append(Claim(
            id="divergence_edge.eta_independent",
            statement=f"The edge is a property of (a, b) at a given t: at eta = {etas[0]:g} and {etas[-1]:g} "
                      "(the same t) the onset a*/b agrees",
            measured={"median_onset_by_eta": {f"b={b:.3g}": {f"{eta:g}": rounded(float(wide.loc[b, eta]), 3)
                                                              for eta in etas} for b in wide.index},
                      "largest_ratio": rounded(float(np.exp(gap.max())), 3)},
            threshold=f"in every row the medians differ by at most the bisection's resolution, a factor "
                      f"{resolution:.3g}",
            passed=bool((gap <= math.log(resolution) + 1e-9).all())))
    return out


def _log_ticks(ax, axis: str, values) -> None:
    """A log axis labelled at ``values`` in plain numbers, without minor labels."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    getattr(ax, f"set_{axis}scale")("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(FixedLocator(list(values)))
    target.set_major_formatter(lambda v, _: f"{v:.3g}")
    target.set_minor_locator(NullLocator())
    target.set_minor_formatter(NullFormatter())


def draw(runs, stats, png, pdf, example: int, stamp=None) -> None:
    """(a) the edge a*/b of every chain (bracket as a bar, seeds side by side, one colour per eta) against
    b, with the lines a = 2b - b^2 eta and a = 4b and the published band; (b) every run's largest
    update over eta against a/b, coloured by its label, with the bound B of each row; (c) the loss of
    every run of one chain (row ``example``, the first seed and eta), coloured by its label."""
    e = edges(stats)
    med = row_medians(e)
    etas = sorted(e["eta"].unique())
    seeds = sorted(e["seed"].unique())
    colours = dict(zip(etas, style.colours(max(3, len(etas)))))
    fig, axes = style.subplots(ncols=3, width=4.4, height=4.4)
    ax_edge, ax_upd, ax_loss = axes[0]
    bs = np.sort(e["b"].unique())
    span = np.logspace(np.log10(bs[0]) - 0.2, np.log10(bs[-1]) + 0.2, 200)
    band = published_onset()[1]
    ax_edge.axhspan(*band, color="0.85", zorder=0, label=f"published Fig 8: {band[0]:g}-{band[1]:g}")
    for eta in etas:
        ax_edge.plot(span, [bounded_update_edge(b, eta) / b for b in span], ls="--", color=colours[eta], lw=0.9)
    ax_edge.axhline(ODE_EDGE, ls="-.", color="0.2", lw=0.9, label="a = 4b (ODE)")
    ax_edge.plot([], [], ls="--", color="0.2", lw=0.9, label=r"$a = 2b - b^2\eta$ ($\beta = \sqrt{\alpha}$)")
    spread = 0.12  # decades of b over which a row's chains are spread, side by side
    for i, eta in enumerate(etas):
        for j, seed in enumerate(seeds):
            c = e[(e["eta"] == eta) & (e["seed"] == seed)]
            shift = 10 ** (spread * ((i * len(seeds) + j) / max(1, len(etas) * len(seeds) - 1) - 0.5))
            x = c["b"].to_numpy() * shift
            ax_edge.vlines(x, c["lo"], c["hi"], color=colours[eta], lw=2.2, alpha=0.8)
            ax_edge.scatter(x, c["mid"], s=12, color=colours[eta], zorder=3,
                            label=rf"$\eta$ = {eta:g}" if j == 0 else None)
        m = med[med["eta"] == eta]
        ax_edge.plot(m["b"], m["median"], color=colours[eta], lw=0.8, alpha=0.7)
    lo, hi = float(stats["bracket_low"].iloc[0]), float(stats["bracket_high"].iloc[0])
    ratio_ticks = [r for r in (1, 2, 4, 8, 16, 32) if lo <= r <= hi]
    _log_ticks(ax_edge, "x", bs)
    _log_ticks(ax_edge, "y", ratio_ticks)
    ax_edge.set_ylim(lo / 1.1, hi * 1.1)
    ax_edge.set_xlabel(r"b   ($\beta = 1 - b\eta$)")
    ax_edge.set_ylabel(r"divergence onset $a^*/b$ (bisection bracket)")
    ax_edge.set_title(f"(a) where divergence begins ({len(seeds)} seeds)")
    ax_edge.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)

    base = float(stats["first_eta"].iloc[0])  # the first eta configured (Fig 8's)
    for label, colour in REGIME_COLOURS.items():
        s = stats[stats["regime"] == label]
        ax_upd.scatter(s["a_over_b"], s["update_max"], s=10, color=colour, alpha=0.8, label=f"{label} ({len(s)})")
    ratios = np.logspace(np.log10(lo), np.log10(2), 200)
    for b in bs:
        bound = [update_bound(r * b, b, base) for r in ratios]
        ax_upd.plot(ratios, bound, color="0.4", lw=0.7)
    ax_upd.axvline(2.0, ls="--", color="0.2", lw=0.8)
    _log_ticks(ax_upd, "x", ratio_ticks)
    ax_upd.set_yscale("log")
    finite = stats["update_max"][np.isfinite(stats["update_max"])]
    if len(finite):
        ax_upd.set_ylim(finite.min() / 2, max(finite.max() * 3, 10))
    ax_upd.set_xlabel("a/b")
    ax_upd.set_ylabel(r"max $|\hat m| / (\sqrt{\hat v} + \epsilon)$ over the run")
    ax_upd.set_title(r"(b) largest update / $\eta$ and the bound B")
    ax_upd.plot([], [], color="0.4", lw=0.7, label=rf"B of each row ($\eta$ = {base:g})")
    ax_upd.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)

    row_b = bs[min(example, len(bs) - 1)]
    chain = stats[np.isclose(stats["row_b"], row_b) & (stats["seed"] == seeds[0]) & np.isclose(stats["eta"], base)]
    by_run = {r.info["name"]: r for r in load_runs(runs) if r.info["name"] in set(chain["run"])}
    for _, r in chain.sort_values("a_over_b").iterrows():
        loss = by_run[r["run"]].history["loss"].to_numpy()
        ax_loss.plot(np.arange(len(loss)), loss, color=REGIME_COLOURS[r["regime"]], lw=0.7, alpha=0.85)
        ax_loss.annotate(f"{r['a_over_b']:.2f}", (len(loss) - 1, loss[-1]), fontsize=7,
                         color=REGIME_COLOURS[r["regime"]], xytext=(2, 0), textcoords="offset points")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title(f"(c) the runs at b = {row_b:.3g}, seed {seeds[0]} (a/b)")
    problem = load_runs(runs[:1])[0].info["spec"]["problem"] if len(runs) else {}
    net = f"MLP width {max(problem['widths'])}" if problem.get("widths") else ""
    t = float((stats["eta"] * stats["iterations"]).iloc[0])
    fig.suptitle(rf"Divergence edge of full-batch Adam by bisection ({net}, t = $\eta$ x iterations = {t:g}, "
                 f"{len(stats)} runs)", fontsize=11)
    style.save(fig, png, pdf, stamp)
