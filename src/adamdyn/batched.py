"""The batched executor: K runs that differ only in Adam's (a, b), trained at once as one stack.

Runs that share a problem (a ReLU MLP fitted full batch), seed, dtype, length, eta and eps, and
differ only in Adam's momentum rates, start from the same initial weights; Fig 8's (a, b) cells are
such runs. Instead of K processes, the K models are stacked: layer l holds weights of shape
(K, d_out, d_in), one batched matmul runs every cell's forward pass, and one backward pass of the
sum of the cells' losses gives every cell its own gradient (the cells share no parameters).
The update is eq. (3) with per-cell alpha_k = 1 - a_k eta and beta_k = 1 - b_k eta::

    v_k <- alpha_k v_k + (1 - alpha_k) g_k^2
    m_k <- beta_k m_k + (1 - beta_k) g_k
    x_k <- x_k - eta (m_k / (1 - beta_k^t)) / (sqrt(v_k / (1 - alpha_k^t)) + eps)

A cell whose loss turns non-finite is marked diverged at that iteration; its parameters and
moments are zeroed and frozen, so no NaN reaches the shared sum or the other cells.

The cells of a stack may also differ in their seed (the divergence-edge study's bisection trains every row and seed of
one step together): each cell then starts from the initial weights its own seed draws. A run that
asks for it (``RunPlan.log_update_max``) logs ``update_max``, the largest coordinate of its step
over eta, max |m_hat| / (sqrt(v_hat) + eps), at every iteration (the divergence-edge study's bounded-update check).

:class:`Stack` holds the whole state (parameters, moments, step, which cells are still active, the
losses so far) so that :func:`train_batch` can checkpoint it and resume to the identical losses.
The plan (:mod:`adamdyn.runs`) decides which runs are trained together; every run of a batch gets
the same ``history.parquet`` and ``run.json`` as a run trained alone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from .checkpoint import Progress, load_checkpoint, save_checkpoint
from .engine import TrainResult
from .optim import EPS
from .problems import build_problem
from .runs import RunPlan, batch_refusal, run_identity


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
    """Every cell's output (K, N, d_out) for the shared input x (N, d_in); ReLU between layers.

    The first layer's input is the same for every cell, so its K weight matrices act as one
    (K d_1, d_in) matrix: one large matmul instead of K small ones, forward and backward. The other
    layers are batched matmuls; ReLU is applied in place (no matmul's backward needs its output)."""
    w, b = params[0], params[1]
    cells, width = w.shape[0], w.shape[1]
    h = torch.addmm(b.reshape(1, cells * width), x, w.reshape(cells * width, -1).t())
    h = h.view(x.shape[0], cells, width).transpose(0, 1)
    for i in range(1, len(params) // 2):
        h = torch.relu_(h)
        h = torch.baddbmm(params[2 * i + 1].unsqueeze(1), h, params[2 * i].transpose(1, 2))
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
    def step(self, update_max: torch.Tensor | None = None) -> None:
        """One update of every cell, in place and with two temporaries per tensor (g^2 and the
        denominator). A diverged cell needs no mask: :meth:`freeze` zeroed its parameters and moments,
        its loss is left out of the sum, so g = m = v = 0 and its step is exactly 0. With
        ``update_max`` (K,), each cell's largest |m_hat| / (sqrt(v_hat) + eps) (its step over eta)
        is written into it."""
        self.t += 1
        step_size = self.eta / (1 - self.beta ** self.t)        # eta / (1 - beta_k^t), per cell
        root_correction = (1 - self.alpha ** self.t).sqrt()     # sqrt(1 - alpha_k^t)
        for p, m, v in zip(self.params, self.m, self.v):
            shape = (-1,) + (1,) * (p.dim() - 1)
            g = p.grad
            v.lerp_(g.square(), (1 - self.alpha).view(shape))   # alpha v + (1 - alpha) g^2
            m.lerp_(g, (1 - self.beta).view(shape))             # beta m + (1 - beta) g
            denom = v.sqrt().div_(root_correction.view(shape)).add_(self.eps).div_(step_size.view(shape))
            if update_max is not None:  # m / denom = eta m_hat / (sqrt(v_hat) + eps)
                largest = (m / denom).abs_().flatten(1).amax(dim=1) / self.eta
                torch.maximum(update_max, largest, out=update_max)
            p.addcdiv_(m, denom, value=-1.0)

    @torch.no_grad()
    def freeze(self, cells: torch.Tensor) -> None:
        """Zero the parameters and moments of diverged ``cells`` (a bool mask) so they stay finite."""
        for p, m, v in zip(self.params, self.m, self.v):
            for t in (p, m, v):
                t[cells] = 0.0


class Stack:
    """K cells of one MLP trained together by full-batch :class:`BatchedAdam` on (x, y)."""

    def __init__(self, net: nn.Sequential, x: torch.Tensor, y: torch.Tensor, eta: float, a: torch.Tensor,
                 b: torch.Tensor, iterations: int, start: list[torch.Tensor] | None = None,
                 log_update_max: bool = False, eps: float = EPS, loss_scale: float = 1.0):
        cells = len(a)
        self.x, self.y, self.iterations, self.loss_scale = x, y, iterations, loss_scale
        self.params = stack_mlp(net, cells) if start is None else [
            p.detach().clone().requires_grad_(True) for p in start]
        self.opt = BatchedAdam(self.params, eta, alpha=(1 - a * eta).to(x), beta=(1 - b * eta).to(x), eps=eps)
        self.active = torch.ones(cells, dtype=torch.bool, device=x.device)
        self.diverged_at = torch.full((cells,), -1, dtype=torch.long)
        self.losses = torch.full((iterations, cells), float("nan"), dtype=torch.float64)
        self.update_max = torch.full((iterations, cells), float("nan"), dtype=torch.float64) if log_update_max else None
        self.k = 0

    def step(self) -> None:
        """Iteration k: record every active cell's loss f(x_k), then update it to x_{k+1}."""
        for p in self.params:
            p.grad = None
        per_cell = ((batched_forward(self.params, self.x) - self.y) ** 2).mean(dim=(1, 2))
        if self.loss_scale != 1:  # the problem's loss normalisation (adamdyn.problems.networks.LOSSES)
            per_cell = self.loss_scale * per_cell
        bad = self.active & ~torch.isfinite(per_cell.detach())
        self.losses[self.k] = torch.where(self.active, per_cell.detach(),
                                          torch.full_like(per_cell, float("nan"))).double().cpu()
        self.active = self.active & ~bad
        torch.where(self.active, per_cell, torch.zeros_like(per_cell)).sum().backward()
        if self.update_max is None:
            self.opt.step()
        else:
            largest = torch.zeros_like(per_cell.detach())
            self.opt.step(largest)
            self.update_max[self.k] = torch.where(self.active, largest,
                                                  torch.full_like(largest, float("nan"))).double().cpu()
        if bad.any():  # after the backward pass: the graph still holds the old values
            self.diverged_at[bad.cpu()] = self.k
            self.opt.freeze(bad)
        self.k += 1

    def state_dict(self) -> dict:
        return {"k": self.k, "t": self.opt.t, "params": [p.detach().clone() for p in self.params],
                "m": [m.clone() for m in self.opt.m], "v": [v.clone() for v in self.opt.v],
                "active": self.active.clone(), "diverged_at": self.diverged_at.clone(),
                "losses": self.losses[:self.k].clone(),
                **({} if self.update_max is None else {"update_max": self.update_max[:self.k].clone()})}

    @torch.no_grad()
    def load_state_dict(self, state: dict) -> None:
        self.k, self.opt.t = state["k"], state["t"]
        for dst, src in zip(self.params + self.opt.m + self.opt.v, state["params"] + state["m"] + state["v"],
                            strict=True):
            dst.copy_(src)
        self.active.copy_(state["active"])
        self.diverged_at.copy_(state["diverged_at"])
        self.losses[:self.k] = state["losses"]
        if self.update_max is not None:
            self.update_max[:self.k] = state["update_max"]


def train_stack(net: nn.Sequential, x: torch.Tensor, y: torch.Tensor, eta: float, a: torch.Tensor,
                b: torch.Tensor, iterations: int,
                start: list[torch.Tensor] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Full-batch Adam for K = len(a) cells from ``net``'s weights (or the stacked ``start``
    parameters); returns the per-iteration losses (iterations, K), with the first non-finite value
    of a diverged cell and NaN after it, and each cell's divergence iteration (-1 if none)."""
    stack = Stack(net, x, y, eta, a, b, iterations, start)
    while stack.k < iterations:
        stack.step()
    return stack.losses, stack.diverged_at


def train_batch(plans: list[RunPlan], checkpoint_path: str | Path, device: torch.device, checkpoint_every: int,
                log: Callable[[str], None] = print, progress_every_s: float = 10.0,
                on_step: Callable[[int], None] | None = None, data_dir: str | Path | None = None) -> list[TrainResult]:
    """Train ``plans`` (runs that share :func:`adamdyn.runs.batch_key`) as one :class:`Stack`, resuming from
    ``checkpoint_path``; one :class:`adamdyn.engine.TrainResult` per run, as if trained alone.

    Every run starts from the weights the engine's problem builds with its seed. A run whose
    loss turns non-finite ends there, marked diverged, like a run of the engine.
    """
    why = batch_refusal(plans)
    if why:
        raise ValueError(f"these runs cannot be trained in a batch: {why}")
    spec = plans[0].spec
    dtype = getattr(torch, spec.dtype)
    iterations = plans[0].iterations
    objectives = {}
    for seed in dict.fromkeys(p.spec.seed for p in plans):  # each seed's initial weights, in order
        torch.manual_seed(seed)
        objectives[seed] = build_problem(spec.problem, dtype=dtype, device=device, data_dir=data_dir)
    objective = objectives[spec.seed]
    x, y = objective.data
    start = None
    if len(objectives) > 1:  # cells of several seeds: each cell's parameters from its seed's network
        for o in objectives.values():
            if not all(torch.equal(u, w) for u, w in zip(o.data, (x, y))):
                raise ValueError("runs of several seeds in one batch, but their problem's data depend on the seed")
        per_seed = {s: stack_mlp(o.module, 1) for s, o in objectives.items()}
        start = [torch.cat([per_seed[p.spec.seed][i] for p in plans]).detach() for i in range(len(per_seed[spec.seed]))]
    # per-cell rates in the run's dtype, alpha_k = 1 - a_k eta computed in that dtype
    a = torch.tensor([p.spec.optimiser.a for p in plans], dtype=dtype, device=device)
    b = torch.tensor([p.spec.optimiser.b for p in plans], dtype=dtype, device=device)
    stack = Stack(objective.module, x, y, spec.optimiser.eta, a, b, iterations, start,
                  log_update_max=plans[0].log_update_max, eps=spec.optimiser.eps,
                  loss_scale=objective.metadata.get("loss_scale", 1.0))
    identity = {"executor": "batched", "runs": [run_identity(p) for p in plans], "iterations": iterations}
    elapsed, resumed_from = 0.0, []
    ckpt = load_checkpoint(checkpoint_path, identity, device, log)
    if ckpt is not None:
        stack.load_state_dict(ckpt["state"])
        elapsed, resumed_from = ckpt["elapsed"], ckpt["resumed_from"] + [stack.k]
        log(f"resumed from {checkpoint_path} at iteration {stack.k}")
    progress = Progress(log, iterations, stack.k, progress_every_s, work_per_iteration=len(plans),
                        unit="run-iterations/s")

    def save() -> None:
        save_checkpoint(checkpoint_path, identity, stack.k, stack.state_dict(), elapsed + progress.elapsed(),
                        resumed_from)

    while stack.k < iterations:
        stack.step()
        k = stack.k
        if k % checkpoint_every == 0 and k < iterations:
            save()
        progress.update(k, f"{int(stack.active.sum())}/{len(plans)} runs finite")
        if on_step is not None:
            on_step(k - 1)
    save()
    wall = elapsed + progress.elapsed()
    log(f"finished: {stack.k} iterations, {int((stack.diverged_at >= 0).sum())} of {len(plans)} runs diverged, "
        f"{wall:.1f} s")
    losses = stack.losses.numpy()
    results = []
    for i in range(len(plans)):
        at = int(stack.diverged_at[i])
        n = at + 1 if at >= 0 else stack.k  # a diverged run's history ends at its first non-finite loss
        history = pd.DataFrame({"step": np.arange(n), "loss": losses[:n, i]})
        if stack.update_max is not None:
            history["update_max"] = stack.update_max.numpy()[:n, i]
        results.append(TrainResult(history=history, diverged=at >= 0, diverged_step=at if at >= 0 else None,
                                   iterations_done=n, wall_time_s=wall, resumed_from=resumed_from,
                                   metadata=objective.metadata))
    return results
