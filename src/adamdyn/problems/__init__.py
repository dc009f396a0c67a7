"""Problems by name: each builder turns a config entry into an :class:`Objective`.

A problem's config entry is ``{"name": <registered name>, **arguments}``; ``tag`` gives the
short readable piece of a run's folder name that identifies it.
"""
from __future__ import annotations

from typing import Callable

import torch

from .base import Objective
from .networks import mlp, options_tag
from .pde import dgm_poisson
from .quadratic import scalar_quadratic, wishart_quadratic
from .resnet import resnet18
from ..naming import fmt
from ..settings import data_kind, data_name

# name -> (builder, tag): the builder takes the entry's arguments plus dtype and device.
REGISTRY: dict[str, tuple[Callable[..., Objective], Callable[[dict], str]]] = {
    "wishart_quadratic": (wishart_quadratic,
                          lambda p: f"quad{p['dim']}-s{p['seed']}-f{fmt(p['f0'])}"),
    "scalar_quadratic": (scalar_quadratic, lambda p: f"quad1-x{fmt(p['x0'])}"),
    "mlp": (mlp, lambda p: f"mlp-{p['data']}-{'x'.join(map(str, p['widths']))}"
                           + (f"-{p['activation']}" if p.get("activation", "relu") != "relu" else "") + options_tag(p)),
    "resnet18": (resnet18, lambda p: f"resnet18-{p['data']}-w{p['width']}"),
    "dgm_poisson": (dgm_poisson, lambda p: f"dgm-{p['data'].removeprefix('poisson_')}-"
                                           f"{'x'.join(map(str, p['widths']))}-{p['activation']}" + options_tag(p)
                                           + (f"-bw{fmt(p['boundary_weight'])}" if p.get("boundary_weight", 1) != 1 else "")),
}


def _lookup(problem: dict):
    try:
        return REGISTRY[problem["name"]]
    except KeyError:
        raise ValueError(f"Unknown problem {problem.get('name')!r}: expected one of {', '.join(REGISTRY)}") from None


def build_problem(problem: dict, dtype: torch.dtype, device: torch.device, data_dir=None) -> Objective:
    builder, _ = _lookup(problem)
    args = {k: v for k, v in problem.items() if k != "name"}
    if data_name(problem):
        args["data_dir"] = data_dir
    return builder(**args, dtype=dtype, device=device)


def problem_tag(problem: dict) -> str:
    _, tag = _lookup(problem)
    return tag(problem)


__all__ = ["Objective", "build_problem", "data_kind", "data_name", "problem_tag", "REGISTRY"]
