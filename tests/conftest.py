"""Shared fixtures: small problems registered for the engine tests, and the repository root."""
from pathlib import Path

import pytest
import torch
import yaml

from adamdyn import problems
from adamdyn.problems.base import Objective

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
CONFIG = yaml.safe_load((ROOT / "config.yaml").read_text())


def runaway(dtype, device):
    """f(x) = -exp(x): signGD climbs to overflow, a loss of -inf (a divergence)."""
    x = torch.zeros(1, dtype=dtype, device=device, requires_grad=True)
    return Objective(parameters=[x], loss=lambda batch=None: -torch.exp(x).sum())


def least_squares(n, dtype, device):
    """A small linear regression with mini-batch support and a held-out metric."""
    gen = torch.Generator().manual_seed(123)
    X = torch.randn(n, 4, generator=gen, dtype=torch.float64).to(device, dtype)
    y = X @ torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=dtype, device=device)
    w = torch.nn.Linear(4, 1).to(device, dtype)

    def loss(batch=None):
        idx = slice(None) if batch is None else batch
        return ((w(X[idx]).squeeze(-1) - y[idx]) ** 2).mean()

    def test_metrics():
        with torch.no_grad():
            return {"test_loss": float(loss())}

    return Objective(parameters=list(w.parameters()), loss=loss, module=w, n_samples=n,
                     test_metrics=test_metrics, test_keys=("test_loss",))


@pytest.fixture
def test_problems(monkeypatch):
    monkeypatch.setitem(problems.REGISTRY, "runaway", (runaway, lambda p: "runaway"))
    monkeypatch.setitem(problems.REGISTRY, "least_squares", (least_squares, lambda p: f"lsq{p['n']}"))
