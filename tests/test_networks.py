"""Network problems on prepared data: the MLP's shape, the square loss, held-out metrics, resume."""
import pandas as pd
import pytest
import torch

from adamdyn.data import save_prepared, sine_regression
from adamdyn.engine import train
from adamdyn.optim import OptimiserSpec
from adamdyn.problems import build_problem, problem_tag
from adamdyn.runs import RunPlan, RunSpec

CPU = torch.device("cpu")
PROBLEM = {"name": "mlp", "data": "sine", "widths": [8, 8]}


@pytest.fixture
def data_dir(tmp_path):
    tensors, meta = sine_regression(seed=0, n_train=64, n_test=32, dim=5)
    save_prepared(tmp_path / "sine.pt", tensors, meta)
    return tmp_path


def test_mlp_shapes_and_mse_loss(data_dir):
    torch.manual_seed(0)
    obj = build_problem(PROBLEM, torch.float32, CPU, data_dir=data_dir)
    sizes = [p.shape for p in obj.parameters]
    assert sizes == [(8, 5), (8,), (8, 8), (8,), (1, 8), (1,)]
    tensors = torch.load(data_dir / "sine.pt", weights_only=True)
    expected = ((obj.module(tensors["x_train"]) - tensors["y_train"]) ** 2).mean()
    assert float(obj.loss(None).detach()) == pytest.approx(float(expected.detach()))
    assert set(obj.test_metrics()) == {"test_loss"}
    assert problem_tag(PROBLEM) == "mlp-sine-8x8"


def test_mlp_training_resumes_identically(data_dir, tmp_path):
    spec = RunSpec(problem=PROBLEM, optimiser=OptimiserSpec.from_config("adam", eta=1e-2, a=1, b=100),
                   seed=0, dtype="float32")
    plan = RunPlan(spec=spec, iterations=60, eval_every=5)
    whole = train(plan, tmp_path / "w.pt", CPU, 20, log=lambda m: None, data_dir=data_dir)
    assert whole.history["loss"].iloc[-1] < whole.history["loss"].iloc[0]
    assert whole.history["test_loss"].notna().sum() == 12

    class Stop(Exception):
        pass

    def stop(k):
        if k == 45:
            raise Stop

    with pytest.raises(Stop):
        train(plan, tmp_path / "k.pt", CPU, 20, log=lambda m: None, data_dir=data_dir, on_step=stop)
    resumed = train(plan, tmp_path / "k.pt", CPU, 20, log=lambda m: None, data_dir=data_dir)
    assert resumed.resumed_from == [40]
    pd.testing.assert_frame_equal(whole.history, resumed.history)
