"""Figure 7: the three regimes of Adam: (a, b) = (1, 100) spikes, (10, 10) oscillates fast and small
at the lowest loss, (100, 1) diverges; loss curves, zooms and the state-space trajectory of
(||x||, ||m||, ||sqrt v||)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..plotting import style
from .common import at_ab, curve_table, load_runs, mark_published, parse_ab, rounded, runs_at_ab


def table(runs, window: int, regime: dict, sensitivity: dict) -> pd.DataFrame:
    """Per run: loss-curve statistics and the regime label with its evidence (:func:`curve_table`)."""
    return curve_table(runs, window, regime, sensitivity)


def claims(stats: pd.DataFrame, expected: dict[str, str]) -> list[Claim]:
    """b >> a gives spikes, a ~ b small fast oscillations and a small loss, a >> b divergence, for
    every seed. ``expected`` maps "a,b" to the paper's regime."""
    out = []
    for a_b, label in expected.items():
        a, b = parse_ab(a_b)
        sub = at_ab(stats, a_b).sort_values("seed")
        labels = {int(r.seed): r.regime for r in sub.itertuples()}
        out.append(Claim(
            id=f"fig07.regime.a{a:g}_b{b:g}",
            statement=f"Adam (a, b) = ({a:g}, {b:g}) is in the {label} regime",
            measured={"label_by_seed": labels,
                      "tail_mean_loss_by_seed": {int(r.seed): rounded(r.tail_mean_loss) for r in sub.itertuples()},
                      "spikes_in_window_by_seed": {int(r.seed): int(r.spikes_in_window) for r in sub.itertuples()}},
            threshold=f"classifier label '{label}' for every seed",
            passed=bool(labels) and all(v == label for v in labels.values())))
    osc = [k for k, v in expected.items() if v == "oscillation"]
    if osc:
        best = {}
        for seed, sub in stats.groupby("seed"):
            at = sub.loc[sub["tail_mean_loss"].idxmin()]
            best[int(seed)] = f"{at['a']:g},{at['b']:g}"
        target = ",".join(f"{v:g}" for v in parse_ab(osc[0]))
        out.append(Claim(
            id="fig07.oscillation_lowest_loss",
            statement="the oscillation regime (a ~ b) reaches the smallest late-phase loss",
            measured={"lowest_tail_mean_loss_at_a_b_by_seed": best},
            threshold=f"(a, b) = ({target}) has the lowest tail-mean loss for every seed",
            passed=bool(best) and all(v == target for v in best.values())))
    return out


def _norms(hist: pd.DataFrame, part: pd.DataFrame, span: int, ax3) -> tuple[pd.DataFrame, bool]:
    """The (||x||, ||m||, ||sqrt v||) to draw over ``part``; the last finite stretch when the moments
    overflowed (float32); log10 of them when they span many decades (a divergent run)."""
    cols = ["norm_x", "norm_m", "norm_sqrt_v"]
    norms = part[cols].replace([np.inf, -np.inf], np.nan).dropna()
    if norms.empty:
        finite = hist[cols].replace([np.inf, -np.inf], np.nan).dropna()
        norms = finite.iloc[-span:]
        if len(norms):
            ax3.set_title(f"norms overflow after it. {int(hist.loc[norms.index[-1], 'step'])}: "
                          f"it. {int(hist.loc[norms.index[0], 'step'])}-"
                          f"{int(hist.loc[norms.index[-1], 'step'])} shown", fontsize=7)
    spread = (norms.max() / norms.min().clip(lower=1e-300)).max() if len(norms) else 1.0
    log_axes = bool(spread > 1e3)
    if log_axes:
        norms = np.log10(norms.clip(lower=1e-300))
    return norms, log_axes


def draw(runs, stats, png, pdf, zoom: dict, expected: dict[str, str], stamp=None, published=None) -> None:
    """The regimes in columns: the whole loss curve (row 1; other seeds grey), a zoom (row 2), and the
    trajectory of (||x||, ||m||, ||sqrt v||) over the zoom window (row 3). ``zoom`` maps "a,b" to
    the iterations of its zoom; ``expected`` to the paper's regime, which names the published panel whose
    readings are drawn as markers on rows 1 and 2."""
    loaded = load_runs(runs)
    style.apply()
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, ScalarFormatter

    fig = plt.figure(figsize=(12, 10))
    seed0 = min(r.info["spec"]["seed"] for r in loaded)
    panels = {}
    for j, (key, colour) in enumerate(zip(zoom, style.colours(len(zoom)))):
        a, b = parse_ab(key)
        ax1 = fig.add_subplot(3, 3, j + 1)
        ax2 = fig.add_subplot(3, 3, j + 4)
        ax3 = fig.add_subplot(3, 3, j + 7, projection="3d")
        lo, hi = zoom[key]
        log_axes = False
        for run in runs_at_ab(loaded, key):
            hist, main = run.history, run.info["spec"]["seed"] == seed0
            ax1.plot(hist["step"], hist["loss"], color=colour if main else "0.6", lw=0.7 if main else 0.5,
                     alpha=1.0 if main else 0.6, label=f"seed {run.info['spec']['seed']}" if main else None,
                     zorder=3 if main else 1)
            if main:
                part = hist[(hist["step"] >= lo) & (hist["step"] < hi)]
                ax2.plot(part["step"], part["loss"], color=colour, lw=0.8)
                norms, log_axes = _norms(hist, part, hi - lo, ax3)
                ax3.plot(norms["norm_x"], norms["norm_m"], norms["norm_sqrt_v"], color=colour, lw=0.6)
        row = at_ab(stats, key)
        row = row[row["seed"] == seed0]
        regime = f" — {row['regime'].iloc[0]}" if len(row) else ""
        ax1.set(yscale="log", title=f"a={a:g}, b={b:g}{regime}", xlabel="iteration")
        ax2.set(yscale="log", xlabel="iteration", title=f"iterations {lo}-{hi}")
        prefix = r"log$_{10}$ " if log_axes else ""
        ax3.set_xlabel(prefix + r"$\|x\|$", fontsize=8)
        ax3.set_ylabel(prefix + r"$\|m\|$", fontsize=8)
        ax3.set_zlabel(prefix + r"$\|\sqrt{v}\|$", fontsize=8)
        ax3.tick_params(labelsize=6)
        for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):  # no offset text (+1.141) over the axis labels
            axis.set_major_locator(MaxNLocator(4))
            axis.set_major_formatter(ScalarFormatter(useOffset=False))
        ax3.set_title(f"state space, iterations {lo}-{hi}", fontsize=9)
        panels[expected[key]] = [ax1, ax2]
        if j == 0:
            ax1.set_ylabel("training loss (other seeds grey)")
            ax2.set_ylabel("training loss")
    mark_published(panels, published)
    eta = loaded[0].optimiser["eta"]
    fig.suptitle(rf"Adam, $\eta$={eta:g}: spike, oscillation and divergence regimes", fontsize=11)
    style.save(fig, png, pdf, stamp)
