"""Write the results book of a scale (rule ``book``): one page per figure and study, an index with
the cost of the build, and the README's table, every number read from the results (adamdyn.book)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from _cli import entry

from adamdyn import book
from adamdyn.io import write_text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scale", required=True)
    p.add_argument("--results", type=Path, required=True, help="results/<scale>")
    p.add_argument("--figures", type=json.loads, required=True,
                   help="JSON [{id, title, what, study, caption}] of the base figures and studies, in order")
    p.add_argument("--variants", type=json.loads, default={}, help="JSON {<id>-<variant>: {set, why}}: those built")
    p.add_argument("--declared", type=json.loads, default={},
                   help="JSON {<id>-<variant>: {set, why}}: every variant the settings declare, built or not")
    p.add_argument("--leave-out", type=json.loads, default=[],
                   help="JSON [job or figure id]: jobs the default target does not build, left out of its cost")
    p.add_argument("--stamp", required=True)
    p.add_argument("--out", type=Path, required=True, help="the book's folder")
    args = p.parse_args()
    ids = [f["id"] for f in args.figures] + list(args.variants)
    claims = {i: json.loads((args.results / "claims" / f"{i}.json").read_text()) for i in ids}
    compare = {i: pd.read_csv(args.results / "compare" / f"{i}.csv") for i in ids}
    rows = []
    for f in args.figures:
        fig = f["id"]
        write_text(args.out / f"{fig}.md", book.figure_page(
            fig, f["title"], Path(f["caption"]).read_text(), f"../figures/{fig}.png", claims, compare,
            args.variants, args.stamp, args.declared))
        comparable, agree = book.agreement(compare[fig])
        rows.append({"id": fig, "title": f["title"], "what": f["what"], "study": f["study"], "page": f"{fig}.md",
                     "claims": claims[fig], "comparable": comparable, "agree": agree,
                     "agreement": (f"{agree} of {comparable} readings agree" if comparable else "–")})
    costs = book.costs_table(sorted((args.results / "benchmarks").glob("*/*.tsv")), set(args.leave_out))
    write_text(args.out / "index.md", book.index_page(args.scale, args.stamp, rows, costs))
    readme_rows = [{**r, "page": f"docs/book/{r['page']}"} for r in rows]
    write_text(args.out / "readme.md", book.readme_table(readme_rows))


if __name__ == "__main__":
    entry(main)
