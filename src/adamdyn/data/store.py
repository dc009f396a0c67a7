"""Storage of prepared data sets: a :class:`Prepared` ``(tensors, meta)`` pair, its checksum
(:func:`tensor_checksum`), and :func:`save_prepared` / :func:`load_prepared`, which write it atomically
as one ``torch.save`` dict and read it back (tensors and plain data only), re-checking the checksum."""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import numpy as np
import torch

from ..io import atomic_path
from .errors import DataError

#: Version of the saved layout; bump when the meaning of the saved tensors changes.
FORMAT_VERSION = 1


class Prepared(NamedTuple):
    """A prepared data set: named tensors plus their provenance."""

    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any]


def tensor_checksum(tensors: Mapping[str, torch.Tensor]) -> str:
    """Stable sha256 over the tensors' names, dtypes, shapes and bytes, in sorted key order.

    For each name (sorted) the digest takes the line ``["name", "torch.float32", [shape]]``
    (JSON) followed by the tensor's raw little-endian bytes in C order. Two dicts have the
    same checksum exactly when they hold the same names with the same dtypes, shapes and bits.
    """
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name]
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"tensor_checksum: {name!r} is a {type(t).__name__}, not a tensor")
        t = t.detach().cpu().contiguous()
        h.update((json.dumps([name, str(t.dtype), list(t.shape)]) + "\n").encode())
        if t.numel():
            h.update(t.reshape(-1).view(torch.uint8).numpy())
    return h.hexdigest()


def _stamped(tensors: Mapping[str, torch.Tensor], meta: Mapping[str, Any]) -> dict:
    """``meta`` as plain data, with ``format_version`` (kept if set), ``shapes``, ``dtypes`` and
    ``sha256`` = :func:`tensor_checksum` of ``tensors`` set (the only place meta gets them)."""
    meta = _plain(meta)
    meta["format_version"] = meta.get("format_version", FORMAT_VERSION)
    meta["shapes"] = {k: list(v.shape) for k, v in sorted(tensors.items())}
    meta["dtypes"] = {k: str(v.dtype) for k, v in sorted(tensors.items())}
    meta["sha256"] = tensor_checksum(tensors)
    return meta


def _finish(tensors: dict[str, torch.Tensor], meta: dict) -> Prepared:
    return Prepared(tensors, _stamped(tensors, meta))


def _plain(obj):
    """Convert meta to plain Python (str, int, float, bool, None, list, dict) for safe loading."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, os.PathLike):
        return str(obj)
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    raise TypeError(f"meta value {obj!r} of type {type(obj).__name__} is not plain data")


# --------------------------------------------------------------------------------------------
# saving and loading
# --------------------------------------------------------------------------------------------
def save_prepared(path, tensors: Mapping[str, torch.Tensor], meta: Mapping[str, Any]) -> str:
    """Write ``{**tensors, "meta": meta}`` to ``path`` atomically; return the checksum.

    The checksum (:func:`tensor_checksum`) is recomputed and stored as ``meta["sha256"]``
    together with shapes and dtypes. The file is written to a temporary file in the same
    folder and renamed into place, so an interrupted job never leaves a file that looks
    finished. Parent folders are created.
    """
    path = Path(path)
    clean: dict[str, torch.Tensor] = {}
    for name, t in tensors.items():
        if not isinstance(name, str) or name == "meta":
            raise ValueError(f"tensor name {name!r} is not allowed (must be a str, not 'meta')")
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"{name!r} is a {type(t).__name__}, not a torch.Tensor")
        t = t.detach().cpu().contiguous()
        if t.untyped_storage().nbytes() != t.numel() * t.element_size():
            t = t.clone()  # do not save the whole storage behind a view
        clean[name] = t
    meta = _stamped(clean, meta)
    payload = {**clean, "meta": meta}
    with atomic_path(path, suffix=".tmp") as tmp:
        torch.save(payload, tmp)
    return meta["sha256"]


def _unsafe_globals(path: Path, error: Exception) -> list[str]:
    """The pickled classes/functions that made ``torch.load(weights_only=True)`` refuse ``path``
    (none when it failed for another reason). Scans the pickle without running it."""
    try:
        return list(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    except Exception:  # noqa: BLE001 - not a zip checkpoint: fall back to torch's message
        return re.findall(r"Unsupported global: GLOBAL ([\w.]+)", str(error))


def load_prepared(path) -> Prepared:
    """Load a file written by :func:`save_prepared` and verify its checksum.

    Returns :class:`Prepared` ``(tensors, meta)``. The file is read with
    ``torch.load(weights_only=True)``: one that holds pickled objects other than tensors and
    plain data is refused unread, so a file from elsewhere cannot run code. Raises
    :class:`DataError` naming the file when it is missing, unreadable or refused, lacks
    ``meta``/``sha256``, or its tensors do not match the stored checksum (delete it and re-run
    the preparation step).
    """
    path = Path(path)
    redo = "Delete it and re-run the data preparation step."
    if not path.is_file():
        raise DataError(f"{path} does not exist. Run the data preparation step that writes it.")
    try:
        # weights_only: tensors and plain containers only, so a file from elsewhere cannot run code
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any failure means an unusable file
        unsafe = _unsafe_globals(path, e)
        if unsafe:
            raise DataError(
                f"{path} is refused: besides tensors and plain data it holds pickled objects "
                f"({', '.join(unsafe)}), and loading those could run arbitrary code. A prepared "
                f"data file never contains them. {redo}"
            ) from e
        raise DataError(f"{path} cannot be read as a prepared data file ({e}). {redo}") from e
    if not isinstance(obj, dict) or not isinstance(obj.get("meta"), dict) \
            or "sha256" not in obj["meta"]:
        raise DataError(f"{path} is not a prepared data file (no meta with sha256). {redo}")
    meta = obj.pop("meta")
    bad = [k for k, v in obj.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise DataError(f"{path} holds non-tensor entries {bad}. {redo}")
    got = tensor_checksum(obj)
    if got != meta["sha256"]:
        raise DataError(
            f"{path} fails its checksum: tensors hash to {got}, meta records {meta['sha256']}. "
            f"The file is damaged or was edited. {redo}"
        )
    return Prepared(obj, meta)
