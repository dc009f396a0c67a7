"""The divergence-edge study's bisection of the divergence edge (rule ``bisect_<figure>``, one job per shard of its
chains): train every step's runs together, write each run's folder, and a reads file listing them."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from _cli import entry, training_parser

from adamdyn.bisection import bisect_figure
from adamdyn.engine import resolve_device
from adamdyn.io import write_json


def main() -> None:
    p = training_parser(__doc__, job_help="the bisection as JSON: figure, problem, dtype, rows, seeds, etas, "
                                          "time, bracket, steps, anchors",
                        checkpoint_help="folder of the checkpoints, one per step and eta")
    p.add_argument("--regime", type=json.loads, required=True, help="the loss-curve classifier's settings (stats.regime)")
    p.add_argument("--shard", type=int, default=0, help="which of the shards of the chains this job bisects")
    p.add_argument("--shards", type=int, required=True)
    p.add_argument("--out", type=Path, required=True, help="the shard's reads file: [[run folder, iterations]]")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    job = args.job

    def log(msg: str) -> None:
        print(f"[{job['figure']} bisection {args.shard + 1}/{args.shards}] {msg}", file=sys.stderr, flush=True)

    tested = bisect_figure(job, args.regime, args.runs_dir, args.checkpoint, resolve_device(args.device),
                           args.data_dir, args.threads, args.checkpoint_every, log=log,
                           progress_every_s=args.progress_every, shard=args.shard, shards=args.shards)
    write_json(args.out, [[d, n] for d, n in tested])


if __name__ == "__main__":
    entry(main)
