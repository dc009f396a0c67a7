"""The training engine: every run of every figure is trained here.

A job of the plan (:mod:`adamdyn.runs`) is one run, trained by :func:`train`, or a batch of runs
that differ only in Adam's (a, b), trained at once by :func:`adamdyn.batched.train_batch`
(:func:`adamdyn.executors.train_group` picks). Both write the same history and use the same checkpoint format
(:mod:`adamdyn.checkpoint`).

:func:`train` reads top to bottom: settings, problem, optimiser, resume, loop, checkpoint. Each
iteration k logs the state *before* the update k -> k+1: the loss f(x_k) (and eta_k on a
schedule), optionally the iterate x_k, the norms (||x_k||, ||m_k||, ||sqrt(v_k)||) of Fig 7's state
space, and every ``eval_every`` iterations the problem's held-out metrics at x_k; with
``sharpness_every``, the spike-mechanism study's signals (:class:`adamdyn.sharpness.SpikeProbe`: the decoupling ratio,
the preconditioned sharpness over its threshold, the update's cosine with -g_k). Then it takes one
optimiser step.

A checkpoint (problem and optimiser state, RNG state, the history so far) is written atomically
every ``checkpoint_every`` iterations and at the end. Training resumes from it whenever it
matches the plan, so a run killed at any moment and restarted gives
the same history as an uninterrupted one, and a run later asked for more iterations continues
from its final checkpoint. A non-finite loss ends the run early, marked diverged: a result, not
an error.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import torch

from .checkpoint import Progress, load_checkpoint, save_checkpoint
from .optim import moment_buffers
from .problems import build_problem
from .runs import RunPlan, run_identity
from .sharpness import SpikeProbe

MAX_LOGGED_ITERATE = 16  # the iterate is logged only for low-dimensional problems (Fig 6)


@dataclass
class TrainResult:
    history: pd.DataFrame
    diverged: bool
    diverged_step: int | None
    iterations_done: int
    wall_time_s: float
    resumed_from: list[int]
    metadata: dict


def resolve_device(device: str) -> torch.device:
    """``auto`` is CUDA when a GPU is visible, else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was asked for, but torch sees no CUDA GPU; use device: auto or cpu")
    return torch.device(device)


def _norm(tensors: list[torch.Tensor]) -> float:
    if not tensors:
        return 0.0
    return math.sqrt(sum(float(t.double().pow(2).sum()) for t in tensors))


def _norm_sqrt(tensors: list[torch.Tensor]) -> float:
    """||sqrt(v)|| = sqrt(sum v) for v >= 0."""
    return math.sqrt(sum(float(t.double().sum()) for t in tensors)) if tensors else 0.0


