"""The three optimisers the paper studies, parameterised in its vocabulary.

The paper (section 1) writes alpha for the second-moment factor and beta for the
first-moment factor; PyTorch's ``betas=(beta1, beta2)`` are ``(beta, alpha)``.
Section 2.2 rescales both with the learning rate eta:

    alpha = 1 - a * eta,        beta = 1 - b * eta,

so that PyTorch's defaults (0.9, 0.999) at eta = 1e-3 are (a, b) = (1, 100).

* RMSprop, eq. (2)::

      v_{t+1} = alpha v_t + (1 - alpha) grad f(x_t)^2
      x_{t+1} = x_t - eta grad f(x_t) / (sqrt(v_{t+1}) + eps)

  with v_0 = 0 and no bias correction: exactly ``torch.optim.RMSprop``.

* Adam, eq. (3)::

      v_{t+1} = alpha v_t + (1 - alpha) grad f(x_t)^2
      m_{t+1} = beta m_t + (1 - beta) grad f(x_t)
      x_{t+1} = x_t - eta (m_{t+1} / (1 - beta^{t+1})) / (sqrt(v_{t+1} / (1 - alpha^{t+1})) + eps)

  with m_0 = v_0 = 0 and eps outside the square root: exactly ``torch.optim.Adam``.

* signGD, the discretisation of the signGD flow eq. (5)::

      x_{t+1} = x_t - eta sign(grad f(x_t))
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

import torch

from .settings import EPS

OPTIMISERS = ("adam", "rmsprop", "signgd")


def closure_loss(closure):
    """The loss a torch optimiser's ``step(closure)`` re-evaluates (with gradients), or None."""
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


class SignGD(torch.optim.Optimizer):
    """Sign gradient descent, ``x <- x - eta * sign(grad f(x))`` (the paper's eq. (5), discretised).

    sign(0) = 0, so a coordinate with a zero gradient does not move.
    """

    def __init__(self, params: Iterable[torch.Tensor], lr: float):
        if not lr > 0.0:
            raise ValueError(f"Invalid learning rate eta: {lr} (must be > 0)")
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.add_(torch.sign(p.grad), alpha=-group["lr"])
        return loss


def _factor(name: str, factor: float | None, rate: float | None, eta: float) -> float | None:
    """Resolve one momentum factor from either its value or its rate (alpha = 1 - a * eta)."""
    rate_name = {"alpha": "a", "beta": "b"}[name]
    if factor is not None and rate is not None:
        raise ValueError(f"Give either {name} or its rate {rate_name}, not both ({name}={factor}, {rate_name}={rate})")
    if rate is not None:
        factor = 1.0 - rate * eta
        if not 0.0 <= factor < 1.0:
            raise ValueError(f"Invalid {rate_name} = {rate:g}: {name} = 1 - {rate_name} eta = {factor:g} must lie in "
                             f"[0, 1), so {rate_name} must lie in (0, {1 / eta:g}] at eta = {eta:g}")
    if factor is not None and not 0.0 <= factor < 1.0:
        raise ValueError(
            f"Invalid {name}: {factor} (must lie in [0, 1); with eta={eta} the rate must be < 1/eta)")
    return factor


@dataclass(frozen=True)
class OptimiserSpec:
    """One optimiser setting: name, eta and the momentum factors alpha (second moment), beta (first).

    Build it with :meth:`from_config`, which accepts the paper's (eta, a, b) or (eta, alpha, beta).
    """

    name: str
    eta: float
    alpha: float | None = None
    beta: float | None = None
    eps: float = EPS

    @classmethod
    def from_config(cls, name: str, eta: float, a: float | None = None, b: float | None = None,
                    alpha: float | None = None, beta: float | None = None, eps: float = EPS) -> "OptimiserSpec":
        name = name.lower()
        if name not in OPTIMISERS:
            raise ValueError(f"Unknown optimiser {name!r}: expected one of {', '.join(OPTIMISERS)}")
        if not eta > 0.0:
            raise ValueError(f"Invalid learning rate eta: {eta} (must be > 0)")
        alpha = _factor("alpha", alpha, a, eta)
        beta = _factor("beta", beta, b, eta)
        if name == "signgd":
            if alpha is not None or beta is not None:
                raise ValueError("signGD takes no momentum factors (alpha, beta, a, b)")
        elif alpha is None:
            raise ValueError(f"{name} needs alpha (or a)")
        if name == "rmsprop" and beta is not None:
            raise ValueError("RMSprop (eq. (2)) has no first-moment factor beta (or b)")
        if name == "adam" and beta is None:
            raise ValueError("Adam needs beta (or b)")
        return cls(name=name, eta=float(eta), alpha=alpha, beta=beta, eps=float(eps))

    @property
    def a(self) -> float | None:
        """The paper's rate a = (1 - alpha) / eta."""
        return None if self.alpha is None else (1.0 - self.alpha) / self.eta

    @property
    def b(self) -> float | None:
        """The paper's rate b = (1 - beta) / eta."""
        return None if self.beta is None else (1.0 - self.beta) / self.eta

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(a=self.a, b=self.b)
        return d

    def build(self, params: Iterable[torch.Tensor]) -> torch.optim.Optimizer:
        """The torch optimiser that implements this setting exactly (eq. (2), (3) or (5))."""
        if self.name == "adam":
            return torch.optim.Adam(params, lr=self.eta, betas=(self.beta, self.alpha), eps=self.eps)
        if self.name == "rmsprop":
            return torch.optim.RMSprop(params, lr=self.eta, alpha=self.alpha, eps=self.eps)
        return SignGD(params, lr=self.eta)


def adam(params, eta: float, a: float | None = None, b: float | None = None,
         alpha: float | None = None, beta: float | None = None, eps: float = EPS) -> torch.optim.Adam:
    """Adam, eq. (3), from (eta, a, b) or (eta, alpha, beta)."""
    return OptimiserSpec.from_config("adam", eta, a=a, b=b, alpha=alpha, beta=beta, eps=eps).build(params)


def rmsprop(params, eta: float, a: float | None = None, alpha: float | None = None,
            eps: float = EPS) -> torch.optim.RMSprop:
    """RMSprop, eq. (2), from (eta, a) or (eta, alpha)."""
    return OptimiserSpec.from_config("rmsprop", eta, a=a, alpha=alpha, eps=eps).build(params)


def moment_buffers(optimiser: torch.optim.Optimizer) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """The first-moment buffers m and second-moment buffers v of every parameter (empty when absent).

    Adam keeps ``exp_avg`` (m) and ``exp_avg_sq`` (v); RMSprop keeps ``square_avg`` (v); signGD none.
    Before the first step the buffers do not exist yet, which is m_0 = v_0 = 0.
    """
    m, v = [], []
    for group in optimiser.param_groups:
        for p in group["params"]:
            state = optimiser.state.get(p, {})
            if "exp_avg" in state:
                m.append(state["exp_avg"])
            if "exp_avg_sq" in state:
                v.append(state["exp_avg_sq"])
            elif "square_avg" in state:
                v.append(state["square_avg"])
    return m, v
