"""Prepare one data set (rule ``prepare_data``): deterministic tensors plus a JSON of their provenance."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from _cli import entry

from adamdyn.data import PREPARERS, save_prepared
from adamdyn.io import read_json, write_json


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--name", required=True, choices=sorted(PREPARERS))
    p.add_argument("--raw", type=Path, default=None, help="the fetch rule's JSON (real data sets only)")
    p.add_argument("--params", type=json.loads, default={}, help="the preparer's arguments as JSON")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--meta", type=Path, required=True)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    kwargs = dict(args.params)
    if args.raw is not None:
        kwargs["root"] = read_json(args.raw)["root"]
    tensors, meta = PREPARERS[args.name](**kwargs)
    meta["sha256"] = save_prepared(args.out, tensors, meta)
    write_json(args.meta, meta)
    print(f"{args.name}: {meta['shapes']} sha256 {meta['sha256']}")


if __name__ == "__main__":
    entry(main)
