"""Figure 8: the (a, b) phase diagram of full-batch Adam. Over the plane the three regimes occupy
distinct regions (spike for b sufficiently larger than a, divergence for a sufficiently larger than
b, oscillation for a ~ b); oscillation gives the lowest and most robust late loss; divergence is
worst.

The paper sweeps a and b over a 40-point log grid from 0.1 to 100 [I: a_j = b_j = 10^(-1+3j/39)]
with eta = 1e-3, alpha = 1 - a eta, beta = 1 - b eta (eq. (3)), every cell from the same initial
weights. A scale may keep every ``every``-th grid point from ``offset`` (cells of the paper's grid,
never new values) and add ``extra`` cells off the sub-grid, e.g. PyTorch's default (1, 100). Each
cell is a run like any other; the plan trains ``batched`` of them at once (:mod:`adamdyn.batched`).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from ..claims import Claim, with_caveat
from ..stats import evidence
from ..plotting import style
from .common import at_ab, base_row, dynamics, label_changes, load_runs, mark_published, rounded
from .phase import (REGIME_COLOURS, bounded_update_edge, expected, grid_cells, grid_index, grid_value, holds_where,
                    on_subgrid, published_constraints, published_onset)

def expand(cfg: dict) -> dict:
    """The scale's Fig 8 entry as runs entries: one Adam run per cell, in :func:`grid_cells` order."""
    runs = [{"optimiser": "adam", "eta": cfg["eta"], "a": a, "b": b} for a, b in grid_cells(cfg["grid"], cfg.get("extra", []))]
    keep = {k: v for k, v in cfg.items() if k not in ("grid", "extra", "eta", "seed", "chosen_on_results")}
    return {**keep, "seeds": [cfg["seed"]], "runs": runs}


def table(runs, window: int, regime: dict, sensitivity: dict, grid: dict,
          chosen_on_results: dict | None = None) -> pd.DataFrame:
    """One row per (a, b) cell: its indices on the paper's grid (None off it), whether it is a cell of
    the scale's (sub-)grid (``on_grid``; an ``extra`` cell such as the default is not), initial loss, the mean loss over
    the last ``window`` iterations of its finite part and its log10, whether and when it diverged,
    the regime label with its evidence and its labels under the moved thresholds; what the published
    map says of the cell (its regions published as all or none of a label, :func:`published_constraints`)
    and whether the cell agrees (None: unconstrained); ``chosen_on``: the cell is one of those the
    scale's settings were chosen on (``chosen_on_results.cells``, grid indices)."""
    constraints = published_constraints()
    seen = {tuple(c) for c in (chosen_on_results or {}).get("cells", [])}
    rows = []
    for run in load_runs(runs):
        row = base_row(run, window)
        loss = run.history["loss"].to_numpy()
        ja, jb = (grid_index(row[k], grid["points"], grid["low"], grid["high"]) for k in ("a", "b"))
        for key, j in (("a", ja), ("b", jb)):  # the grid's value, not (1 - alpha) / eta rounded back
            row[key] = row[key] if j is None else grid_value(j, grid["points"], grid["low"], grid["high"])
        row.update(ja=ja, jb=jb, on_grid=on_subgrid(ja, grid) and on_subgrid(jb, grid), initial_loss=float(loss[0]),
                   diverged_at=-1 if run.info["diverged_step"] is None else int(run.info["diverged_step"]),
                   log10_tail_mean_loss=float(np.log10(row["tail_mean_loss"])) if row["tail_mean_loss"] > 0 else float("nan"))
        row.update(dynamics(loss, regime, sensitivity))
        said = expected(row["a"], row["b"], constraints)
        row.update(published_says="; ".join(w if should else f"not ({w})" for w, should in said),
                   agrees=all(holds_where(w, row["regime"], row["diverged"]) == should for w, should in said)
                   if said else None, chosen_on=(ja, jb) in seen)
        rows.append(row)
    return pd.DataFrame(rows)


def _late(grid: pd.DataFrame) -> pd.Series:
    """log10 of the late mean loss, +inf for a cell that diverged (the worst possible)."""
    return grid["log10_tail_mean_loss"].where(~grid["diverged"].astype(bool), np.inf).fillna(np.inf)


