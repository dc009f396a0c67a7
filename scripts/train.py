"""Train one run (rule ``train``): write history.parquet and run.json, resuming from a checkpoint."""
from __future__ import annotations

import sys
import time

import torch
from _cli import training_parser

from adamdyn.engine import resolve_device, train
from adamdyn.io import write_json, write_parquet
from adamdyn.provenance import environment
from adamdyn.runs import RunPlan


def main() -> None:
    args = training_parser(__doc__).parse_args()

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
        "threads": args.threads, "dtype": plan.spec.dtype, "seed": plan.spec.seed,
        "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **environment(device),
    })


if __name__ == "__main__":
    main()
