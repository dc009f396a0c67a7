"""Atomic file writes and the run-file readers every stage shares.

An interrupted job must never leave a file that looks finished: every writer here writes a
temporary file in the destination folder and renames it into place (``os.replace`` is atomic
on POSIX within one file system).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from .errors import Explained


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual permissions
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: str | os.PathLike, obj) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_parquet(path: str | os.PathLike, frame: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def write_csv(path: str | os.PathLike, frame: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def _json_default(obj):
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serialisable")


def read_json(path: str | os.PathLike):
    return json.loads(Path(path).read_text())


def read_history(run_dir: str | os.PathLike, iterations: int | None = None) -> pd.DataFrame:
    """A run's per-iteration history, cut to its first ``iterations`` rows when given.

    A figure that needs the first N iterations of a run another figure trains longer reads the
    longer run through this cut.
    """
    frame = pd.read_parquet(Path(run_dir) / "history.parquet")
    if iterations is not None:
        frame = frame[frame["step"] < iterations].reset_index(drop=True)
    return frame


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class DamagedOutput(Explained):
    """A finished output no longer matches what was written (truncated or overwritten)."""


def damaged_history(run_dir: str | os.PathLike) -> str | None:
    """Why a finished run's ``history.parquet`` cannot be trusted (None if it can, or if the run
    predates the checksum): it is missing beside its run.json, or the sha256 its run.json recorded
    when it was trained differs."""
    run_dir = Path(run_dir)
    try:
        want = read_json(run_dir / "run.json").get("history_sha256")
    except (OSError, ValueError) as exc:
        return f"its run.json is unreadable ({exc})"
    if not (run_dir / "history.parquet").exists():
        # run.json is written after the history: without it the run finished and its history was lost,
        # and Snakemake would not rebuild it on its own while what was made from it is up to date
        return "its history.parquet is missing (deleted after the run?)"
    if want is None:
        return None  # a run from before the checksum
    try:
        got = file_sha256(run_dir / "history.parquet")
    except OSError as exc:
        return f"its history.parquet is unreadable ({exc})"
    if got != want:
        return "its history.parquet differs from the one it was trained to (truncated or overwritten?)"
    return None
