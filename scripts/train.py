"""Train one job of the plan (rules ``train`` and ``train_<batch>``): a run alone, or a batch of runs
at once; write each run's history.parquet and run.json, resuming from the job's checkpoint."""
from __future__ import annotations

import sys
import time

import torch
from _cli import entry, training_parser

from adamdyn.engine import resolve_device, train_group
from adamdyn.io import file_sha256, write_json, write_parquet
from adamdyn.provenance import environment
from adamdyn.runs import RunPlan


def main() -> None:
    args = training_parser(__doc__).parse_args()

    torch.set_num_threads(args.threads)
    job = args.job
    plans = [RunPlan.from_dict(d) for d in job["runs"]]
    device = resolve_device(args.device)

    def log(msg: str) -> None:
        print(f"[{job['name']}] {msg}", file=sys.stderr, flush=True)

    log(f"training {len(plans)} run(s) ({job['executor']}) for {plans[0].iterations} iterations on {device} "
        f"with {args.threads} thread(s)")
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results = train_group(job["executor"], plans, args.checkpoint, device, args.checkpoint_every, log=log,
                          progress_every_s=args.progress_every, data_dir=args.data_dir)
    finished = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    for plan, result in zip(plans, results, strict=True):
        out = args.runs_dir / plan.name
        write_parquet(out / "history.parquet", result.history)
        write_json(out / "run.json", {
            "name": plan.name, "spec": plan.spec.to_dict(), "plan": plan.to_dict(),
            "iterations_done": result.iterations_done, "diverged": result.diverged,
            "diverged_step": result.diverged_step, "wall_time_s": round(result.wall_time_s, 3),
            "history_sha256": file_sha256(out / "history.parquet"),
            "resumed_from_iterations": result.resumed_from, "problem_metadata": result.metadata,
            "job": {"name": job["name"], "executor": job["executor"], "runs": len(plans)},
            "threads": args.threads, "dtype": plan.spec.dtype, "seed": plan.spec.seed,
            "started": started, "finished": finished, **environment(device),
        })


if __name__ == "__main__":
    entry(main)
