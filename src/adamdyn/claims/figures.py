"""Per-figure claim checkers: statistics table + thresholds (from config) -> claims."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..stats.figures import label_changes
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


def _at_ab(stats: pd.DataFrame, a_b: str) -> pd.DataFrame:
    """The rows of the runs at the paper's (a, b), written "a,b" as in config.yaml."""
    a, b = (float(v) for v in a_b.split(","))
    return stats[np.isclose(stats["a"], a) & np.isclose(stats["b"], b)]


def _moved_labels(record: dict) -> dict:
    """The regime label and the labels recomputed with the classifier's thresholds moved."""
    return {k.removeprefix("regime_") if k != "regime" else "label": v
            for k, v in record.items() if k == "regime" or k.startswith("regime_")}


def _peaks(value) -> str:
    """A statistics table's ';'-joined spike peaks (read back as a number when there is one, NaN
    when there is none)."""
    if isinstance(value, str):
        return value
    return "" if value is None or pd.isna(value) else str(int(value))


def _late_spikes(r) -> dict:
    return {"late_spikes": int(r.late_spikes), "largest_decades": _r(r.late_spike_max_decades, 3),
            "peaks_at": _peaks(r.late_spike_peaks)}


def fig01(stats: pd.DataFrame, min_spikes: int) -> list[Claim]:
    """Claim 1: full-batch Adam with PyTorch's defaults has large spikes in the late phase, on a
    classification (CIFAR-2) and on a regression (5-D sine) problem."""
    claims = []
    for r, record in zip(stats.itertuples(), stats.to_dict("records")):
        claims.append(Claim(
            id=f"fig01.late_spikes.{r.problem}",
            statement=f"Full-batch Adam with the defaults (eta 1e-3, beta1 0.9, beta2 0.999) on {r.problem} "
                      "has large spikes in the late phase",
            measured={**_late_spikes(r), "regime": _moved_labels(record),
                      "iterations": int(r.iterations), "final_loss": _r(r.final_loss),
                      "min_loss": _r(r.min_loss)},
            threshold=f">= {min_spikes} spike event(s) in the second half of the run (a rise of >= 1 decade over "
                      "the trailing 200-iteration floor within 50 iterations)",
            passed=bool(r.late_spikes >= min_spikes)))
    return claims


def fig02(stats: pd.DataFrame) -> list[Claim]:
    """Claim 2 (Proposition 1): as eta -> 0 with alpha, beta fixed, Adam and RMSprop approach the
    signGD flow: their loss against t = eta x iteration comes closer to signGD's."""
    claims = []
    for method, label in (("adam", "Adam (0.9, 0.999)"), ("rmsprop", "RMSprop (alpha 0.99)")):
        sub = stats[stats["optimiser"] == method].sort_values("eta")
        dist = sub["max_abs_diff_to_signgd"].to_numpy()
        claims.append(Claim(
            id=f"fig02.approaches_signgd.{method}",
            statement=f"{label}: against t = eta x iteration, the loss curve approaches signGD's as eta decreases",
            measured={"max_abs_diff_by_eta": {f"{e:g}": _r(d) for e, d in zip(sub["eta"], dist)},
                      "mean_abs_diff_by_eta": {f"{e:g}": _r(d) for e, d in zip(sub["eta"], sub["mean_abs_diff_to_signgd"])}},
            threshold="max |L(t) - L_signGD(t)| over t in [0, 0.01] strictly increasing in eta",
            passed=bool(len(dist) >= 2 and np.all(np.diff(dist) > 0))))
    return claims


