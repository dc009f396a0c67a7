"""Fig 9's network: a ResNet18 for CIFAR images, fitted by mean squared error on one-hot targets.

The paper uses "a standard ResNet18 (He et al., 2016) but with number of channels halved",
trained by stochastic Adam with batch 1000. [U] The CIFAR variant of ResNet18: a 3x3 stem
convolution without max-pool, four stages of two basic blocks with ``width`` x (1, 2, 4, 8)
channels (the paper's halved net: width 32, i.e. 32-64-128-256), BatchNorm after every
convolution, global average pooling and one linear layer. BatchNorm stays in training mode
(batch statistics) throughout, as in the paper's training curves; the loss is that of the
mini-batch the step uses.

Images and network are held channels-last (NHWC): the same arithmetic up to rounding, and faster
on one CPU thread for the cpu scale's width-8 net at batch 100 (the ratio, measured against the
default layout in one run: docs/benchmarks-resnet-layout.md, scripts/benchmarks/bench_resnet_layout.py).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from ..data import load_prepared
from .base import Objective


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with BatchNorm and a shortcut (a 1x1 convolution when the shape changes)."""

    def __init__(self, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + self.shortcut(x))


def resnet18_net(width: int = 32, classes: int = 10, in_channels: int = 3) -> nn.Sequential:
    """ResNet18, CIFAR variant, stage widths ``width`` x (1, 2, 4, 8) (PyTorch default init)."""
    layers: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    c_in = width
    for stage, mult in enumerate((1, 2, 4, 8)):
        c_out = width * mult
        for i in range(2):
            layers.append(BasicBlock(c_in, c_out, stride=2 if stage > 0 and i == 0 else 1))
            c_in = c_out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, classes)]
    return nn.Sequential(*layers)


def resnet18(data: str, width: int, dtype: torch.dtype, device: torch.device, data_dir: str | Path) -> Objective:
    """ResNet18 of stage widths ``width`` x (1, 2, 4, 8) on the prepared image set ``data`` (N, 3, H, W)."""
    tensors, _ = load_prepared(Path(data_dir) / f"{data}.pt")
    x, y = tensors["x_train"], tensors["y_train"].to(device, dtype)
    if x.dim() != 4:
        raise ValueError(f"resnet18 needs images (N, C, H, W); the prepared set {data!r} has shape {tuple(x.shape)}")
    x = x.to(device, dtype).contiguous(memory_format=torch.channels_last)
    net = resnet18_net(width, y.shape[1], x.shape[1]).to(device, dtype, memory_format=torch.channels_last)
    net.train()

    def loss(batch=None):
        if batch is None:
            return nn.functional.mse_loss(net(x), y)
        return nn.functional.mse_loss(net(x[batch]), y[batch])

    return Objective(parameters=list(net.parameters()), loss=loss, module=net, n_samples=len(x),
                     metadata={"n_train": len(x), "n_parameters": sum(p.numel() for p in net.parameters())})
