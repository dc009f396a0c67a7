"""Draw a figure (rule ``figure``) from its runs' histories and statistics, with the readings of the
published figure as markers where its ``draw`` takes them: <id>.draw -> PNG and PDF."""
from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
from _cli import entry, parser, reads_arg

from adamdyn.registry import figure


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--reads", type=reads_arg, required=True, help="the figure's runs: reads/<id>.json")
    p.add_argument("--png", type=Path, required=True)
    p.add_argument("--pdf", type=Path, required=True)
    p.add_argument("--stats", type=Path, required=True, help="the figure's statistics table")
    p.add_argument("--compare", type=Path, default=None, help="the comparison with the published figure")
    p.add_argument("--stamp", default=None, help="small print: scale, date, commit")
    args = p.parse_args()
    draw = figure(args.figure).draw
    extra = {}
    if args.compare is not None and "published" in inspect.signature(draw).parameters:
        extra["published"] = pd.read_csv(args.compare)
    draw(args.reads, stats=pd.read_csv(args.stats), png=args.png, pdf=args.pdf, stamp=args.stamp, **extra,
         **args.params)


if __name__ == "__main__":
    entry(main)
