"""Preconditioned sharpness of full-batch Adam, and the other signals of the spike-mechanism study (the spike mechanism).

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

import math
from typing import Callable, Sequence

import torch

from .optim import moment_buffers


def flatten(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.reshape(-1) for t in tensors])


def unflatten(vector: torch.Tensor, like: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    out, start = [], 0
    for t in like:
        out.append(vector[start:start + t.numel()].view_as(t))
        start += t.numel()
    return out


def hvp_operator(loss_fn: Callable[[], torch.Tensor],
                 params: Sequence[torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    """v -> H v at ``params``, building the gradient's graph once and differentiating it again for each
    v (one backward pass a product instead of a forward and two backward passes)."""
    grads = torch.autograd.grad(loss_fn(), params, create_graph=True)

    def product(vector: torch.Tensor) -> torch.Tensor:
        dot = sum((g * v).sum() for g, v in zip(grads, unflatten(vector, params)))
        return flatten(torch.autograd.grad(dot, params, retain_graph=True)).detach()

    return product


def hessian_vector_product(loss_fn: Callable[[], torch.Tensor], params: Sequence[torch.Tensor],
                           vector: torch.Tensor) -> torch.Tensor:
    """H v for the Hessian H of ``loss_fn()`` at ``params`` (leaf tensors requiring grad), v flat:
    the gradient of <grad f, v> (Pearlmutter 1994). Returns a flat tensor."""
    return hvp_operator(loss_fn, params)(vector)


def adam_preconditioner(v: Sequence[torch.Tensor], t: int, alpha: float, beta: float, eps: float) -> torch.Tensor:
    """P = (1 - beta^t) (sqrt(v / (1 - alpha^t)) + eps), flat: Adam's step is eta m / P (eq. (3))."""
    return (1 - beta ** t) * ((flatten(v) / (1 - alpha ** t)).sqrt() + eps)


def stability_threshold(eta: float, beta: float) -> float:
    """(2 + 2 beta) / ((1 - beta) eta): preconditioned heavy-ball's edge of stability (Cohen et al.)."""
    return (2 + 2 * beta) / ((1 - beta) * eta)


def lanczos_top(matvec: Callable[[torch.Tensor], torch.Tensor], start: torch.Tensor,
                steps: int = 20) -> tuple[float, torch.Tensor]:
    """The largest algebraic eigenvalue of the symmetric operator ``matvec`` and its unit Ritz vector,
    by ``steps`` Lanczos iterations from ``start`` with full reorthogonalisation (steps <= dimension);
    NaN (and ``start``) when the products overflow, as they do along a diverging run."""
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
    T = torch.diag(torch.stack(alphas).double())
    if k > 1:
        off = torch.stack(betas[:k - 1]).double()
        T = T + torch.diag(off, 1) + torch.diag(off, -1)
    if not torch.isfinite(T).all():  # the curvature overflowed (a diverging run): no estimate
        return float("nan"), start / start.norm()
    values, vectors = torch.linalg.eigh(T)
    vectors = vectors.to(start.dtype)
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
    hvp = hvp_operator(loss_fn, params)

    def matvec(x: torch.Tensor) -> torch.Tensor:
        return scale * hvp(scale * x)

    return lanczos_top(matvec, start, steps)


class SpikeProbe:
    """The signals of the spike-mechanism study along a run of ``torch.optim.Adam`` (eq. (3)), logged by the engine.

    At iteration k, after the gradient g_k = grad f(x_k) and before the update, with the state of the
    last step (t = k, v_k, so nothing at k = 0):

    - ``decoupling``: sum g_k^2 / sum v_hat_k, v_hat_k = v_k / (1 - alpha^k). About 1 while v tracks
      g^2; well below 1 in the phase of Bai et al. (arXiv 2506.04805) where g^2 << v and v decays
      like alpha^t by itself;
    - every ``every`` iterations, ``sharpness``: lambda_1(P_k^{-1} H(x_k)) with Adam's preconditioner
      P_k (:func:`adam_preconditioner`), by ``steps`` Lanczos steps warm-started from the previous
      check's Ritz vector, and ``sharpness_ratio`` R_k: that over the stability threshold
      (2 + 2 beta) / ((1 - beta) eta) of Cohen et al. (arXiv 2207.14484);

    and after the update, ``update_cosine``: cos(x_{k+1} - x_k, -g_k) (1 for gradient descent).
    The warm-start vector is part of :meth:`state_dict`, so a resumed run logs the same numbers.
    """

    KEYS = ("decoupling", "sharpness", "sharpness_ratio", "update_cosine")

    def __init__(self, params: Sequence[torch.Tensor], optimiser: torch.optim.Optimizer, eta: float, alpha: float,
                 beta: float, eps: float, every: int, steps: int, seed: int = 0):
        self.params, self.optimiser = list(params), optimiser
        self.alpha, self.beta, self.eps = alpha, beta, eps
        self.threshold = stability_threshold(eta, beta)
        self.every, self.steps = every, steps
        self.generator = torch.Generator().manual_seed(seed)
        self.start: torch.Tensor | None = None
        self._x = self._g = None

    def _state(self) -> tuple[int, list[torch.Tensor]]:
        """(t, v) of the last step; (0, []) before the first (v_0 = 0)."""
        _, v = moment_buffers(self.optimiser)
        return (int(self.optimiser.state[self.params[0]]["step"]), v) if v else (0, [])

    def before_step(self, k: int, loss_fn: Callable[[], torch.Tensor]) -> dict[str, float]:
        """Signals at x_k; the parameters' ``.grad`` must hold g_k."""
        nan = float("nan")
        out = dict.fromkeys(self.KEYS[:3], nan)
        with torch.no_grad():
            self._g = flatten([p.grad for p in self.params]).double()
            self._x = flatten([p.detach() for p in self.params]).clone()
        t, v = self._state()
        if t == 0:
            return out
        with torch.no_grad():
            v_hat = flatten(v).double() / (1 - self.alpha ** t)
            out["decoupling"] = float(self._g.square().sum() / v_hat.sum())
        if k % self.every == 0 and torch.isfinite(self._g).all():
            P = adam_preconditioner(v, t, self.alpha, self.beta, self.eps)
            value, vector = preconditioned_sharpness(loss_fn, self.params, P, self.steps, start=self.start,
                                                     generator=self.generator)
            if math.isfinite(value) and torch.isfinite(vector).all():  # else keep the last good start
                self.start = vector
            out["sharpness"], out["sharpness_ratio"] = value, value / self.threshold
        return out

    @torch.no_grad()
    def after_step(self) -> float:
        """cos(x_{k+1} - x_k, -g_k) of the update just taken."""
        step = flatten([p.detach() for p in self.params]).double() - self._x.double()
        norm = float(step.norm() * self._g.norm())
        return float(-(step @ self._g) / norm) if norm > 0 else float("nan")

    def state_dict(self) -> dict:
        return {"start": self.start, "generator": self.generator.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.start = state["start"]
        self.generator.set_state(state["generator"])
