"""The DGM Laplacian against exact Laplacians, and eq. (13) at the exact solutions."""
import pytest
import torch

from adamdyn.data import poisson_cube, poisson_disk, save_prepared
from adamdyn.problems import build_problem
from adamdyn.problems.pde import dgm_objective, laplacian


def _x(n, d, seed=0):
    return torch.rand(n, d, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


@pytest.mark.parametrize("u, exact", [
    (lambda x: (x[:, 0] * x[:, 1] + x[:, 2] * x[:, 3])[:, None], lambda x: torch.zeros(len(x), 1)),
    (lambda x: ((x ** 2).sum(1, keepdim=True) - 1) / 4, lambda x: torch.full((len(x), 1), x.shape[1] / 2)),
    (lambda x: (torch.sin(x[:, 0]) * x[:, 1] ** 2)[:, None],
     lambda x: ((-x[:, 1] ** 2 + 2) * torch.sin(x[:, 0]))[:, None]),
    (lambda x: torch.exp(x[:, :1] + 2 * x[:, 1:2]), lambda x: 5 * torch.exp(x[:, :1] + 2 * x[:, 1:2])),
])
def test_laplacian_matches_the_exact_one(u, exact):
    x = _x(50, 4)
    value, lap = laplacian(u, x)
    assert value.shape == lap.shape == (50, 1)
    assert torch.allclose(lap, exact(x).to(lap.dtype), atol=1e-12)


def test_exact_solutions_give_zero_objective():
    tensors, _ = poisson_cube(seed=0, n_interior=100, n_boundary=100, n_test=10)
    t = {k: v.double() for k, v in tensors.items()}
    u_cube = lambda x: (x[:, 0] * x[:, 1] + x[:, 2] * x[:, 3])[:, None]  # noqa: E731
    assert float(dgm_objective(u_cube, t["x_interior"], t["f_interior"], t["x_boundary"], t["g_boundary"]).detach()) < 1e-12
    tensors, _ = poisson_disk(seed=0, n_interior=100, n_boundary=100, n_test=10)
    t = {k: v.double() for k, v in tensors.items()}
    # -Delta u = 1 on the disk, u = 0 on the circle: u* = (1 - r^2)/4 (the paper prints (r^2 - 1)/4)
    u_disk = lambda x: (1 - (x ** 2).sum(1, keepdim=True)) / 4  # noqa: E731
    assert float(dgm_objective(u_disk, t["x_interior"], t["f_interior"], t["x_boundary"], t["g_boundary"]).detach()) < 1e-12
    assert torch.allclose(u_disk(t["x_test"]), t["u_test"], atol=1e-7)


def test_dgm_problem_trains_its_network(tmp_path):
    tensors, meta = poisson_disk(seed=0, n_interior=64, n_boundary=64, n_test=32)
    save_prepared(tmp_path / "poisson_disk.pt", tensors, meta)
    torch.manual_seed(0)
    obj = build_problem({"name": "dgm_poisson", "data": "poisson_disk", "widths": [10, 10], "activation": "gelu"},
                        torch.float32, torch.device("cpu"), data_dir=tmp_path)
    loss = obj.loss(None)
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in obj.parameters)
    assert set(obj.test_metrics()) == {"test_error"}
