"""Every claim can fail: for each figure's claims, a statistics table on which the paper's statement
holds and tables on which it does not (and, where the runs may be unable to decide, tables on which
the verdict is inconclusive, with its reason).

``test_every_claim_has_a_holding_and_a_failing_table`` checks the coverage itself: every claim a
figure emits on its holding table is seen to hold there and to fail on one of its failing tables.
The tables are built by hand, so each verdict is known by construction (the comment on a mutation
says which claim it breaks and why).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from adamdyn.claims import FAILS, HOLDS, INCONCLUSIVE, Claim, tally, tally_text
from adamdyn.claims.table import claims_markdown
from adamdyn.registry import FIGURES, figure
from adamdyn.stats import evidence

from conftest import CONFIG

REGIME = CONFIG["stats"]["regime"]
EVIDENCE = {"min_seeds": 3, "max_chance_p": 0.05}


def verdicts(claims: list[Claim]) -> dict[str, str]:
    return {c.id: c.verdict for c in claims}


# --- the tables: one builder per figure, holding by default; keywords break one claim each ---

def fig01(spikes=2):
    return pd.DataFrame([{"problem": p, "eta": 1e-3, "beta": 0.9, "alpha": 0.999, "late_spikes": spikes,
                          "late_spike_max_decades": 2.0 * bool(spikes), "late_spike_peaks": "1500" if spikes else "",
                          "regime": "spike", "iterations": 2000, "final_loss": 1e-4, "min_loss": 1e-6}
                         for p in ("cifar2", "sine")])


def fig02(adam=(0.01, 0.02, 0.04), rmsprop=(0.01, 0.02, 0.04)):
    rows = []
    for method, dist in (("adam", adam), ("rmsprop", rmsprop)):
        for eta, d in zip((1e-5, 5e-5, 1e-4), dist):
            rows.append({"optimiser": method, "eta": eta, "beta": 0.9, "alpha": 0.999, "final_time": 0.01,
                         "max_abs_diff_to_signgd": d, "mean_abs_diff_to_signgd": d / 2})
    return pd.DataFrame(rows)


def fig03(after=(-1.0, -2.0, -3.0), early=(-0.77, -0.78, -0.79)):
    rows = []
    for method in ("adam", "rmsprop"):
        for a, l_after, l_early in zip((1, 10, 100), after, early):
            rows.append({"optimiser": method, "a": a, "b": a, "eta": 1e-3, "mean_log10_loss_after_initial": l_after,
                         "log10_loss_early": l_early})
    return pd.DataFrame(rows)


def fig04(**kw):
    row = {"eta": 1e-3, "alpha": 0.99, "fast_drop_decades": 1.5, "osc_amplitude_decades": 0.25, "osc_period": 5.3,
           "late_spikes": 3, "late_spike_max_decades": 3.5, "late_spike_peaks": "1134;1269;1400"}
    return pd.DataFrame([{**row, **kw}])


def fig05(plateau_before_factor=1.0, sign_plateaus=(8e-5, 8e-4, 8e-3), rms_plateaus=(4e-7, 1e-5, 4e-5), reach=(1.0, 0.8, 0.77),
          collapse=(1.0, 0.82, 0.77), final=(2.0, 10.0, 20.0), bound=25.95):
    rows = []
    for i, eta in enumerate((1e-4, 5e-4, 1e-3)):
        rows.append({"run": f"sign{eta}", "optimiser": "signgd", "eta": eta, "f0": 12.0, "mu": 0.07,
                     "plateau": sign_plateaus[i], "plateau_before": sign_plateaus[i] * plateau_before_factor,
                     "collapse_time": collapse[i], "reach_time": reach[i], "reach_level": 1e-3,
                     "final_time": final[i], "prop4_bound": bound})
        rows.append({"run": f"rms{eta}", "optimiser": "rmsprop", "eta": eta, "f0": 12.0, "mu": 0.07,
                     "plateau": rms_plateaus[i], "plateau_before": rms_plateaus[i], "collapse_time": np.nan,
                     "reach_time": np.nan, "reach_level": 1e-3, "final_time": final[i], "prop4_bound": bound})
    return pd.DataFrame(rows)


def fig06(entry=124, deviation=2e-6):
    return pd.DataFrame([{"alpha": 0.5, "eta": 0.01, "orbit_radius": 0.005, "orbit_entry_step": entry,
                          "orbit_rel_tol": 0.01, "orbit_window": 50, "max_rel_deviation_last": deviation,
                          "final_x": 0.005}])


FIG07_EXPECTED = {"1,100": "spike", "10,10": "oscillation", "100,1": "divergence"}


def fig07(labels=None, tails=None):
    labels = labels or FIG07_EXPECTED
    tails = tails or {"1,100": 3e-4, "10,10": 1e-5, "100,1": 1e20}
    rows = []
    for a_b, label in labels.items():
        a, b = (float(v) for v in a_b.split(","))
        for seed in (0, 1, 2):
            rows.append({"a": a, "b": b, "seed": seed, "regime": label, "tail_mean_loss": tails[a_b],
                         "spikes_in_window": 5 if label == "spike" else 0})
    return pd.DataFrame(rows)


def fig08(label_of=None, loss_of=None, points=8, default_regime="spike"):
    """A points x points grid of (a, b) in 0.1-100 (decades), labelled by ``label_of(log10 b/a)``, and
    the default (1, 100) off the grid."""
    def paper(r):
        return "spike" if r > 0.5 else "divergence" if r < -0.3 else "oscillation"

    def paper_loss(label, r):
        return {"oscillation": -6.0 - 0.05 * r, "spike": -4.0 - 0.5 * r, "divergence": 2.0}[label]

    label_of, loss_of = label_of or paper, loss_of or paper_loss
    vals = np.logspace(-1, 2, points)
    rows = []
    for b in vals:
        for a in vals:
            r = float(np.log10(b / a))
            label = label_of(r)
            rows.append({"a": a, "b": b, "eta": 1e-3, "on_grid": True, "regime": label, "regime_height=0.5": label,
                         "log10_tail_mean_loss": loss_of(label, r), "diverged": label == "divergence" and r < -1})
    rows.append({"a": 1.0, "b": 100.0, "eta": 1e-3, "on_grid": False, "regime": default_regime,
                 "regime_height=0.5": default_regime, "log10_tail_mean_loss": -4.5, "diverged": False})
    return pd.DataFrame(rows)


def fig09(default_spikes=1, balanced_tail=1e-4, slow_mean=-1.2):
    def row(b, spikes, tail, mean_log):
        return {"a": 1.0, "b": b, "late_spikes": spikes, "late_spike_max_decades": 1.5 * spikes,
                "late_spike_epochs": "310" if spikes else np.nan, "max_rebound_decades": 1.5 * spikes,
                "tail_mean_epoch_loss": tail, "mean_log10_epoch_loss": mean_log, "epochs": 500}
    return pd.DataFrame([row(100, default_spikes, 1e-3, -2.5), row(1.5, 0, balanced_tail, -3.0),
                         row(0.1, 0, 1e-2, slow_mean)])


def fig10(default_spikes=3, balanced_test=1e-5, big_tail=1e-1):
    def row(a, b, spikes, test_spikes, tail, test):
        return {"problem": "poisson_cube", "a": a, "b": b, "late_spikes": spikes, "late_spike_max_decades": 2.0,
                "late_spikes_test_error": test_spikes, "late_spike_max_decades_test_error": 1.5,
                "tail_mean_loss": tail, "final_test_error": test, "regime": "spike"}
    return pd.DataFrame([row(2, 200, default_spikes, default_spikes, 1e-3, 1e-4), row(10, 10, 0, 0, 1e-4, balanced_test),
                         row(100, 10, 0, 0, big_tail, 1e-2)])


def _spike_mechanism_row(a, b, eps, probed, seed=0, **kw):
    row = {"a": a, "b": b, "eps": eps, "probed": probed, "net": "256x128x64", "seed": seed, "decoupling_level": 0.1,
           "R_late_median": 1.0, "R_late_frac_above_1": 0.5, "R_late_nonfinite_frac": 0.0, "tail_mean_loss": 1e-4,
           "decoupling_late_frac_below": 0.5, "spike_R_max_before": "", "spike_lead_R": "",
           "spike_lead_decoupling": "", "spikes": 0, "spike_R_hits": 0, "spike_R_measured": 0, "spike_decoupling_hits": 0,
           "R_alarm_base_rate": np.nan, "decoupling_alarm_base_rate": np.nan}
    return {**row, **kw}


def spike_mechanism(hover=1.1, r_hits=None, r_rate=0.2, d_hits=None, d_rate=0.2, above=0.95, overflow=0.0,
          eps_spikes=((5, 3, 1), (5, 4, 0), (7, 2, 2)), r_measured=None):
    """Per seed, spike events at eps 1e-8, 1e-6 and 1e-4 (``eps_spikes``); seed 0 at 1e-8 is the probed
    spike run, R >= 1 and decoupling before ``r_hits``/``d_hits`` of its spikes (default: all), each
    alarm on at a fraction ``*_rate`` of quiet times."""
    n = eps_spikes[0][0]
    rows = [_spike_mechanism_row(10, 10, 1e-8, True, R_late_median=hover),
            _spike_mechanism_row(1, 100, 1e-8, True, spikes=n, spike_R_max_before=";".join(["1.1"] * n),
                       spike_lead_R=";".join(["6"] * n), spike_lead_decoupling=";".join(["30"] * n),
                       spike_R_hits=n if r_hits is None else r_hits, spike_R_measured=n if r_measured is None else r_measured,
                       spike_decoupling_hits=n if d_hits is None else d_hits,
                       R_alarm_base_rate=r_rate, decoupling_alarm_base_rate=d_rate),
            _spike_mechanism_row(100, 1, 1e-8, True, R_late_frac_above_1=above, R_late_nonfinite_frac=overflow)]
    for seed, counts in enumerate(eps_spikes):
        for eps, k in zip((1e-8, 1e-6, 1e-4), counts):
            if (eps, seed) != (1e-8, 0):  # seed 0 at 1e-8 is the probed spike run itself
                rows.append(_spike_mechanism_row(1, 100, eps, False, seed=seed, spikes=k))
    return pd.DataFrame(rows)


FIG11_ARGS = dict(oscillation="10,10", spike="1,100", divergence="100,1", hover_factor=1.5, above_fraction=0.9,
                  **EVIDENCE)


def divergence_edge(edges=None, at_4=False, eta2_shift=1.0):
    """Chains of a bisection on [1, 16] in 3 steps (probes 4, then 2 or 8, then 2.83/5.66/...) for three
    rows, three seeds and two etas; a run diverges when a/b >= the row's edge (x ``eta2_shift`` at the
    second eta). ``at_4``: the first row's edge lies just above 4, so its chains stay finite at 4."""
    edges = edges or {0.7: 3.0, 2.9: 3.0, 11.9: 3.5}
    rows = []
    for b, edge in edges.items():
        for seed in (0, 1, 2):
            for eta in (1e-3, 2e-3):
                e = edge * (eta2_shift if eta == 2e-3 else 1.0)
                if at_4 and b == 0.7:
                    e = 4.5
                lo, hi = 1.0, 16.0
                for _ in range(3):
                    r = round(float(np.sqrt(lo * hi)), 9)
                    d = r >= e
                    rows.append({"row_b": b, "b": b, "seed": seed, "eta": eta, "a_over_b": r,
                                 "regime": "divergence" if d else "oscillation", "bracket_low": 1.0,
                                 "bracket_high": 16.0, "steps": 3, "first_eta": 1e-3})
                    lo, hi = (lo, r) if d else (r, hi)
    return pd.DataFrame(rows)


