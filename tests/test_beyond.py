"""The spike-mechanism study, 13 and 14 (beyond the paper): the runs their configs expand to, the scaling rules,
The spike-mechanism study's lead times (their claims: tests/test_claims_falsifiable.py)."""
import math

import numpy as np
import pytest

from adamdyn.studies import batch_size, lr_decay
from adamdyn.runs import figure_runs
from adamdyn.schedule import Schedule

from conftest import CONFIG

ARMS = CONFIG["scales"]["cpu"]["lr_decay"]["arms"]


def test_lr_decay_expands_to_every_schedule_and_arm_and_a_reference_at_the_final_eta():
    cfg = CONFIG["scales"]["ci"]["lr_decay"]
    plans = [p for p, _ in figure_runs("lr_decay", lr_decay.expand(cfg))]
    scheduled = [p for p in plans if p.spec.schedule is not None]
    refs = [p for p in plans if p.spec.schedule is None]
    assert len(scheduled) == len(cfg["rates"]) * 2 * 3 and len(refs) == len(cfg["rates"])
    assert {p.spec.optimiser.eta for p in refs} == {cfg["eta"] * cfg["decay"]["factor"]}
    assert {p.iterations for p in refs} == {cfg["reference_iterations"]}
    cosine = [p.spec.schedule for p in scheduled if p.spec.schedule.kind == "cosine"]
    assert {s.stop for s in cosine} == {cfg["iterations"]} and {s.start for s in cosine} == {cfg["decay"]["start"]}


def test_lr_decay_arms_run_the_same_numbers_before_the_decay_and_differ_after():
    eta0, alpha0, beta0 = 1e-3, 1 - 1e-3, 1 - 0.1
    before, after = set(), set()
    for arm in ARMS.values():
        s = Schedule(kind="step", start=10, factor=0.1, **arm)
        before.add(s.factors(9, eta0, alpha0, beta0))
        after.add(s.factors(10, eta0, alpha0, beta0))
    assert len(before) == 1 and len(after) == 3


def test_batch_size_scaling_rules_from_the_full_batch_setting():
    runs = batch_size.settings(1e-3, ["1,100"], 2000, [1, 4, 16], {"sqrt": [16], "halflife": [4]})
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
        batch_size.settings(1e-3, ["1,100"], 2000, [1, 3], {})


def test_spike_mechanism_lead_time_is_the_unbroken_alarm_streak_reaching_the_rise():
    from adamdyn.studies.spike_mechanism import _lead

    steps = np.arange(0, 60, 3)
    alarm = np.zeros(len(steps), dtype=bool)
    alarm[(steps >= 30) & (steps <= 45)] = True
    assert _lead(steps, alarm, 46, lookback=100, since=0) == 16   # from the check at 30 to the rise at 46
    assert _lead(steps, alarm, 46, lookback=10, since=0) == 10    # counted back at most lookback
    assert _lead(steps, alarm, 46, lookback=100, since=40) == 4   # not before the previous spike's end (42)
    assert np.isnan(_lead(steps, alarm, 50, lookback=100, since=0))  # quiet at the last check (48)


