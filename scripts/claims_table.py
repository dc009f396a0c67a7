"""Gather every figure's claims, and its comparison with the published figure, into
results/<scale>/claims.md (rule ``claims_table``)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from _cli import entry

import pandas as pd

from adamdyn.claims.table import claims_markdown, load_claims
from adamdyn.io import write_text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scale", required=True)
    p.add_argument("--claims", action="append", required=True, help="FIGURE=PATH of a claims JSON")
    p.add_argument("--compare", action="append", default=[], help="FIGURE=PATH of a comparison CSV")
    p.add_argument("--variants", type=json.loads, default={},
                   help="JSON {<id>-<variant>: {set, why}}: what each variant changes")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    paths = dict(item.split("=", 1) for item in args.claims)
    compare = {fig: pd.read_csv(path) for fig, path in (item.split("=", 1) for item in args.compare)}
    write_text(args.out, claims_markdown(load_claims(paths), args.scale, compare, args.variants))


if __name__ == "__main__":
    entry(main)
