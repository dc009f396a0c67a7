"""Learning-rate decay for Adam, and how its momentum factors follow the decaying eta (the lr-decay study).

The paper's Section 5 leaves open whether, when eta decays, Adam's (alpha, beta) should stay fixed
or its rates (a, b) should (alpha = 1 - a eta, beta = 1 - b eta). A schedule gives eta_k, the
learning rate of the update k -> k+1, and each factor follows it in one of three ways::

    "factor":  alpha_k = alpha_0                                  ((alpha, beta) fixed)
    "rate":    alpha_k = 1 - a eta_k                              ((a, b) fixed)
    "square":  1 - alpha_k = (1 - alpha_0) (eta_k / eta_0)^2      (1 - alpha proportional to eta^2)

(the same for beta with b). The schedules, from eta_0 to eta_0 * factor::

    "step":    eta_k = eta_0 for k < start, eta_0 * factor from k = start on
    "cosine":  eta_k = eta_f + (eta_0 - eta_f) (1 + cos(pi (k - start) / (stop - start))) / 2
               for start <= k < stop (eta_0 before, eta_f = eta_0 * factor from stop on)

With factors that change from step to step, eq. (3)'s bias corrections 1 - beta^t and
1 - alpha^t become the weights the moments have actually accumulated,
1 - prod_{s<=t} beta_s and 1 - prod_{s<=t} alpha_s:

    m_t = sum_s (1 - beta_s) prod_{s<r<=t} beta_r g_s   has weights summing to 1 - prod_{s<=t} beta_s,

so m_t / (1 - prod beta_s) is a weighted mean of the gradients for every schedule, and the update

    x_{t+1} = x_t - eta_t (m_{t+1} / (1 - prod beta)) / (sqrt(v_{t+1} / (1 - prod alpha)) + eps)

is eq. (3) exactly when the factors are constant (:class:`ScheduledAdam`).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch

from .naming import fmt
from .optim import closure_loss
from .settings import FOLLOW

KINDS = ("step", "cosine")


@dataclass(frozen=True)
class Schedule:
    """eta_k from eta_0 (``kind``, ``start``, ``stop``, ``factor``) and how alpha and beta follow it."""

    kind: str
    start: int
    factor: float
    alpha: str
    beta: str
    stop: int | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"schedule kind {self.kind!r}: expected one of {', '.join(KINDS)}")
        for name in ("alpha", "beta"):
            if getattr(self, name) not in FOLLOW:
                raise ValueError(f"schedule {name}: {getattr(self, name)!r}; expected one of {', '.join(FOLLOW)}")
        if not 0.0 < self.factor <= 1.0:
            raise ValueError(f"schedule factor {self.factor}: eta decays, so it must lie in (0, 1]")
        if self.kind == "cosine" and (self.stop is None or self.stop <= self.start):
            raise ValueError(f"cosine schedule: stop ({self.stop}) must be after start ({self.start})")
        if self.kind == "step" and self.stop is not None:
            raise ValueError("step schedule: no stop (the step is at start)")

    @classmethod
    def from_dict(cls, d: dict) -> "Schedule":
        missing = [k for k in ("kind", "start", "factor", "alpha", "beta") if k not in d]
        unknown = sorted(set(d) - {"kind", "start", "stop", "factor", "alpha", "beta"})
        if missing or unknown:
            raise ValueError(f"schedule {d}: missing {missing}, unknown {unknown}; a schedule has kind, start, "
                             "stop (cosine), factor, alpha and beta")
        return cls(kind=d["kind"], start=int(d["start"]), factor=float(d["factor"]), alpha=d["alpha"],
                   beta=d["beta"], stop=None if d.get("stop") is None else int(d["stop"]))

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def tag(self) -> str:
        """The piece of a run's name: ``step750x0.1-rr`` (alpha and beta follow: f, r or s)."""
        when = f"{self.start}" if self.kind == "step" else f"{self.start}-{self.stop}"
        kind = "step" if self.kind == "step" else "cos"
        return f"{kind}{when}x{fmt(self.factor)}-{self.alpha[0]}{self.beta[0]}"

    def eta(self, k: int, eta0: float) -> float:
        """eta_k, the learning rate of the update k -> k+1."""
        final = eta0 * self.factor
        if k < self.start:
            return eta0
        if self.kind == "step" or k >= self.stop:
            return final
        return final + (eta0 - final) * 0.5 * (1.0 + math.cos(math.pi * (k - self.start) / (self.stop - self.start)))

    def factors(self, k: int, eta0: float, alpha0: float, beta0: float) -> tuple[float, float, float]:
        """(eta_k, alpha_k, beta_k) of the update k -> k+1."""
        eta = self.eta(k, eta0)

        def follow(how: str, f0: float) -> float:
            if how == "factor" or eta == eta0:  # before the decay every arm runs the same numbers
                return f0
            if how == "rate":
                return 1.0 - (1.0 - f0) / eta0 * eta
            return 1.0 - (1.0 - f0) * (eta / eta0) ** 2

        return eta, follow(self.alpha, alpha0), follow(self.beta, beta0)


class ScheduledAdam(torch.optim.Optimizer):
    """Adam (eq. (3)) with per-step (eta_k, alpha_k, beta_k) from a :class:`Schedule`, and bias
    corrections 1 - prod beta_s, 1 - prod alpha_s (the module's docstring). State per parameter:
    ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v), ``prod_alpha``, ``prod_beta``."""

    def __init__(self, params, eta: float, alpha: float, beta: float, eps: float, schedule: Schedule):
        super().__init__(params, {"lr": eta, "alpha": alpha, "beta": beta, "eps": eps})
        self.schedule = schedule

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:  # Python numbers: a checkpoint keeps them in float64 (tensors would be cast)
                    state.update(step=0, prod_alpha=1.0, prod_beta=1.0, exp_avg=torch.zeros_like(p),
                                 exp_avg_sq=torch.zeros_like(p))
                eta, alpha, beta = self.schedule.factors(state["step"], group["lr"], group["alpha"], group["beta"])
                state["step"] += 1
                state["prod_alpha"] *= alpha
                state["prod_beta"] *= beta
                m, v, g = state["exp_avg"], state["exp_avg_sq"], p.grad
                m.mul_(beta).add_(g, alpha=1.0 - beta)
                v.mul_(alpha).addcmul_(g, g, value=1.0 - alpha)
                corr_m = 1.0 - state["prod_beta"]
                corr_v = 1.0 - state["prod_alpha"]
                denom = (v / corr_v).sqrt_().add_(group["eps"])
                p.addcdiv_(m, denom, value=-eta / corr_m)
        return loss

    def current_eta(self) -> float:
        """eta_k of the next update (the schedule at the step count reached)."""
        group = self.param_groups[0]
        state = self.state.get(group["params"][0], {})
        k = state["step"] if state else 0
        return self.schedule.eta(k, group["lr"])
