"""Train one block of Fig 8's (a, b) cells (rule ``train_block``): history.parquet and run.json."""
from __future__ import annotations

import sys
import time

import torch
from _cli import training_parser

from adamdyn.engine import resolve_device
from adamdyn.io import write_json, write_parquet
from adamdyn.phase import cell_column, history_frame, train_phase_block
from adamdyn.provenance import environment


def main() -> None:
    args = training_parser(__doc__).parse_args()

    torch.set_num_threads(args.threads)
    plan = args.plan
    device = resolve_device(args.device)

    def log(msg: str) -> None:
        print(f"[fig08 {plan['name']}] {msg}", file=sys.stderr, flush=True)

    log(f"training {len(plan['cells'])} cells for {plan['iterations']} iterations on {device} "
        f"with {args.threads} thread(s)")
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    result = train_phase_block(plan, args.checkpoint, device, args.checkpoint_every, args.data_dir, log=log,
                               progress_every_s=args.progress_every)
    write_parquet(args.out_dir / "history.parquet", history_frame(result["losses"]))
    cells = [{**cell, "column": cell_column(i), "diverged_at": int(result["diverged_at"][i])}
             for i, cell in enumerate(plan["cells"])]
    write_json(args.out_dir / "run.json", {
        "name": f"fig08_{plan['name']}", "plan": plan, "cells": cells,
        "iterations_done": int(result["losses"].shape[0]), "diverged": bool((result["diverged_at"] >= 0).any()),
        "diverged_step": None, "wall_time_s": round(result["wall_time_s"], 3),
        "resumed_from_iterations": result["resumed_from"], "threads": args.threads, "dtype": plan["dtype"],
        "seed": plan["seed"], "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **environment(device),
    })


if __name__ == "__main__":
    main()