def train(plan: RunPlan, checkpoint_path: str | Path, device: torch.device, checkpoint_every: int,
          log: Callable[[str], None] = print, progress_every_s: float = 10.0,
          on_step: Callable[[int], None] | None = None, data_dir: str | Path | None = None) -> TrainResult:
    """Train ``plan`` to ``plan.iterations`` (or divergence), resuming from ``checkpoint_path``.

    ``data_dir`` holds the prepared data sets a network problem reads.
    ``on_step(k)`` is called after iteration k's update; the tests use it to interrupt a run.
    """
    spec = plan.spec
    checkpoint_path = Path(checkpoint_path)
    dtype = getattr(torch, spec.dtype)
    if plan.log_update_max:
        raise ValueError(f"run {plan.name}: the largest update (log_update_max) is logged by the batched executor only")

    torch.manual_seed(spec.seed)
    objective = build_problem(spec.problem, dtype=dtype, device=device, data_dir=data_dir)
    optimiser = spec.build_optimiser(objective.parameters)
    if plan.log_iterate and sum(p.numel() for p in objective.parameters) > MAX_LOGGED_ITERATE:
        raise ValueError(f"log.iterate is for low-dimensional problems (at most {MAX_LOGGED_ITERATE} parameters)")

    probe = None
    if plan.sharpness_every:
        opt = spec.optimiser
        probe = SpikeProbe(objective.parameters, optimiser, opt.eta, opt.alpha, opt.beta, opt.eps,
                           plan.sharpness_every, plan.lanczos_steps, seed=spec.seed)
    history: dict[str, list] = {"step": [], "loss": []}
    start, elapsed, resumed_from, diverged_step = 0, 0.0, [], None
    identity = run_identity(plan)
    ckpt = load_checkpoint(checkpoint_path, identity, device, log)
    if ckpt is not None and ckpt["iteration"] > plan.iterations and not ckpt["state"]["diverged"]:
        log(f"checkpoint {checkpoint_path} is at iteration {ckpt['iteration']} > {plan.iterations} asked; "
            "starting from scratch")
        ckpt = None
    if ckpt is not None:
        state = ckpt["state"]
        objective.load_state_dict(state["problem"])
        optimiser.load_state_dict(state["optimiser"])
        torch.set_rng_state(state["rng"])
        history, start, elapsed = state["history"], ckpt["iteration"], ckpt["elapsed"]
        diverged_step = state["diverged_step"]
        if probe is not None:
            probe.load_state_dict(state["probe"])
        resumed_from = ckpt["resumed_from"] + [start]
        log(f"resumed from {checkpoint_path} at iteration {start}")

    def save(iteration: int) -> None:
        state = {"problem": objective.state_dict(), "optimiser": optimiser.state_dict(),
                 "rng": torch.get_rng_state(), "history": history,
                 "diverged": diverged_step is not None, "diverged_step": diverged_step}
        if probe is not None:
            state["probe"] = probe.state_dict()
        save_checkpoint(checkpoint_path, identity, iteration, state, elapsed + progress.elapsed(), resumed_from)

    def batch(k: int) -> torch.Tensor | None:
        """Sample indices of iteration k: None (full batch), or the k-th slice of a seeded per-epoch
        permutation. A pure function of (seed, k), so a resumed run draws the same batches."""
        if spec.batch_size is None:
            return None
        per_epoch = objective.n_samples // spec.batch_size
        epoch, i = divmod(k, per_epoch)
        if epoch not in perms:
            perms.clear()
            gen = torch.Generator().manual_seed(spec.seed * 1_000_003 + epoch)
            perms[epoch] = torch.randperm(objective.n_samples, generator=gen).to(device)
        return perms[epoch][i * spec.batch_size:(i + 1) * spec.batch_size]

    perms: dict[int, torch.Tensor] = {}
    progress = Progress(log, plan.iterations, start, progress_every_s)
    for k in range(start, plan.iterations if diverged_step is None else start):
        optimiser.zero_grad(set_to_none=True)
        loss = objective.loss(batch(k))
        value = float(loss.detach())
        history["step"].append(k)
        history["loss"].append(value)
        if spec.schedule is not None:  # eta_k of this iteration's update (t = sum of eta_k)
            history.setdefault("eta", []).append(optimiser.current_eta())
        with torch.no_grad():
            if plan.log_iterate:
                for i, xi in enumerate(objective.iterate().tolist()):
                    history.setdefault(f"x{i}", []).append(xi)
            if plan.log_norms:
                m, v = moment_buffers(optimiser)
                for key, val in (("norm_x", _norm(objective.parameters)), ("norm_m", _norm(m)),
                                 ("norm_sqrt_v", _norm_sqrt(v))):
                    history.setdefault(key, []).append(val)
            if plan.eval_every and objective.test_metrics is not None:
                metrics = objective.test_metrics() if k % plan.eval_every == 0 else {}
                for key in objective.test_keys:
                    history.setdefault(key, []).append(metrics.get(key, float("nan")))
        if probe is not None:  # filled in below unless the run ends here
            for key in probe.KEYS:
                history.setdefault(key, []).append(float("nan"))
        if not math.isfinite(value):
            diverged_step = k
            log(f"iteration {k}: loss is {value}; run marked diverged")
            break
        loss.backward()
        if probe is not None:
            for key, val in probe.before_step(k, lambda: objective.loss(batch(k))).items():
                history[key][-1] = val
        optimiser.step()
        if probe is not None:
            history["update_cosine"][-1] = probe.after_step()
        if (k + 1) % checkpoint_every == 0 and k + 1 < plan.iterations:
            save(k + 1)
        progress.update(k + 1, f"loss {value:.4e}")
        if on_step is not None:
            on_step(k)
    done = len(history["step"])
    save(done)
    wall = elapsed + progress.elapsed()
    log(f"finished: {done} iterations, final loss {history['loss'][-1] if done else float('nan'):.4e}, "
        f"{'diverged at ' + str(diverged_step) if diverged_step is not None else 'no divergence'}, {wall:.1f} s")
    return TrainResult(history=pd.DataFrame(history), diverged=diverged_step is not None,
                       diverged_step=diverged_step, iterations_done=done, wall_time_s=wall,
                       resumed_from=resumed_from, metadata=objective.metadata)