def fig03(stats: pd.DataFrame, early_spread_decades: float) -> list[Claim]:
    """Claim 3 (Proposition 3): after a very short initial period, where the speed does not depend
    on a and b (for Adam), larger a and b converge faster (Adam and RMSprop, Fig 3)."""
    claims = []
    for method, label in (("adam", "Adam (a = b)"), ("rmsprop", "RMSprop")):
        sub = stats[stats["optimiser"] == method].sort_values("a")
        if sub.empty:
            continue
        after = sub["mean_log10_loss_after_initial"].to_numpy()
        claims.append(Claim(
            id=f"fig03.larger_a_faster.{method}",
            statement=f"{label}, eta 1e-3: after the initial period, larger a (and b) converge faster",
            measured={"mean_log10_loss_after_initial_by_a": {f"{a:g}": _r(v, 3) for a, v in zip(sub["a"], after)}},
            threshold="mean log10 loss after the initial period strictly decreasing in a",
            passed=bool(np.all(np.diff(after) < 0))))
        if method != "adam":
            # Proposition 3 concerns the Adam flow (8), whose bias correction makes the first steps
            # sign-like for every (a, b). RMSprop (eq. (2), v0 = 0, no correction) takes a first step
            # 1/sqrt(1 - alpha) times signGD's, which depends on a: the paper claims nothing there.
            continue
        early = sub["log10_loss_early"].to_numpy()
        spread = float(early.max() - early.min())
        claims.append(Claim(
            id=f"fig03.initial_speed_independent.{method}",
            statement=f"{label}: at the very beginning the speed does not depend on a and b",
            measured={"log10_loss_at_early_iteration_by_a": {f"{a:g}": _r(v, 3) for a, v in zip(sub["a"], early)},
                      "spread_decades": _r(spread, 3)},
            threshold=f"spread of log10 loss across a at the early iteration <= {early_spread_decades} decade",
            passed=bool(spread <= early_spread_decades)))
    return claims


def fig04(stats: pd.DataFrame, min_fast_drop_decades: float, max_osc_amplitude_decades: float,
          min_spikes: int) -> list[Claim]:
    """Claim 4: RMSprop shows fast initial convergence, then small oscillations, then large spikes."""
    r = next(stats.itertuples())
    return [
        Claim(id="fig04.fast_initial_convergence",
              statement="RMSprop (eta 1e-3, alpha 0.99) converges fast initially",
              measured={"drop_decades_in_fast_phase": _r(r.fast_drop_decades, 3)},
              threshold=f"loss falls >= {min_fast_drop_decades} decade(s) within the first iterations (stats.fig04.fast_iterations)",
              passed=bool(r.fast_drop_decades >= min_fast_drop_decades)),
        Claim(id="fig04.small_oscillations",
              statement="then small oscillations",
              measured={"oscillation_amplitude_decades": _r(r.osc_amplitude_decades, 3),
                        "oscillation_period_iterations": _r(r.osc_period, 3)},
              threshold=f"0 < amplitude <= {max_osc_amplitude_decades} decade over the late window",
              passed=bool(0 < r.osc_amplitude_decades <= max_osc_amplitude_decades)),
        Claim(id="fig04.late_spikes",
              statement="then large spikes in the late phase",
              measured=_late_spikes(r),
              threshold=f">= {min_spikes} spike event(s) in the second half of the run",
              passed=bool(r.late_spikes >= min_spikes)),
    ]


def fig07(stats: pd.DataFrame, expected: dict[str, str]) -> list[Claim]:
    """Claim 7: b >> a gives spikes, a ~ b small fast oscillations and a small loss, a >> b
    divergence, for every seed."""
    claims = []
    for (a_b, label) in expected.items():
        a, b = (float(v) for v in a_b.split(","))
        sub = _at_ab(stats, a_b).sort_values("seed")
        labels = {int(r.seed): r.regime for r in sub.itertuples()}
        claims.append(Claim(
            id=f"fig07.regime.a{a:g}_b{b:g}",
            statement=f"Adam (a, b) = ({a:g}, {b:g}) is in the {label} regime",
            measured={"label_by_seed": labels,
                      "tail_mean_loss_by_seed": {int(r.seed): _r(r.tail_mean_loss) for r in sub.itertuples()},
                      "spikes_in_window_by_seed": {int(r.seed): int(r.spikes_in_window) for r in sub.itertuples()}},
            threshold=f"classifier label '{label}' for every seed",
            passed=bool(labels) and all(v == label for v in labels.values())))
    osc = [k for k, v in expected.items() if v == "oscillation"]
    if osc:
        best = {}
        for seed, sub in stats.groupby("seed"):
            best[int(seed)] = f"{sub.loc[sub['tail_mean_loss'].idxmin(), 'a']:g},{sub.loc[sub['tail_mean_loss'].idxmin(), 'b']:g}"
        target = ",".join(f"{float(v):g}" for v in osc[0].split(","))
        claims.append(Claim(
            id="fig07.oscillation_lowest_loss",
            statement="the oscillation regime (a ~ b) reaches the smallest late-phase loss",
            measured={"lowest_tail_mean_loss_at_a_b_by_seed": best},
            threshold=f"(a, b) = ({target}) has the lowest tail-mean loss for every seed",
            passed=bool(best) and all(v == target for v in best.values())))
    return claims


