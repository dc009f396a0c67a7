"""A block of Fig 8's cells trained at once: K copies of one MLP, each with its own Adam (a, b).

Fig 8 trains the same network from the same initial weights for every cell of a grid of
(a, b). Instead of K processes, the K models are stacked: layer l holds weights of shape
(K, d_out, d_in), one batched matmul runs every cell's forward pass, and one backward pass of the
sum of the cells' losses gives every cell its own gradient (the cells share no parameters).
The update is eq. (3) with per-cell alpha_k = 1 - a_k eta and beta_k = 1 - b_k eta::

    v_k <- alpha_k v_k + (1 - alpha_k) g_k^2
    m_k <- beta_k m_k + (1 - beta_k) g_k
    x_k <- x_k - eta (m_k / (1 - beta_k^t)) / (sqrt(v_k / (1 - alpha_k^t)) + eps)

A cell whose loss turns non-finite is marked diverged at that iteration; its parameters and
moments are zeroed and frozen, so no NaN reaches the shared sum or the other cells.

:class:`Block` holds a block's whole state (parameters, moments, step, which cells are still
active, the losses so far) so that :func:`adamdyn.phase.train_phase_block` can checkpoint it and
resume to the identical losses.
"""
from __future__ import annotations

import torch
from torch import nn

from .optim import EPS


def stack_mlp(net: nn.Sequential, cells: int) -> list[torch.Tensor]:
    """[W_1, b_1, W_2, b_2, ...] of ``net``'s Linear layers, each repeated ``cells`` times along a new
    leading axis (every cell starts from the same weights), as leaf tensors requiring grad."""
    params = []
    for layer in net:
        if isinstance(layer, nn.Linear):
            for p in (layer.weight, layer.bias):
                params.append(p.detach().unsqueeze(0).repeat(cells, *([1] * p.dim())).requires_grad_(True))
    return params


def batched_forward(params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """Every cell's output (K, N, d_out) for the shared input x (N, d_in); ReLU between layers."""
    h = x.unsqueeze(0).expand(params[0].shape[0], *x.shape)
    n_layers = len(params) // 2
    for i in range(n_layers):
        w, b = params[2 * i], params[2 * i + 1]
        h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
        if i < n_layers - 1:
            h = torch.relu(h)
    return h


class BatchedAdam:
    """Eq. (3) for K cells at once, each with its own (alpha_k, beta_k); v_0 = m_0 = 0."""

    def __init__(self, params: list[torch.Tensor], eta: float, alpha: torch.Tensor, beta: torch.Tensor,
                 eps: float = EPS):
        self.params, self.eta, self.eps = params, eta, eps
        self.alpha, self.beta = alpha, beta
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]
        self.t = 0

    @torch.no_grad()
    def step(self, active: torch.Tensor) -> None:
        """One update of the cells where ``active`` (K,) is True; the others do not move."""
        self.t += 1
        for p, m, v in zip(self.params, self.m, self.v):
            shape = (-1,) + (1,) * (p.dim() - 1)
            a, b, on = self.alpha.view(shape), self.beta.view(shape), active.view(shape)
            g = torch.where(on, p.grad, torch.zeros_like(p.grad))
            v.mul_(a).add_((1 - a) * g * g)
            m.mul_(b).add_((1 - b) * g)
            step = self.eta * (m / (1 - b ** self.t)) / ((v / (1 - a ** self.t)).sqrt() + self.eps)
            p.sub_(torch.where(on, step, torch.zeros_like(step)))

    @torch.no_grad()
    def freeze(self, cells: torch.Tensor) -> None:
        """Zero the parameters and moments of diverged ``cells`` (a bool mask) so they stay finite."""
        for p, m, v in zip(self.params, self.m, self.v):
            for t in (p, m, v):
                t[cells] = 0.0


class Block:
    """K cells of one MLP trained together by full-batch :class:`BatchedAdam` on (x, y)."""

    def __init__(self, net: nn.Sequential, x: torch.Tensor, y: torch.Tensor, eta: float, a: torch.Tensor,
                 b: torch.Tensor, iterations: int, start: list[torch.Tensor] | None = None):
        cells = len(a)
        self.x, self.y, self.iterations = x, y, iterations
        self.params = stack_mlp(net, cells) if start is None else [
            p.detach().clone().requires_grad_(True) for p in start]
        self.opt = BatchedAdam(self.params, eta, alpha=(1 - a * eta).to(x), beta=(1 - b * eta).to(x))
        self.active = torch.ones(cells, dtype=torch.bool, device=x.device)
        self.diverged_at = torch.full((cells,), -1, dtype=torch.long)
        self.losses = torch.full((iterations, cells), float("nan"), dtype=torch.float64)
        self.k = 0

    def step(self) -> None:
        """Iteration k: record every active cell's loss f(x_k), then update it to x_{k+1}."""
        for p in self.params:
            p.grad = None
        per_cell = ((batched_forward(self.params, self.x) - self.y) ** 2).mean(dim=(1, 2))
        bad = self.active & ~torch.isfinite(per_cell.detach())
        self.losses[self.k] = torch.where(self.active, per_cell.detach(),
                                          torch.full_like(per_cell, float("nan"))).double().cpu()
        self.active = self.active & ~bad
        torch.where(self.active, per_cell, torch.zeros_like(per_cell)).sum().backward()
        self.opt.step(self.active)
        if bad.any():  # after the backward pass: the graph still holds the old values
            self.diverged_at[bad.cpu()] = self.k
            self.opt.freeze(bad)
        self.k += 1

    def state_dict(self) -> dict:
        return {"k": self.k, "t": self.opt.t, "params": [p.detach().clone() for p in self.params],
                "m": [m.clone() for m in self.opt.m], "v": [v.clone() for v in self.opt.v],
                "active": self.active.clone(), "diverged_at": self.diverged_at.clone(),
                "losses": self.losses[:self.k].clone()}

    @torch.no_grad()
    def load_state_dict(self, state: dict) -> None:
        self.k, self.opt.t = state["k"], state["t"]
        for dst, src in zip(self.params + self.opt.m + self.opt.v, state["params"] + state["m"] + state["v"],
                            strict=True):
            dst.copy_(src)
        self.active.copy_(state["active"])
        self.diverged_at.copy_(state["diverged_at"])
        self.losses[:self.k] = state["losses"]


def train_block(net: nn.Sequential, x: torch.Tensor, y: torch.Tensor, eta: float, a: torch.Tensor,
                b: torch.Tensor, iterations: int,
                start: list[torch.Tensor] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Full-batch Adam for K = len(a) cells from ``net``'s weights (or the stacked ``start``
    parameters); returns the per-iteration losses (iterations, K), with the first non-finite value
    of a diverged cell and NaN after it, and each cell's divergence iteration (-1 if none)."""
    block = Block(net, x, y, eta, a, b, iterations, start)
    while block.k < iterations:
        block.step()
    return block.losses, block.diverged_at
