"""Per-figure claim checkers: statistics table + thresholds (from config) -> claims."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import Claim


def _r(x: float, digits: int = 4):
    """A number rounded for a claims table (None stays None)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(f"{x:.{digits}g}")


def fig05(stats: pd.DataFrame, min_drop_decades: float, plateau_tol_decades: float,
          flow_limit_ratio: float) -> list[Claim]:
    """Claim 5: on a quadratic, signGD and RMSprop converge fast, then stop at a plateau whose level
    falls with eta; the signGD flow reaches the minimum in finite time (Proposition 4)."""
    claims = []
    drop = np.log10(stats["f0"] / stats["plateau"])
    change = np.log10(stats["plateau"] / stats["plateau_before"]).abs()
    measured = {r.run: {"drop_decades": _r(d, 3), "plateau_change_decades": _r(c, 3)}
                for r, d, c in zip(stats.itertuples(), drop, change)}
    claims.append(Claim(
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
        claims.append(Claim(
            id=f"fig05.plateau_falls_with_eta.{method}",
            statement=f"{label}: the plateau level is lower for a smaller eta",
            measured={"plateau_by_eta": {f"{e:g}": _r(p) for e, p in zip(sub["eta"], sub["plateau"])},
                      "log_log_slope": _r(slope, 3)},
            threshold="plateau strictly increasing in eta",
            passed=bool(np.all(np.diff(sub["plateau"].to_numpy()) > 0))))
    sign = stats[stats["optimiser"] == "signgd"].sort_values("eta")
    if len(sign):
        bound = float(sign["prop4_bound"].iloc[0])
        times = {f"{e:g}": _r(t) for e, t in zip(sign["eta"], sign["collapse_time"])}
        ok = all(t is not None and t <= bound for t in times.values())
        claims.append(Claim(
            id="fig05.prop4_stopping_time",
            statement="signGD reaches the minimum in finite time, within Proposition 4's bound "
                      "T <= 2 sqrt((f(x0) - f(x*)) / mu)",
            measured={"collapse_time_by_eta": times, "mu": _r(float(sign["mu"].iloc[0]))},
            threshold=f"collapse time (t = eta x first iteration within the collapse factor of the plateau) <= {_r(bound)}",
            passed=ok))
        known = [t for t in times.values() if t is not None]
        if len(known) >= 2:
            ratio = max(known) / min(known)
            claims.append(Claim(
                id="fig05.signgd_flow_limit",
                statement="signGD at different eta follows one flow: its collapse time t is nearly independent of eta",
                measured={"collapse_time_by_eta": times, "max_over_min": _r(ratio, 3)},
                threshold=f"max/min collapse time <= {flow_limit_ratio}",
                passed=bool(len(known) == len(times) and ratio <= flow_limit_ratio)))
    return claims


def fig06(stats: pd.DataFrame) -> list[Claim]:
    """Claim 6: RMSprop on x^2/2 converges to the 2-periodic orbit x = +/- eta/2 for every alpha."""
    claims = []
    for r in stats.sort_values("alpha").itertuples():
        on_orbit = r.orbit_entry_step is not None and not pd.isna(r.orbit_entry_step)
        claims.append(Claim(
            id=f"fig06.orbit.alpha{r.alpha:g}",
            statement=f"RMSprop (eta={r.eta:g}, alpha={r.alpha:g}) on f(x) = x^2/2 settles on the 2-periodic "
                      f"orbit x = +/- eta/2 = +/- {r.orbit_radius:g}",
            measured={"on_orbit_from_iteration": None if not on_orbit else int(r.orbit_entry_step),
                      f"max_rel_deviation_last_{r.orbit_window}": _r(r.max_rel_deviation_last, 3),
                      "final_x": _r(r.final_x, 6)},
            threshold=f"| |x_t| - eta/2 | <= {r.orbit_rel_tol:g} eta/2 with alternating sign, to the end of the run",
            passed=bool(on_orbit and r.max_rel_deviation_last <= r.orbit_rel_tol)))
    return claims


CHECKERS = {"fig05": fig05, "fig06": fig06}