def lr_decay(rates_by_seed=None, gap=0.1):
    """The default's three arms after a step decay, spikes per unit t per seed in the claimed order."""
    rates_by_seed = rates_by_seed or [(3.0, 1.0, 0.0), (4.0, 2.0, 1.0), (2.0, 1.0, 0.0)]
    rows = []
    for seed, rates in enumerate(rates_by_seed):
        for arm, r in zip(("fixed_factors", "fixed_rates", "beta_square"), rates):
            rows.append({"a": 1.0, "b": 100.0, "seed": seed, "arm": arm, "schedule": "step", "spikes_per_unit_t": r,
                         "spikes_after_decay": int(r * 10), "t_end": 1.1})
        rows.append({"a": 1.0, "b": 100.0, "seed": seed, "arm": "reference", "schedule": "constant",
                     "ode_gap_decades": gap, "t_end": 0.15, "spikes_per_unit_t": np.nan, "spikes_after_decay": 0})
    return pd.DataFrame(rows)


FIG13_ARGS = dict(ode_tolerance_decades=0.3, default="1,100", eos_order=["fixed_factors", "fixed_rates", "beta_square"],
                  **EVIDENCE)


def _batch_size_row(a_b, divisor, rule, seed, spikes, excess, stored=None):
    a, b = stored or tuple(float(x) for x in a_b.split(","))
    return {"a_b": a_b, "a": a, "b": b, "divisor": divisor, "rule": rule, "seed": seed, "late_spikes": spikes,
            "late_spikes_per_100_epochs": spikes / 4, "late_spike_max_decades": 2.0 * bool(spikes),
            "excess_over_full_batch_decades": excess}


