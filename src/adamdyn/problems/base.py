"""What a problem gives the training engine: parameters, a loss, and its own metadata."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch


@dataclass
class Objective:
    """A differentiable training objective f(x) over the leaf tensors ``parameters``.

    ``loss(batch)`` returns the training loss at the current parameters: over the full
    training set when ``batch`` is None (full batch), else over the sample indices ``batch``
    (``n_samples`` must then be set). ``test_metrics()``, when given, returns held-out metrics
    (e.g. ``{"test_loss": ...}``) under the names ``test_keys``. ``module`` is the network, if any, whose ``state_dict`` (buffers
    included) is what a checkpoint stores. ``metadata`` holds problem facts the statistics need
    (for a quadratic: f(x0), f(x*), the PL constant mu). ``data`` is the full training set
    (inputs, targets) of a network fitted by mean squared error: the batched executor stacks copies
    of ``module`` on it.
    """

    parameters: list[torch.Tensor]
    loss: Callable[[torch.Tensor | None], torch.Tensor]
    test_metrics: Callable[[], dict[str, float]] | None = None
    test_keys: tuple[str, ...] = ()
    module: torch.nn.Module | None = None
    n_samples: int | None = None
    metadata: dict = field(default_factory=dict)
    data: tuple[torch.Tensor, torch.Tensor] | None = None

    def state_dict(self) -> dict:
        if self.module is not None:
            return {"module": self.module.state_dict()}
        return {"parameters": [p.detach().clone() for p in self.parameters]}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            if self.module is not None:
                self.module.load_state_dict(state["module"])
            else:
                for p, saved in zip(self.parameters, state["parameters"], strict=True):
                    p.copy_(saved)

    def iterate(self) -> torch.Tensor:
        """All parameters flattened into one vector x."""
        return torch.cat([p.detach().reshape(-1) for p in self.parameters])
