"""Fig 8's transect study (the Fig 8 reduction study): its runs, what the published map says of each cell, its summary,
and how the plan batches runs that the study shares with Fig 8."""
import numpy as np
import pandas as pd

from adamdyn.figures import fig08
from adamdyn.studies import fig08_reduction
from adamdyn.runs import plan_scale

GRID = {"points": 40, "low": 0.1, "high": 100.0}
STUDY = {"problem": {"name": "mlp", "data": "fashion_mnist", "widths": [16, 16]}, "dtype": "float32", "seed": 0,
         "eta": 1e-3, "grid": GRID, "cells": [[7, 7], [10, 7], [15, 7], [13, 39]],
         "candidates": {"w16": {"why": "base"}, "w8": {"why": "half", "problem": {"widths": [8, 8]}}},
         "iterations": 400, "lengths": [200, 400], "batched": 4, "threads": 1}


def test_the_study_trains_every_candidate_on_every_cell_of_the_papers_grid():
    cfg = fig08_reduction.expand(STUDY)
    assert len(cfg["runs"]) == 8 and cfg["batched"] == 4
    assert {tuple(r["problem"]["widths"]) for r in cfg["runs"]} == {(16, 16), (8, 8)}
    assert [(r["a"], r["b"]) for r in cfg["runs"][:4]] == [(fig08.grid_value(ja, 40, 0.1, 100.0),
                                                            fig08.grid_value(jb, 40, 0.1, 100.0))
                                                           for ja, jb in STUDY["cells"]]


def test_the_published_map_constrains_cells_by_region():
    rules = fig08_reduction.published_constraints()
    said = dict(fig08_reduction.expected(0.3455, 0.3455, rules))  # the diagonal below 11.9, b <= 2.9
    assert said == {"regime == 'divergence'": False, "regime == 'spike'": False, "regime == 'oscillation'": True}
    assert dict(fig08_reduction.expected(1.425, 0.3455, rules)) == {"regime == 'divergence'": True, "regime == 'spike'": False}
    assert dict(fig08_reduction.expected(1.0, 100.0, rules)) == {"regime == 'divergence'": False, "regime == 'spike'": True}


def test_the_summary_counts_agreeing_cells_and_reads_the_divergence_onset():
    rows = []
    for length, late_div in ((200, False), (400, True)):
        for a, label in ((0.3455, "oscillation"), (0.5878, "oscillation"), (1.425, "divergence" if late_div else "oscillation")):
            said = fig08_reduction.expected(a, 0.3455, fig08_reduction.published_constraints())
            agrees = all((label == w.split("'")[1]) == s for w, s in said)
            rows.append({"candidate": "w16", "a": a, "b": 0.3455, "length": length, "regime": label, "diverged": False,
                         "log10_tail_mean_loss": -3.0 - a, "agrees": agrees, "cell_iterations_per_s": 100.0,
                         "eta": 1e-3})
    out = fig08_reduction.summary(pd.DataFrame(rows), None)
    assert out[["length", "agree", "constrained"]].values.tolist() == [[200, 2, 3], [400, 3, 3]]
    assert out["divergence_onset_a_over_b_by_b"].tolist() == [{"0.345": None}, {"0.345": 4.12}]
    claim = fig08_reduction.claims(pd.DataFrame(rows), "1,100")[0]
    assert claim.passed and claim.measured["gain_longest_over_shortest"] == {"w16": 1}


def test_a_run_the_study_shares_with_fig08_is_batched_by_the_longer_reader():
    fig8 = fig08.expand({"problem": STUDY["problem"], "dtype": "float32", "seed": 0, "eta": 1e-3,
                         "grid": {**GRID, "every": 13}, "iterations": 200, "batched": 8, "threads": 1})
    runs, reads, jobs = plan_scale({"fig08": fig8, "fig08_reduction": fig08_reduction.expand(STUDY)})
    shared = [n for n, _ in reads["fig08"] if n in dict(reads["fig08_reduction"])]
    assert len(shared) == 1 and shared[0].endswith("a1_b100_seed0_f32") and runs[shared[0]].iterations == 400
    owner = [j for j in jobs.values() if shared[0] in j.runs][0]
    assert owner.name.startswith("fig08_reduction_") and all(runs[r].iterations == 400 for r in owner.runs)
    assert all(len({runs[r].iterations for r in j.runs}) == 1 for j in jobs.values())
    assert all(len({tuple(runs[r].spec.problem["widths"]) for r in j.runs}) == 1 for j in jobs.values())
    assert sorted(r for j in jobs.values() for r in j.runs) == sorted(runs)
    assert np.isclose(fig08.bounded_update_edge(10.0, 1e-3), 19.9)
    # at equal lengths the smaller figure (a slice, a study) trains the shared run in its own batch
    runs, reads, jobs = plan_scale({"fig08": fig8, "fig08_reduction": fig08_reduction.expand({**STUDY, "iterations": 200})})
    assert [j.name for j in jobs.values() if shared[0] in j.runs][0].startswith("fig08_reduction_")


def test_a_candidate_may_set_eps_and_its_runs_are_told_apart_from_the_base_by_it(tmp_path):
    """A loss scaled by c is Adam with eps / c: a candidate with ``eps`` trains the same problem's cells
    at that eps, in its own batches, and the table names each run's candidate by problem and eps."""
    from test_tables_known_studies import REGIME, SENSITIVITY, WINDOW, write_run
    study = {**STUDY, "candidates": {"w16": {"why": "base"}, "sum_outputs": {"why": "x 10", "eps": 1e-9}}}
    cfg = fig08_reduction.expand(study)
    assert [r.get("eps") for r in cfg["runs"]] == [None] * 4 + [1e-9] * 4
    runs, reads, jobs = plan_scale({"fig08_reduction": cfg})
    assert sorted(runs[r].spec.optimiser.eps for r in runs) == [1e-9] * 4 + [1e-8] * 4
    assert all(len({runs[r].spec.optimiser.eps for r in j.runs}) == 1 for j in jobs.values())
    folders = []
    for name, _ in reads["fig08_reduction"]:
        opt = runs[name].spec.optimiser
        folders.append((write_run(tmp_path / name, np.full(400, 1e-3), a=opt.a, b=opt.b, eta=1e-3,
                                  problem=STUDY["problem"], alpha_beta_eps=(opt.alpha, opt.beta, opt.eps)), 400))
    stats = fig08_reduction.table(folders, WINDOW, REGIME, SENSITIVITY, GRID, study["cells"], STUDY["problem"],
                                  study["candidates"], [400])
    assert stats.groupby("candidate")["eps"].first().to_dict() == {"sum_outputs": 1e-9, "w16": 1e-8}
    assert stats.groupby("candidate").size().to_dict() == {"sum_outputs": 4, "w16": 4}
