"""Draw a figure (rule ``figure``) from its runs' histories; write PNG and PDF."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from _cli import parser, run_arg

from adamdyn.plotting.figures import DRAWERS


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--run", type=run_arg, action="append", required=True, help="RUN_DIR:ITERATIONS")
    p.add_argument("--png", type=Path, required=True)
    p.add_argument("--pdf", type=Path, required=True)
    p.add_argument("--stats", type=Path, required=True, help="the figure's statistics table")
    p.add_argument("--stamp", default=None, help="small print: scale, date, commit")
    args = p.parse_args()
    DRAWERS[args.figure](args.run, png=args.png, pdf=args.pdf, stats=pd.read_csv(args.stats),
                         stamp=args.stamp, **args.params)


if __name__ == "__main__":
    main()
