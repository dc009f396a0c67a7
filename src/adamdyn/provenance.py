"""How a figure was made: the commit, libraries, device, dtype and wall time of each run behind it,
and the checksums of the prepared data those runs read."""
from __future__ import annotations

import platform
import subprocess
from pathlib import Path

from .io import file_sha256, read_json, write_json, write_parquet


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def environment(device) -> dict:
    """What a training job records about where it ran: device, commit, library versions."""
    import numpy as np
    import pandas as pd
    import torch

    from . import __version__

    return {"device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
            "git_commit": git_commit(),
            "versions": {"python": platform.python_version(), "torch": torch.__version__,
                         "numpy": np.__version__, "pandas": pd.__version__, "adamdyn": __version__,
                         "platform": platform.platform()}}


def write_run(out: Path, plan, result, job: dict, threads: int, device, started: str, finished: str) -> None:
    """A trained run's folder: ``history.parquet`` and ``run.json`` (its settings, plan, outcome,
    the history's checksum, and where and when it ran), each written atomically."""
    write_parquet(out / "history.parquet", result.history)
    write_json(out / "run.json", {
        "name": plan.name, "spec": plan.spec.to_dict(), "plan": plan.to_dict(),
        "iterations_done": result.iterations_done, "diverged": result.diverged,
        "diverged_step": result.diverged_step, "wall_time_s": round(result.wall_time_s, 3),
        "history_sha256": file_sha256(out / "history.parquet"),
        "resumed_from_iterations": result.resumed_from, "problem_metadata": result.metadata,
        "job": {"name": job["name"], "executor": job["executor"], "runs": len(job["runs"])},
        "threads": threads, "dtype": plan.spec.dtype, "seed": plan.spec.seed,
        "started": started, "finished": finished, **environment(device),
    })


def figure_provenance(figure: str, scale: str, run_dirs: list[Path], data_metas: list[Path]) -> dict:
    runs = []
    for run_dir in run_dirs:
        info = read_json(Path(run_dir) / "run.json")
        runs.append({key: info.get(key) for key in (
            "name", "git_commit", "device", "threads", "dtype", "seed", "iterations_done", "diverged",
            "diverged_step", "wall_time_s", "started", "finished", "resumed_from_iterations", "versions")})
    data = []
    for meta_path in data_metas:
        meta = read_json(meta_path)
        data.append({"name": meta.get("name"), "sha256": meta.get("sha256"), "shapes": meta.get("shapes"),
                     "source": {k: meta.get("source", {}).get(k) for k in ("dataset", "root", "layout", "verified")},
                     "preprocessing": meta.get("preprocessing", {}).get("description")})
    return {"figure": figure, "scale": scale, "runs": runs, "data": data,
            "total_wall_time_s": round(sum(r["wall_time_s"] or 0 for r in runs), 3)}