def batch_size(small_spikes=0, sqrt_excess=0.2, halflife_excess=0.3, balanced_rule_spikes=0, seeds=(0, 1, 2)):
    """Per seed 3 late spike events of the default at full batch and ``small_spikes`` at N/16 (with 0:
    0 of 9 events at N/16, p = 2^-9 under equal rates). Rule runs store the (a, b) their rule gives
    ((10, 10) -> (2.5, 2.5) under the square-root rule at N/16; (0.628, 10) under the half-life rule),
    as the real table does."""
    rows = []
    for seed in seeds:
        rows += [_batch_size_row("1,100", 1, "none", seed, 3, 0.0), _batch_size_row("1,100", 16, "none", seed, small_spikes, 0.5),
                 _batch_size_row("1,100", 16, "sqrt", seed, 0, sqrt_excess, (0.25, 25.0)),
                 _batch_size_row("1,100", 16, "halflife", seed, 2, halflife_excess, (0.0628, 100.0)),
                 _batch_size_row("10,10", 1, "none", seed, 0, 0.0), _batch_size_row("10,10", 16, "none", seed, 0, 0.4),
                 _batch_size_row("10,10", 16, "sqrt", seed, balanced_rule_spikes, 0.1, (2.5, 2.5)),
                 _batch_size_row("10,10", 16, "halflife", seed, 0, 0.3, (0.628, 10.0))]
    return pd.DataFrame(rows)


