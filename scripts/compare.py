"""Compare a figure with the paper's published figure (rule ``compare``): every reading of
readings.yaml measured on the figure's runs and statistics -> compare/<id>.csv."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from _cli import entry, parser, reads_arg

from adamdyn.io import write_csv
from adamdyn.published import compare, load


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--reads", type=reads_arg, required=True, help="the figure's runs: reads/<id>.json")
    p.add_argument("--stats", type=Path, required=True, help="the figure's statistics table")
    p.add_argument("--readings", type=Path, required=True, help="the readings of the published figures")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    table = compare(args.figure, args.reads, pd.read_csv(args.stats), readings=load(args.readings), **args.params)
    write_csv(args.out, table)


if __name__ == "__main__":
    entry(main)
