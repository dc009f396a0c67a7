"""Fig 8's grid, its blocks, and a block's checkpoint and resume."""
import math

import numpy as np
import pytest
import torch

from adamdyn.data import save_prepared
from adamdyn.phase import block_plans, grid_cells, grid_value, train_phase_block


def test_grid_is_the_papers_log_grid_and_subgrids_keep_its_cells():
    assert [round(grid_value(j, 40, 0.1, 100), 12) for j in (0, 13, 26, 39)] == [0.1, 1.0, 10.0, 100.0]
    assert math.isclose(grid_value(7, 40, 0.1, 100), 10 ** (-1 + 3 * 7 / 39))
    full = grid_cells({"grid": {"points": 40, "low": 0.1, "high": 100}})
    sub = grid_cells({"grid": {"points": 40, "low": 0.1, "high": 100, "every": 4, "offset": 3}, "extra": ["1,100"]})
    assert len(full) == 1600 and len(sub) == 101
    on_grid = {(c["ja"], c["jb"]): (c["a"], c["b"]) for c in full}
    for c in sub[:-1]:  # every sub-grid cell is a cell of the paper's grid, with the same values
        assert c["ja"] % 4 == 3 and on_grid[(c["ja"], c["jb"])] == (c["a"], c["b"])
    assert sub[-1] == {"a": 1.0, "b": 100.0, "ja": None, "jb": None}
    # an extra cell already on the grid is not trained twice
    assert len(grid_cells({"grid": {"points": 40, "low": 0.1, "high": 100}, "extra": ["1,100"]})) == 1600


def test_blocks_cover_every_cell_once():
    cfg = {"grid": {"points": 40, "low": 0.1, "high": 100, "every": 4, "offset": 3}, "extra": ["1,100"],
           "problem": {"name": "mlp", "data": "fashion_mnist", "widths": [8]}, "eta": 1e-3, "seed": 0,
           "dtype": "float32", "iterations": 10, "block_cells": 26}
    plans = block_plans(cfg)
    assert list(plans) == ["block000", "block001", "block002", "block003"]
    assert [len(p["cells"]) for p in plans.values()] == [26, 26, 26, 23]
    assert sum((p["cells"] for p in plans.values()), []) == grid_cells(cfg)


@pytest.fixture
def tiny_data(tmp_path):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40, 6, generator=gen)
    y = torch.nn.functional.one_hot(torch.randint(0, 3, (40,), generator=gen), 3).float()
    save_prepared(tmp_path / "toy.pt", {"x_train": x, "y_train": y}, {"name": "toy"})
    return tmp_path


def _plan(iterations=60):
    return {"name": "block000", "problem": {"name": "mlp", "data": "toy", "widths": [8, 8]}, "eta": 1e-2,
            "seed": 0, "dtype": "float64", "iterations": iterations, "threads": 1,
            "cells": [{"a": 0.5, "b": 50.0, "ja": None, "jb": None}, {"a": 10.0, "b": 10.0, "ja": None, "jb": None}]}


class Interrupt(Exception):
    pass


def test_an_interrupted_block_resumes_to_the_identical_losses(tiny_data, tmp_path):
    plan = _plan()
    whole = train_phase_block(plan, tmp_path / "a.pt", torch.device("cpu"), 10, tiny_data, log=lambda m: None)

    def stop(k):
        if k == 34:
            raise Interrupt

    with pytest.raises(Interrupt):
        train_phase_block(plan, tmp_path / "b.pt", torch.device("cpu"), 10, tiny_data, log=lambda m: None,
                          on_step=stop)
    logs = []
    resumed = train_phase_block(plan, tmp_path / "b.pt", torch.device("cpu"), 10, tiny_data, log=logs.append)
    assert resumed["resumed_from"] == [30] and any("resumed" in m for m in logs)
    np.testing.assert_array_equal(resumed["losses"], whole["losses"])
    assert whole["losses"].shape == (60, 2) and np.isfinite(whole["losses"]).all()


def test_a_block_checkpoint_of_other_cells_is_not_used(tiny_data, tmp_path):
    train_phase_block(_plan(20), tmp_path / "c.pt", torch.device("cpu"), 10, tiny_data, log=lambda m: None)
    other = _plan(20)
    other["cells"] = other["cells"][::-1]
    logs = []
    out = train_phase_block(other, tmp_path / "c.pt", torch.device("cpu"), 10, tiny_data, log=logs.append)
    assert out["resumed_from"] == [] and any("other settings" in m for m in logs)


def test_a_block_cell_is_the_engines_run_of_the_same_settings(tiny_data, tmp_path):
    """Fig 8's cells start from the weights the engine's ``mlp`` problem builds with the same seed,
    and follow the same eq. (3) trajectory as the engine's run with torch.optim.Adam."""
    from adamdyn.engine import train
    from adamdyn.optim import OptimiserSpec
    from adamdyn.runs import RunPlan, RunSpec

    plan = _plan(30)
    block = train_phase_block(plan, tmp_path / "d.pt", torch.device("cpu"), 100, tiny_data, log=lambda m: None)
    for i, cell in enumerate(plan["cells"]):
        spec = RunSpec(problem=plan["problem"], optimiser=OptimiserSpec.from_config("adam", eta=plan["eta"],
                       a=cell["a"], b=cell["b"]), seed=0, dtype="float64")
        run = train(RunPlan(spec=spec, iterations=30), tmp_path / f"run{i}.pt", torch.device("cpu"), 100,
                    log=lambda m: None, data_dir=tiny_data)
        np.testing.assert_allclose(block["losses"][:, i], run.history["loss"].to_numpy(), rtol=1e-9)
