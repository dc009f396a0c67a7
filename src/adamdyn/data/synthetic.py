"""The synthetic data sets: the 5-D sine regression (Fig 1) and the collocation points of the two
Poisson problems (Fig 10), each drawn from one CPU ``torch.Generator`` seeded with ``seed``, in a
documented order."""
from __future__ import annotations

import math

import torch

from .store import Prepared, _finish


# --------------------------------------------------------------------------------------------
# synthetic data sets
# --------------------------------------------------------------------------------------------
def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(int(seed))


def _synthetic_meta(name: str, seed: int, definition: str, order: str, **sizes) -> dict:
    return {
        "name": name,
        "source": {"dataset": name, "kind": "synthetic", "seed": int(seed),
                   "generator": f"torch.Generator(cpu), torch {torch.__version__}",
                   "draw_order": order, **sizes},
        "preprocessing": {"description": definition, "mean": None, "std": None},
    }


def sine_regression(seed: int, n_train: int = 2000, n_test: int = 10000, dim: int = 5) -> Prepared:
    """Fig 1 right: x ~ U[0,1)^dim, y = sum_k sin(2 pi x_k), shape (N, 1).

    Draw order from one generator seeded with ``seed``: ``x_train`` then ``x_test`` (float32);
    targets are evaluated in float64 on the stored float32 inputs, then rounded to float32.
    Keys: ``x_train``, ``y_train``, ``x_test``, ``y_test``.
    """
    g = _generator(seed)
    x_train = torch.rand(int(n_train), int(dim), generator=g)
    x_test = torch.rand(int(n_test), int(dim), generator=g)

    def f(x):
        return torch.sin(2 * math.pi * x.double()).sum(dim=1, keepdim=True).float()

    tensors = {"x_train": x_train, "y_train": f(x_train), "x_test": x_test, "y_test": f(x_test)}
    meta = _synthetic_meta(
        "sine", seed, "f*(x) = sum_k sin(2 pi x_k), x ~ U[0,1)^dim; no preprocessing",
        "x_train, x_test", n_train=int(n_train), n_test=int(n_test), dim=int(dim))
    return _finish(tensors, meta)


def _cube_solution(x: torch.Tensor) -> torch.Tensor:
    """u*(x) = x1 x2 + x3 x4 (+ x5 x6 + ... for larger even dim), float64 -> float32, (N, 1)."""
    xd = x.double()
    return (xd[:, 0::2] * xd[:, 1::2]).sum(dim=1, keepdim=True).float()


def poisson_cube(seed: int, n_interior: int = 2000, n_boundary: int = 2000, n_test: int = 10000,
                 dim: int = 4) -> Prepared:
    """Fig 10a: -Laplace(u) = 0 on (0,1)^dim, u = x1 x2 + x3 x4 on the boundary.

    Draw order from one generator seeded with ``seed``: interior points U[0,1)^dim; boundary
    face numbers k uniform in 0..2*dim-1; boundary points U[0,1)^dim whose coordinate
    ``k % dim`` is then set to ``k // dim`` (0 or 1); test points U[0,1)^dim. ``dim`` must be
    even (u* pairs coordinates); it is harmonic, so f = 0.

    Keys: ``x_interior`` (N,dim), ``f_interior`` (N,1) = 0, ``x_boundary``, ``g_boundary``
    (N,1) = u*(x_boundary), ``x_test``, ``u_test`` (N,1) = u*(x_test). float32.
    """
    dim = int(dim)
    if dim < 2 or dim % 2:
        raise ValueError(f"poisson_cube needs an even dim >= 2 (u* = x1 x2 + x3 x4 + ...), got {dim}")
    g = _generator(seed)
    x_int = torch.rand(int(n_interior), dim, generator=g)
    face = torch.randint(0, 2 * dim, (int(n_boundary),), generator=g)
    x_bd = torch.rand(int(n_boundary), dim, generator=g)
    x_bd[torch.arange(int(n_boundary)), face % dim] = (face // dim).to(torch.float32)
    x_test = torch.rand(int(n_test), dim, generator=g)
    tensors = {
        "x_interior": x_int,
        "f_interior": torch.zeros(int(n_interior), 1),
        "x_boundary": x_bd,
        "g_boundary": _cube_solution(x_bd),
        "x_test": x_test,
        "u_test": _cube_solution(x_test),
    }
    meta = _synthetic_meta(
        "poisson_cube", seed,
        "-Laplace u = 0 on (0,1)^dim, u = x1 x2 + x3 x4 on the boundary; exact u* = x1 x2 + x3 x4; "
        "boundary: face uniform among the 2*dim faces, then a uniform point on it",
        "x_interior, boundary faces, boundary points, x_test",
        n_interior=int(n_interior), n_boundary=int(n_boundary), n_test=int(n_test), dim=dim)
    return _finish(tensors, meta)


def _disk_points(n: int, g: torch.Generator) -> torch.Tensor:
    uv = torch.rand(n, 2, generator=g, dtype=torch.float64)
    r, theta = torch.sqrt(uv[:, 0]), 2 * math.pi * uv[:, 1]
    return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1).float()


def poisson_disk(seed: int, n_interior: int = 2000, n_boundary: int = 2000,
                 n_test: int = 10000) -> Prepared:
    """Fig 10b: -Laplace(u) = 1 on the unit disk, u = 0 on the circle, u* = (1 - r^2) / 4.

    The paper prints u* = (r^2 - 1)/4, whose Laplacian is +1: it solves -Laplace(u) = -1, not the
    stated problem. The stated PDE (f = 1, which eq. (13) fits) has the solution (1 - r^2)/4, and
    the test error is measured against that.

    Draw order from one generator seeded with ``seed`` (float64 draws, points stored float32):
    interior (U, V) pairs with r = sqrt(U), angle = 2 pi V; boundary angles 2 pi W on the unit
    circle; test points like the interior.

    Keys: ``x_interior`` (N,2), ``f_interior`` (N,1) = 1, ``x_boundary``, ``g_boundary`` = 0,
    ``x_test``, ``u_test`` = (1 - |x|^2) / 4 evaluated on the stored test points.
    """
    g = _generator(seed)
    x_int = _disk_points(int(n_interior), g)
    theta = 2 * math.pi * torch.rand(int(n_boundary), generator=g, dtype=torch.float64)
    x_bd = torch.stack([torch.cos(theta), torch.sin(theta)], dim=1).float()
    x_test = _disk_points(int(n_test), g)
    u_test = (1.0 - (x_test.double() ** 2).sum(dim=1, keepdim=True)) / 4.0
    tensors = {
        "x_interior": x_int,
        "f_interior": torch.ones(int(n_interior), 1),
        "x_boundary": x_bd,
        "g_boundary": torch.zeros(int(n_boundary), 1),
        "x_test": x_test,
        "u_test": u_test.float(),
    }
    meta = _synthetic_meta(
        "poisson_disk", seed,
        "-Laplace u = 1 on the unit disk, u = 0 on the circle; exact u* = (1 - r^2)/4 (the paper "
        "prints (r^2 - 1)/4, which solves -Laplace u = -1); interior "
        "and test uniform in the disk (r = sqrt(U), angle uniform); boundary uniform angle",
        "interior (U,V) pairs, boundary angles, test (U,V) pairs",
        n_interior=int(n_interior), n_boundary=int(n_boundary), n_test=int(n_test), dim=2)
    return _finish(tensors, meta)