def _regions_verdict(ordered: bool, purity: dict, p_chance: dict, min_purity: float, max_p: float) -> dict:
    """``passed`` and ``why`` of the distinct-regions claim."""
    pattern = ordered and all(v is not None and v >= min_purity for v in purity.values())
    if not pattern:
        return {"passed": False}
    weak = [k for k, p in p_chance.items() if p is None or p > max_p]
    if weak:
        return {"passed": None, "why": f"the {', '.join(weak)} cells' purity is not beyond chance (p > {max_p:g})"}
    return {"passed": True}


def phase_boundaries(grid: pd.DataFrame) -> dict:
    """The measured boundaries on the grid cells: for each row b, the smallest a/b whose cell
    diverges (label divergence); for each column a, the smallest b whose cell spikes (None: never)."""
    div = {f"{b:.3g}": rounded(float((row["a"] / b)[row["regime"] == "divergence"].min()), 3)
           for b, row in grid.groupby("b")}
    spike = {f"{a:.3g}": rounded(float(col["b"][col["regime"] == "spike"].min()), 3) for a, col in grid.groupby("a")}
    return {"smallest_diverging_a_over_b_by_b": div, "smallest_spiking_b_by_a": spike}


def seen_and_unseen(stats: pd.DataFrame) -> str:
    """How the grid's constrained cells agree with the published map, on the cells the scale's
    settings were chosen on and on the others (the evidence the choice did not see)."""
    grid = stats[stats["on_grid"].astype(bool) & stats["agrees"].notna()]
    part = {k: grid[grid["chosen_on"].astype(bool) == flag] for k, flag in (("seen", True), ("unseen", False))}
    agree = {k: int(p["agrees"].astype(bool).sum()) for k, p in part.items()}
    return (f"Cells the published map constrains that agree with it: {agree['seen']} of {len(part['seen'])} "
            f"among those the choice saw, {agree['unseen']} of {len(part['unseen'])} among the others.")


