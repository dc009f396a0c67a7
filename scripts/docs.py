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
    args = p.parse_args()
    for src, dst in args.copy:
        Path(dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    write_text(args.readme, replace_block(args.readme.read_text(), args.readme_table.read_text()))


if __name__ == "__main__":
    entry(main)