def fig08_reduction(short_agree=2, long_agree=4):
    rows = []
    for length, agree in ((1000, short_agree), (8000, long_agree)):
        for i in range(5):
            rows.append({"candidate": "w64", "length": length, "a": 1.0 + i, "b": 10.0, "eta": 1e-3,
                         "regime": "oscillation", "agrees": i < agree, "diverged": False,
                         "log10_tail_mean_loss": -5.0 - i, "cell_iterations_per_s": 300.0})
    return pd.DataFrame(rows)


KWARGS = {
    "fig01": dict(min_spikes=1, regime=REGIME),
    "fig02": {}, "fig03": dict(early_spread_decades=0.1),
    "fig04": dict(min_fast_drop_decades=1.0, min_osc_amplitude_decades=0.01, max_osc_amplitude_decades=0.7,
                  max_osc_period=20, min_spikes=1),
    "fig05": dict(min_drop_decades=2, plateau_tol_decades=0.3, flow_limit_ratio=1.5),
    "fig06": {}, "fig07": dict(expected=FIG07_EXPECTED),
    "fig08": dict(default="1,100", near_diagonal_decades=0.5, min_region_purity=0.5, max_chance_p=0.05),
    "fig09": dict(default="1,100", balanced="1,1.5", slow="1,0.1", min_spikes=1),
    "fig10": dict(default={"cube": "2,200"}, balanced={"cube": "10,10"}, a_over_b={"cube": "100,10"}, min_spikes=1),
    "spike_mechanism": FIG11_ARGS, "divergence_edge": {}, "lr_decay": FIG13_ARGS, "batch_size": dict(default="1,100", balanced="10,10", **EVIDENCE),
    "fig08_reduction": dict(default="1,100"),
}