def claims(stats: pd.DataFrame, default: str, near_diagonal_decades: float, min_region_purity: float,
           max_chance_p: float, chosen_on_results: dict | None = None) -> list[Claim]:
    """Distinct regions; oscillation lowest and robust; divergence worst; the default vs the best cell.

    A label's purity (the fraction of its cells on its side of the map) is judged against chance: the
    share of all grid cells on that side, by the exact probability that cells drawn at random would
    sit on it as often (:func:`evidence.hypergeometric_tail`)."""
    grid = stats[stats["on_grid"].astype(bool)].copy()
    grid["log_b_over_a"] = np.log10(grid["b"] / grid["a"])
    grid["late"] = _late(grid)
    counts = grid["regime"].value_counts().to_dict()
    sides = {"spike": grid["log_b_over_a"] > 0, "divergence": grid["log_b_over_a"] < 0,
             "oscillation": grid["log_b_over_a"].abs() <= near_diagonal_decades}
    purity = {label: rounded(float(sides[label][grid["regime"] == label].mean()), 3) if counts.get(label) else None
              for label in sides}
    chance = {label: rounded(float(side.mean()), 3) for label, side in sides.items()}
    p_chance = {label: rounded(evidence.hypergeometric_tail(int(side[grid["regime"] == label].sum()),
                                                            int(counts.get(label, 0)), int(side.sum()), len(grid)), 3)
                if counts.get(label) else None for label, side in sides.items()}
    median_ratio = {label: rounded(float(grid["log_b_over_a"][grid["regime"] == label].median()), 3)
                    if counts.get(label) else None for label in sides}
    regions = {"spike": grid["log_b_over_a"] >= 1, "divergence": grid["log_b_over_a"] <= -1,
               "oscillation": sides["oscillation"]}
    coverage = {label: rounded(float((grid["regime"][region] == label).mean()), 3) if region.any() else None
                for label, region in regions.items()}
    ordered = all(median_ratio[k] is not None for k in sides) and \
        median_ratio["spike"] > median_ratio["oscillation"] > median_ratio["divergence"]
    out = [Claim(
        id="fig08.distinct_regions",
        statement="The three regimes occupy distinct regions of the (a, b) plane: spike for b sufficiently larger "
                  "than a, divergence for a sufficiently larger than b, oscillation for a and b of similar size",
        measured={"cells_by_label": {k: int(v) for k, v in counts.items()},
                  "fraction_on_its_side": purity, "fraction_of_all_cells_on_that_side": chance,
                  "chance_p": p_chance, "median_log10_b_over_a": median_ratio,
                  "fraction_of_region_with_its_label (b >= 10a, a >= 10b, a ~ b)": coverage,
                  **phase_boundaries(grid),
                  "label_changes_under_moved_thresholds": {k: rounded(v, 3) for k, v in label_changes(grid).items()}},
        threshold=f"all three labels occur; median log10(b/a) spike > oscillation > divergence; and >= "
                  f"{min_region_purity:.0%} of spike cells have b > a, of divergence cells a > b, of oscillation "
                  f"cells |log10(a/b)| <= {near_diagonal_decades}; each beyond chance (p <= {max_chance_p:g}: the "
                  "side's share of all cells would give that purity as rarely); the pattern but not beyond chance: "
                  "inconclusive",
        **_regions_verdict(ordered, purity, p_chance, min_region_purity, max_chance_p))]
    best = grid.loc[grid["late"].idxmin()]
    med = {label: float(grid["late"][grid["regime"] == label].median()) if counts.get(label) else None
           for label in sides}
    iqr = {label: float(np.subtract(*np.percentile(grid["late"][grid["regime"] == label], [75, 25])))
           if counts.get(label, 0) >= 2 else None for label in ("oscillation", "spike")}
    out.append(Claim(
        id="fig08.oscillation_lowest_and_robust",
        statement="The oscillation regime (a ~ b) reaches the lowest late loss, and it is robust to the "
                  "choice of (a, b)",
        measured={"best_cell": {"a": rounded(best["a"], 3), "b": rounded(best["b"], 3), "label": best["regime"],
                                "log10_tail_mean_loss": rounded(best["late"], 3)},
                  "median_log10_tail_loss_by_label": {k: rounded(v, 3) for k, v in med.items()},
                  "iqr_log10_tail_loss": {k: rounded(v, 3) for k, v in iqr.items()}},
        threshold="the heat-map's minimum is an oscillation cell; median late loss of oscillation cells < that of "
                  "spike cells; its interquartile range (decades) <= that of spike cells",
        passed=bool(best["regime"] == "oscillation" and med["oscillation"] is not None and med["spike"] is not None
                    and med["oscillation"] < med["spike"] and iqr["oscillation"] is not None
                    and iqr["spike"] is not None and iqr["oscillation"] <= iqr["spike"])))
    out.append(Claim(
        id="fig08.divergence_worst",
        statement="The divergence regime is worst: its late loss is the highest (some cells blow up)",
        measured={"median_log10_tail_loss_by_label": {k: rounded(v, 3) for k, v in med.items()},
                  "non_finite_cells": int(grid["diverged"].astype(bool).sum())},
        threshold="median late loss (non-finite = +inf) of divergence cells > those of oscillation and spike cells",
        passed=bool(med["divergence"] is not None and all(
            med[k] is not None and med["divergence"] > med[k] for k in ("oscillation", "spike")))))
    out.append(onset_claim(grid, float(stats["eta"].iloc[0])))
    at_default = at_ab(stats, default)
    if len(at_default):
        d = at_default.iloc[0]
        d_late = float(_late(at_default).iloc[0])
        gap = d_late - float(best["late"])
        out.append(Claim(
            id="fig08.default_vs_best",
            statement=f"PyTorch's default (a, b) = ({default}) lies in the spike regime and ends above the best cell",
            measured={"default_label": d["regime"], "default_log10_tail_mean_loss": rounded(d_late, 3),
                      "best_log10_tail_mean_loss": rounded(float(best["late"]), 3), "gap_decades": rounded(gap, 3),
                      "default_on_grid": bool(d["on_grid"])},
            threshold="default labelled spike and its late loss above the best cell's (gap > 0 decades)",
            passed=bool(d["regime"] == "spike" and gap > 0)))
    return with_caveat(out, chosen_on_results, seen_and_unseen(stats) if "chosen_on" in stats else "")


