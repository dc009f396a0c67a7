"""The training engine: determinism, resume after interruption, divergence, logged extras."""
import pandas as pd
import pytest
import torch

from adamdyn.engine import train
from adamdyn.optim import OptimiserSpec
from adamdyn.runs import RunPlan, RunSpec

CPU = torch.device("cpu")


def _plan(problem, optimiser, iterations, batch_size=None, dtype="float64", **log):
    spec = RunSpec(problem=problem, optimiser=optimiser, seed=3, dtype=dtype, batch_size=batch_size)
    return RunPlan(spec=spec, iterations=iterations, **log)


def _quiet(msg):
    pass


class Interrupt(Exception):
    pass


def _interrupt_at(k_stop):
    def on_step(k):
        if k == k_stop:
            raise Interrupt
    return on_step


ADAM = OptimiserSpec.from_config("adam", eta=1e-2, a=1, b=10)
QUAD = {"name": "wishart_quadratic", "dim": 10, "seed": 0, "f0": 12.0}


def test_same_seed_gives_the_same_history_twice(tmp_path, test_problems):
    plan = _plan({"name": "least_squares", "n": 64}, ADAM, 60, batch_size=16, dtype="float32")
    a = train(plan, tmp_path / "a.pt", CPU, 1000, log=_quiet).history
    b = train(plan, tmp_path / "b.pt", CPU, 1000, log=_quiet).history
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("problem, batch_size, log", [
    (QUAD, None, {"log_norms": True, "log_iterate": True}),
    ({"name": "least_squares", "n": 60}, 16, {"eval_every": 7}),  # 3 batches an epoch; resume mid-epoch
])
def test_resume_after_interruption_gives_the_identical_history(tmp_path, test_problems, problem, batch_size, log):
    plan = _plan(problem, ADAM, 100, batch_size=batch_size, **log)
    whole = train(plan, tmp_path / "whole.pt", CPU, 10, log=_quiet)
    ckpt = tmp_path / "killed.pt"
    with pytest.raises(Interrupt):
        train(plan, ckpt, CPU, 10, log=_quiet, on_step=_interrupt_at(44))  # last checkpoint: iteration 40
    resumed = train(plan, ckpt, CPU, 10, log=_quiet)
    assert resumed.resumed_from == [40]
    pd.testing.assert_frame_equal(whole.history, resumed.history)


def test_a_longer_run_continues_from_the_final_checkpoint(tmp_path):
    short = train(_plan(QUAD, ADAM, 50), tmp_path / "c.pt", CPU, 1000, log=_quiet)
    long = train(_plan(QUAD, ADAM, 80), tmp_path / "c.pt", CPU, 1000, log=_quiet)
    fresh = train(_plan(QUAD, ADAM, 80), tmp_path / "fresh.pt", CPU, 1000, log=_quiet)
    assert long.resumed_from == [50]
    pd.testing.assert_frame_equal(long.history, fresh.history)
    pd.testing.assert_frame_equal(short.history, fresh.history.iloc[:50])


def test_a_checkpoint_of_other_settings_is_not_used(tmp_path):
    train(_plan(QUAD, ADAM, 20), tmp_path / "c.pt", CPU, 10, log=_quiet)
    other = OptimiserSpec.from_config("adam", eta=1e-2, a=10, b=10)
    res = train(_plan(QUAD, other, 20), tmp_path / "c.pt", CPU, 10, log=_quiet)
    assert res.resumed_from == []


def test_non_finite_loss_stops_the_run_and_marks_it_diverged(tmp_path, test_problems):
    plan = _plan({"name": "runaway"}, OptimiserSpec.from_config("signgd", eta=100.0), 50)
    res = train(plan, tmp_path / "r.pt", CPU, 10, log=_quiet)
    assert res.diverged and res.diverged_step == 8  # exp(800) overflows float64
    assert res.history["step"].tolist() == list(range(9))
    assert res.history["loss"].iloc[-1] == float("-inf")
    again = train(plan, tmp_path / "r.pt", CPU, 10, log=_quiet)  # resuming a diverged run keeps it
    assert again.diverged and len(again.history) == 9


