"""The spike-mechanism study (beyond the paper): what precedes a spike, measured on the paper's own runs.

The runs of Fig 7 ((a, b) = (1, 100), (10, 10), (100, 1) at eta = 1e-3 on the CIFAR-2 MLP) and
Fig 1's CIFAR-2 run, each logging :class:`adamdyn.sharpness.SpikeProbe`'s signals, and a control:
the default with eps = 1e-6 and 1e-4 (a larger eps caps P^{-1}). What the literature expects:

- Cohen et al. (arXiv 2207.14484): the preconditioned sharpness lambda_1(P^{-1} H) rises to and
  hovers at the threshold (2 + 2 beta) / ((1 - beta) eta) of preconditioned heavy-ball, so
  R = lambda_1 / threshold ~ 1 in the oscillation regime; a spike follows R > 1; a diverging run
  stays above;
- Bai et al. (arXiv 2506.04805): before a spike g^2 << v (the decoupling ratio sum g^2 / sum v_hat
  falls), v decays like alpha^t by itself, and the preconditioned curvature crosses the threshold;
- a larger eps should give fewer spikes.

Per spike event (the classifier's thresholds, after its burn-in) the table gives each signal's lead
time: how long before the loss starts to rise the signal had been in alarm without a break
(R >= 1; decoupling ratio below ``decoupling_level``), NaN when it was not in alarm at the rise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim, trend_verdict
from ..stats import evidence
from ..plotting import style
from ..stats import curves
from ..figures.common import base_row, dynamics, load_runs, rounded, spike_settings


def _net(run) -> str:
    return "x".join(str(w) for w in run.info["spec"]["problem"].get("widths", []))


def _before(steps: np.ndarray, start: int, lookback: int, since: int) -> np.ndarray:
    """Which samples lie in the window before a spike's rise at ``start``: at most ``lookback``
    iterations back, and not before ``since`` (the previous spike's end)."""
    return (steps <= start) & (steps >= max(since, start - lookback))


def _lead(steps: np.ndarray, alarm: np.ndarray, start: int, lookback: int, since: int) -> float:
    """Iterations from the start of the unbroken alarm streak that reaches ``start`` (the last sample at
    or before it is in alarm) to ``start``, the streak counted back within :func:`_before`'s window;
    NaN when the last sample before ``start`` is quiet."""
    before = np.flatnonzero(_before(steps, start, lookback, since))
    if not len(before) or not alarm[before[-1]]:
        return float("nan")
    i = before[-1]
    while i - 1 >= before[0] and alarm[i - 1]:
        i -= 1
    return float(start - steps[i])


def _overshoot(steps: np.ndarray, r: np.ndarray, t: int, lookback: int, since: int) -> bool | None:
    """R >= 1 at some check strictly before ``t`` within :func:`_before`'s window (a positive lead);
    None when the window holds no check (a spike right after the burn-in or after the previous
    spike's end: not measured, neither for nor against). A check whose products overflowed
    (non-finite R) is no measurement."""
    before = _before(steps, t, lookback, since) & (steps < t) & np.isfinite(r)
    return bool(np.max(r[before]) >= 1) if before.any() else None


def _decoupled(steps: np.ndarray, d: np.ndarray, level: float, t: int, lookback: int, since: int) -> bool:
    """The decoupling ratio in alarm at ``t`` with a positive lead: an unbroken streak below ``level``
    that reaches ``t`` and began before it."""
    return bool(_lead(steps, d < level, t, lookback, since) > 0)


def _quiet_times(n: int, start: int, events: list[dict], lookback: int) -> list[tuple[int, int]]:
    """``(t, since)`` for every iteration t >= ``start`` that is neither in a spike event nor within
    ``lookback`` iterations before one (the times an alarm is compared at, for its base rate), with
    ``since`` the end of the last spike before t (or ``start``)."""
    busy = np.zeros(n, dtype=bool)
    ends = np.full(n, start)
    for e in events:
        busy[max(start, e["start"] - lookback):e["end"] + 1] = True
        ends[e["end"]:] = e["end"]
    return [(t, int(ends[t])) for t in range(start, n) if not busy[t]]


def _base_rate(alarm, times: list[tuple[int, int]]) -> float:
    """The fraction of ``times`` at which ``alarm(t, since)`` is on, among those it measures (None:
    not measured); NaN without any."""
    on = [a for a in (alarm(t, since) for t, since in times) if a is not None]
    return float(np.mean(on)) if on else float("nan")


def _signal(hist: pd.DataFrame, key: str) -> tuple[np.ndarray, np.ndarray]:
    """(steps, values) of a logged signal where it was measured."""
    if key not in hist:
        return np.array([], dtype=int), np.array([])
    part = hist[["step", key]].dropna()
    return part["step"].to_numpy(), part[key].to_numpy()


def table(runs, window: int, regime: dict, sensitivity: dict, decoupling_level: float,
          lookback: int) -> pd.DataFrame:
    """Per run: its settings (net, eps), loss-curve dynamics and regime label; in the late window
    (the last ``window`` iterations) the median, 90th percentile and maximum of R, the fraction of
    checks with R >= 1, the median decoupling ratio and update cosine; per spike event after the
    burn-in its start, the largest R in the ``lookback`` iterations before it, and the lead times of
    R >= 1 and of the decoupling ratio below ``decoupling_level`` (';'-separated, one per spike)."""
    rows = []
    for run in load_runs(runs):
        hist = run.history
        loss = hist["loss"].to_numpy()
        row = base_row(run, window)
        row.update(net=_net(run), eps=run.optimiser["eps"], decoupling_level=decoupling_level,
                   **dynamics(loss, regime, sensitivity))
        late = len(loss) - curves.tail_window(len(loss), window)
        r_steps, r = _signal(hist, "sharpness_ratio")
        d_steps, d = _signal(hist, "decoupling")
        c_steps, c = _signal(hist, "update_cosine")
        probed = bool(len(r))
        lr_all = r[r_steps >= late]
        lr = lr_all[np.isfinite(lr_all)]  # a float32 run's Hessian-vector products overflow to NaN
        row.update(probed=probed, R_late_checks=len(lr_all),
                   R_late_nonfinite_frac=float(np.mean(~np.isfinite(lr_all))) if len(lr_all) else np.nan,
                   R_late_median=float(np.median(lr)) if len(lr) else np.nan,
                   R_late_q90=float(np.quantile(lr, 0.9)) if len(lr) else np.nan,
                   R_late_max=float(lr.max()) if len(lr) else np.nan,
                   R_late_frac_above_1=float(np.mean(lr >= 1)) if len(lr) else np.nan,
                   decoupling_late_median=float(np.median(d[d_steps >= late])) if (d_steps >= late).any() else np.nan,
                   decoupling_late_frac_below=float(np.mean(d[d_steps >= late] < decoupling_level))
                   if (d_steps >= late).any() else np.nan,
                   cosine_late_median=float(np.median(c[c_steps >= late])) if (c_steps >= late).any() else np.nan)
        events = curves.spike_events(loss, start=regime["burn_in"], **spike_settings(regime))
        starts, r_max, lead_r, lead_d, since = [], [], [], [], regime["burn_in"]
        hit_r, hit_d = [], []
        for e in events:
            s = e["start"]
            before = _before(r_steps, s, lookback, since)
            starts.append(s)
            r_max.append(float(r[before].max()) if before.any() else np.nan)
            lead_r.append(_lead(r_steps, r >= 1, s, lookback, since) if probed else np.nan)
            lead_d.append(_lead(d_steps, d < decoupling_level, s, lookback, since) if len(d) else np.nan)
            hit_r.append(_overshoot(r_steps, r, s, lookback, since))
            hit_d.append(_decoupled(d_steps, d, decoupling_level, s, lookback, since))
            since = e["end"]
        quiet = _quiet_times(len(loss), regime["burn_in"], events, lookback)
        row.update(spike_R_hits=sum(h is True for h in hit_r), spike_R_measured=sum(h is not None for h in hit_r),
                   spike_decoupling_hits=int(sum(hit_d)), quiet_times=len(quiet),
                   R_alarm_base_rate=_base_rate(lambda t, since: _overshoot(r_steps, r, t, lookback, since), quiet)
                   if probed else np.nan,
                   decoupling_alarm_base_rate=_base_rate(
                       lambda t, since: _decoupled(d_steps, d, decoupling_level, t, lookback, since), quiet)
                   if len(d) else np.nan)
        row.update(spikes=len(events), spike_starts=";".join(str(s) for s in starts),
                   spike_R_max_before=";".join(f"{v:.3g}" for v in r_max),
                   spike_lead_R=";".join(f"{v:g}" for v in lead_r),
                   spike_lead_decoupling=";".join(f"{v:g}" for v in lead_d))
        rows.append(row)
    return pd.DataFrame(rows)


def _values(text) -> list[float]:
    return [float(v) for v in str(text).split(";")] if isinstance(text, str) and text else []


def _at(stats: pd.DataFrame, a_b: str) -> pd.DataFrame:
    """The probed runs at (a, b) (eps 1e-8)."""
    a, b = (float(v) for v in a_b.split(","))
    return stats[np.isclose(stats["a"], a) & np.isclose(stats["b"], b) & stats["probed"].astype(bool)]


def _alarm_verdict(hits: int, n: int, base_rate: float, max_p: float, signal: str) -> dict:
    """``passed``/``why`` of "the alarm precedes each spike": every spike hit, and more often than the
    alarm's base rate at quiet times would give by chance (:func:`evidence.binomial_tail`)."""
    if n == 0:
        return {"passed": None, "why": f"no spike event after the burn-in with {signal} measured before it"}
    if hits < n:
        return {"passed": False}
    p = evidence.binomial_tail(hits, n, base_rate)
    if not np.isfinite(base_rate) or p > max_p:
        return {"passed": None, "why": f"{signal} is in alarm at {base_rate:.0%} of quiet times: {hits} of {n} spikes "
                                       f"preceded has probability {p:.2g} by chance (> {max_p:g})"}
    return {"passed": True}


def _pooled(rows: pd.DataFrame, hits: str, rate: str, measured: str = "spikes") -> tuple[int, int, float]:
    """Spikes hit, spikes measured (by default every spike), and the measured-spike-weighted base
    rate of the runs ``rows``."""
    n = int(rows[measured].sum())
    rate_mean = float(np.average(rows[rate], weights=rows[measured])) if n else float("nan")
    return int(rows[hits].sum()), n, rate_mean


def claims(stats: pd.DataFrame, oscillation: str, spike: str, divergence: str, hover_factor: float,
           above_fraction: float, min_seeds: int, max_chance_p: float) -> list[Claim]:
    """Cohen et al.'s three statements on R, Bai et al.'s decoupling before each spike, and eps.

    An alarm (R >= 1, decoupling) "precedes a spike" when it is on strictly before the rise; the claim
    holds when it precedes every spike and beats its own rate at quiet times (no spike within the
    lookback) by chance level ``max_chance_p``. A diverging run whose sharpness overflowed float32 is
    not judged (inconclusive); the eps control needs ``min_seeds`` seeds and an exact trend test."""
    out = []
    decoupling_level = float(stats["decoupling_level"].iloc[0]) if len(stats) else float("nan")
    osc = _at(stats, oscillation)
    med = {f"{r.net} seed {int(r.seed)}": rounded(r.R_late_median, 3) for r in osc.itertuples()}
    out.append(Claim(
        id="spike_mechanism.oscillation_hovers_at_threshold",
        statement=f"In the oscillation regime ({oscillation}) the preconditioned sharpness hovers at the stability "
                  "threshold of preconditioned heavy-ball: R = lambda_1(P^-1 H) / ((2 + 2 beta) / ((1 - beta) eta)) "
                  "~ 1 (Cohen et al. 2022)",
        measured={"late_median_R": med,
                  "late_fraction_R_above_1": {f"{r.net}": rounded(r.R_late_frac_above_1, 3) for r in osc.itertuples()}},
        threshold=f"late-window median of R within a factor {hover_factor:g} of 1",
        passed=bool(len(osc)) and all(1 / hover_factor <= v <= hover_factor for v in osc["R_late_median"])))
    spk = _at(stats, spike)
    before = {f"{r.net} seed {int(r.seed)}": [rounded(v, 3) for v in _values(r.spike_R_max_before)]
              for r in spk.itertuples()}
    hits, n, rate = _pooled(spk, "spike_R_hits", "R_alarm_base_rate", "spike_R_measured")
    out.append(Claim(
        id="spike_mechanism.spike_run_overshoots_before_each_spike",
        statement=f"In the spike regime ({spike}) R overshoots the threshold before each spike (Cohen et al. 2022; "
                  "Bai et al. 2025)",
        measured={"largest_R_before_each_spike": before,
                  "lead_iterations_of_R_above_1": {f"{r.net}": _values(r.spike_lead_R) for r in spk.itertuples()},
                  "spikes_preceded": f"{hits}/{n}", "spikes_without_a_check_before_them": int(spk["spikes"].sum()) - n,
                  "R_alarm_at_quiet_times": rounded(rate, 3),
                  "chance_p": rounded(evidence.binomial_tail(hits, n, rate), 3) if n and np.isfinite(rate) else None},
        threshold="every spike event after the burn-in with a check before its rise (within the lookback, after the "
                  "previous spike) has R >= 1 at one, "
                  f"and that beats the rate of R >= 1 at quiet times (chance p <= {max_chance_p:g})",
        **_alarm_verdict(hits, n, rate, max_chance_p, "R >= 1")))
    div = _at(stats, divergence)
    frac = {f"{r.net} seed {int(r.seed)}": rounded(r.R_late_frac_above_1, 3) for r in div.itertuples()}
    overflow = {f"{r.net} seed {int(r.seed)}": rounded(r.R_late_nonfinite_frac, 3) for r in div.itertuples()
                if r.R_late_nonfinite_frac > 0}
    out.append(Claim(
        id="spike_mechanism.diverging_run_stays_above",
        statement=f"In the divergence regime ({divergence}) R stays above the threshold",
        measured={"late_fraction_R_above_1": frac,
                  "late_median_R": {f"{r.net}": rounded(r.R_late_median, 3) for r in div.itertuples()},
                  "late_fraction_of_checks_overflowed": overflow,
                  "late_mean_loss": {f"{r.net}": rounded(r.tail_mean_loss, 3) for r in div.itertuples()}},
        threshold=f"R >= 1 at >= {above_fraction:.0%} of the late window's checks (a run whose checks overflowed: "
                  "inconclusive)",
        **({"passed": None, "why": "the diverging run's Hessian-vector products overflowed float32 in the late "
                                   "window: its R measures the overflow, not the mechanism"} if overflow
           else {"passed": bool(len(div)) and all(v >= above_fraction for v in div["R_late_frac_above_1"])})))
    leads = {f"{r.net} seed {int(r.seed)}": _values(r.spike_lead_decoupling) for r in spk.itertuples()}
    hits, n, rate = _pooled(spk, "spike_decoupling_hits", "decoupling_alarm_base_rate")
    out.append(Claim(
        id="spike_mechanism.decoupling_precedes_each_spike",
        statement=f"Before each spike of {spike} the gradient decouples from the second moment: sum g^2 / sum v_hat "
                  f"< {decoupling_level:g} at the rise (Bai et al. 2025)",
        measured={"lead_iterations": leads, "spikes_preceded": f"{hits}/{n}",
                  "alarm_at_quiet_times": rounded(rate, 3),
                  "chance_p": rounded(evidence.binomial_tail(hits, n, rate), 3) if n and np.isfinite(rate) else None,
                  "late_fraction_below_level": {f"{r.net}": rounded(r.decoupling_late_frac_below, 3)
                                                for r in spk.itertuples()}},
        threshold="every spike event: the ratio is below the level from before the rise to it (a positive lead), "
                  f"and that beats the rate of such a streak at quiet times (chance p <= {max_chance_p:g})",
        **_alarm_verdict(hits, n, rate, max_chance_p, "the decoupling ratio")))
    out.append(eps_claim(stats, spike, spk, min_seeds, max_chance_p))
    return out


def eps_claim(stats: pd.DataFrame, spike: str, spk: pd.DataFrame, min_seeds: int, max_p: float) -> Claim:
    """Spike events fall as eps grows: an exact stratified trend test over seeds
    (:func:`evidence.ordered_trend`); fewer than ``min_seeds`` seeds of every eps: inconclusive."""
    a, b = (float(v) for v in spike.split(","))
    ctl = stats[np.isclose(stats["a"], a) & np.isclose(stats["b"], b)]
    ctl = ctl[ctl["net"] == (spk["net"].iloc[0] if len(spk) else None)]
    table = ctl.pivot_table(index="seed", columns="eps", values="spikes", aggfunc="sum").sort_index(axis=1)
    full = table.dropna()  # seeds that ran every eps
    by_seed = [[float(v) for v in row] for row in full.to_numpy()]
    trend = evidence.ordered_trend(by_seed)
    counts = {f"{e:g}": {int(s): int(v) for s, v in table[e].dropna().items()} for e in table.columns}
    verdict = ({"passed": None, "why": "fewer than two eps values ran"} if table.shape[1] < 2
               else trend_verdict(trend, len(full), min_seeds, max_p, "eps"))
    return Claim(
        id="spike_mechanism.larger_eps_fewer_spikes",
        statement=f"A larger eps (which caps P^-1) gives {spike} fewer spikes",
        measured={"spike_events_by_eps_and_seed": counts, "kendall_S": trend["S"], "S_max": trend["S_max"],
                  "chance_p": rounded(trend["p"], 3)},
        threshold=f"spike events fall with eps over >= {min_seeds} seeds: an exact stratified trend test with "
                  f"p <= {max_p:g} (S <= 0: does not hold)",
        **verdict)


def draw(runs, stats, png, pdf, stamp=None) -> None:
    """Columns: the probed runs; rows: loss (spike starts marked), R (threshold 1), decoupling ratio
    (its level), update cosine. Last column: the default's loss at each eps, and its spike counts."""
    loaded = {r.info["name"]: r for r in load_runs(runs)}
    decoupling_level = float(stats["decoupling_level"].iloc[0])
    stats = stats.assign(probed=stats["probed"].astype(bool))
    probed = stats[stats["probed"]].sort_values(["net", "b"], ascending=[True, False])
    control = stats[~stats["probed"] | ~np.isclose(stats["eps"], 1e-8)]
    ncols = len(probed) + (1 if len(control) else 0)
    fig, axes = style.subplots(ncols=max(ncols, 1), nrows=4, width=3.6, height=2.4)
    for j, r in enumerate(probed.itertuples()):
        hist = loaded[r.run].history
        ax = axes[0][j]
        ax.plot(hist["step"], hist["loss"], lw=0.8, color="0.2")
        for s in _values(r.spike_starts):
            for row in range(4):
                axes[row][j].axvline(s, color="C3", lw=0.6, alpha=0.5)
        ax.set(yscale="log", title=f"a={r.a:g}, b={r.b:g}, MLP {r.net}\n{r.regime}, {int(r.spikes)} spikes",
               ylabel="training loss" if j == 0 else None)
        for row, key, ref, label in ((1, "sharpness_ratio", 1.0, r"$R=\lambda_1(P^{-1}H)$ / threshold"),
                                     (2, "decoupling", decoupling_level, r"$\sum g^2 / \sum \hat v$"),
                                     (3, "update_cosine", None, r"cos(update, $-g$)")):
            steps, vals = _signal(hist, key)
            ax = axes[row][j]
            ax.plot(steps, vals, lw=0.7, marker="." if row == 1 else None, ms=2, color=f"C{row - 1}")
            if ref is not None:
                ax.axhline(ref, color="k", ls="--", lw=0.8)
                ax.set_yscale("log")
            ax.set(ylabel=label if j == 0 else None, xlabel="iteration" if row == 3 else None)
    if len(control):
        j = ncols - 1
        first = control.iloc[0]  # the control's (a, b) and network, with every eps run of them (1e-8 included)
        ctl = stats[np.isclose(stats["a"], first["a"]) & np.isclose(stats["b"], first["b"])
                    & (stats["net"] == first["net"])].sort_values("eps")
        eps_values = sorted(ctl["eps"].unique())
        colour = dict(zip(eps_values, style.colours(len(eps_values))))
        counts = {e: ctl[np.isclose(ctl["eps"], e)].sort_values("seed") for e in eps_values}
        for e, runs_e in counts.items():  # one colour per eps; the first seed drawn solid, the others faint
            for k, r in enumerate(runs_e.itertuples()):
                hist = loaded[r.run].history
                axes[0][j].plot(hist["step"], hist["loss"], lw=0.7, alpha=1.0 if k == 0 else 0.35, color=colour[e],
                                label=f"eps={e:g}" if k == 0 else None)
        seeds = max(len(r) for r in counts.values())
        axes[0][j].set(yscale="log", title=f"control: a={ctl['a'].iloc[0]:g}, b={ctl['b'].iloc[0]:g}, eps "
                                           f"({seeds} seed{'s' if seeds > 1 else ''})")
        axes[0][j].legend(fontsize=7)
        labels = [f"{e:g}" for e in eps_values]
        axes[1][j].bar(labels, [counts[e]["spikes"].mean() for e in eps_values],
                       color=[colour[e] for e in eps_values], alpha=0.6)
        for x, e in enumerate(eps_values):  # each seed's count as a dot on its eps's bar (the mean)
            axes[1][j].scatter([x] * len(counts[e]), counts[e]["spikes"], color="black", s=10, zorder=3)
        axes[1][j].set(ylabel="spike events (bar: mean, dots: seeds)", xlabel="eps")
        for row in (2, 3):
            axes[row][j].set_visible(False)
    eta = probed["eta"].iloc[0] if len(probed) else float("nan")
    fig.suptitle(rf"The spike mechanism: full-batch Adam, $\eta$={eta:g}; threshold $(2+2\beta)/((1-\beta)\eta)$ "
                 "(Cohen et al. 2022); red lines: spike starts", fontsize=11)
    style.save(fig, png, pdf, stamp)
