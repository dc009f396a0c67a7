"""Figure 1: full-batch Adam with PyTorch's defaults spikes in the late phase, on a classification
(CIFAR-2) and on a regression (5-D sine) problem; training and held-out loss."""
from __future__ import annotations

import pandas as pd

from ..claims import Claim
from ..naming import fmt
from ..plotting import style
from ..settings import data_kind
from .common import curve_table, late_spikes, load_runs, mark_published, moved_labels, rounded, spike_threshold_text


PANELS = {"cifar2": "left", "sine": "right"}  # the published figure's panels


def table(runs, window: int, regime: dict, sensitivity: dict) -> pd.DataFrame:
    """Per run: loss-curve statistics and dynamics, and the held-out loss's (:func:`curve_table`)."""
    return curve_table(runs, window, regime, sensitivity)


def claims(stats: pd.DataFrame, min_spikes: int, regime: dict) -> list[Claim]:
    """Full-batch Adam with the defaults has large spikes in the late phase, on both problems."""
    out = []
    for r, record in zip(stats.itertuples(), stats.to_dict("records")):
        out.append(Claim(
            id=f"fig01.late_spikes.{r.problem}",
            statement=f"Full-batch Adam with the defaults (eta {fmt(r.eta)}, beta1 {r.beta:g}, beta2 {r.alpha:g}) "
                      f"on {r.problem} has large spikes in the late phase",
            measured={**late_spikes(r), "regime": moved_labels(record),
                      "iterations": int(r.iterations), "final_loss": rounded(r.final_loss),
                      "min_loss": rounded(r.min_loss)},
            threshold=f">= {min_spikes} spike event(s) in the second half of the run ({spike_threshold_text(regime)})",
            passed=bool(r.late_spikes >= min_spikes)))
    return out


def draw(runs, stats, png, pdf, stamp=None, published=None) -> None:
    """Train and held-out loss, one panel per problem, log y; the published readings as markers."""
    loaded = load_runs(runs)
    fig, axes = style.subplots(ncols=len(loaded), width=4.6)
    for ax, run in zip(axes[0], loaded):
        hist = run.history
        c = style.colours(2)
        ax.plot(hist["step"], hist["loss"], color=c[0], lw=0.7, label="train")
        if "test_loss" in hist:
            t = hist.dropna(subset=["test_loss"])
            ax.plot(t["step"], t["test_loss"], color=c[1], lw=0.9, label="held-out")
        ax.set(yscale="log", xlabel="iteration", ylabel="loss", title=style.problem_title(run.info))
        ax.legend()
    # the paper's left panel is the classification, its right one the regression
    mark_published({PANELS[data_kind(run.info["spec"]["problem"])]: ax for ax, run in zip(axes[0], loaded)
                    if data_kind(run.info["spec"]["problem"]) in PANELS}, published)
    opt = loaded[0].optimiser
    fig.suptitle(rf"Full-batch Adam, $\eta$={opt['eta']:g}, $(\beta_1, \beta_2)$=({opt['beta']:g}, {opt['alpha']:g})",
                 fontsize=10)
    style.save(fig, png, pdf, stamp)
