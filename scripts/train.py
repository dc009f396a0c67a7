"""Train one job of the plan (rules ``train`` and ``train_<batch>``): a run alone, or a batch of runs
at once; write each run's history.parquet and run.json, resuming from the job's checkpoint."""
from __future__ import annotations

import sys
import time

import torch
from _cli import entry, training_parser

from adamdyn.engine import resolve_device
from adamdyn.executors import train_group
from adamdyn.provenance import write_run
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
        write_run(args.runs_dir / plan.name, plan, result, job, args.threads, device, started, finished)


if __name__ == "__main__":
    entry(main)
