"""Copy a scale's results book, figures and claims table into docs/, and write the README's table of
what this reproduces between its markers (rule ``docs``)."""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from _cli import entry

from adamdyn.book import replace_block
from adamdyn.io import write_text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--copy", nargs=2, action="append", metavar=("FROM", "TO"), required=True)
    p.add_argument("--readme-table", type=Path, required=True, help="the book's readme.md")
    p.add_argument("--readme", type=Path, required=True, help="the README whose book block is rewritten")
    p.add_argument("--prune", type=Path, action="append", default=[],
                   help="a folder wholly this rule's (docs/book, docs/figures): its files that are not copied "
                        "now (a figure or variant no longer built) are removed")
    args = p.parse_args()
    copied = {Path(dst).resolve() for _, dst in args.copy}
    for folder in args.prune:
        for old in folder.glob("*"):
            if old.is_file() and old.resolve() not in copied:
                old.unlink()
    for src, dst in args.copy:
        Path(dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    write_text(args.readme, replace_block(args.readme.read_text(), args.readme_table.read_text()))


if __name__ == "__main__":
    entry(main)
