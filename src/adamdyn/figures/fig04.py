"""Figure 4: RMSprop shows fast initial convergence, then small oscillations, then large spikes."""
from __future__ import annotations

import pandas as pd

from ..claims import Claim
from ..naming import fmt
from ..plotting import style
from .common import curve_table, late_spikes, load_runs, mark_published, rounded


def table(runs, window: int, regime: dict, sensitivity: dict, fast_iterations: int) -> pd.DataFrame:
    """Per run: :func:`curve_table` with the drop in decades over the first ``fast_iterations``."""
    return curve_table(runs, window, regime, sensitivity, fast_iterations=fast_iterations)


def claims(stats: pd.DataFrame, min_fast_drop_decades: float, min_osc_amplitude_decades: float,
           max_osc_amplitude_decades: float, max_osc_period: float, min_spikes: int) -> list[Claim]:
    """Fast initial convergence, then small oscillations, then large spikes in the late phase.

    An oscillation is small (amplitude at most ``max_osc_amplitude_decades``) but real: at least
    ``min_osc_amplitude_decades`` (a smooth decay's residual is rounding noise, ~1e-16) and fast
    (period at most ``max_osc_period`` iterations: :func:`curves.oscillation` takes the residual against
    a 20-iteration running mean, so anything slower is trend)."""
    r = next(stats.itertuples())
    return [
        Claim(id="fig04.fast_initial_convergence",
              statement=f"RMSprop (eta {fmt(r.eta)}, alpha {r.alpha:g}) converges fast initially",
              measured={"drop_decades_in_fast_phase": rounded(r.fast_drop_decades, 3)},
              threshold=f"loss falls >= {min_fast_drop_decades} decade(s) within the first iterations (stats.fig04.fast_iterations)",
              passed=bool(r.fast_drop_decades >= min_fast_drop_decades)),
        Claim(id="fig04.small_oscillations",
              statement="then small oscillations",
              measured={"oscillation_amplitude_decades": rounded(r.osc_amplitude_decades, 3),
                        "oscillation_period_iterations": rounded(r.osc_period, 3)},
              threshold=f"{min_osc_amplitude_decades} <= amplitude <= {max_osc_amplitude_decades} decade and period "
                        f"<= {max_osc_period:g} iterations over the late window",
              passed=bool(min_osc_amplitude_decades <= r.osc_amplitude_decades <= max_osc_amplitude_decades
                          and r.osc_period <= max_osc_period)),
        Claim(id="fig04.late_spikes",
              statement="then large spikes in the late phase",
              measured=late_spikes(r),
              threshold=f">= {min_spikes} spike event(s) in the second half of the run",
              passed=bool(r.late_spikes >= min_spikes)),
    ]


def draw(runs, stats, png, pdf, last: int, stamp=None, published=None) -> None:
    """The whole curve (left) and the ``last`` iterations (right); the published readings as markers."""
    (run,) = load_runs(runs)
    hist = run.history
    fig, axes = style.subplots(ncols=2, width=4.6)
    c = style.colours(1)[0]
    axes[0][0].plot(hist["step"], hist["loss"], color=c, lw=0.7)
    axes[0][0].set(yscale="log", xlabel="iteration", ylabel="training loss", title="whole run")
    tail = hist.iloc[-last:]
    axes[0][1].plot(tail["step"], tail["loss"], color=c, lw=0.8)
    axes[0][1].set(yscale="log", xlabel="iteration", title=f"last {last} iterations")
    mark_published({"whole": [axes[0][0], axes[0][1]]}, published)
    opt = run.optimiser
    fig.suptitle(rf"RMSprop, $\eta$={opt['eta']:g}, $\alpha$={opt['alpha']:g}, {style.problem_title(run.info)}",
                 fontsize=10)
    style.save(fig, png, pdf, stamp)
