"""Figures 11, 13 and 14 (beyond the paper): the runs their configs expand to, the scaling rules,
Fig 11's lead times, and their claims on statistics tables with known answers."""
import math

import numpy as np
import pandas as pd
import pytest

from adamdyn.figures import fig13, fig14
from adamdyn.runs import figure_runs
from adamdyn.schedule import Schedule

from conftest import CONFIG

ARMS = CONFIG["scales"]["cpu"]["fig13"]["arms"]


def test_fig13_expands_to_every_schedule_and_arm_and_a_reference_at_the_final_eta():
    cfg = CONFIG["scales"]["ci"]["fig13"]
    plans = [p for p, _ in figure_runs("fig13", fig13.expand(cfg))]
    scheduled = [p for p in plans if p.spec.schedule is not None]
    refs = [p for p in plans if p.spec.schedule is None]
    assert len(scheduled) == 2 * 2 * 3 and len(refs) == 2
    assert {p.spec.optimiser.eta for p in refs} == {cfg["eta"] * cfg["decay"]["factor"]}
    assert {p.iterations for p in refs} == {cfg["reference_iterations"]}
    cosine = [p.spec.schedule for p in scheduled if p.spec.schedule.kind == "cosine"]
    assert {s.stop for s in cosine} == {cfg["iterations"]} and {s.start for s in cosine} == {cfg["decay"]["start"]}


def test_fig13_arms_run_the_same_numbers_before_the_decay_and_differ_after():
    eta0, alpha0, beta0 = 1e-3, 1 - 1e-3, 1 - 0.1
    before, after = set(), set()
    for arm in ARMS.values():
        s = Schedule(kind="step", start=10, factor=0.1, **arm)
        before.add(s.factors(9, eta0, alpha0, beta0))
        after.add(s.factors(10, eta0, alpha0, beta0))
    assert len(before) == 1 and len(after) == 3


def test_fig14_scaling_rules_from_the_full_batch_setting():
    runs = fig14.settings(1e-3, ["1,100"], 2000, [1, 4, 16], {"sqrt": [16], "halflife": [4]})
    by = {(r["rule"], r["divisor"]): r for r in runs}
    assert [by[("none", d)]["batch_size"] for d in (1, 4, 16)] == [None, 500, 125]
    sq = by[("sqrt", 16)]
    assert sq["eta"] == pytest.approx(2.5e-4) and sq["eps"] == pytest.approx(4e-8)
    assert 1 - sq["beta"] == pytest.approx(0.1 / 16) and 1 - sq["alpha"] == pytest.approx(1e-3 / 16)
    assert (sq["a_b"], sq["batch_size"]) == ("1,100", 125)
    hl = by[("halflife", 4)]
    assert hl["alpha"] == pytest.approx((1 - 1e-3) ** 0.25) and hl["beta"] == pytest.approx(0.9)
    assert math.log(0.5) / math.log(hl["alpha"]) * 500 == pytest.approx(math.log(0.5) / math.log(1 - 1e-3) * 2000)
    with pytest.raises(ValueError, match="not divisible by 3"):
        fig14.settings(1e-3, ["1,100"], 2000, [1, 3], {})


def _fig13_stats(rates: dict) -> pd.DataFrame:
    rows = [{"a": 1.0, "b": 100.0, "seed": 0, "arm": arm, "schedule": "step", "spikes_per_unit_t": r,
             "spikes_after_decay": int(r * 10), "t_end": 1.1} for arm, r in rates.items()]
    rows += [{"a": 1.0, "b": 100.0, "seed": 0, "arm": "reference", "schedule": "constant", "ode_gap_decades": 0.1,
              "t_end": 0.15, "spikes_per_unit_t": np.nan, "spikes_after_decay": 0}]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("rates, holds", [
    ({"fixed_factors": 3.0, "fixed_rates": 1.0, "beta_square": 0.0}, True),
    ({"fixed_factors": 1.0, "fixed_rates": 1.0, "beta_square": 1.0}, False),   # equal: not shown
    ({"fixed_factors": 0.0, "fixed_rates": 0.0, "beta_square": 0.0}, False),   # no spikes: not shown
    ({"fixed_factors": 1.0, "fixed_rates": 2.0, "beta_square": 0.0}, False),
])
def test_fig13_edge_of_stability_order_claim(rates, holds):
    out = {c.id: c.passed for c in fig13.claims(_fig13_stats(rates), 0.3, "1,100", list(rates))}
    assert out == {"fig13.ode_one_curve.a1_b100": True, "fig13.eos_spike_order.step": holds}


