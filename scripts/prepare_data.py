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
    p.add_argument("--name", required=True, help="the data set: a preparer's name, or a set derived from one "
                   "(--params names its preparer as source)")
    p.add_argument("--raw", type=Path, default=None, help="the fetch rule's JSON (real data sets only)")
    p.add_argument("--params", type=json.loads, default={}, help="the preparer's arguments as JSON")
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--meta", type=Path, required=True)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    kwargs = dict(args.params)
    source = kwargs.pop("source", args.name)
    if source not in PREPARERS:
        raise SystemExit(f"ERROR: no preparer {source!r} for the data set {args.name}; "
                         f"the preparers are {', '.join(sorted(PREPARERS))}")
    if args.raw is not None:
        kwargs["root"] = read_json(args.raw)["root"]
    tensors, meta = PREPARERS[source](**kwargs)
    meta["sha256"] = save_prepared(args.out, tensors, meta)
    write_json(args.meta, meta)
    print(f"{args.name}: {meta['shapes']} sha256 {meta['sha256']}")


if __name__ == "__main__":
    entry(main)
