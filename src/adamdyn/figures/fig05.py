"""Figure 5: signGD and RMSprop (alpha 0.9) on the quadratic f(x) = x^T A x / 2, A = U U^T.

Both converge fast, then stop at a plateau whose level falls with eta; the signGD flow reaches the
minimum in finite time, within Proposition 4's bound.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..claims import Claim
from ..plotting import style
from ..stats import curves
from .common import base_row, load_runs, mark_published, of_optimiser, rounded


def table(runs, window: int, collapse_factor: float, reach_level: float) -> pd.DataFrame:
    """The plateau after the fast phase, and when it is reached (in time t = eta * k).

    ``plateau`` is the mean loss over the late window; ``plateau_floor`` its minimum (a reader of a
    log plot may read either); ``plateau_before`` the mean over the window just before it (equal when
    the loss has stopped decreasing). The collapse step is the first
    iteration whose loss is within ``collapse_factor`` of the plateau; ``prop4_bound`` is
    Proposition 4's stopping-time bound 2 sqrt((f(x0) - f(x*)) / mu) for the signGD flow; the reach
    step is the first iteration with f(x_t) - f(x*) <= ``reach_level`` (f(x0) - f(x*)), measured
    against the minimum, not the run's own plateau (``reach_time`` = eta x that step, None: never).
    """
    rows = []
    for run in load_runs(runs):
        row = base_row(run, window)
        loss = run.history["loss"].to_numpy()
        meta = run.info["problem_metadata"]
        w = row["tail_window"]
        plateau = row["tail_mean_loss"]
        collapse = curves.first_below(loss, collapse_factor * plateau)
        fstar = meta["f_star"]
        reach = curves.first_below(loss - fstar, reach_level * (meta["f0"] - fstar))
        row.update(plateau=plateau, plateau_floor=float(np.min(loss[-w:])), plateau_before=curves.window_mean(loss, -2 * w, -w),
                   collapse_step=collapse,
                   collapse_time=None if collapse is None else collapse * row["eta"],
                   reach_step=reach, reach_time=None if reach is None else reach * row["eta"],
                   reach_level=reach_level, f_star=fstar,
                   final_time=len(loss) * row["eta"], f0=meta["f0"], mu=meta["mu"],
                   prop4_bound=meta["prop4_stop_time_bound"])
        rows.append(row)
    return pd.DataFrame(rows)


def claims(stats: pd.DataFrame, min_drop_decades: float, plateau_tol_decades: float,
           flow_limit_ratio: float) -> list[Claim]:
    """On a quadratic, signGD and RMSprop converge fast, then stop at a plateau whose level falls
    with eta; the signGD flow reaches the minimum in finite time (Proposition 4)."""
    out = []
    drop = np.log10(stats["f0"] / stats["plateau"])
    change = np.log10(stats["plateau"] / stats["plateau_before"]).abs()
    measured = {r.run: {"drop_decades": rounded(d, 3), "plateau_change_decades": rounded(c, 3)}
                for r, d, c in zip(stats.itertuples(), drop, change)}
    out.append(Claim(
        id="fig05.fast_then_plateau",
        statement="signGD and RMSprop on f(x) = x^T A x / 2 converge fast, then the loss stops decreasing (a plateau)",
        measured=measured,
        threshold=f"every run: loss falls >= {min_drop_decades} decades from f(x0) to the plateau, and the "
                  f"plateau (mean of the last window) differs from the window before by <= {plateau_tol_decades} decade",
        passed=bool((drop >= min_drop_decades).all() and (change <= plateau_tol_decades).all())))
    for method, label in (("signgd", "signGD"), ("rmsprop", "RMSprop")):
        sub = stats[stats["optimiser"] == method].sort_values("eta")
        if len(sub) < 2:
            continue
        slope = float(np.polyfit(np.log10(sub["eta"]), np.log10(sub["plateau"]), 1)[0])
        out.append(Claim(
            id=f"fig05.plateau_falls_with_eta.{method}",
            statement=f"{label}: the plateau level is lower for a smaller eta",
            measured={"plateau_by_eta": {f"{e:g}": rounded(p) for e, p in zip(sub["eta"], sub["plateau"])},
                      "log_log_slope": rounded(slope, 3)},
            threshold="plateau strictly increasing in eta",
            passed=bool(np.all(np.diff(sub["plateau"].to_numpy()) > 0))))
    sign = stats[stats["optimiser"] == "signgd"].sort_values("eta")
    if len(sign):
        out.append(prop4_claim(sign))
        times = {f"{e:g}": rounded(t) for e, t in zip(sign["eta"], sign["collapse_time"])}
        known = [t for t in times.values() if t is not None]
        if len(known) >= 2:
            ratio = max(known) / min(known)
            out.append(Claim(
                id="fig05.signgd_flow_limit",
                statement="signGD at different eta follows one flow: its collapse time t is nearly independent of eta",
                measured={"collapse_time_by_eta": times, "max_over_min": rounded(ratio, 3)},
                threshold=f"max/min collapse time <= {flow_limit_ratio}",
                passed=bool(len(known) == len(times) and ratio <= flow_limit_ratio)))
    return out


def _time(value) -> float | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def prop4_claim(sign: pd.DataFrame) -> Claim:
    """Proposition 4 on signGD's runs: the minimum (f(x*), at the table's ``reach_level``) is reached
    by the bound T. A run that reaches it later, or outlasts T without reaching it, refutes the claim;
    a run that ends before T without reaching it cannot decide it (inconclusive)."""
    bound = float(sign["prop4_bound"].iloc[0])
    level = float(sign["reach_level"].iloc[0])
    reach = {f"{e:g}": _time(t) for e, t in zip(sign["eta"], sign["reach_time"])}
    ends = {f"{e:g}": float(t) for e, t in zip(sign["eta"], sign["final_time"])}
    late = [k for k, t in reach.items() if t is not None and t > bound]
    never = [k for k, t in reach.items() if t is None and ends[k] >= bound]
    short = [k for k, t in reach.items() if t is None and ends[k] < bound]
    why = ""
    if late or never:
        passed = False
    elif short:
        passed, why = None, (f"the run(s) at eta {', '.join(short)} end at t = {', '.join(f'{ends[k]:g}' for k in short)}, "
                             f"before the bound {bound:.4g}, without reaching the minimum")
    else:
        passed = True
    return Claim(
        id="fig05.prop4_stopping_time",
        statement="signGD reaches the minimum in finite time, within Proposition 4's bound "
                  "T <= 2 sqrt((f(x0) - f(x*)) / mu)",
        measured={"reach_time_by_eta": {k: rounded(t) if t is not None else None for k, t in reach.items()},
                  "run_ends_at_t": {k: rounded(t) for k, t in ends.items()}, "bound": rounded(bound),
                  "mu": rounded(float(sign["mu"].iloc[0]))},
        threshold=f"every eta: f(x_t) - f(x*) <= {level:g} (f(x0) - f(x*)) at some t = eta x iteration <= {rounded(bound)} "
                  "(a run that ends earlier without it: inconclusive)",
        passed=passed, why=why)


def draw(runs, stats, png, pdf, stamp=None, published=None) -> None:
    """Loss of signGD (left) and RMSprop (right) on the quadratic, one line per eta, log y; the published
    readings as markers."""
    loaded = load_runs(runs)
    fig, axes = style.subplots(ncols=2, sharey=True)
    for ax, method in zip(axes[0], ("signgd", "rmsprop")):
        sel = of_optimiser(loaded, method, "eta")
        for colour, run in zip(style.colours(len(sel)), sel):
            opt = run.optimiser
            label = rf"$\eta$={opt['eta']:g}" + (rf", $\alpha$={opt['alpha']:g}" if opt["alpha"] else "")
            ax.plot(run.history["step"], run.history["loss"], color=colour, label=label, lw=0.8)
        ax.set_yscale("log")
        ax.set_title(style.NAMES[method])
        ax.set_xlabel("iteration")
        ax.legend(loc="upper right")
    axes[0][0].set_ylabel("loss f(x)")
    problem = loaded[0].info["spec"]["problem"]
    fig.suptitle(rf"the {problem['dim']}-D quadratic $f(x) = x^\top A x / 2$, $A = UU^\top$ "
                 rf"(U seed {problem['seed']}), $f(x_0)$ = {problem['f0']:g}", fontsize=10)
    mark_published({"signgd": axes[0][0], "rmsprop": axes[0][1]}, published)
    style.save(fig, png, pdf, stamp)