# per figure: the holding table, and failing tables (each breaking the claims it names)
CASES = {
    "fig01": (fig01(), [fig01(spikes=0)]),
    "fig02": (fig02(), [fig02(adam=(0.04, 0.02, 0.01), rmsprop=(0.01, 0.05, 0.04))]),
    "fig03": (fig03(), [fig03(after=(-1.0, -3.0, -2.0), early=(-0.5, -0.8, -0.9))]),
    "fig04": (fig04(), [fig04(fast_drop_decades=0.5, osc_amplitude_decades=3e-16, late_spikes=0)]),
    "fig05": (fig05(), [fig05(plateau_before_factor=100.0, sign_plateaus=(8e-4, 8e-4, 8e-5),
                              rms_plateaus=(4e-5, 4e-5, 4e-5), reach=(1.0, 0.8, 30.0),
                              collapse=(1.0, 0.5, 2.0), final=(40.0, 40.0, 40.0))]),
    "fig06": (fig06(), [fig06(entry=None, deviation=1.0)]),
    "fig07": (fig07(), [fig07(labels={"1,100": "oscillation", "10,10": "spike", "100,1": "spike"},
                              tails={"1,100": 1e-6, "10,10": 1e-5, "100,1": 1.0})]),
    "fig08": (fig08(), [fig08(label_of=lambda r: "spike" if r < -0.5 else "divergence" if r > 0.3 else "oscillation",
                              loss_of=lambda label, r: {"oscillation": -3.0, "spike": -6.0 + 0.5 * r,
                                                        "divergence": -5.0}[label], default_regime="oscillation")]),
    "fig09": (fig09(), [fig09(default_spikes=0, balanced_tail=1e-2, slow_mean=-3.5)]),
    "fig10": (fig10(), [fig10(default_spikes=0, balanced_test=1e-3, big_tail=1e-5)]),
    "spike_mechanism": (spike_mechanism(), [spike_mechanism(hover=0.5, r_hits=0, d_hits=1, above=0.5, eps_spikes=((2, 3, 6), (0, 4, 5), (2, 2, 7)))]),
    "divergence_edge": (divergence_edge(), [divergence_edge(edges={0.7: 1.3, 2.9: 6.0, 11.9: 12.0}, eta2_shift=2.5)]),
    "lr_decay": (lr_decay(), [lr_decay(rates_by_seed=[(0.0, 1.0, 3.0), (1.0, 2.0, 4.0), (0.0, 1.0, 2.0)], gap=0.6)]),
    "batch_size": (batch_size(), [batch_size(small_spikes=8, sqrt_excess=0.6, halflife_excess=0.7, balanced_rule_spikes=3)]),
    "fig08_reduction": (fig08_reduction(), [fig08_reduction(short_agree=4, long_agree=4)]),
}


def _claims(fig, table):
    return figure(fig).claims(table, **KWARGS[fig])


def test_every_figure_and_study_has_its_cases():
    assert set(CASES) == set(FIGURES)


@pytest.mark.parametrize("fig", sorted(CASES))
def test_every_claim_has_a_holding_and_a_failing_table(fig):
    holding, failing = CASES[fig]
    held = verdicts(_claims(fig, holding))
    assert held and set(held.values()) == {HOLDS}, held
    failed = {}
    for table in failing:
        for cid, v in verdicts(_claims(fig, table)).items():
            if v == FAILS:
                failed[cid] = v
    assert set(failed) == set(held), f"claims never seen to fail: {set(held) - set(failed)}"


# --- the claims of issue 24, one by one: what makes each fail, hold or stay undecided ---

def test_fig04_a_smooth_decay_or_a_slow_wave_is_no_small_oscillation():
    v = verdicts(_claims("fig04", fig04(osc_amplitude_decades=3e-16, osc_period=2.0)))  # a straight log-linear decay
    assert v["fig04.small_oscillations"] == FAILS
    v = verdicts(_claims("fig04", fig04(osc_period=250.0)))  # a wave slower than the 20-iteration trend
    assert v["fig04.small_oscillations"] == FAILS
    v = verdicts(_claims("fig04", fig04(osc_amplitude_decades=1.5)))  # large, not small
    assert v["fig04.small_oscillations"] == FAILS


def test_fig05_prop4_is_measured_against_the_minimum_and_needs_a_run_that_outlasts_the_bound():
    # the minimum reached at t = 30 > T = 25.95: refuted
    assert verdicts(_claims("fig05", fig05(reach=(1.0, 0.8, 30.0), final=(40.0, 40.0, 40.0))))[
        "fig05.prop4_stopping_time"] == FAILS
    # never reached, the run lasting past T: refuted
    assert verdicts(_claims("fig05", fig05(reach=(1.0, 0.8, np.nan), final=(40.0, 40.0, 40.0))))[
        "fig05.prop4_stopping_time"] == FAILS
    # never reached, the run ending at t = 20 < T: cannot decide
    claim = {c.id: c for c in _claims("fig05", fig05(reach=(1.0, 0.8, np.nan)))}["fig05.prop4_stopping_time"]
    assert claim.verdict == INCONCLUSIVE and "before the bound" in claim.why


def test_fig08_regions_must_beat_the_chance_level_of_their_side():
    # every label scattered at random over the map: purity near the side's share of cells
    rng = np.random.default_rng(0)
    labels = iter(rng.choice(["spike", "oscillation", "divergence"], size=200))
    table = fig08(label_of=lambda r: next(labels))
    claim = {c.id: c for c in _claims("fig08", table)}["fig08.distinct_regions"]
    assert claim.verdict in (FAILS, INCONCLUSIVE)
    assert all(p is None or p > 0.01 for p in claim.measured["chance_p"].values()) or claim.verdict == FAILS


