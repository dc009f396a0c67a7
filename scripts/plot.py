"""Draw a figure (rule ``figure``) from its runs' histories and statistics: figNN.draw -> PNG and PDF."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from _cli import entry, parser, reads_arg

from adamdyn.figures import figure


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--reads", type=reads_arg, required=True, help="the figure's runs: reads/figNN.json")
    p.add_argument("--png", type=Path, required=True)
    p.add_argument("--pdf", type=Path, required=True)
    p.add_argument("--stats", type=Path, required=True, help="the figure's statistics table")
    p.add_argument("--stamp", default=None, help="small print: scale, date, commit")
    args = p.parse_args()
    figure(args.figure).draw(args.reads, stats=pd.read_csv(args.stats), png=args.png, pdf=args.pdf,
                             stamp=args.stamp, **args.params)


if __name__ == "__main__":
    entry(main)