def fig10(stats: pd.DataFrame, default: dict[str, str], balanced: dict[str, str], a_over_b: dict[str, str],
          min_spikes: int) -> list[Claim]:
    """Claim 10: in the deep Galerkin method the defaults spike late (objective and test error);
    a ~ b is more stable and ends lower; a > b is worst. ``default``, ``balanced`` and ``a_over_b``
    map each problem (cube, disk) to its "a,b"."""
    claims = []
    for problem in default:
        sub = stats[stats["problem"] == f"poisson_{problem}"]

        def pick(a_b):
            row = _at_ab(sub, a_b)
            return next(row.itertuples()) if len(row) else None

        def record(r):
            return stats.loc[r.Index].to_dict()

        d, bal, big = pick(default[problem]), pick(balanced[problem]), pick(a_over_b[problem])
        if d is None or bal is None or big is None:
            raise ValueError(f"fig10: a run of problem {problem} is missing from the statistics")
        claims.append(Claim(
            id=f"fig10.default_spikes.{problem}",
            statement=f"Poisson {problem}: Adam with the defaults (a, b) = ({default[problem]}) has large late spikes "
                      "in the objective and in the test error",
            measured={"late_spikes_objective": int(d.late_spikes),
                      "largest_objective_decades": _r(d.late_spike_max_decades, 3),
                      "regime": _moved_labels(record(d)),
                      "late_spikes_test_error": int(d.late_spikes_test_error),
                      "largest_test_error_decades": _r(d.late_spike_max_decades_test_error, 3)},
            threshold=f">= {min_spikes} late spike(s) in both",
            passed=bool(d.late_spikes >= min_spikes and d.late_spikes_test_error >= min_spikes)))
        claims.append(Claim(
            id=f"fig10.balanced_stabler_and_lower.{problem}",
            statement=f"Poisson {problem}: a ~ b ({balanced[problem]}) is more stable than the defaults and ends lower "
                      "in objective and test error",
            measured={"late_spikes": {default[problem]: int(d.late_spikes), balanced[problem]: int(bal.late_spikes)},
                      "tail_mean_objective": {default[problem]: _r(d.tail_mean_loss), balanced[problem]: _r(bal.tail_mean_loss)},
                      "final_test_error": {default[problem]: _r(d.final_test_error), balanced[problem]: _r(bal.final_test_error)}},
            threshold="fewer late spikes, lower tail-mean objective and lower final test error than the defaults",
            passed=bool(bal.late_spikes < d.late_spikes and bal.tail_mean_loss < d.tail_mean_loss
                        and bal.final_test_error < d.final_test_error)))
        worst = max((d, bal, big), key=lambda r: r.tail_mean_loss)
        claims.append(Claim(
            id=f"fig10.a_over_b_worst.{problem}",
            statement=f"Poisson {problem}: a > b ({a_over_b[problem]}) performs worst",
            measured={"tail_mean_objective": {x: _r(r.tail_mean_loss) for x, r in
                                              ((default[problem], d), (balanced[problem], bal), (a_over_b[problem], big))}},
            threshold="highest tail-mean objective of the three",
            passed=bool(worst is big)))
    return claims


def phase_boundaries(grid: pd.DataFrame) -> dict:
    """Fig 8's measured boundaries on the grid cells: for each row b, the smallest a/b whose cell
    diverges (label divergence); for each column a, the smallest b whose cell spikes (None: never)."""
    div = {f"{b:.3g}": _r(float((row["a"] / b)[row["regime"] == "divergence"].min()), 3)
           for b, row in grid.groupby("b")}
    spike = {f"{a:.3g}": _r(float(col["b"][col["regime"] == "spike"].min()), 3) for a, col in grid.groupby("a")}
    return {"smallest_diverging_a_over_b_by_b": div, "smallest_spiking_b_by_a": spike}


