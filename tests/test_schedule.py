"""Learning-rate decay (the lr-decay study): the schedules, how alpha and beta follow eta, and ScheduledAdam
against eq. (3) written out by hand with the accumulated-weight bias corrections."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from adamdyn.engine import train
from adamdyn.optim import OptimiserSpec
from adamdyn.runs import RunPlan, RunSpec, figure_runs
from adamdyn.schedule import Schedule, ScheduledAdam

CPU = torch.device("cpu")
STEP = Schedule(kind="step", start=3, factor=0.1, alpha="rate", beta="rate")
COSINE = Schedule(kind="cosine", start=2, stop=6, factor=0.1, alpha="rate", beta="square")


def test_step_and_cosine_learning_rates():
    assert [STEP.eta(k, 1e-3) for k in range(5)] == pytest.approx([1e-3, 1e-3, 1e-3, 1e-4, 1e-4])
    etas = [COSINE.eta(k, 1e-3) for k in range(8)]
    assert etas[:3] == pytest.approx([1e-3, 1e-3, 1e-3])      # cos(0) = 1 at start
    assert etas[4] == pytest.approx(0.5 * (1e-3 + 1e-4))        # half-way
    assert etas[6:] == pytest.approx([1e-4, 1e-4])              # eta_0 * factor from stop on
    assert all(x >= y for x, y in zip(etas, etas[1:]))


def test_the_three_ways_alpha_and_beta_follow_eta():
    eta0, alpha0, beta0 = 1e-3, 1 - 1 * 1e-3, 1 - 100 * 1e-3    # (a, b) = (1, 100)
    for how, alpha, beta in [("factor", alpha0, beta0), ("rate", 1 - 1 * 1e-4, 1 - 100 * 1e-4),
                             ("square", 1 - 1e-3 * 0.01, 1 - 0.1 * 0.01)]:
        s = Schedule(kind="step", start=0, factor=0.1, alpha=how, beta=how)
        eta, a_k, b_k = s.factors(5, eta0, alpha0, beta0)
        assert (eta, a_k, b_k) == pytest.approx((1e-4, alpha, beta), rel=1e-12)


def _by_hand(grads, eta0, alpha0, beta0, eps, schedule, x0):
    """Eq. (3) with m_t, v_t as explicit weighted sums of the gradients and the bias corrections
    1 - prod of the factors (the sum of the weights)."""
    x, out = x0, []
    f = [schedule.factors(k, eta0, alpha0, beta0) for k in range(len(grads))]
    for t in range(1, len(grads) + 1):
        m = sum((1 - f[s][2]) * math.prod(f[r][2] for r in range(s + 1, t)) * grads[s] for s in range(t))
        v = sum((1 - f[s][1]) * math.prod(f[r][1] for r in range(s + 1, t)) * grads[s] ** 2 for s in range(t))
        corr_m = 1 - math.prod(f[s][2] for s in range(t))
        corr_v = 1 - math.prod(f[s][1] for s in range(t))
        x = x - f[t - 1][0] * (m / corr_m) / (math.sqrt(v / corr_v) + eps)
        out.append(x)
    return out


@pytest.mark.parametrize("schedule", [STEP, COSINE, Schedule(kind="cosine", start=0, stop=8, factor=0.2,
                                                               alpha="square", beta="factor")])
def test_scheduled_adam_is_the_update_written_by_hand(schedule):
    grads = [0.7, -1.3, 0.2, 2.5, -0.4, 0.9, -2.0, 0.05, 1.1, -0.6]
    eta0, alpha0, beta0, eps = 1e-2, 1 - 2 * 1e-2, 1 - 30 * 1e-2, 1e-8
    p = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    opt = ScheduledAdam([p], eta0, alpha0, beta0, eps, schedule)
    got = []
    for g in grads:
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        got.append(float(p.detach()))
    assert got == pytest.approx(_by_hand(grads, eta0, alpha0, beta0, eps, schedule, 0.3), rel=1e-12, abs=1e-15)


def test_with_constant_factors_it_is_torch_adam():
    torch.manual_seed(0)
    p1 = torch.randn(5, dtype=torch.float64, requires_grad=True)
    p2 = p1.detach().clone().requires_grad_(True)
    constant = Schedule(kind="step", start=0, factor=1.0, alpha="factor", beta="factor")
    ours = ScheduledAdam([p1], 1e-2, 0.99, 0.9, 1e-8, constant)
    ref = torch.optim.Adam([p2], lr=1e-2, betas=(0.9, 0.99), eps=1e-8)
    for _ in range(50):
        for p, opt in ((p1, ours), (p2, ref)):
            opt.zero_grad()
            (p ** 4).sum().backward()
            opt.step()
    assert torch.allclose(p1, p2, rtol=1e-12, atol=1e-14)


class Interrupt(Exception):
    pass


def test_a_scheduled_run_logs_eta_and_resumes_to_the_identical_history(tmp_path):
    opt = OptimiserSpec.from_config("adam", eta=1e-2, a=1, b=10)
    spec = RunSpec(problem={"name": "wishart_quadratic", "dim": 10, "seed": 0, "f0": 12.0}, optimiser=opt,
                   seed=0, dtype="float32", schedule=Schedule(kind="cosine", start=10, stop=60, factor=0.1,
                                                              alpha="rate", beta="rate"))
    plan = RunPlan(spec=spec, iterations=80)
    whole = train(plan, tmp_path / "whole.pt", CPU, 10, log=lambda m: None).history
    assert whole["eta"].tolist() == pytest.approx([spec.schedule.eta(k, 1e-2) for k in range(80)])

    def stop(k):
        if k == 44:
            raise Interrupt
    with pytest.raises(Interrupt):
        train(plan, tmp_path / "cut.pt", CPU, 10, log=lambda m: None, on_step=stop)
    resumed = train(plan, tmp_path / "cut.pt", CPU, 10, log=lambda m: None).history
    pd.testing.assert_frame_equal(whole, resumed)
    assert np.isfinite(whole["loss"]).all()


def test_runs_entries_sweep_schedules_batch_sizes_and_name_them():
    cfg = {"problem": {"name": "wishart_quadratic", "dim": 10, "seed": 0, "f0": 12.0}, "dtype": "float64",
           "seeds": [0], "iterations": 100, "threads": 1,
           "runs": [{"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 100, "eps": 4e-8, "batch_size": [None, 16],
                     "schedule": [STEP.to_dict(), COSINE.to_dict()]}]}
    names = [plan.name for plan, _ in figure_runs("figXX", cfg)]
    assert len(names) == 4 and len(set(names)) == 4
    assert "quad10-s0-f12_adam_eta1e-3_a1_b100_eps4e-8_step3x0.1-rr_seed0_f64" in names
    assert "quad10-s0-f12_adam_eta1e-3_a1_b100_eps4e-8_cos2-6x0.1-rs_bs16_seed0_f64" in names


def test_a_bad_schedule_is_refused_naming_it():
    cfg = {"problem": {"name": "scalar_quadratic", "x0": 1.0}, "dtype": "float64", "seeds": [0],
           "iterations": 10, "threads": 1,
           "runs": [{"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 1,
                     "schedule": {"kind": "linear", "start": 0, "factor": 0.1, "alpha": "rate", "beta": "rate"}}]}
    with pytest.raises(ValueError, match=r"figXX.runs\[0\].*linear"):
        figure_runs("figXX", cfg)
    cfg["runs"] = [{"optimiser": "rmsprop", "eta": 1e-3, "a": 1, "schedule": STEP.to_dict()}]
    with pytest.raises(ValueError, match="Adam only"):
        figure_runs("figXX", cfg)
