"""What the Snakefile needs from the package: the scale to run and the plan of runs."""
from __future__ import annotations

import inspect

from .phase import block_plans
from .problems import REGISTRY, needs_data
from .runs import RunPlan, plan_scale

FIGURE_IDS = tuple(f"fig{n:02d}" for n in range(1, 11))
PHASE_FIGURE = "fig08"  # trained in blocks of (a, b) cells (adamdyn.phase), not as runs


def resolve_scale(requested: str) -> tuple[str, str]:
    """(scale, why): ``auto`` is ``paper`` with a visible CUDA GPU, else ``cpu``."""
    if requested != "auto":
        return requested, "chosen in config"
    import torch

    if torch.cuda.is_available():
        return "paper", f"auto: CUDA GPU found ({torch.cuda.get_device_name(0)})"
    return "cpu", "auto: no CUDA GPU visible"


def check_problem(figure: str, problem: dict) -> None:
    """Fail before any job starts if a problem's name or arguments are wrong, naming the key."""
    name = problem.get("name")
    if name not in REGISTRY:
        raise ValueError(f"config: scales.<scale>.{figure}.problem.name = {name!r} is not a known problem; "
                         f"expected one of {', '.join(REGISTRY)}")
    builder, _ = REGISTRY[name]
    args = {k: v for k, v in problem.items() if k != "name"}
    try:
        context = {"data_dir": None} if needs_data(problem) else {}
        inspect.signature(builder).bind(**args, dtype=None, device=None, **context)
    except TypeError as exc:
        wanted = [p for p in inspect.signature(builder).parameters if p not in ("dtype", "device", "data_dir")]
        raise ValueError(f"config: scales.<scale>.{figure}.problem ({name}): {exc}; "
                         f"its arguments are {', '.join(wanted)}") from None


def plan(scale_cfg: dict) -> tuple[dict[str, RunPlan], dict[str, list[tuple[str, int]]]]:
    """The runs of every figure configured at this scale (see :func:`adamdyn.runs.plan_scale`)."""
    figures = {f: scale_cfg[f] for f in FIGURE_IDS if f in scale_cfg and f != PHASE_FIGURE}
    for figure, cfg in figures.items():
        for problem in [cfg["problem"]] + [e["problem"] for e in cfg["runs"] if "problem" in e]:
            check_problem(figure, problem)
    return plan_scale(figures)


def phase_blocks(scale_cfg: dict) -> dict[str, dict]:
    """Fig 8's blocks at this scale (name -> plan), empty when the scale has no Fig 8."""
    if PHASE_FIGURE not in scale_cfg:
        return {}
    check_problem(PHASE_FIGURE, scale_cfg[PHASE_FIGURE]["problem"])
    return block_plans(scale_cfg[PHASE_FIGURE])
