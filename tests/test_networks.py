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


def test_loss_normalisations_are_the_mean_times_their_constant(data_dir):
    """half, sum over outputs, sum over samples and outputs: c times the mean (c = 1/2, K, N K), the
    held-out loss with the held-out set's own N; the run's name says the normalisation."""
    tensors = torch.load(data_dir / "sine.pt", weights_only=True)
    values = {}
    for loss in ("mean", "half", "sum_outputs", "sum_samples"):
        torch.manual_seed(0)
        obj = build_problem({**PROBLEM, "loss": loss}, torch.float64, CPU, data_dir=data_dir)
        values[loss] = (float(obj.loss(None).detach()), obj.test_metrics()["test_loss"])
    mean, test = values["mean"]
    for loss, (c, c_test) in {"half": (0.5, 0.5), "sum_outputs": (1, 1), "sum_samples": (64, 32)}.items():
        assert values[loss] == pytest.approx((c * mean, c_test * test), rel=1e-12), loss
    x, y = tensors["x_train"].double(), tensors["y_train"].double()
    torch.manual_seed(0)
    obj = build_problem({**PROBLEM, "loss": "sum_samples"}, torch.float64, CPU, data_dir=data_dir)
    assert float(obj.loss(None).detach()) == pytest.approx(float(((obj.module(x) - y) ** 2).sum().detach()), rel=1e-12)
    assert obj.metadata["loss_scale"] == 64
    assert problem_tag({**PROBLEM, "loss": "sum_samples"}) == "mlp-sine-8x8-sumsamples"
    with pytest.raises(ValueError, match="Unknown loss 'sum'"):
        build_problem({**PROBLEM, "loss": "sum"}, torch.float64, CPU, data_dir=data_dir)


def test_normal_init_draws_weights_and_biases_from_n_0_std2(data_dir):
    torch.manual_seed(0)
    obj = build_problem({"name": "mlp", "data": "sine", "widths": [400, 400], "init": "normal", "init_std": 0.3},
                        torch.float64, CPU, data_dir=data_dir)
    w, b = obj.module[2].weight.detach(), obj.module[2].bias.detach()  # 400 x 400 and 400
    assert float(w.std()) == pytest.approx(0.3, rel=0.01) and abs(float(w.mean())) < 0.003
    assert float(b.std()) == pytest.approx(0.3, rel=0.1) and float(b.abs().max()) > 0.5  # not PyTorch's U(+-1/20)
    assert problem_tag({**PROBLEM, "init": "normal", "init_std": 0.3}) == "mlp-sine-8x8-n0.3"
    for bad in ({"init": "normal"}, {"init": "xavier_uniform", "init_std": 0.3}, {"init": "normal", "init_std": 0}):
        with pytest.raises(ValueError, match="init 'normal' needs a positive init_std"):
            build_problem({**PROBLEM, **bad}, torch.float64, CPU, data_dir=data_dir)


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


def test_resnet18_is_the_cifar_variant_with_the_papers_halved_widths():
    from adamdyn.problems.resnet import resnet18_net

    net = resnet18_net(32)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs[0].kernel_size == (3, 3) and convs[0].stride == (1, 1)  # 3x3 stem
    assert not any(isinstance(m, torch.nn.MaxPool2d) for m in net.modules())  # no max-pool
    assert sorted({c.out_channels for c in convs}) == [32, 64, 128, 256]
    assert sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules()) == len(convs)
    # 8 basic blocks of two 3x3 convolutions, plus the stem and 3 projection shortcuts
    assert sum(c.kernel_size == (3, 3) for c in convs) == 17 and sum(c.kernel_size == (1, 1) for c in convs) == 3
    assert net(torch.randn(4, 3, 32, 32)).shape == (4, 10)


def test_resnet18_problem_trains_with_seeded_minibatches_in_training_mode(tmp_path):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40, 3, 8, 8, generator=gen)
    y = torch.nn.functional.one_hot(torch.randint(0, 10, (40,), generator=gen), 10).float()
    save_prepared(tmp_path / "tiny.pt", {"x_train": x, "y_train": y}, {"name": "tiny"})
    problem = {"name": "resnet18", "data": "tiny", "width": 4}
    assert problem_tag(problem) == "resnet18-tiny-w4"
    spec = RunSpec(problem=problem, optimiser=OptimiserSpec.from_config("adam", eta=1e-3, a=1, b=100), seed=0,
                   dtype="float32", batch_size=10)
    runs = [train(RunPlan(spec=spec, iterations=8), tmp_path / f"r{i}.pt", CPU, 100, log=lambda m: None,
                  data_dir=tmp_path) for i in range(2)]
    pd.testing.assert_frame_equal(runs[0].history, runs[1].history)  # shuffling is a function of the seed
    assert runs[0].metadata["n_train"] == 40
    obj = build_problem(problem, torch.float32, CPU, data_dir=tmp_path)
    assert obj.module.training  # BatchNorm uses batch statistics throughout