def test_logged_extras(tmp_path, test_problems):
    plan = _plan(QUAD, ADAM, 5, log_iterate=True, log_norms=True)
    h = train(plan, tmp_path / "q.pt", CPU, 10, log=_quiet).history
    assert [f"x{i}" for i in range(10)] == [c for c in h.columns if c.startswith("x")]
    assert h.loc[0, "norm_m"] == 0.0 and h.loc[0, "norm_sqrt_v"] == 0.0  # m0 = v0 = 0
    assert h.loc[1, "norm_m"] > 0
    x0 = h.loc[0, [f"x{i}" for i in range(10)]].to_numpy()
    assert h.loc[0, "norm_x"] == pytest.approx(float((x0 ** 2).sum() ** 0.5))
    plan = _plan({"name": "least_squares", "n": 32}, ADAM, 10, eval_every=4)
    h = train(plan, tmp_path / "l.pt", CPU, 100, log=_quiet).history
    assert h["test_loss"].notna().tolist() == [k % 4 == 0 for k in range(10)]


def test_fig5_quadratic_starts_at_f0_with_prop4_metadata(tmp_path):
    res = train(_plan(QUAD, OptimiserSpec.from_config("signgd", eta=1e-3), 3), tmp_path / "s.pt", CPU, 10, log=_quiet)
    assert res.history["loss"].iloc[0] == pytest.approx(12.0, rel=1e-12)
    meta = res.metadata
    assert meta["mu"] == pytest.approx(2 * meta["lambda_min"])
    assert meta["prop4_stop_time_bound"] == pytest.approx(2 * (12.0 / meta["mu"]) ** 0.5)


class _Marker:
    """Unpickling this object would create a file: a checkpoint from elsewhere running code."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (str(self.path), "w"))


def test_a_checkpoint_holding_pickled_code_is_refused_not_run(tmp_path):
    marker = tmp_path / "ran"
    torch.save({"format": 2, "identity": None, "payload": _Marker(marker)}, tmp_path / "c.pt")
    logs = []
    res = train(_plan(QUAD, ADAM, 5), tmp_path / "c.pt", CPU, 10, log=logs.append)
    assert not marker.exists() and res.resumed_from == [] and len(res.history) == 5
    assert any("unreadable" in m and "starting from scratch" in m for m in logs)


def test_spike_mechanism_signals_leave_the_trajectory_alone_and_resume_identically(tmp_path):
    """Logging the spike mechanism's signals (adamdyn.sharpness.SpikeProbe) changes no loss, and a run
    killed mid-way resumes (warm-start vector included) to the identical signals."""
    plain = train(_plan(QUAD, ADAM, 60), tmp_path / "plain.pt", CPU, 10, log=_quiet).history
    plan = _plan(QUAD, ADAM, 60, sharpness_every=3, lanczos_steps=4)
    whole = train(plan, tmp_path / "whole.pt", CPU, 10, log=_quiet).history
    assert whole["loss"].equals(plain["loss"])
    assert whole["sharpness_ratio"].notna().sum() == 19  # k = 3, 6, ..., 57 (none at k = 0: v_0 = 0)
    assert whole["decoupling"].iloc[1:].notna().all() and whole["update_cosine"].notna().all()
    ckpt = tmp_path / "killed.pt"
    with pytest.raises(Interrupt):
        train(plan, ckpt, CPU, 10, log=_quiet, on_step=_interrupt_at(25))
    resumed = train(plan, ckpt, CPU, 10, log=_quiet)
    assert resumed.resumed_from == [20]
    pd.testing.assert_frame_equal(whole, resumed.history)


def test_a_sequence_job_trains_each_run_exactly_as_alone(tmp_path, test_problems):
    """The sequence executor (several runs one after another in one process, to pay a job's start-up
    once) gives each run the history it has when trained alone, and resumes each from its own checkpoint."""
    from adamdyn.executors import train_group

    plans = [_plan({"name": "least_squares", "n": 64}, OptimiserSpec.from_config("adam", eta=1e-2, a=a, b=10), 40,
                   batch_size=16, dtype="float32") for a in (1, 10)]
    alone = [train(p, tmp_path / f"alone{i}.pt", CPU, 1000, log=_quiet).history for i, p in enumerate(plans)]
    together = train_group("sequence", plans, tmp_path / "job.pt", CPU, 10, log=_quiet)
    for a, t in zip(alone, together):
        pd.testing.assert_frame_equal(a, t.history)
    assert sorted(p.name for p in (tmp_path / "job").iterdir()) == sorted(f"{p.name}.pt" for p in plans)
    again = train_group("sequence", plans, tmp_path / "job.pt", CPU, 10, log=_quiet)  # from their final checkpoints
    assert all(r.resumed_from for r in again)
    for a, t in zip(alone, again):
        pd.testing.assert_frame_equal(a, t.history)
