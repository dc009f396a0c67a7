"""Low-level file helpers shared by the raw readers (:mod:`.fashion_mnist`, :mod:`.cifar10`)
and :func:`~adamdyn.data.fetch.check_layout`: digests, whole-file reads, and the texts of the
"file is missing" and "file is damaged" errors.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import LOCAL_HINT, DataError

__all__ = ["REDOWNLOAD", "file_digest", "missing", "read_whole", "sha256_bytes"]

#: What to do about a damaged raw file; ends the readers' "truncated / wrong checksum" messages.
REDOWNLOAD = "Re-download it, or " + LOCAL_HINT


def sha256_bytes(data: bytes | bytearray | memoryview) -> str:
    """Hex sha256 of an in-memory buffer."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path, algorithm: str) -> str:
    """Hex digest (``"md5"``, ``"sha256"``, ...) of a file, read in 1 MiB chunks."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_whole(path: Path) -> bytearray:
    """Read a file into one writable buffer (so numpy views on it are writable)."""
    size = path.stat().st_size
    buf = bytearray(size)
    with open(path, "rb") as f:
        n = f.readinto(buf)
    if n != size:  # the file changed under us
        raise DataError(f"{path} changed while being read ({n} of {size} bytes). Read it again.")
    return buf


def missing(path: Path, what: str) -> DataError:
    """The :class:`DataError` for a raw file or folder that is not there (``what`` says which)."""
    return DataError(
        f"{path} does not exist ({what}). Either {LOCAL_HINT}, or set data.download: true "
        f"(`--config data_download=true`) to let torchvision download it (needs a network)."
    )
