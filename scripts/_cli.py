"""Argument helpers the thin entry points share (scripts/ is on sys.path when they run)."""
from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path
from typing import Callable

from adamdyn.errors import Explained


def entry(main: Callable[[], None]) -> None:
    """Run a script's ``main`` so that its log states the cause of a failure in one line starting
    ``ERROR:`` (then, for an unexpected failure, the traceback), and Ctrl-C in one line."""
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C): no output was written; a training job resumes from its last checkpoint "
              "when run again", file=sys.stderr)
        sys.exit(130)
    except Explained as exc:  # the message names the file and what to do: no traceback
        print(f"ERROR: {exc}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        print(f"ERROR: {type(exc).__name__}: {exc}", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)


def reads_arg(path: str) -> list[tuple[Path, int]]:
    """The reads file of a figure (rule ``reads``): [(run folder, iterations the figure reads)]."""
    return [(Path(d), int(n)) for d, n in json.loads(Path(path).read_text())]


def parser(doc: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--figure", required=True, help="figure id, e.g. fig05")
    p.add_argument("--params", type=json.loads, default={}, help="figure-specific settings as JSON")
    return p


def training_parser(doc: str, job_help: str = "the job as JSON: {name, executor (single or batched), runs: [run plans]}",
                    checkpoint_help: str = "checkpoint file (outside the outputs)") -> argparse.ArgumentParser:
    """The arguments the training rules pass to scripts/train.py (and, with its own meaning of
    --job and --checkpoint, to scripts/edge_bisection.py)."""
    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--job", type=json.loads, required=True, help=job_help)
    p.add_argument("--runs-dir", type=Path, required=True, help="each run's folder goes here")
    p.add_argument("--checkpoint", type=Path, required=True, help=checkpoint_help)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--data-dir", type=Path, default=None, help="folder of the prepared data sets")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--checkpoint-every", type=int, required=True)
    p.add_argument("--progress-every", type=float, default=10.0, help="seconds between progress lines")
    return p