def divergence_onsets(grid: pd.DataFrame, eta: float) -> dict[str, dict]:
    """Per row b: the divergence edge on the grid, as the interval (lo, hi] of a/b between the last
    cell left of the first divergent one and that cell (hi None: nothing diverges), next to the
    theory edges a/b = 2 - b eta (beta = sqrt(alpha)) and 4."""
    out = {}
    for b, row in grid.sort_values("a").groupby("b"):
        ratio = (row["a"] / b).to_numpy()
        div = (row["regime"] == "divergence").to_numpy()
        k = int(np.argmax(div)) if div.any() else None
        out[f"{b:.3g}"] = {"b": float(b), "lo": rounded(float(ratio[k - 1]), 3) if k else None,
                           "hi": None if k is None else rounded(float(ratio[k]), 3),
                           "bounded_update_edge": rounded(bounded_update_edge(b, eta) / b, 3)}
    return out


def onset_claim(grid: pd.DataFrame, eta: float) -> Claim:
    """Where divergence begins in each row, against the published band and the theory lines."""
    (lo_b, hi_b), (lo_r, hi_r) = published_onset()
    rows = {k: v for k, v in divergence_onsets(grid, eta).items() if lo_b <= v["b"] <= hi_b}
    agree = {k: v["hi"] is not None and (v["lo"] or 0) < hi_r and v["hi"] >= lo_r for k, v in rows.items()}
    return Claim(
        id="fig08.divergence_onset",
        statement=f"In every row b between {lo_b:g} and {hi_b:g}, divergence begins at a/b between {lo_r:g} and {hi_r:g} "
                  "(the published map), i.e. beyond the theory edge a = 2b - b^2 eta of bounded updates and by a = 4b",
        measured={"onset_interval_a_over_b_by_b": {k: [v["lo"], v["hi"]] for k, v in rows.items()},
                  "theory_a_over_b_by_b": {k: v["bounded_update_edge"] for k, v in rows.items()},
                  "rows_agreeing": f"{sum(agree.values())}/{len(agree)}"},
        threshold="in every such row of the grid some cell diverges, and the interval (last a/b that does not, first "
                  f"a/b that does] overlaps [{lo_r:g}, {hi_r:g}]",
        passed=bool(agree) and all(agree.values()))


def _log_edges(values: np.ndarray) -> np.ndarray:
    """Cell edges of a log-spaced grid: geometric midpoints, extended by half a step at both ends."""
    lv = np.log10(values)
    step = np.diff(lv).mean() if len(lv) > 1 else 1.0
    return 10 ** np.concatenate([[lv[0] - step / 2], (lv[1:] + lv[:-1]) / 2, [lv[-1] + step / 2]])