def test_fig08_a_purity_above_the_threshold_but_at_chance_is_inconclusive():
    # 4 x 4 grid (b/a = 10^-3 ... 10^3): one spike cell (b/a = 1000) on the spike side, which holds 6 of the
    # 16 cells: purity 1, but a cell drawn at random lands there with p = 6/16
    def label(r):
        return "spike" if r > 2.5 else "divergence" if r < -2.5 else "oscillation"
    kwargs = {**KWARGS["fig08"], "near_diagonal_decades": 2.5}
    claim = {c.id: c for c in figure("fig08").claims(fig08(label_of=label, points=4), **kwargs)}[
        "fig08.distinct_regions"]
    assert claim.measured["chance_p"]["spike"] == pytest.approx(6 / 16, abs=1e-3)
    assert claim.verdict == INCONCLUSIVE and "not beyond chance" in claim.why


def test_spike_mechanism_an_alarm_on_most_of_the_time_does_not_show_that_it_precedes_spikes():
    # 5 of 5 spikes preceded, but the alarm is on at 88 % of quiet times: p = 0.88^5 = 0.53
    out = {c.id: c for c in _claims("spike_mechanism", spike_mechanism(d_rate=0.88, r_rate=0.9))}
    for cid in ("spike_mechanism.decoupling_precedes_each_spike", "spike_mechanism.spike_run_overshoots_before_each_spike"):
        assert out[cid].verdict == INCONCLUSIVE and "by chance" in out[cid].why
    assert out["spike_mechanism.decoupling_precedes_each_spike"].measured["chance_p"] == pytest.approx(0.88 ** 5, rel=1e-3)
    # a spike without the alarm before it refutes "before each spike", whatever the base rate
    assert verdicts(_claims("spike_mechanism", spike_mechanism(d_hits=4)))["spike_mechanism.decoupling_precedes_each_spike"] == FAILS


def test_spike_mechanism_a_spike_with_no_check_before_it_is_not_counted_against_the_claim():
    # 5 spikes, 4 with a check of R before them, all 4 with R >= 1 (alarm at 20 % of quiet times: p = 0.0016)
    claim = {c.id: c for c in _claims("spike_mechanism", spike_mechanism(r_hits=4, r_measured=4))}[
        "spike_mechanism.spike_run_overshoots_before_each_spike"]
    assert claim.verdict == HOLDS and claim.measured["spikes_preceded"] == "4/4"
    assert claim.measured["spikes_without_a_check_before_them"] == 1
    # one of the 4 measured without R >= 1: refuted
    assert verdicts(_claims("spike_mechanism", spike_mechanism(r_hits=3, r_measured=4)))[
        "spike_mechanism.spike_run_overshoots_before_each_spike"] == FAILS
    # none measured: undecided
    claim = {c.id: c for c in _claims("spike_mechanism", spike_mechanism(r_hits=0, r_measured=0))}[
        "spike_mechanism.spike_run_overshoots_before_each_spike"]
    assert claim.verdict == INCONCLUSIVE and "measured" in claim.why


def test_spike_mechanism_an_overflowed_diverging_run_is_not_judged():
    claim = {c.id: c for c in _claims("spike_mechanism", spike_mechanism(above=0.3, overflow=0.4))}["spike_mechanism.diverging_run_stays_above"]
    assert claim.verdict == INCONCLUSIVE and "overflow" in claim.why


def test_spike_mechanism_the_eps_control_needs_three_seeds_and_a_trend_beyond_chance():
    one_seed = spike_mechanism(eps_spikes=((5, 2, 1),))
    claim = {c.id: c for c in _claims("spike_mechanism", one_seed)}["spike_mechanism.larger_eps_fewer_spikes"]
    assert claim.verdict == INCONCLUSIVE and "too few seeds" in claim.why
    # three seeds: falling, flat, falling with a tie: S = 3 + 0 + 2 = 5 of 9, and P(S >= 5) = 1/6 x 1/3
    # (the first seed's 3 with one ordering of six, the third's 2 with two of six) = 0.056
    weak = spike_mechanism(eps_spikes=((6, 3, 1), (4, 4, 4), (3, 2, 2)))
    claim = {c.id: c for c in _claims("spike_mechanism", weak)}["spike_mechanism.larger_eps_fewer_spikes"]
    assert claim.measured["kendall_S"] == 5 and claim.measured["chance_p"] == pytest.approx(1 / 18, rel=1e-3)
    assert claim.verdict == INCONCLUSIVE and "by chance" in claim.why


