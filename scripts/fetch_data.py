"""Make a raw dataset available (rule ``fetch``): a local copy (read-only) or a torchvision download.

Writes a small JSON that records where the raw files are and how they arrived; preparation reads it.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from _cli import entry

from adamdyn.data import check_layout, fetch
from adamdyn.io import write_json


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True, choices=["cifar10", "fashion_mnist"])
    p.add_argument("--root", type=Path, required=True, help="where downloads go")
    p.add_argument("--download", action="store_true")
    p.add_argument("--local", type=Path, default=None, help="an existing copy to read, never written")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    root = fetch(args.dataset, root=args.root, download=args.download, local=args.local)
    check_layout(args.dataset, root)
    write_json(args.out, {"dataset": args.dataset, "root": str(Path(root).resolve()),
                          "how": "local copy" if args.local else "torchvision download"})
    print(f"{args.dataset}: raw files at {root}")


if __name__ == "__main__":
    entry(main)
