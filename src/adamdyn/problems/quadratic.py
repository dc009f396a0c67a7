"""The quadratic objectives of Figures 5 and 6.

* Fig 5: f(x) = x^T A x / 2 with A = U U^T, U in R^{d x d} with i.i.d. N(0, 1) entries.
  The paper leaves the seed and x0 open; x0 = z * sqrt(f0 / f(z)) for z ~ N(0, I), so that
  f(x0) = f0 exactly. f(x*) = 0, and the PL constant of Proposition 4,
  ||grad f(x)||^2 >= mu (f(x) - f(x*)), is mu = 2 lambda_min(A).
* Fig 6: f(x) = x^2 / 2 in one dimension, started from x0.
"""
from __future__ import annotations

import torch

from .base import Objective


def _quadratic_objective(A: torch.Tensor, x0: torch.Tensor) -> Objective:
    x = x0.clone().requires_grad_(True)

    def loss(batch=None):
        return 0.5 * x @ (A @ x)

    eig = torch.linalg.eigvalsh(A)
    f0 = float(0.5 * x0 @ (A @ x0))
    meta = {
        "f0": f0,
        "f_star": 0.0,
        "lambda_min": float(eig[0]),
        "lambda_max": float(eig[-1]),
        "mu": float(2 * eig[0]),
        # Proposition 4: the signGD flow stops within T <= 2 sqrt((f(x0) - f(x*)) / mu).
        "prop4_stop_time_bound": float(2 * (f0 / (2 * eig[0])) ** 0.5),
    }
    return Objective(parameters=[x], loss=loss, metadata=meta)


def wishart_quadratic(dim: int, seed: int, f0: float, dtype: torch.dtype, device: torch.device) -> Objective:
    """Fig 5's f(x) = x^T U U^T x / 2, U and x0 drawn from ``seed``, x0 scaled so f(x0) = f0."""
    gen = torch.Generator().manual_seed(seed)
    U = torch.randn(dim, dim, generator=gen, dtype=torch.float64)
    z = torch.randn(dim, generator=gen, dtype=torch.float64)
    A = U @ U.T
    x0 = z * (f0 / (0.5 * z @ (A @ z))) ** 0.5
    return _quadratic_objective(A.to(device, dtype), x0.to(device, dtype))


def scalar_quadratic(x0: float, dtype: torch.dtype, device: torch.device) -> Objective:
    """Fig 6's f(x) = x^2 / 2, started from x0."""
    A = torch.ones(1, 1, dtype=dtype, device=device)
    return _quadratic_objective(A, torch.tensor([x0], dtype=dtype, device=device))
