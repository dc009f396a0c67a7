"""Figure 3 (Proposition 3): after a very short initial period larger a (and b) converge faster,
for Adam (a = b) and RMSprop; at the very beginning Adam's speed does not depend on a and b."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..naming import fmt
from ..plotting import style
from .common import curve_table, load_runs, mark_published, of_optimiser, rounded


def table(runs, window: int, regime: dict, sensitivity: dict, early_iteration: int,
          initial_period: int) -> pd.DataFrame:
    """Per run: :func:`curve_table` with the log10 loss at ``early_iteration`` and the mean log10
    loss from ``initial_period`` on."""
    return curve_table(runs, window, regime, sensitivity, early_iteration=early_iteration,
                       initial_period=initial_period)


def claims(stats: pd.DataFrame, early_spread_decades: float) -> list[Claim]:
    """Larger a and b converge faster after the initial period (Adam and RMSprop); at the very
    beginning Adam's speed does not depend on a and b."""
    out = []
    for method, label in (("adam", "Adam (a = b)"), ("rmsprop", "RMSprop")):
        sub = stats[stats["optimiser"] == method].sort_values("a")
        if sub.empty:
            continue
        after = sub["mean_log10_loss_after_initial"].to_numpy()
        out.append(Claim(
            id=f"fig03.larger_a_faster.{method}",
            statement=f"{label}, eta {fmt(sub['eta'].iloc[0])}: after the initial period, larger a (and b) converge faster",
            measured={"mean_log10_loss_after_initial_by_a": {f"{a:g}": rounded(v, 3) for a, v in zip(sub["a"], after)}},
            threshold="mean log10 loss after the initial period strictly decreasing in a",
            passed=bool(np.all(np.diff(after) < 0))))
        if method != "adam":
            # Proposition 3 concerns the Adam flow (8), whose bias correction makes the first steps
            # sign-like for every (a, b). RMSprop (eq. (2), v0 = 0, no correction) takes a first step
            # 1/sqrt(1 - alpha) times signGD's, which depends on a: the paper claims nothing there.
            continue
        early = sub["log10_loss_early"].to_numpy()
        spread = float(early.max() - early.min())
        out.append(Claim(
            id=f"fig03.initial_speed_independent.{method}",
            statement=f"{label}: at the very beginning the speed does not depend on a and b",
            measured={"log10_loss_at_early_iteration_by_a": {f"{a:g}": rounded(v, 3) for a, v in zip(sub["a"], early)},
                      "spread_decades": rounded(spread, 3)},
            threshold=f"spread of log10 loss across a at the early iteration <= {early_spread_decades} decade",
            passed=bool(spread <= early_spread_decades)))
    return out


def draw(runs, stats, png, pdf, stamp=None, published=None) -> None:
    """Adam with a = b (left) and RMSprop (right) for several a, log y; the published readings as markers."""
    loaded = load_runs(runs)
    fig, axes = style.subplots(ncols=2, sharey=True)
    for ax, method, title in ((axes[0][0], "adam", "Adam, a = b"), (axes[0][1], "rmsprop", "RMSprop")):
        sel = of_optimiser(loaded, method, "a")
        for colour, run in zip(style.colours(len(sel)), sel):
            ax.plot(run.history["step"], run.history["loss"], color=colour, lw=0.8, label=style.opt_label(run.optimiser))
        eta = f", $\\eta$={sel[0].optimiser['eta']:g}" if sel else ""
        ax.set(yscale="log", xlabel="iteration", title=title + eta)
        ax.legend()
    axes[0][0].set_ylabel("training loss")
    mark_published({"adam": axes[0][0], "rmsprop": axes[0][1]}, published)
    style.save(fig, png, pdf, stamp)
