"""Run identity, naming and the scale plan (shared runs trained once)."""
import pytest

from adamdyn.naming import fmt
from adamdyn.runs import figure_runs, plan_scale

QUAD = {"name": "wishart_quadratic", "dim": 10, "seed": 0, "f0": 12.0}


def _fig(runs, iterations=100, **extra):
    return {"problem": QUAD, "dtype": "float64", "seeds": [0], "iterations": iterations, "threads": 1, "runs": runs, **extra}


def test_names_are_readable_and_use_the_papers_a_b():
    runs, _, _ = plan_scale({"fig07": _fig([{"optimiser": "adam", "eta": 1e-3, "a": 10, "b": 10}])})
    assert list(runs) == ["quad10-s0-f12_adam_eta1e-3_a10_b10_seed0_f64"]
    assert [fmt(x) for x in (5e-4, 1e4, 0.9, 100)] == ["5e-4", "1e4", "0.9", "100"]


def test_lists_sweep_as_a_product_over_seeds():
    runs, reads, _ = plan_scale({"fig05": _fig([{"optimiser": "signgd", "eta": [1e-3, 1e-4]}], seeds=[0, 1])})
    assert len(runs) == 4 and len(reads["fig05"]) == 4


def test_same_run_in_two_figures_is_trained_once_for_the_longest_with_all_logs():
    figs = {
        "fig03": _fig([{"optimiser": "adam", "eta": 1e-3, "a": 10, "b": 10}], iterations=500),
        # configured through (alpha, beta): the same run
        "fig07": _fig([{"optimiser": "adam", "eta": 1e-3, "alpha": 0.99, "beta": 0.99}], iterations=1000,
                      log={"norms": True}),
    }
    runs, reads, jobs = plan_scale(figs)
    assert len(runs) == 1 and len(jobs) == 1
    (name, plan), = runs.items()
    assert plan.iterations == 1000 and plan.log_norms and plan.figures == ["fig03", "fig07"]
    assert reads["fig03"] == [(name, 500)] and reads["fig07"] == [(name, 1000)]


def test_time_sets_iterations_per_eta():
    runs, reads, _ = plan_scale({"fig02": _fig([{"optimiser": "signgd", "eta": [1e-5, 1e-4], "time": 0.01}])})
    assert sorted(i for _, i in reads["fig02"]) == [100, 1000]


def test_unknown_key_in_a_runs_entry_is_named():
    with pytest.raises(ValueError, match="lr"):
        plan_scale({"fig05": _fig([{"optimiser": "signgd", "eta": 1e-3, "lr": 1}])})


def test_an_impossible_momentum_rate_names_the_figure_entry_and_what_was_written():
    with pytest.raises(ValueError, match=r"fig07.runs\[0\] \(adam, eta: 0.001, a: 0, b: -100\): Invalid a = 0: alpha = 1 - a eta = 1 must lie in"):
        plan_scale({"fig07": _fig([{"optimiser": "adam", "eta": 1e-3, "a": 0, "b": -100}])})


def test_a_runs_entry_merges_its_own_log_and_sharpness_is_for_full_batch_adam():
    cfg = {"problem": {"name": "wishart_quadratic", "dim": 4, "seed": 0, "f0": 1.0}, "dtype": "float64",
           "seeds": [0], "iterations": 10, "threads": 1, "log": {"sharpness_every": 2, "lanczos_steps": 3},
           "runs": [{"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 100},
                    {"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 100, "eps": 1e-4, "log": {"sharpness_every": 0}}]}
    (probed, _), (control, _) = figure_runs("spike_mechanism", cfg)
    assert (probed.sharpness_every, probed.lanczos_steps, control.sharpness_every) == (2, 3, 0)
    bad = {**cfg, "runs": [{"optimiser": "rmsprop", "eta": 1e-3, "a": 1}]}
    with pytest.raises(ValueError, match="sharpness_every is for full-batch Adam"):
        figure_runs("spike_mechanism", bad)


def test_a_runs_entry_may_give_its_own_seeds():
    cfg = _fig([{"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 100},
                {"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 100, "eps": 1e-4, "seeds": [0, 1, 2]}])
    seeds = [(p.spec.optimiser.eps, p.spec.seed) for p, _ in figure_runs("figX", cfg)]
    assert seeds == [(1e-8, 0), (1e-4, 0), (1e-4, 1), (1e-4, 2)]


def test_sequence_trains_a_figures_short_runs_k_to_a_job_with_the_threads_each_asks_for():
    runs_cfg = [{"optimiser": "signgd", "eta": [1e-2, 5e-3, 1e-3]},
                {"optimiser": "rmsprop", "eta": 1e-2, "alpha": 0.9, "threads": 2}]
    runs, reads, jobs = plan_scale({"fig05": _fig(runs_cfg, sequence=2)})
    seqs = {n: j for n, j in jobs.items() if j.executor == "sequence"}
    assert list(seqs) == ["fig05_seq000"] and len(seqs["fig05_seq000"].runs) == 2
    assert {runs[r].threads for r in seqs["fig05_seq000"].runs} == {1}  # never mixes thread counts
    alone = [j for j in jobs.values() if j.executor == "single"]  # a chunk of one run stays a job of its own
    assert len(alone) == 2 and sorted(r for j in jobs.values() for r in j.runs) == sorted(runs)
    _, _, plain = plan_scale({"fig05": _fig(runs_cfg)})
    assert all(j.executor == "single" for j in plain.values())