def test_divergence_edge_a_finite_run_at_exactly_4_is_the_boundary_not_a_refutation():
    claim = {c.id: c for c in _claims("divergence_edge", divergence_edge(at_4=True))}["divergence_edge.ode_edge"]
    assert claim.verdict == INCONCLUSIVE and "exactly a/b = 4" in claim.why
    # an edge at 6 leaves runs at a/b = 5.66 finite: beyond 4, a refutation
    assert verdicts(_claims("divergence_edge", divergence_edge(edges={0.7: 3.0, 2.9: 6.0, 11.9: 3.5})))["divergence_edge.ode_edge"] == FAILS


def test_divergence_edge_the_band_is_judged_by_the_brackets_overlap_not_their_midpoints():
    # edges at 4.5: brackets (4, 5.66], midpoint 4.76 outside [2.4, 4.1], but the bracket overlaps it
    claim = {c.id: c for c in _claims("divergence_edge", divergence_edge(edges={0.7: 4.5, 2.9: 3.0, 11.9: 4.5}))}["divergence_edge.published_band"]
    assert claim.verdict == HOLDS
    # an edge at 12: bracket (11.3, 16], far above the band
    claim = {c.id: c for c in _claims("divergence_edge", divergence_edge(edges={0.7: 12.0, 2.9: 3.0, 11.9: 3.5}))}["divergence_edge.published_band"]
    assert claim.verdict == FAILS and claim.measured["rows_whose_brackets_overlap_the_band"] == "2/3"


def test_divergence_edge_the_update_bound_identity_is_not_a_claim():
    assert "divergence_edge.update_bound" not in verdicts(_claims("divergence_edge", divergence_edge()))


def test_lr_decay_one_seed_cannot_order_chaotic_spike_counts():
    claim = {c.id: c for c in _claims("lr_decay", lr_decay(rates_by_seed=[(4.0, 2.0, 1.0)]))}["lr_decay.eos_spike_order.step"]
    assert claim.verdict == INCONCLUSIVE and "too few seeds" in claim.why
    # three seeds: two in the order with a tie (S = 2: one third of their orderings), one flat (S = 0):
    # S = 4 of 9, P(S >= 4) = 1/3 x 1/3 = 0.11, not beyond chance
    tied = lr_decay(rates_by_seed=[(1.0, 1.0, 0.0), (2.0, 1.0, 1.0), (1.0, 1.0, 1.0)])
    claim = {c.id: c for c in _claims("lr_decay", tied)}["lr_decay.eos_spike_order.step"]
    assert claim.measured["kendall_S"] == 4 and claim.measured["chance_p"] == pytest.approx(1 / 9, rel=1e-3)
    assert claim.verdict == INCONCLUSIVE and "by chance" in claim.why
    # the same ties in all three seeds: (1/3)^3 = 0.037, beyond chance
    tied = lr_decay(rates_by_seed=[(1.0, 1.0, 0.0), (2.0, 1.0, 1.0), (1.0, 0.0, 0.0)])
    assert verdicts(_claims("lr_decay", tied))["lr_decay.eos_spike_order.step"] == HOLDS
    # no spike after the decay in any arm: no order shown
    zero = lr_decay(rates_by_seed=[(0.0, 0.0, 0.0)] * 3)
    assert verdicts(_claims("lr_decay", zero))["lr_decay.eos_spike_order.step"] == FAILS


def test_batch_size_the_balanced_claim_sees_the_rule_runs_by_their_setting():
    # the only spikes of a ~ b are in its square-root runs, stored at (2.5, 2.5): the claim must see them
    claim = {c.id: c for c in _claims("batch_size", batch_size(balanced_rule_spikes=3))}["batch_size.balanced_no_spikes"]
    assert claim.verdict == FAILS and set(claim.measured) == {f"N/16 sqrt seed {s}" for s in (0, 1, 2)}


