"""Compute a figure's statistics table (rule ``stats``) from its runs' histories: <id>.table."""
from __future__ import annotations

from pathlib import Path

from _cli import entry, parser, reads_arg

from adamdyn.registry import figure
from adamdyn.io import write_csv


def main() -> None:
    p = parser(__doc__)
    p.add_argument("--reads", type=reads_arg, required=True, help="the figure's runs: reads/<id>.json")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    write_csv(args.out, figure(args.figure).table(args.reads, **args.params))


if __name__ == "__main__":
    entry(main)
