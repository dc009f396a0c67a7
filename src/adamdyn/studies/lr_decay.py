"""The lr-decay study (beyond the paper): learning-rate decay and the spikes, the paper's first open question.

Section 5 asks how Adam should be run when its learning rate decays.
When eta decays, should Adam's (alpha, beta) stay fixed, or its rates (a, b) (so that 1 - alpha and
1 - beta shrink with eta)? Full-batch Adam on the CIFAR-2 MLP of Figs 2, 3 and 7, from eta_0 with
(a, b) = (1, 100) and (10, 10), decayed by a step and by a cosine, under arms that move alpha and
beta with eta in different ways (:mod:`adamdyn.schedule`), plotted against t = sum_k eta_k, next to
a run at the final eta from the start.

What the literature expects, checked as claims:

- the ODE view (the paper's Section 2.2; Barakat & Bianchi, arXiv 1810.02263): with (a, b) fixed,
  runs at different eta discretise one ODE, so they follow one curve against t;
- the adaptive edge of stability (Cohen et al., arXiv 2207.14484): full-batch Adam spikes when the
  preconditioned sharpness crosses (2 + 2 beta) / ((1 - beta) eta). After the decay this threshold
  rises like 1/eta with (alpha, beta) fixed, like 1/eta^2 with (a, b) fixed ((4 - 2 b eta) / (b eta^2))
  and like 1/eta^3 with 1 - beta proportional to eta^2, so spikes per unit t should fall in that order.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim, trend_verdict, with_caveat
from ..stats import evidence
from ..plotting import style
from ..settings import FOLLOW
from ..stats import curves
from ..figures.common import at_ab, base_row, load_runs, parse_ab, rounded, runs_at_ab, spike_settings

RATES_FIXED = ("rate", "rate")  # the arm the ODE view is about


def expand(cfg: dict) -> dict:
    """Runs entries: per (a, b) one Adam run per schedule kind x arm, decaying from ``decay.start``
    (a cosine reaches the final eta at the last iteration), and the reference run at the final eta
    with the same (a, b) from the start."""
    decay, runs = cfg["decay"], []
    for text in cfg["rates"]:
        a, b = parse_ab(text)
        schedules = [{"kind": kind, "start": decay["start"], "factor": decay["factor"], **arm,
                      **({"stop": cfg["iterations"]} if kind == "cosine" else {})}
                     for kind in cfg["schedules"] for arm in cfg["arms"].values()]
        runs.append({"optimiser": "adam", "eta": cfg["eta"], "a": a, "b": b, "schedule": schedules})
        runs.append({"optimiser": "adam", "eta": cfg["eta"] * decay["factor"], "a": a, "b": b,
                     "iterations": cfg["reference_iterations"]})
    keep = {k: cfg[k] for k in ("problem", "dtype", "seeds", "iterations", "threads", "checkpoint_every", "sequence")
            if k in cfg}
    return {**keep, "runs": runs}


def elapsed_time(run) -> np.ndarray:
    """t_k = sum_{j<k} eta_j at each logged iteration k (the ODE's time)."""
    hist = run.history
    eta = hist["eta"].to_numpy() if "eta" in hist else np.full(len(hist), run.optimiser["eta"])
    return np.concatenate([[0.0], np.cumsum(eta)[:-1]])


def _arm_names(arms: dict) -> dict[tuple[str, str], str]:
    """(how alpha follows, how beta follows) -> the arm's name in config."""
    return {(arm["alpha"], arm["beta"]): name for name, arm in arms.items()}


def _arm(run, names: dict) -> str:
    schedule = run.info["spec"].get("schedule")
    if schedule is None:
        return "reference"
    follow = (schedule["alpha"], schedule["beta"])
    return names.get(follow, "-".join(follow))


def _gap(t_x, l_x, t_y, l_y) -> float:
    """Mean |log10 L_x(t) - log10 L_y(t)| over x's times within y's range (y interpolated)."""
    inside = (t_x >= t_y[0]) & (t_x <= t_y[-1]) & np.isfinite(l_x)
    if not inside.any():
        return float("nan")
    return float(np.nanmean(np.abs(l_x[inside] - np.interp(t_x[inside], t_y, l_y))))


def table(runs, window: int, regime: dict, arms: dict) -> pd.DataFrame:
    """Per run: its arm and schedule, the loss before the decay, spike events after it (classifier
    thresholds) and per unit t, the late-window mean loss, and how far it lies, in mean |Delta log10
    loss| at equal t after the decay, from each other arm of its (a, b), schedule and seed. The
    reference run's ``ode_gap_decades`` is its distance from the eta_0 phase of the (a, b)-fixed step
    run at equal t, over the t both cover before the decay."""
    loaded, names = load_runs(runs), _arm_names(arms)
    rows, curves_at = [], {}
    for run in loaded:
        row = base_row(run, window)
        schedule = run.info["spec"].get("schedule")
        t, loss = elapsed_time(run), run.history["loss"].to_numpy()
        start = schedule["start"] if schedule else 0
        events = curves.spike_events(loss, start=start, **spike_settings(regime)) if schedule else []
        span = float(t[-1] - t[start]) if schedule and len(t) > start else float("nan")
        before = curves.log_loss(loss[max(0, start - 50):start]) if start else np.array([np.nan])
        row.update(arm=_arm(run, names), schedule=schedule["kind"] if schedule else "constant",
                   decay_start=start, t_decay=float(t[start]) if schedule else float("nan"), t_end=float(t[-1]),
                   log10_loss_before_decay=float(np.mean(before)), spikes_after_decay=len(events),
                   spike_max_decades_after_decay=max((e["height"] for e in events), default=0.0),
                   spikes_per_unit_t=len(events) / span if span and span > 0 else float("nan"),
                   log10_tail_mean_loss=float(np.log10(row["tail_mean_loss"])))
        rows.append(row)
        curves_at[row["run"]] = (t, curves.log_loss(loss), start)
    stats = pd.DataFrame(rows)
    for i, r in stats.iterrows():
        t, l, start = curves_at[r["run"]]
        same = stats[np.isclose(stats["a"], r["a"]) & np.isclose(stats["b"], r["b"]) & (stats["seed"] == r["seed"])]
        if r["arm"] == "reference":
            ode = same[(same["schedule"] == "step") & (same["arm"] == names.get(RATES_FIXED))]
            if len(ode):
                t_o, l_o, s_o = curves_at[ode.iloc[0]["run"]]
                stats.loc[i, "ode_gap_decades"] = _gap(t, l, t_o[:s_o], l_o[:s_o])
            continue
        for _, other in same[same["schedule"] == r["schedule"]].iterrows():
            t_o, l_o, _ = curves_at[other["run"]]
            stats.loc[i, f"gap_to_{other['arm']}"] = _gap(t[start:], l[start:], t_o[start:], l_o[start:])
    return stats


def claims(stats: pd.DataFrame, ode_tolerance_decades: float, default: str, eos_order: list[str],
           min_seeds: int, max_chance_p: float, chosen_on_results: dict | None = None) -> list[Claim]:
    """The ODE view (one curve against t with (a, b) fixed) for every (a, b), and the adaptive
    edge-of-stability ordering of spikes per unit t after the decay for the spiking default (an exact
    stratified trend test over seeds, :func:`evidence.ordered_trend`; fewer than ``min_seeds`` seeds:
    inconclusive, since spike counts are chaotic)."""
    out = []
    refs = stats[stats["arm"] == "reference"]
    for (a, b), sub in refs.groupby(["a", "b"]):
        gaps = {int(r.seed): rounded(r.ode_gap_decades, 3) for r in sub.itertuples()}
        out.append(Claim(
            id=f"lr_decay.ode_one_curve.a{a:g}_b{b:g}",
            statement=f"With (a, b) = ({a:g}, {b:g}) fixed, Adam at eta_0 and at the final eta follow one loss "
                      "curve against t = sum eta_k (the ODE view; Barakat & Bianchi 2018)",
            measured={"mean_abs_gap_decades_by_seed": gaps, "t_compared": rounded(float(sub["t_end"].min()), 3)},
            threshold=f"mean |Delta log10 loss| at equal t <= {ode_tolerance_decades:g} decade over the t both "
                      "runs cover before the decay",
            passed=bool(gaps) and all(g is not None and g <= ode_tolerance_decades for g in gaps.values())))
    d = at_ab(stats, default)
    for kind, sub in d[d["arm"] != "reference"].groupby("schedule"):
        out.append(_order_claim(kind, sub, default, eos_order, min_seeds, max_chance_p))
    return with_caveat(out, chosen_on_results)


def _order_claim(kind: str, sub: pd.DataFrame, default: str, eos_order: list[str], min_seeds: int,
                 max_p: float) -> Claim:
    rates = sub.pivot_table(index="seed", columns="arm", values="spikes_per_unit_t", aggfunc="mean")
    rates = rates.reindex(columns=eos_order)
    full = rates.dropna()  # seeds that ran every arm
    trend = evidence.ordered_trend([list(r) for r in full.to_numpy()])
    counts = sub.groupby("arm")["spikes_after_decay"].sum()
    mean = rates.mean()
    verdict = trend_verdict(trend, len(full), min_seeds, max_p, "arm")
    return Claim(
        id=f"lr_decay.eos_spike_order.{kind}",
        statement=f"After a {kind} decay of the default ({default}), spikes per unit t fall in the order "
                  f"{' > '.join(eos_order)}: the preconditioned stability threshold rises like 1/eta, "
                  "1/eta^2, 1/eta^3 (Cohen et al. 2022)",
        measured={"spikes_per_unit_t_mean_over_seeds": {arm: rounded(float(mean.get(arm, np.nan)), 3) for arm in eos_order},
                  "spike_events_after_decay": {arm: int(counts.get(arm, 0)) for arm in eos_order},
                  "seeds": len(full), "kendall_S": trend["S"], "S_max": trend["S_max"],
                  "chance_p": rounded(trend["p"], 3)},
        threshold=f"over >= {min_seeds} seeds, spikes per unit t fall along that order: an exact stratified trend "
                  f"test with p <= {max_p:g} (S <= 0: does not hold)",
        **verdict)


def _label(follow: tuple[str, str]) -> str:
    """An arm in words, from how alpha and beta follow eta."""
    if follow == ("factor", "factor"):
        return r"($\alpha$, $\beta$) fixed"
    if follow == ("rate", "rate"):
        return "(a, b) fixed"
    words = {("alpha", "factor"): r"$\alpha$ fixed", ("alpha", "rate"): "a fixed",
             ("alpha", "square"): r"1-$\alpha$ $\propto\eta^2$", ("beta", "factor"): r"$\beta$ fixed",
             ("beta", "rate"): "b fixed", ("beta", "square"): r"1-$\beta$ $\propto\eta^2$"}
    return ", ".join(words[(name, how)] for name, how in zip(("alpha", "beta"), follow))


def draw(runs, stats, png, pdf, default: str, stamp=None) -> None:
    """Rows: (a, b); columns: the schedules. The loss against t = sum eta_k for each arm (seed 0 bold,
    other seeds thin), the reference at the final eta from the start (grey, dashed), the decay's
    start (dotted). The legend gives each arm's spike events after the decay."""
    loaded = load_runs(runs)
    style.apply()
    rates = sorted({(r.optimiser["a"], r.optimiser["b"]) for r in loaded if r.info["spec"].get("schedule")},
                   key=lambda ab: -ab[1])  # the reference's (1 - alpha) / eta is (a, b) rounded: matched by isclose
    kinds = [k for k in ("step", "cosine") if any((r.info["spec"].get("schedule") or {}).get("kind") == k
                                                  for r in loaded)]
    fig, axes = style.subplots(nrows=len(rates), ncols=len(kinds), width=5.6, height=4.0)
    seed0 = min(r.info["spec"]["seed"] for r in loaded)
    follows = sorted({(s["alpha"], s["beta"]) for s in (r.info["spec"].get("schedule") for r in loaded) if s},
                     key=lambda f: (FOLLOW.index(f[1]), FOLLOW.index(f[0])))
    colours = dict(zip(follows, style.colours(len(follows))))
    for i, (a, b) in enumerate(rates):
        here = runs_at_ab(loaded, f"{a:g},{b:g}")
        for j, kind in enumerate(kinds):
            ax = axes[i][j]
            for run in here:
                s, seed = run.info["spec"].get("schedule"), run.info["spec"]["seed"]
                main = seed == seed0
                t, loss = elapsed_time(run), run.history["loss"].to_numpy()
                if s is None:
                    ax.plot(t, loss, color="0.45", ls="--", lw=0.9 if main else 0.4, zorder=1,
                            label=rf"$\eta$={run.optimiser['eta']:g} from the start" if main else None)
                    continue
                if s["kind"] != kind:
                    continue
                follow = (s["alpha"], s["beta"])
                row = stats[stats["run"] == run.info["name"]]
                n = int(row["spikes_after_decay"].iloc[0]) if len(row) else 0
                ax.plot(t, loss, color=colours[follow], lw=0.9 if main else 0.4, alpha=1.0 if main else 0.5,
                        zorder=3 if main else 2, label=f"{_label(follow)}: {n} spike event{'s' * (n != 1)} after decay" if main else None)
                if main:
                    ax.axvline(t[s["start"]], color="0.3", ls=":", lw=0.8)
            eta0 = here[0].optimiser["eta"] if here else float("nan")
            factor = next((r.info["spec"]["schedule"]["factor"] for r in here if r.info["spec"].get("schedule")), 1.0)
            tag = " (default)" if np.isclose(a, parse_ab(default)[0]) and np.isclose(b, parse_ab(default)[1]) else ""
            ax.set(yscale="log", xlabel=r"t = $\sum_k \eta_k$",
                   title=rf"a={a:g}, b={b:g}{tag}: {kind} decay of $\eta$={eta0:g} by {factor:g}")
            ax.set_ylabel("training loss" if j == 0 else "")
            ax.legend(loc="lower left", fontsize=7)
    fig.suptitle("Learning-rate decay: which of Adam's settings to hold fixed", fontsize=11)
    style.save(fig, png, pdf, stamp)