def test_batch_size_fewer_spikes_at_small_batch_needs_three_seeds_and_a_difference_beyond_chance():
    # two seeds: undecided whatever the counts
    claim = {c.id: c for c in _claims("batch_size", batch_size(seeds=(0, 1)))}["batch_size.small_batch_fewer_spikes"]
    assert claim.verdict == INCONCLUSIVE and "too few seeds" in claim.why
    # 9 events at N against 6 at N/16: P(X >= 9 | 15, 1/2) = 0.30
    claim = {c.id: c for c in _claims("batch_size", batch_size(small_spikes=2))}["batch_size.small_batch_fewer_spikes"]
    assert claim.verdict == INCONCLUSIVE and claim.measured["chance_p"] == pytest.approx(0.304, abs=1e-3)
    # as many at N/16: refuted
    assert verdicts(_claims("batch_size", batch_size(small_spikes=3)))["batch_size.small_batch_fewer_spikes"] == FAILS


def test_batch_size_a_rule_run_below_full_batch_is_not_behind_it():
    # the excess over the full-batch curve is what counts: a run that ends lower has excess 0
    v = verdicts(_claims("batch_size", batch_size(sqrt_excess=0.0)))
    assert v["batch_size.sqrt_rule_tracks_full_batch.N_over_16"] == HOLDS


# --- the exact tests behind the verdicts ---

def test_ordered_trend_is_exact():
    # one seed of three values in the claimed order: 1 of 6 orderings is as extreme
    assert evidence.ordered_trend([[3, 2, 1]]) == {"S": 3, "S_max": 3, "p": pytest.approx(1 / 6)}
    # three seeds, each in order: (1/6)^3
    assert evidence.ordered_trend([[3, 2, 1]] * 3)["p"] == pytest.approx(1 / 216)
    # reversed: S = -3, every ordering is at least as large
    assert evidence.ordered_trend([[1, 2, 3]])["p"] == pytest.approx(1.0)
    assert evidence.kendall_s([2, 2, 1]) == 2


def test_binomial_and_hypergeometric_tails():
    assert evidence.binomial_tail(5, 5, 0.88) == pytest.approx(0.88 ** 5)
    assert evidence.binomial_tail(0, 5, 0.3) == pytest.approx(1.0)
    assert evidence.binomial_tail(1, 1, 0.0) == 0.0
    # all 3 labelled cells among the 3 side cells of 9: 1 / C(9, 3)
    assert evidence.hypergeometric_tail(3, 3, 3, 9) == pytest.approx(1 / 84)
    assert evidence.hypergeometric_tail(0, 3, 3, 9) == pytest.approx(1.0)


# --- three verdicts, counted apart ---

def test_an_inconclusive_claim_needs_its_reason_and_is_tallied_apart():
    with pytest.raises(ValueError, match="needs its reason"):
        Claim(id="x", statement="s", measured=1, threshold="t", passed=None)
    claims = [Claim("a", "s", 1, "t", True), Claim("b", "s", 1, "t", False),
              Claim("c", "s", 1, "t", None, why="too few seeds")]
    dicts = [c.to_dict() for c in claims]
    assert [d["verdict"] for d in dicts] == [HOLDS, FAILS, INCONCLUSIVE]
    assert tally(dicts) == {HOLDS: 1, FAILS: 1, INCONCLUSIVE: 1}
    assert tally_text(dicts) == "1 hold, 1 do not hold, 1 inconclusive (of 3)"
    md = claims_markdown({"lr_decay": dicts}, "ci")
    assert "**Claims: 1 hold, 1 do not hold, 1 inconclusive (of 3).**" in md
    assert "| inconclusive: too few seeds |" in md and "| **does not hold** |" in md


def test_a_setting_chosen_after_seeing_results_is_said_with_every_verdict_with_the_unseen_cells_apart():
    table = fig08()
    grid = table["on_grid"]
    # the published map constrains the cells far from the diagonal; 3 of them were seen by the choice
    far = grid & (np.log10(table["b"] / table["a"]).abs() >= 1)
    table["agrees"] = np.where(far, True, None)
    table.loc[far[far].index[:2], "agrees"] = False
    table["chosen_on"] = False
    table.loc[far[far].index[:3], "chosen_on"] = True
    why = {"why": "width 64 was chosen on the study cells."}
    out = figure("fig08").claims(table, **KWARGS["fig08"], chosen_on_results=why)
    n_far = int(far.sum())
    text = (f"width 64 was chosen on the study cells. Cells the published map constrains that agree with it: "
            f"1 of 3 among those the choice saw, {n_far - 3} of {n_far - 3} among the others.")
    assert all(c.caveat == text for c in out)
    md = claims_markdown({"fig08": [c.to_dict() for c in out]}, "cpu")
    assert "(setting chosen after seeing results: width 64 was chosen" in md
    assert all(not c.caveat for c in figure("fig08").claims(table, **KWARGS["fig08"]))
