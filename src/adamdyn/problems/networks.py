"""Fully connected networks on a prepared data set, trained with the square loss.

The paper uses the quadratic loss everywhere, classification included [S]; as in
``nn.MSELoss()`` it is the mean over samples and outputs of (u(x) - y)^2, on one-hot targets for
classification [I]. ReLU unless stated.
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..data import load_prepared
from ..naming import fmt
from .base import Objective

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}
#: [U] initialisations of a linear layer's weights: PyTorch's own (``nn.Linear``: U(+-1/sqrt(fan_in))
#: for weights and biases), Glorot's uniform or normal draw (variance 2 / (fan_in + fan_out)) with
#: zero biases, or ``normal``: N(0, init_std^2) for weights and biases alike (issue 26's candidate
#: ``normal03``, std 0.3).
INITS = ("default", "xavier_uniform", "xavier_normal", "normal")
#: [U] the square loss's normalisation (issue 26): ``mean`` over samples and outputs (``nn.MSELoss()``,
#: our default), one ``half`` of it, the ``sum_outputs`` (mean over samples), or the sum over samples
#: and outputs (``sum_samples``). Each is ``mean`` times a constant c (1/2, K outputs, N K), so Adam's
#: trajectory differs only through eps (eq. (3): the step is c m / (sqrt(c^2 v) + eps)).
LOSSES = ("mean", "half", "sum_outputs", "sum_samples")


def check_loss(loss: str) -> None:
    """Refuse a loss normalisation not in :data:`LOSSES`."""
    if loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}: expected one of {', '.join(LOSSES)}")


def loss_scale(loss: str, n_samples: int, n_outputs: int) -> float:
    """The constant c with loss = c * mean squared error (:data:`LOSSES`)."""
    check_loss(loss)
    return {"mean": 1.0, "half": 0.5, "sum_outputs": float(n_outputs), "sum_samples": float(n_samples * n_outputs)}[loss]


def check_init(init: str, init_std: float | None) -> None:
    """Refuse an unknown ``init``, ``normal`` without a positive ``init_std``, or an ``init_std`` with another init."""
    if init not in INITS:
        raise ValueError(f"Unknown init {init!r}: expected one of {', '.join(INITS)}")
    if (init == "normal") != (init_std is not None) or (init_std is not None and not init_std > 0):
        raise ValueError(f"init {init!r} with init_std {init_std!r}: init 'normal' needs a positive init_std "
                         "(e.g. 0.3), and no other init takes one")


def mlp_net(sizes: list[int], activation: str = "relu", init: str = "default",
            init_std: float | None = None) -> nn.Sequential:
    """d_0 - d_1 - ... - d_L with the activation after every hidden layer; ``init`` one of :data:`INITS`
    (``normal`` needs ``init_std``, the others take none)."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    check_init(init, init_std)
    layers: list[nn.Module] = []
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(d_in, d_out))
        if init == "normal":
            nn.init.normal_(layers[-1].weight, std=init_std)
            nn.init.normal_(layers[-1].bias, std=init_std)
        elif init != "default":
            getattr(nn.init, f"{init}_")(layers[-1].weight)
            nn.init.zeros_(layers[-1].bias)
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def options_tag(problem: dict) -> str:
    """The piece of a run's name that says a network problem's initialisation when it is not PyTorch's,
    and its loss's normalisation when it is not the mean. Both are checked here, when the runs are
    named at planning: the builder would refuse a bad one only when its job trains."""
    init, std, loss = problem.get("init", "default"), problem.get("init_std"), problem.get("loss", "mean")
    check_init(init, std)
    check_loss(loss)
    tag = f"-n{fmt(std)}" if init == "normal" else {
        "default": "", "xavier_uniform": "-xu", "xavier_normal": "-xn"}[init]
    return tag + ("" if loss == "mean" else f"-{loss.replace('_', '')}")


def mlp(data: str, widths: list[int], dtype: torch.dtype, device: torch.device, data_dir: str | Path,
        activation: str = "relu", init: str = "default", init_std: float | None = None,
        loss: str = "mean") -> Objective:
    """An MLP with hidden ``widths`` fitted to the prepared set ``data`` by the square loss, normalised
    as ``loss`` says (:data:`LOSSES`; the mean squared error by default).

    Input and output sizes come from the data (3072 -> 2 for CIFAR-2, 5 -> 1 for the sine
    regression). The held-out set, when the data has one, gives ``test_loss`` (normalised alike, with
    the held-out set's own N for ``sum_samples``).
    """
    tensors, _ = load_prepared(Path(data_dir) / f"{data}.pt")
    x, y = tensors["x_train"].to(device, dtype), tensors["y_train"].to(device, dtype)
    x = x.reshape(len(x), -1)
    net = mlp_net([x.shape[1], *widths, y.shape[1]], activation, init, init_std).to(device, dtype)
    c = loss_scale(loss, len(x), y.shape[1])

    def objective(batch=None):
        # a mini-batch's loss estimates the full one: the same c (the full set's N for sum_samples)
        mse = nn.functional.mse_loss(net(x), y) if batch is None else nn.functional.mse_loss(net(x[batch]), y[batch])
        return mse if c == 1 else c * mse  # the default's arithmetic untouched

    test_metrics, keys = None, ()
    if "x_test" in tensors:
        x_test = tensors["x_test"].to(device, dtype).reshape(len(tensors["x_test"]), -1)
        y_test = tensors["y_test"].to(device, dtype)
        c_test = loss_scale(loss, len(x_test), y_test.shape[1])

        def test_metrics():
            with torch.no_grad():
                return {"test_loss": c_test * float(nn.functional.mse_loss(net(x_test), y_test))}
        keys = ("test_loss",)
    metadata = {"n_train": len(x), "n_parameters": sum(p.numel() for p in net.parameters())}
    if c != 1:
        metadata["loss_scale"] = c  # the batched executor multiplies its mean squared error by it
    return Objective(parameters=list(net.parameters()), loss=objective, module=net, n_samples=len(x),
                     test_metrics=test_metrics, test_keys=keys, data=(x, y), metadata=metadata)
