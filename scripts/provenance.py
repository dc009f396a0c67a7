"""Write a figure's provenance (rule ``provenance``): runs' commit, versions, device, wall time; data checksums."""
from __future__ import annotations

import argparse
from pathlib import Path

from _cli import entry, reads_arg

from adamdyn.io import write_json
from adamdyn.provenance import figure_provenance


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--figure", required=True)
    p.add_argument("--scale", required=True)
    p.add_argument("--reads", type=reads_arg, required=True, help="the figure's runs: reads/<id>.json")
    p.add_argument("--data", type=Path, action="append", default=[], help="a prepared data set's JSON")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    write_json(args.out, figure_provenance(args.figure, args.scale, [d for d, _ in args.reads], args.data))


if __name__ == "__main__":
    entry(main)
