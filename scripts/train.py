"""Train one run (rule ``train``): write history.parquet and run.json, resuming from a checkpoint."""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import adamdyn
from adamdyn.engine import resolve_device, train
from adamdyn.io import write_json, write_parquet
from adamdyn.runs import RunPlan


def _git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--plan", type=json.loads, required=True, help="the run plan as JSON")
    p.add_argument("--out-dir", type=Path, required=True)
    p.add_argument("--checkpoint", type=Path, required=True, help="checkpoint file (outside the outputs)")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--data-dir", type=Path, default=None, help="folder of the prepared data sets")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--checkpoint-every", type=int, required=True)
    p.add_argument("--progress-every", type=float, default=10.0, help="seconds between progress lines")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    plan = RunPlan.from_dict(args.plan)
    device = resolve_device(args.device)

    def log(msg: str) -> None:
        print(f"[{plan.name}] {msg}", file=sys.stderr, flush=True)

    log(f"training {plan.iterations} iterations on {device} with {args.threads} thread(s)")
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result = train(plan, args.checkpoint, device, args.checkpoint_every, log=log,
                   progress_every_s=args.progress_every, data_dir=args.data_dir)
    write_parquet(args.out_dir / "history.parquet", result.history)
    write_json(args.out_dir / "run.json", {
        "name": plan.name, "spec": plan.spec.to_dict(), "plan": plan.to_dict(),
        "iterations_done": result.iterations_done, "diverged": result.diverged,
        "diverged_step": result.diverged_step, "wall_time_s": round(result.wall_time_s, 3),
        "resumed_from_iterations": result.resumed_from, "problem_metadata": result.metadata,
        "device": str(device) + (f" ({torch.cuda.get_device_name(device)})" if device.type == "cuda" else ""),
        "threads": args.threads, "dtype": plan.spec.dtype, "seed": plan.spec.seed,
        "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "git_commit": _git_commit(),
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "numpy": np.__version__, "pandas": pd.__version__, "adamdyn": adamdyn.__version__,
                     "platform": platform.platform()},
    })


if __name__ == "__main__":
    main()
