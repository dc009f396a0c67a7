"""Figure 2 (Proposition 1): as eta -> 0 with (alpha, beta) fixed, Adam and RMSprop follow signGD
against t = eta x iteration."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..plotting import style
from .common import base_row, load_runs, mark_published, of_optimiser, rounded


def table(runs, window: int) -> pd.DataFrame:
    """Each run's distance to signGD's loss curve at equal time t = eta x iteration.

    The distance is the largest and the mean |L(t) - L_signGD(t)| over the run's time grid, with
    signGD's curve interpolated linearly in t (its grid is the finest).
    """
    loaded = [(base_row(run, window), run.history) for run in load_runs(runs)]
    sign = [(r, h) for r, h in loaded if r["optimiser"] == "signgd"]
    if len(sign) != 1:
        raise ValueError(f"fig02 needs exactly one signGD run, got {len(sign)}")
    s_row, s_hist = sign[0]
    s_t = s_hist["step"].to_numpy() * s_row["eta"]
    rows = []
    for row, hist in loaded:
        t = hist["step"].to_numpy() * row["eta"]
        diff = np.abs(hist["loss"].to_numpy() - np.interp(t, s_t, s_hist["loss"].to_numpy()))
        row.update(final_time=float(len(t) * row["eta"]), max_abs_diff_to_signgd=float(diff.max()),
                   mean_abs_diff_to_signgd=float(diff.mean()))
        rows.append(row)
    return pd.DataFrame(rows)


def claims(stats: pd.DataFrame) -> list[Claim]:
    """As eta -> 0 with alpha, beta fixed, Adam and RMSprop approach the signGD flow: their loss
    against t = eta x iteration comes closer to signGD's."""
    out = []
    for method in ("adam", "rmsprop"):
        sub = stats[stats["optimiser"] == method].sort_values("eta")
        if sub.empty:
            continue
        factors = (f"({sub['beta'].iloc[0]:g}, {sub['alpha'].iloc[0]:g})" if method == "adam"
                   else f"(alpha {sub['alpha'].iloc[0]:g})")
        dist = sub["max_abs_diff_to_signgd"].to_numpy()
        out.append(Claim(
            id=f"fig02.approaches_signgd.{method}",
            statement=f"{style.NAMES[method]} {factors}: against t = eta x iteration, the loss curve approaches "
                      "signGD's as eta decreases",
            measured={"max_abs_diff_by_eta": {f"{e:g}": rounded(d) for e, d in zip(sub["eta"], dist)},
                      "mean_abs_diff_by_eta": {f"{e:g}": rounded(d) for e, d in zip(sub["eta"], sub["mean_abs_diff_to_signgd"])}},
            threshold=f"max |L(t) - L_signGD(t)| over t in [0, {sub['final_time'].max():g}] strictly increasing in eta",
            passed=bool(len(dist) >= 2 and np.all(np.diff(dist) > 0))))
    return out


def draw(runs, stats, png, pdf, stamp=None, published=None) -> None:
    """Loss against t = eta x iteration: Adam (left), RMSprop (middle), signGD dashed in both;
    right: the largest distance to signGD's curve against eta. The published readings as markers."""
    loaded = load_runs(runs)
    sign = of_optimiser(loaded, "signgd", "eta")
    fig, axes = style.subplots(ncols=3, width=4.0)
    for ax, method in ((axes[0][0], "adam"), (axes[0][1], "rmsprop")):
        sel = of_optimiser(loaded, method, "eta")
        for colour, run in zip(style.colours(len(sel)), sel):
            eta = run.optimiser["eta"]
            ax.plot(run.history["step"] * eta, run.history["loss"], color=colour, label=rf"$\eta$={eta:g}")
        for run in sign:
            eta = run.optimiser["eta"]
            ax.plot(run.history["step"] * eta, run.history["loss"], color="k", ls="--", lw=1.0,
                    label=rf"signGD $\eta$={eta:g}")
        ax.set(xlabel=r"time $t = \eta \times$ iteration", ylabel="training loss",
               title=style.factors_title(sel[0].optimiser) if sel else style.NAMES[method])
        ax.legend()
    mark_published({"adam": axes[0][0], "rmsprop": axes[0][1]}, published)
    ax = axes[0][2]
    for colour, method in zip(style.colours(2), ("adam", "rmsprop")):
        sub = stats[stats["optimiser"] == method].sort_values("eta")
        ax.plot(sub["eta"], sub["max_abs_diff_to_signgd"], "o-", color=colour, label=style.NAMES[method])
    ax.set(xscale="log", yscale="log", xlabel=r"$\eta$", ylabel=r"max$_t$ |L(t) - L$_{signGD}$(t)|",
           title="distance to signGD")
    ax.legend()
    style.save(fig, png, pdf, stamp)