def fig08(stats: pd.DataFrame, default: str, near_diagonal_decades: float, min_region_purity: float) -> list[Claim]:
    """Claim 8: over the (a, b) plane the three regimes occupy distinct regions (spike for b
    sufficiently larger than a, divergence for a sufficiently larger than b, oscillation for a ~ b);
    the oscillation regime gives the lowest and most robust late loss; divergence is worst."""
    grid = stats[stats["on_grid"].astype(bool)].copy()
    grid["log_b_over_a"] = np.log10(grid["b"] / grid["a"])
    # a non-finite tail (diverged) counts as the worst possible late loss
    grid["late"] = grid["log10_tail_mean_loss"].fillna(np.inf)
    counts = grid["regime"].value_counts().to_dict()
    sides = {"spike": grid["log_b_over_a"] > 0, "divergence": grid["log_b_over_a"] < 0,
             "oscillation": grid["log_b_over_a"].abs() <= near_diagonal_decades}
    purity = {label: _r(float(sides[label][grid["regime"] == label].mean()), 3) if counts.get(label) else None
              for label in sides}
    median_ratio = {label: _r(float(grid["log_b_over_a"][grid["regime"] == label].median()), 3)
                    if counts.get(label) else None for label in sides}
    regions = {"spike": grid["log_b_over_a"] >= 1, "divergence": grid["log_b_over_a"] <= -1,
               "oscillation": sides["oscillation"]}
    coverage = {label: _r(float((grid["regime"][region] == label).mean()), 3) if region.any() else None
                for label, region in regions.items()}
    ordered = all(median_ratio[k] is not None for k in sides) and \
        median_ratio["spike"] > median_ratio["oscillation"] > median_ratio["divergence"]
    claims = [Claim(
        id="fig08.distinct_regions",
        statement="The three regimes occupy distinct regions of the (a, b) plane: spike for b sufficiently larger "
                  "than a, divergence for a sufficiently larger than b, oscillation for a and b of similar size",
        measured={"cells_by_label": {k: int(v) for k, v in counts.items()},
                  "fraction_on_its_side": purity, "median_log10_b_over_a": median_ratio,
                  "fraction_of_region_with_its_label (b >= 10a, a >= 10b, a ~ b)": coverage,
                  **phase_boundaries(grid), "label_changes_under_moved_thresholds": {k: _r(v, 3) for k, v in label_changes(grid).items()}},
        threshold=f"all three labels occur; median log10(b/a) spike > oscillation > divergence; and >= "
                  f"{min_region_purity:.0%} of spike cells have b > a, of divergence cells a > b, of oscillation "
                  f"cells |log10(a/b)| <= {near_diagonal_decades}",
        passed=bool(ordered and all(v is not None and v >= min_region_purity for v in purity.values())))]
    best = grid.loc[grid["late"].idxmin()]
    med = {label: float(grid["late"][grid["regime"] == label].median()) if counts.get(label) else None
           for label in sides}
    iqr = {label: float(np.subtract(*np.percentile(grid["late"][grid["regime"] == label], [75, 25])))
           if counts.get(label, 0) >= 2 else None for label in ("oscillation", "spike")}
    claims.append(Claim(
        id="fig08.oscillation_lowest_and_robust",
        statement="The oscillation regime (a ~ b) reaches the lowest late loss, and it is robust to the "
                  "choice of (a, b)",
        measured={"best_cell": {"a": _r(best["a"], 3), "b": _r(best["b"], 3), "label": best["regime"],
                                "log10_tail_mean_loss": _r(best["late"], 3)},
                  "median_log10_tail_loss_by_label": {k: _r(v, 3) for k, v in med.items()},
                  "iqr_log10_tail_loss": {k: _r(v, 3) for k, v in iqr.items()}},
        threshold="the heat-map's minimum is an oscillation cell; median late loss of oscillation cells < that of "
                  "spike cells; its interquartile range (decades) <= that of spike cells",
        passed=bool(best["regime"] == "oscillation" and med["oscillation"] is not None and med["spike"] is not None
                    and med["oscillation"] < med["spike"] and iqr["oscillation"] is not None
                    and iqr["spike"] is not None and iqr["oscillation"] <= iqr["spike"])))
    claims.append(Claim(
        id="fig08.divergence_worst",
        statement="The divergence regime is worst: its late loss is the highest (some cells blow up)",
        measured={"median_log10_tail_loss_by_label": {k: _r(v, 3) for k, v in med.items()},
                  "non_finite_cells": int(grid["diverged"].astype(bool).sum())},
        threshold="median late loss (non-finite = +inf) of divergence cells > those of oscillation and spike cells",
        passed=bool(med["divergence"] is not None and all(
            med[k] is not None and med["divergence"] > med[k] for k in ("oscillation", "spike")))))
    at_default = _at_ab(stats, default)
    if len(at_default):
        d = at_default.iloc[0]
        d_late = float(d["log10_tail_mean_loss"]) if not pd.isna(d["log10_tail_mean_loss"]) else np.inf
        gap = d_late - float(best["late"])
        claims.append(Claim(
            id="fig08.default_vs_best",
            statement=f"PyTorch's default (a, b) = ({default}) lies in the spike regime and ends above the best cell",
            measured={"default_label": d["regime"], "default_log10_tail_mean_loss": _r(d_late, 3),
                      "best_log10_tail_mean_loss": _r(float(best["late"]), 3), "gap_decades": _r(gap, 3),
                      "default_on_grid": bool(d["on_grid"])},
            threshold="default labelled spike and its late loss above the best cell's (gap > 0 decades)",
            passed=bool(d["regime"] == "spike" and gap > 0)))
    return claims