def _fig14_row(a_b, divisor, rule, seed, spikes, gap):
    a, b = (float(x) for x in a_b.split(","))
    return {"a_b": a_b, "a": a, "b": b, "divisor": divisor, "rule": rule, "seed": seed, "late_spikes": spikes,
            "late_spikes_per_100_epochs": spikes / 4, "late_spike_max_decades": 2.0 * bool(spikes),
            "gap_to_full_batch_decades": gap}


def test_fig14_claims():
    rows = []
    for seed in (0, 1):
        rows += [_fig14_row("1,100", 1, "none", seed, 4, 0.0), _fig14_row("1,100", 16, "none", seed, 1, 0.5),
                 _fig14_row("1,100", 16, "sqrt", seed, 0, 0.2), _fig14_row("1,100", 16, "halflife", seed, 2, 0.7),
                 _fig14_row("10,10", 1, "none", seed, 0, 0.0), _fig14_row("10,10", 16, "none", seed, 0, 0.4),
                 _fig14_row("10,10", 16, "sqrt", seed, 0, 0.1), _fig14_row("10,10", 16, "halflife", seed, 0, 0.3)]
    stats = pd.DataFrame(rows)
    out = {c.id: c.passed for c in fig14.claims(stats, "1,100", "10,10")}
    assert out == {"fig14.small_batch_fewer_spikes": True, "fig14.sqrt_rule_tracks_full_batch.N_over_16": True,
                   "fig14.halflife_rule_tracks_full_batch.N_over_16": False, "fig14.balanced_no_spikes": True}
    stats.loc[(stats["a_b"] == "10,10") & (stats["divisor"] == 16) & (stats["rule"] == "none"), "late_spikes"] = 1
    assert not {c.id: c.passed for c in fig14.claims(stats, "1,100", "10,10")}["fig14.balanced_no_spikes"]


def test_fig11_lead_time_is_the_unbroken_alarm_streak_reaching_the_rise():
    from adamdyn.figures.fig11 import _lead

    steps = np.arange(0, 60, 3)
    alarm = np.zeros(len(steps), dtype=bool)
    alarm[(steps >= 30) & (steps <= 45)] = True
    assert _lead(steps, alarm, 46, lookback=100, since=0) == 16   # from the check at 30 to the rise at 46
    assert _lead(steps, alarm, 46, lookback=10, since=0) == 10    # counted back at most lookback
    assert _lead(steps, alarm, 46, lookback=100, since=40) == 4   # not before the previous spike's end (42)
    assert np.isnan(_lead(steps, alarm, 50, lookback=100, since=0))  # quiet at the last check (48)


def _fig11_row(a, b, eps, probed, **kw):
    row = {"a": a, "b": b, "eps": eps, "probed": probed, "net": "256x128x64", "seed": 0, "decoupling_level": 0.1,
           "R_late_median": 1.0, "R_late_frac_above_1": 0.5, "decoupling_late_frac_below": 0.5,
           "spike_R_max_before": "", "spike_lead_R": "", "spike_lead_decoupling": "", "spikes": 0}
    return {**row, **kw}


def test_fig11_claims():
    from adamdyn.figures import fig11

    stats = pd.DataFrame([
        _fig11_row(10, 10, 1e-8, True, R_late_median=1.1),
        _fig11_row(1, 100, 1e-8, True, spikes=2, spike_R_max_before="1.3;1.05", spike_lead_R="6;3",
                   spike_lead_decoupling="40;nan"),
        _fig11_row(100, 1, 1e-8, True, R_late_frac_above_1=0.95),
        _fig11_row(1, 100, 1e-6, False, spikes=2), _fig11_row(1, 100, 1e-4, False, spikes=0)])
    args = dict(oscillation="10,10", spike="1,100", divergence="100,1", hover_factor=1.5, above_fraction=0.9)
    out = {c.id: c.passed for c in fig11.claims(stats, **args)}
    assert out == {"fig11.oscillation_hovers_at_threshold": True, "fig11.spike_run_overshoots_before_each_spike": True,
                   "fig11.diverging_run_stays_above": True, "fig11.decoupling_precedes_each_spike": False,
                   "fig11.larger_eps_fewer_spikes": True}
    stats.loc[0, "R_late_median"] = 0.5
    stats.loc[1, "spike_R_max_before"] = "1.3;0.9"
    out = {c.id: c.passed for c in fig11.claims(stats, **args)}
    assert not out["fig11.oscillation_hovers_at_threshold"] and not out["fig11.spike_run_overshoots_before_each_spike"]
