"""The deep Galerkin method (DGM) for the Poisson problems of Fig 10.

For -Delta u = f in Omega, u = g on the boundary, DGM minimises eq. (13)::

    I(theta) = 1/n_d sum_i (Delta u(x_i; theta) + f(x_i))^2 + 1/n_b sum_j (u(x~_j; theta) - g(x~_j))^2

over n_d interior points x_i and n_b boundary points x~_j. The Laplacian comes from autograd. The
test error is the mean squared error (u - u*)^2 over fresh points where u* is the exact solution.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import torch

from ..data import load_prepared
from .base import Objective
from .networks import mlp_net


def laplacian(u: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(u(x), Delta u(x)) for a scalar field u: R^d -> R evaluated on points x of shape (N, d).

    Second derivatives by autograd, one backward pass per dimension, with ``create_graph`` so
    that the result can itself be differentiated with respect to u's parameters.
    """
    x = x.detach().requires_grad_(True)
    value = u(x)
    grad = torch.autograd.grad(value.sum(), x, create_graph=True)[0]
    lap = torch.zeros_like(value.reshape(-1))
    for k in range(x.shape[1]):
        lap = lap + torch.autograd.grad(grad[:, k].sum(), x, create_graph=True)[0][:, k]
    return value, lap.reshape(value.shape)


def dgm_objective(u, x_interior, f_interior, x_boundary, g_boundary, boundary_weight: float = 1.0) -> torch.Tensor:
    """Eq. (13): mean squared PDE residual (Delta u + f) inside plus mean squared boundary misfit
    (times ``boundary_weight``; eq. (13) has 1, a weight is a [U] variant of it)."""
    _, lap = laplacian(u, x_interior)
    return ((lap + f_interior) ** 2).mean() + boundary_weight * ((u(x_boundary) - g_boundary) ** 2).mean()


def dgm_poisson(data: str, widths: list[int], activation: str, dtype: torch.dtype, device: torch.device,
                data_dir: str | Path, init: str = "default", boundary_weight: float = 1.0,
                init_std: float | None = None) -> Objective:
    """A network u(x; theta) (d - widths - 1) trained by DGM on the prepared collocation set ``data``
    (``poisson_cube`` or ``poisson_disk``); ``test_error`` is the mean of (u - u*)^2 on its test points.
    ``init`` (with ``init_std`` for ``normal``) and ``boundary_weight`` are [U] variants (PyTorch's
    initialisation and eq. (13)'s 1 by default)."""
    tensors, _ = load_prepared(Path(data_dir) / f"{data}.pt")
    t = {k: v.to(device, dtype) for k, v in tensors.items()}
    net = mlp_net([t["x_interior"].shape[1], *widths, 1], activation, init, init_std).to(device, dtype)

    def loss(batch=None):
        return dgm_objective(net, t["x_interior"], t["f_interior"], t["x_boundary"], t["g_boundary"],
                             boundary_weight)

    def test_metrics():
        with torch.no_grad():
            return {"test_error": float(((net(t["x_test"]) - t["u_test"]) ** 2).mean())}

    return Objective(parameters=list(net.parameters()), loss=loss, module=net, test_metrics=test_metrics,
                     test_keys=("test_error",),
                     metadata={"n_interior": len(t["x_interior"]), "n_boundary": len(t["x_boundary"]),
                               "n_parameters": sum(p.numel() for p in net.parameters())})