def draw(runs, stats, png, pdf, stamp=None, published=None) -> None:
    """Left, heat-map of log10 of the late mean loss over (a, b) (cells that diverged blank); right,
    each cell's regime. Cells off the grid (the PyTorch default when the sub-grid misses it) are
    circles in their colour. Lines: a = b (dotted), the theory edge a = 2b - b^2 eta of bounded updates
    (dashed) and a = 4b (dash-dot). The published heat-map minimum as a marker."""
    import matplotlib.colors as mcolors
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    stats = stats.assign(shown=stats["log10_tail_mean_loss"].where(~stats["diverged"].astype(bool)))
    grid = stats[stats["on_grid"].astype(bool)]
    extra = stats[~stats["on_grid"].astype(bool)]
    a_vals, b_vals = np.sort(grid["a"].unique()), np.sort(grid["b"].unique())
    heat = grid.pivot(index="b", columns="a", values="shown").reindex(index=b_vals, columns=a_vals)
    codes = {label: i for i, label in enumerate(REGIME_COLOURS)}
    label_map = grid.pivot(index="b", columns="a", values="regime").reindex(index=b_vals, columns=a_vals)
    xe, ye = _log_edges(a_vals), _log_edges(b_vals)
    fig, axes = style.subplots(ncols=2, width=5.0, height=4.3)
    left, right = axes[0]
    eta = float(stats["eta"].iloc[0])
    values = np.ma.masked_invalid(heat.to_numpy(dtype=float))
    # every cell starts from the same loss: cells that end above it (blow-ups) saturate the scale
    start = float(np.log10(grid["initial_loss"].iloc[0]))
    top = min(float(values.max()), start)
    norm = mcolors.Normalize(vmin=float(values.min()), vmax=top)
    mesh = left.pcolormesh(xe, ye, values, cmap="viridis", norm=norm, shading="flat")
    fig.colorbar(mesh, ax=left, extend="max" if float(values.max()) > top else "neither",
                 label=f"log10 mean loss, last {int(grid['tail_window'].max())} iterations"
                       + ("\n(saturated above the initial loss)" if float(values.max()) > top else ""))
    for _, r in extra.iterrows():
        v = r["shown"]
        left.scatter([r["a"]], [r["b"]], s=60, marker="o", edgecolor="white", linewidth=1.2,
                     color=mesh.cmap(norm(v)) if np.isfinite(v) else "none", zorder=3)
    cmap = mcolors.ListedColormap(list(REGIME_COLOURS.values()))
    right.pcolormesh(xe, ye, label_map.replace(codes).to_numpy(dtype=float), cmap=cmap, vmin=-0.5,
                     vmax=len(codes) - 0.5, shading="flat")
    for _, r in extra.iterrows():
        right.scatter([r["a"]], [r["b"]], s=60, marker="o", edgecolor="white", linewidth=1.2,
                      color=REGIME_COLOURS[r["regime"]], zorder=3)
    for ax, title in ((left, "mean training loss (log10)"), (right, "regime of the loss curve")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ink = "white" if ax is left else "0.15"
        ax.plot([xe[0], xe[-1]], [xe[0], xe[-1]], ls=":", color=ink, lw=0.9)
        bs = np.logspace(np.log10(ye[0]), np.log10(ye[-1]), 200)
        edge = np.array([bounded_update_edge(b, eta) for b in bs])
        ax.plot(edge[edge > 0], bs[edge > 0], ls="--", color=ink, lw=0.9)
        ax.plot(4 * bs, bs, ls="-.", color=ink, lw=0.9)
        ax.set_xlim(xe[0], xe[-1])
        ax.set_ylim(ye[0], ye[-1])
        ax.set_xlabel(r"a   ($\alpha = 1 - a\eta$, second moment)")
        ax.set_ylabel(r"b   ($\beta = 1 - b\eta$, first moment)")
        ax.set_title(title)
        ax.grid(False)
    mark_published({"heat": left, "regimes": right}, published)
    changed = label_changes(grid)
    handles = [Patch(color=c, label=f"{label} ({int((grid['regime'] == label).sum())})")
               for label, c in REGIME_COLOURS.items()]
    if len(extra):
        handles.append(Line2D([], [], marker="o", ls="", color="0.5", markeredgecolor="white",
                              label="off-grid cell: " + ", ".join(f"({r.a:.3g}, {r.b:.3g})" for r in extra.itertuples())))
    handles += [Line2D([], [], ls=":", color="0.15", label="a = b"),
                Line2D([], [], ls="--", color="0.15", label=r"$a = 2b - b^2\eta$ ($\beta = \sqrt{\alpha}$)"),
                Line2D([], [], ls="-.", color="0.15", label="a = 4b")]
    right.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, fontsize=8)
    if changed:
        right.text(1.04, 0.02, "labels changed when a\nthreshold moves:\n" + "\n".join(
            f"{k}: {v:.0%}" for k, v in changed.items()), transform=right.transAxes, fontsize=7.5, va="bottom")
    first = load_runs(runs[:1])[0].info["spec"]["problem"] if len(runs) else {}
    net = f", MLP width {max(first['widths'])}" if first.get("widths") else ""
    fig.suptitle(rf"Full-batch Adam, $\eta$={eta:g}, {len(grid)} cells of the (a, b) grid{net}, "
                 f"{int(stats['iterations'].max())} iterations", fontsize=11)
    style.save(fig, png, pdf, stamp)
