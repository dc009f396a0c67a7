"""What the Snakefile needs from the package: the scale to run, the figures, and the plan of runs
and training jobs, checked before any job starts."""
from __future__ import annotations

import inspect
from pathlib import Path

from .registry import FIGURES, expand, variant_configs
from .problems import REGISTRY, data_name
from .runs import Job, RunPlan, plan_scale


def resolve_scale(requested: str) -> tuple[str, str]:
    """(scale, why): ``auto`` is ``paper`` with a visible CUDA GPU, else ``cpu``."""
    if requested != "auto":
        return requested, "chosen in config"
    import torch

    if torch.cuda.is_available():
        return "paper", f"auto: CUDA GPU found ({torch.cuda.get_device_name(0)})"
    return "cpu", "auto: no CUDA GPU visible"


def check_problem(where: str, problem: dict) -> None:
    """Fail before any job starts if a problem's name or arguments are wrong, naming the key."""
    name = problem.get("name")
    if name not in REGISTRY:
        raise ValueError(f"config: {where}.name = {name!r} is not a known problem; "
                         f"expected one of {', '.join(REGISTRY)}")
    builder, _ = REGISTRY[name]
    args = {k: v for k, v in problem.items() if k != "name"}
    try:
        context = {"data_dir": None} if data_name(problem) else {}
        inspect.signature(builder).bind(**args, dtype=None, device=None, **context)
    except TypeError as exc:
        wanted = [p for p in inspect.signature(builder).parameters if p not in ("dtype", "device", "data_dir")]
        raise ValueError(f"config: {where} ({name}): {exc}; its arguments are {', '.join(wanted)}") from None


def plan(scale: str, scale_cfg: dict) -> tuple[dict[str, RunPlan], dict[str, list[tuple[str, int]]], dict[str, Job]]:
    """The runs, reads and jobs of every figure configured at this scale (:func:`plan_scale`)."""
    unknown = sorted(k for k in scale_cfg if k.startswith("fig") and k not in FIGURES)
    if unknown:
        raise ValueError(f"config: scales.{scale}: {', '.join(unknown)} has no figure module "
                         f"(src/adamdyn/figures/); the figures are {', '.join(FIGURES)}")
    try:
        configs = variant_configs(scale_cfg)
    except ValueError as exc:
        raise ValueError(f"config: scales.{scale}.{exc}") from None
    figures = {f: expand(f, cfg) for f, cfg in configs.items()}
    datasets = scale_cfg.get("datasets", {})
    for figure, cfg in figures.items():
        where = f"scales.{scale}.{figure.replace('-', '.variants.', 1)}"
        problems = [(f"{where}.problem", cfg["problem"])] + [
            (f"{where}.runs[{i}].problem", e["problem"]) for i, e in enumerate(cfg["runs"]) if "problem" in e]
        for at, problem in problems:
            check_problem(at, problem)
            if data_name(problem) and data_name(problem) not in datasets:
                raise ValueError(f"config: {at}.data = {data_name(problem)!r} is not a data set of scales.{scale}."
                                 f"datasets ({', '.join(datasets)}); add it there")
    for name, entry in datasets.items():
        source = entry.get("source")
        if source and not name.startswith(f"{source}_"):
            raise ValueError(f"config: scales.{scale}.datasets.{name}: a data set derived from {source} is named "
                             f"{source}_<suffix> (e.g. {source}_big), so that its runs are known to fit {source}")
    try:
        return plan_scale(figures)
    except ValueError as exc:
        raise ValueError(f"config: scales.{scale}.{str(exc)}") from None


def failure_causes(snakemake_log) -> list[str]:
    """One line per failed job of a Snakemake log: the rule, its wildcards and the cause its own log
    states (the last line starting ``ERROR:``, else its last line), for the end of the output."""
    causes, rule, wildcards = [], None, ""
    logs = [snakemake_log] if isinstance(snakemake_log, (str, Path)) else list(snakemake_log or [])
    lines = []
    for path in logs:
        try:
            lines += Path(path).read_text().splitlines()
        except OSError:
            pass
    for line in lines:
        if line.startswith("Error in rule "):
            rule, wildcards = line.removeprefix("Error in rule ").rstrip(":"), ""
        elif rule and line.strip().startswith("wildcards:"):
            wildcards = line.strip().removeprefix("wildcards:").strip()
        elif rule and line.strip().startswith("log:"):
            job_log = line.strip().removeprefix("log:").split(" (check log")[0].strip()
            try:
                text = [t for t in Path(job_log).read_text().splitlines() if t.strip()]
            except OSError:
                text = []
            errors = [t for t in text if t.startswith("ERROR:")]
            cause = errors[-1] if errors else (text[-1] if text else f"(no log at {job_log})")
            causes.append(f"{rule}{f' ({wildcards})' if wildcards else ''}: {cause}  [log: {job_log}]")
            rule = None
    return causes
