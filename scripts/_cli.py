"""Argument helpers the thin entry points share (scripts/ is on sys.path when they run)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def run_arg(text: str) -> tuple[Path, int]:
    """``DIR:ITERATIONS`` -> (run folder, iterations the figure reads)."""
    path, _, iterations = text.rpartition(":")
    return Path(path), int(iterations)


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--figure", required=True, help="figure id, e.g. fig05")
    p.add_argument("--params", type=json.loads, default={}, help="figure-specific settings as JSON")
    return p
