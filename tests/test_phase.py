"""Fig 8's grid as runs, and the batched executor: a batch's runs equal the engine's runs of the
same settings, resume from a checkpoint to identical histories, and ignore a checkpoint of others."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from adamdyn.data import save_prepared
from adamdyn.engine import train
from adamdyn.executors import train_group
from adamdyn.figures.fig08 import expand, grid_cells, grid_index, grid_value
from adamdyn.optim import OptimiserSpec
from adamdyn.runs import RunPlan, RunSpec, plan_scale

CPU = torch.device("cpu")
SUBGRID = {"points": 40, "low": 0.1, "high": 100, "every": 4, "offset": 3}


def _quiet(msg):
    pass


def test_grid_is_the_papers_log_grid_and_subgrids_keep_its_cells():
    assert [round(grid_value(j, 40, 0.1, 100), 12) for j in (0, 13, 26, 39)] == [0.1, 1.0, 10.0, 100.0]
    assert math.isclose(grid_value(7, 40, 0.1, 100), 10 ** (-1 + 3 * 7 / 39))
    full = grid_cells({"points": 40, "low": 0.1, "high": 100})
    sub = grid_cells(SUBGRID, ["1,100"])
    assert len(full) == 1600 and len(sub) == 101
    for a, b in sub[:-1]:  # every sub-grid cell is a cell of the paper's grid, with the same values
        assert grid_index(a, 40, 0.1, 100) % 4 == 3 and (a, b) in full
    assert sub[-1] == (1.0, 100.0) and grid_index(1.0, 40, 0.1, 100) == 13 and grid_index(1.5, 40, 0.1, 100) is None
    # an extra cell already on the grid is not trained twice
    assert len(grid_cells({"points": 40, "low": 0.1, "high": 100}, ["1,100"])) == 1600


def test_the_grid_becomes_runs_in_batches_that_cover_every_cell_once():
    cfg = {"grid": SUBGRID, "extra": ["1,100"], "problem": {"name": "mlp", "data": "fashion_mnist", "widths": [8]},
           "eta": 1e-3, "seed": 0, "dtype": "float32", "iterations": 10, "batched": 26, "threads": 1}
    runs, reads, jobs = plan_scale({"fig08": expand(cfg)})
    assert list(jobs) == ["fig08_batch000", "fig08_batch001", "fig08_batch002", "fig08_batch003"]
    assert [len(j.runs) for j in jobs.values()] == [26, 26, 26, 23]
    assert sum((j.runs for j in jobs.values()), []) == [name for name, _ in reads["fig08"]] == list(runs)
    assert all(j.executor == "batched" for j in jobs.values())
    assert runs[jobs["fig08_batch003"].runs[-1]].name.endswith("adam_eta1e-3_a1_b100_seed0_f32")


def test_runs_that_differ_in_more_than_a_b_are_not_batched():
    cfg = {"problem": {"name": "mlp", "data": "toy", "widths": [8]}, "dtype": "float32", "seeds": [0],
           "iterations": 10, "threads": 1, "batched": 4,
           "runs": [{"optimiser": "adam", "eta": 1e-3, "a": 1, "b": 1}, {"optimiser": "rmsprop", "eta": 1e-3, "a": 1}]}
    with pytest.raises(ValueError, match="cannot be trained in a batch: optimiser 'rmsprop'"):
        plan_scale({"figXX": cfg})


@pytest.fixture
def tiny_data(tmp_path):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40, 6, generator=gen)
    y = torch.nn.functional.one_hot(torch.randint(0, 3, (40,), generator=gen), 3).float()
    save_prepared(tmp_path / "toy.pt", {"x_train": x, "y_train": y}, {"name": "toy"})
    return tmp_path


def _plans(iterations=60, cells=((0.5, 50.0), (10.0, 10.0))):
    problem = {"name": "mlp", "data": "toy", "widths": [8, 8]}
    return [RunPlan(spec=RunSpec(problem=problem, optimiser=OptimiserSpec.from_config("adam", eta=1e-2, a=a, b=b),
                                 seed=0, dtype="float64"), iterations=iterations) for a, b in cells]


class Interrupt(Exception):
    pass


def test_an_interrupted_batch_resumes_to_the_identical_histories(tiny_data, tmp_path):
    plans = _plans()
    whole = train_group("batched", plans, tmp_path / "a.pt", CPU, 10, log=_quiet, data_dir=tiny_data)

    def stop(k):
        if k == 34:
            raise Interrupt

    with pytest.raises(Interrupt):
        train_group("batched", plans, tmp_path / "b.pt", CPU, 10, log=_quiet, on_step=stop, data_dir=tiny_data)
    logs = []
    resumed = train_group("batched", plans, tmp_path / "b.pt", CPU, 10, log=logs.append, data_dir=tiny_data)
    assert all(r.resumed_from == [30] for r in resumed) and any("resumed" in m for m in logs)
    for r, w in zip(resumed, whole):
        pd.testing.assert_frame_equal(r.history, w.history)
        assert len(w.history) == 60 and np.isfinite(w.history["loss"]).all() and not w.diverged


def test_a_batch_checkpoint_of_other_runs_is_not_used(tiny_data, tmp_path):
    train_group("batched", _plans(20), tmp_path / "c.pt", CPU, 10, log=_quiet, data_dir=tiny_data)
    logs = []
    out = train_group("batched", _plans(20)[::-1], tmp_path / "c.pt", CPU, 10, log=logs.append, data_dir=tiny_data)
    assert out[0].resumed_from == [] and any("other settings" in m for m in logs)


def test_a_batched_run_is_the_engines_run_of_the_same_settings(tiny_data, tmp_path):
    """A batch's runs start from the weights the engine's ``mlp`` problem builds with the same seed,
    and follow the same eq. (3) trajectory as the engine's run with torch.optim.Adam."""
    plans = _plans(30)
    batch = train_group("batched", plans, tmp_path / "d.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
    for i, plan in enumerate(plans):
        run = train(plan, tmp_path / f"run{i}.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
        np.testing.assert_allclose(batch[i].history["loss"].to_numpy(), run.history["loss"].to_numpy(), rtol=1e-9)
        assert batch[i].metadata == run.metadata


def test_a_batched_run_with_its_own_eps_is_the_engines_run_with_that_eps(tiny_data, tmp_path):
    """eps is the stack's, not a constant: a batch at eps = 0.05 (far from 1e-8, so that it acts on the
    steps) follows the engine's runs at that eps, and not the runs at the default eps."""
    plans = [RunPlan(spec=RunSpec(problem=p.spec.problem, seed=0, dtype="float64",
                                  optimiser=OptimiserSpec.from_config("adam", eta=1e-2, a=p.spec.optimiser.a,
                                                                      b=p.spec.optimiser.b, eps=0.05)),
                     iterations=30) for p in _plans(30)]
    batch = train_group("batched", plans, tmp_path / "eps.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
    default = train_group("batched", _plans(30), tmp_path / "default.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
    for i, plan in enumerate(plans):
        run = train(plan, tmp_path / f"eps{i}.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
        np.testing.assert_allclose(batch[i].history["loss"].to_numpy(), run.history["loss"].to_numpy(), rtol=1e-9)
        assert not np.allclose(batch[i].history["loss"].to_numpy()[1:], default[i].history["loss"].to_numpy()[1:])


def test_a_batched_run_with_a_summed_loss_is_the_engines_and_the_means_run_at_eps_over_c(tiny_data, tmp_path):
    """The loss summed over samples and outputs (c = N K = 120 on the toy set): the batch follows the
    engine's runs of that loss, and, as eq. (3) says (the step is c m / (sqrt(c^2 v) + eps)), c times the
    runs of the mean loss at eps / c."""
    def plans(loss, eps):
        return [RunPlan(spec=RunSpec(problem={**p.spec.problem, "loss": loss}, seed=0, dtype="float64",
                                     optimiser=OptimiserSpec.from_config("adam", eta=1e-2, a=p.spec.optimiser.a,
                                                                         b=p.spec.optimiser.b, eps=eps)),
                        iterations=30) for p in _plans(30)]
    summed = plans("sum_samples", 0.05)
    batch = train_group("batched", summed, tmp_path / "sum.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
    mean = train_group("batched", plans("mean", 0.05 / 120), tmp_path / "mean.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
    for i, plan in enumerate(summed):
        run = train(plan, tmp_path / f"sum{i}.pt", CPU, 100, log=_quiet, data_dir=tiny_data)
        np.testing.assert_allclose(batch[i].history["loss"].to_numpy(), run.history["loss"].to_numpy(), rtol=1e-9)
        np.testing.assert_allclose(batch[i].history["loss"].to_numpy(), 120 * mean[i].history["loss"].to_numpy(),
                                   rtol=1e-9)
    assert summed[0].name != plans("mean", 0.05)[0].name


def test_a_diverging_batched_run_ends_like_an_engine_run(tmp_path):
    """A run whose loss turns non-finite ends there, marked diverged, its last row the non-finite
    loss: inputs of size 1e20 overflow float32's squared error at the first iteration."""
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40, 6, generator=gen) * 1e20
    y = torch.nn.functional.one_hot(torch.randint(0, 3, (40,), generator=gen), 3).float()
    save_prepared(tmp_path / "toy.pt", {"x_train": x, "y_train": y}, {"name": "toy"})
    plans = [RunPlan(spec=RunSpec(problem=p.spec.problem, optimiser=p.spec.optimiser, seed=0, dtype="float32"),
                     iterations=20) for p in _plans()]
    batch = train_group("batched", plans, tmp_path / "e.pt", CPU, 100, log=_quiet, data_dir=tmp_path)
    for i, plan in enumerate(plans):
        run = train(plan, tmp_path / f"run{i}.pt", CPU, 100, log=_quiet, data_dir=tmp_path)
        assert run.diverged and batch[i].diverged and batch[i].diverged_step == run.diverged_step == 0
        pd.testing.assert_frame_equal(batch[i].history, run.history)


def test_the_default_off_the_sub_grid_is_not_a_grid_cell_of_the_scale():
    from adamdyn.figures.fig08 import on_subgrid
    grid = {"points": 40, "low": 0.1, "high": 100.0, "every": 4, "offset": 3}
    assert grid_index(1.0, 40, 0.1, 100.0) == 13 and not on_subgrid(13, grid)  # a = 1 is on the paper's grid only
    assert on_subgrid(39, grid) and on_subgrid(3, grid) and not on_subgrid(None, grid) and not on_subgrid(1, grid)
    assert on_subgrid(13, {"points": 40, "low": 0.1, "high": 100.0})
