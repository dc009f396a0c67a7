"""Figure 9: stochastic Adam on a ResNet18: the defaults spike late; a ~ b converges smoothly and
lower; (a, b) = (1, 0.1) is slow. Read on the per-epoch mean training loss."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..plotting import style
from ..stats import curves
from .common import (at_ab, base_row, epoch_means, load_runs, mark_published, parse_ab, peaks, per_epoch, rounded,
                     runs_at_ab, spike_settings)


def table(runs, window: int, regime: dict) -> pd.DataFrame:
    """Per run, statistics of the per-epoch mean loss.

    ``tail_mean_epoch_loss`` is the mean over the last tenth of the epochs; late spikes are the
    spike events (:func:`curves.spike_events`, the classifier's thresholds with its windows
    counted in epochs) in the second half; ``max_rebound_decades`` the largest rise of the epoch
    curve above its running minimum after the first tenth (0 for a monotone curve);
    ``mean_log10_epoch_loss`` the mean of log10 over all epochs (lower: faster overall).
    """
    rows = []
    for run in load_runs(runs):
        row = base_row(run, window)
        every = per_epoch(run)
        ep = epoch_means(run.history, every)
        l = curves.log_loss(ep)
        events = curves.spike_events(ep, start=len(ep) // 2, **spike_settings(regime, every))
        start = max(1, len(l) // 10)
        rebound = float((l[start:] - np.minimum.accumulate(l)[start:]).max()) if len(l) > start else 0.0
        row.update(batch_size=run.info["spec"]["batch_size"], iterations_per_epoch=every, epochs=len(ep),
                   final_epoch_loss=float(ep[-1]), min_epoch_loss=float(ep.min()),
                   tail_mean_epoch_loss=float(ep[-max(1, len(ep) // 10):].mean()),
                   mean_log10_epoch_loss=float(l.mean()), max_rebound_decades=rebound,
                   late_spikes=len(events), late_spike_max_decades=max((e["height"] for e in events), default=0.0),
                   late_spike_epochs=";".join(str(e["peak"]) for e in events))
        rows.append(row)
    return pd.DataFrame(rows)


def claims(stats: pd.DataFrame, default: str, balanced: str, slow: str, min_spikes: int) -> list[Claim]:
    """The defaults spike late; a ~ b smooth and lower; ``slow`` slower than a ~ b."""
    def one(ab):
        rows = at_ab(stats, ab)
        return None if rows.empty else rows.iloc[0]

    d, bal, sl = one(default), one(balanced), one(slow)

    def facts(r):
        return None if r is None else {
            "late_spikes": int(r.late_spikes), "largest_decades": rounded(r.late_spike_max_decades, 3),
            "spike_epochs": peaks(r.late_spike_epochs),
            "max_rebound_decades": rounded(r.max_rebound_decades, 3),
            "tail_mean_epoch_loss": rounded(r.tail_mean_epoch_loss),
            "mean_log10_epoch_loss": rounded(r.mean_log10_epoch_loss, 3), "epochs": int(r.epochs)}

    _, b_slow = parse_ab(slow)
    return [
        Claim(id="fig09.default_spikes_late",
              statement=f"Stochastic Adam with the defaults (a, b) = ({default}) has large spikes late in training",
              measured=facts(d),
              threshold=f">= {min_spikes} spike event(s) of >= 1 decade in the second half of the epochs",
              passed=bool(d is not None and d.late_spikes >= min_spikes)),
        Claim(id="fig09.balanced_smooth_and_lower",
              statement=f"With a ~ b ({balanced}) Adam converges smoothly and ends lower than the defaults",
              measured={"balanced": facts(bal), "default": facts(d)},
              threshold="no late spike event for a ~ b, and its tail-mean epoch loss below the defaults'",
              passed=bool(d is not None and bal is not None and bal.late_spikes == 0
                          and bal.tail_mean_epoch_loss < d.tail_mean_epoch_loss)),
        Claim(id="fig09.small_b_slow",
              statement=f"(a, b) = ({slow}) (beta = 1 - {b_slow:g} eta, almost no momentum averaging) is slow",
              measured={"slow": facts(sl), "balanced": facts(bal)},
              threshold="its mean log10 epoch loss (over all epochs) above that of a ~ b",
              passed=bool(sl is not None and bal is not None and sl.mean_log10_epoch_loss > bal.mean_log10_epoch_loss)),
    ]


def draw(runs, stats, png, pdf, default: str, stamp=None, published=None) -> None:
    """Per-epoch mean training loss, one line per (a, b), log y; the defaults in red as in the paper; the
    published readings as markers."""
    loaded = load_runs(runs)
    defaults = {id(r) for r in runs_at_ab(loaded, default)}
    fig, axes = style.subplots(ncols=1, width=7.6, height=3.8)
    ax = axes[0][0]
    others = iter(["#0072B2", "#009E73", "#E69F00", "#56B4E9", "#CC79A7"])
    for run in sorted(loaded, key=lambda r: -r.optimiser["b"]):
        ep = epoch_means(run.history, per_epoch(run))
        is_default = id(run) in defaults
        ax.plot(np.arange(1, len(ep) + 1), ep, color="#CC3311" if is_default else next(others), lw=1.1,
                label=style.opt_label(run.optimiser) + (" (default)" if is_default else ""))
    info = loaded[0].info
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean training loss of the epoch")
    p = info["spec"]["problem"]
    ax.set_title(f"ResNet18 (width {p['width']}), {info['problem_metadata']['n_train']} CIFAR-10 images, "
                 rf"batch {info['spec']['batch_size']}, $\eta$={info['spec']['optimiser']['eta']:g}", fontsize=9.5)
    # outside the axes, on the right: inside, it covered the red default curve where it ends lowest
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8.5, frameon=False, borderaxespad=0.0)
    mark_published({"loss": ax}, published)
    style.save(fig, png, pdf, stamp)