def fig09(stats: pd.DataFrame, default: str, balanced: str, slow: str, min_spikes: int) -> list[Claim]:
    """Claim 9: on a ResNet18 with stochastic Adam the defaults spike late; a ~ b converges smoothly
    and lower; (a, b) = (1, 0.1) is slow. Read on the per-epoch mean training loss."""
    def one(ab):
        rows = _at_ab(stats, ab)
        return None if rows.empty else rows.iloc[0]

    d, bal, sl = one(default), one(balanced), one(slow)

    def facts(r):
        return None if r is None else {
            "late_spikes": int(r.late_spikes), "largest_decades": _r(r.late_spike_max_decades, 3),
            "spike_epochs": _peaks(r.late_spike_epochs),
            "max_rebound_decades": _r(r.max_rebound_decades, 3), "tail_mean_epoch_loss": _r(r.tail_mean_epoch_loss),
            "mean_log10_epoch_loss": _r(r.mean_log10_epoch_loss, 3), "epochs": int(r.epochs)}

    claims = [Claim(
        id="fig09.default_spikes_late",
        statement=f"Stochastic Adam with the defaults (a, b) = ({default}) has large spikes late in training",
        measured=facts(d), threshold=f">= {min_spikes} spike event(s) of >= 1 decade in the second half of the epochs",
        passed=bool(d is not None and d.late_spikes >= min_spikes))]
    claims.append(Claim(
        id="fig09.balanced_smooth_and_lower",
        statement=f"With a ~ b ({balanced}) Adam converges smoothly and ends lower than the defaults",
        measured={"balanced": facts(bal), "default": facts(d)},
        threshold="no late spike event for a ~ b, and its tail-mean epoch loss below the defaults'",
        passed=bool(d is not None and bal is not None and bal.late_spikes == 0
                    and bal.tail_mean_epoch_loss < d.tail_mean_epoch_loss)))
    claims.append(Claim(
        id="fig09.small_b_slow",
        statement=f"(a, b) = ({slow}) (beta = 1 - 0.1 eta, almost no momentum averaging) is slow",
        measured={"slow": facts(sl), "balanced": facts(bal)},
        threshold="its mean log10 epoch loss (over all epochs) above that of a ~ b",
        passed=bool(sl is not None and bal is not None and sl.mean_log10_epoch_loss > bal.mean_log10_epoch_loss)))
    return claims


CHECKERS = {"fig01": fig01, "fig02": fig02, "fig03": fig03, "fig04": fig04, "fig05": fig05,
            "fig06": fig06, "fig07": fig07, "fig08": fig08,
            "fig09": fig09, "fig10": fig10}
