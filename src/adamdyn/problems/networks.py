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
from .base import Objective

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU}
#: [U] initialisations of a linear layer's weights: PyTorch's own (``nn.Linear``: U(+-1/sqrt(fan_in))
#: for weights and biases), or Glorot's uniform or normal draw (variance 2 / (fan_in + fan_out)) with
#: zero biases.
INITS = ("default", "xavier_uniform", "xavier_normal")


def mlp_net(sizes: list[int], activation: str = "relu", init: str = "default") -> nn.Sequential:
    """d_0 - d_1 - ... - d_L with the activation after every hidden layer; ``init`` one of :data:`INITS`."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    if init not in INITS:
        raise ValueError(f"Unknown init {init!r}: expected one of {', '.join(INITS)}")
    layers: list[nn.Module] = []
    for i, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(d_in, d_out))
        if init != "default":
            getattr(nn.init, f"{init}_")(layers[-1].weight)
            nn.init.zeros_(layers[-1].bias)
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def init_tag(problem: dict) -> str:
    """The piece of a run's name that says a problem's initialisation when it is not PyTorch's."""
    return {"default": "", "xavier_uniform": "-xu", "xavier_normal": "-xn"}[problem.get("init", "default")]


def mlp(data: str, widths: list[int], dtype: torch.dtype, device: torch.device, data_dir: str | Path,
        activation: str = "relu", init: str = "default") -> Objective:
    """An MLP with hidden ``widths`` fitted to the prepared set ``data`` by mean squared error.

    Input and output sizes come from the data (3072 -> 2 for CIFAR-2, 5 -> 1 for the sine
    regression). The held-out set, when the data has one, gives ``test_loss``.
    """
    tensors, _ = load_prepared(Path(data_dir) / f"{data}.pt")
    x, y = tensors["x_train"].to(device, dtype), tensors["y_train"].to(device, dtype)
    x = x.reshape(len(x), -1)
    net = mlp_net([x.shape[1], *widths, y.shape[1]], activation, init).to(device, dtype)

    def loss(batch=None):
        if batch is None:
            return nn.functional.mse_loss(net(x), y)
        return nn.functional.mse_loss(net(x[batch]), y[batch])

    test_metrics, keys = None, ()
    if "x_test" in tensors:
        x_test = tensors["x_test"].to(device, dtype).reshape(len(tensors["x_test"]), -1)
        y_test = tensors["y_test"].to(device, dtype)

        def test_metrics():
            with torch.no_grad():
                return {"test_loss": float(nn.functional.mse_loss(net(x_test), y_test))}
        keys = ("test_loss",)
    return Objective(parameters=list(net.parameters()), loss=loss, module=net, n_samples=len(x),
                     test_metrics=test_metrics, test_keys=keys, data=(x, y),
                     metadata={"n_train": len(x), "n_parameters": sum(p.numel() for p in net.parameters())})
