"""Preconditioned sharpness of full-batch Adam (groundwork for Fig 11, the spike mechanism).

Cohen et al. (arXiv 2207.14484) find that in full-batch Adam the top eigenvalue of P^{-1} H, with
H the loss's Hessian and P Adam's preconditioner, rises to and hovers at the stability threshold
of preconditioned heavy-ball momentum, (2 + 2 beta) / ((1 - beta) eta) (38 / eta at beta = 0.9);
in the paper's (a, b) form, beta = 1 - b eta, that is (4 - 2 b eta) / (b eta^2).

Adam's step (eq. (3)) is x <- x - eta m / P with, bias corrections included,

    P = (1 - beta^t) (sqrt(v / (1 - alpha^t)) + eps),

so the linearised dynamics are governed by P^{-1} H. P^{-1} H is similar to the symmetric
P^{-1/2} H P^{-1/2}, whose eigenvalues are real: the top one (largest algebraic, not largest in
magnitude) is found by Lanczos on Hessian-vector products (Pearlmutter's double backward), never
forming H. A warm start (the previous top Ritz vector) keeps the number of products small when it
is tracked along a run.
"""
from __future__ import annotations

from typing import Callable, Sequence

import torch


def flatten(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.reshape(-1) for t in tensors])


def unflatten(vector: torch.Tensor, like: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    out, start = [], 0
    for t in like:
        out.append(vector[start:start + t.numel()].view_as(t))
        start += t.numel()
    return out


def hessian_vector_product(loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor],
                           vector: torch.Tensor) -> torch.Tensor:
    """H v for the Hessian H of ``loss_fn()`` at ``params`` (leaf tensors requiring grad), v flat:
    the gradient of <grad f, v> (Pearlmutter 1994). Returns a flat tensor."""
    grads = torch.autograd.grad(loss_fn(), params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, unflatten(vector, params)))
    return flatten(torch.autograd.grad(dot, params)).detach()


def adam_preconditioner(v: Sequence[torch.Tensor], t: int, alpha: float, beta: float, eps: float) -> torch.Tensor:
    """P = (1 - beta^t) (sqrt(v / (1 - alpha^t)) + eps), flat: Adam's step is eta m / P (eq. (3))."""
    return (1 - beta ** t) * ((flatten(v) / (1 - alpha ** t)).sqrt() + eps)


def stability_threshold(eta: float, beta: float) -> float:
    """(2 + 2 beta) / ((1 - beta) eta): preconditioned heavy-ball's edge of stability (Cohen et al.)."""
    return (2 + 2 * beta) / ((1 - beta) * eta)


def lanczos_top(matvec: Callable[[torch.Tensor], torch.Tensor], start: torch.Tensor,
                steps: int = 20) -> tuple[float, torch.Tensor]:
    """The largest algebraic eigenvalue of the symmetric operator ``matvec`` and its unit Ritz vector,
    by ``steps`` Lanczos iterations from ``start`` with full reorthogonalisation (steps <= dimension)."""
    q = start / start.norm()
    basis, alphas, betas = [q], [], []
    for j in range(steps):
        w = matvec(basis[-1])
        a = torch.dot(w, basis[-1])
        alphas.append(a)
        Q = torch.stack(basis, dim=1)
        w = w - Q @ (Q.T @ w)  # full reorthogonalisation (twice is enough)
        w = w - Q @ (Q.T @ w)
        b = w.norm()
        if j == steps - 1 or b <= 1e-10 * max(1.0, float(a.abs())):
            break
        betas.append(b)
        basis.append(w / b)
    k = len(alphas)
    T = torch.diag(torch.stack(alphas))
    if k > 1:
        off = torch.stack(betas[:k - 1])
        T = T + torch.diag(off, 1) + torch.diag(off, -1)
    values, vectors = torch.linalg.eigh(T)
    ritz = torch.stack(basis[:k], dim=1) @ vectors[:, -1]
    return float(values[-1]), ritz / ritz.norm()


def preconditioned_sharpness(loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor],
                             preconditioner: torch.Tensor, steps: int = 20,
                             start: torch.Tensor | None = None,
                             generator: torch.Generator | None = None) -> tuple[float, torch.Tensor]:
    """lambda_1(P^{-1} H): the top eigenvalue of P^{-1/2} H P^{-1/2} by Lanczos (warm-started from
    ``start``, e.g. the vector this returned at the previous check), and its Ritz vector."""
    scale = preconditioner.rsqrt()
    if start is None:
        start = torch.randn(scale.shape, generator=generator, dtype=scale.dtype).to(scale.device)

    def matvec(x: torch.Tensor) -> torch.Tensor:
        return scale * hessian_vector_product(loss_fn, params, scale * x)

    return lanczos_top(matvec, start, steps)
