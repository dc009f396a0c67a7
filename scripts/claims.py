"""Check a figure's claims (rule ``claims``) from its statistics table: <id>.claims -> claims/<id>.json."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from _cli import entry, parser

from adamdyn.registry import figure
from adamdyn.io import write_json


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--stats", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    claims = figure(args.figure).claims(pd.read_csv(args.stats), **args.params)
    write_json(args.out, [c.to_dict() for c in claims])
    for c in claims:
        print(f"{c.verdict.upper()}  {c.id}: {c.measured}" + (f" ({c.why})" if c.why else ""))


if __name__ == "__main__":
    entry(main)
