"""Raw reader for the CIFAR-10 training set, in either of its two layouts.

Layouts, relative to a data root such as ``../shared/data``:

* ``<root>/cifar-10-batches-py/data_batch_1..5`` (torchvision's download; md5-verified), or
* ``<root>/cifar10/train/<class>/<NNNNN>.png``: an ImageFolder tree whose file names are the
  0-based positions in the original training set, with an optional
  ``<root>/cifar10/train_manifest.csv`` (``index,label,class,original_filename,png_sha256``)
  against which every decoded file is verified.

Class folders in alphabetical order are exactly CIFAR-10's label numbering (airplane=0 ...
truck=9). When both layouts are present the python batches are used.
"""
from __future__ import annotations

import csv
import functools
import io
import os
import pickle
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import LOCAL_HINT, DataError
from .files import REDOWNLOAD, file_digest, missing, sha256_bytes

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_BATCH_MD5",
    "CIFAR10_MANIFEST_SHA256",
    "cifar10_layout",
    "read_cifar10_train",
]

#: CIFAR-10 label numbering (= alphabetical order of the ImageFolder class folders).
CIFAR10_CLASSES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)

#: md5 of the official python batches (the values torchvision checks).
CIFAR10_BATCH_MD5: dict[str, str] = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
}
#: sha256 of ../shared/data/cifar10/train_manifest.csv as published in its README.
CIFAR10_MANIFEST_SHA256 = "900cef627067783ad5c7d97e6604080410dac5bc7e73bb9936dda939508e8176"

_CIFAR_N_TRAIN = 50_000
_PNG_NAME = re.compile(r"^(\d+)\.png$")


def cifar10_layout(root) -> tuple[str, Path]:
    """Find the CIFAR-10 training set under ``root``.

    Returns ``("batches", <root>/cifar-10-batches-py)`` or ``("imagefolder", <root>/cifar10)``;
    raises :class:`DataError` naming ``root`` when neither is there.
    """
    root = Path(root)
    if not root.is_dir():
        raise missing(root, "CIFAR-10 data root")
    batches = root / "cifar-10-batches-py"
    tree = root / "cifar10" / "train"
    if batches.is_dir():
        return "batches", batches
    if tree.is_dir():
        return "imagefolder", root / "cifar10"
    raise DataError(
        f"{root} holds no CIFAR-10 training set: expected either {tree}/<class>/<NNNNN>.png "
        f"(ImageFolder tree) or {batches}/data_batch_1..5 (torchvision download). Either "
        f"{LOCAL_HINT}, or set data.download: true (needs a network)."
    )


def _check_selection_args(classes, per_class, offset) -> list[int]:
    if classes is None:
        classes = range(len(CIFAR10_CLASSES))
    classes = [int(c) for c in classes]
    if len(set(classes)) != len(classes) or any(not 0 <= c < 10 for c in classes):
        raise ValueError(f"classes must be distinct labels in 0..9, got {classes}")
    if per_class is not None and int(per_class) < 0:
        raise ValueError(f"per_class must be >= 0 or None, got {per_class}")
    if int(offset) < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
    return classes


def _take_ranks(indices_of_class: np.ndarray, per_class, offset, where: str, cls: int):
    """Ranks offset..offset+per_class-1 (dataset order) of one class's sorted indices."""
    stop = None if per_class is None else offset + per_class
    chosen = indices_of_class[offset:stop]
    if per_class is not None and len(chosen) < per_class:
        raise DataError(
            f"{where} has only {len(indices_of_class)} images of class {cls} "
            f"({CIFAR10_CLASSES[cls]}); ranks {offset}..{offset + per_class - 1} were requested. "
            f"Ask for fewer images, or {LOCAL_HINT}."
        )
    return chosen


def _read_batches(folder: Path, classes, per_class, offset, verify: bool):
    data, labels = [], []
    for name, md5 in CIFAR10_BATCH_MD5.items():
        path = folder / name
        if not path.is_file():
            raise missing(path, "CIFAR-10 python batch")
        if verify and file_digest(path, "md5") != md5:
            raise DataError(
                f"{path} fails its checksum (md5 differs from the official {md5}). "
                f"{REDOWNLOAD}"
            )
        try:
            with open(path, "rb") as f:
                entry = pickle.load(f, encoding="latin1")
            d = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
            lab = np.asarray(entry["labels"], dtype=np.int64)
        except Exception as e:  # noqa: BLE001 - any unpickling problem means a bad file
            raise DataError(f"{path} cannot be read as a CIFAR-10 batch ({e}). {REDOWNLOAD}") from e
        if len(d) != len(lab):
            raise DataError(f"{path} holds {len(d)} images but {len(lab)} labels. {REDOWNLOAD}")
        data.append(d)
        labels.append(lab)
    all_labels = np.concatenate(labels)
    if all_labels.min() < 0 or all_labels.max() > 9:
        raise DataError(f"{folder} has labels outside 0..9. {REDOWNLOAD}")
    chosen = [
        _take_ranks(np.flatnonzero(all_labels == c), per_class, offset, str(folder), c)
        for c in classes
    ]
    idx = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
    images = np.concatenate(data)[idx].transpose(0, 2, 3, 1)  # NCHW -> NHWC
    return np.ascontiguousarray(images), all_labels[idx], idx.astype(np.int64)


@functools.lru_cache(maxsize=4)
def _manifest_cached(path_str: str, mtime_ns: int, size: int):
    path = Path(path_str)
    raw = path.read_bytes()
    rows: dict[int, tuple[int, str, str]] = {}
    by_class: dict[int, list[int]] = {c: [] for c in range(10)}
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8")))
    need = {"index", "label", "class", "png_sha256"}
    if reader.fieldnames is None or not need <= set(reader.fieldnames):
        raise DataError(
            f"{path} is not a CIFAR-10 manifest: columns {reader.fieldnames}, expected at least "
            f"{sorted(need)}. Restore it from a verified copy, or delete it to skip "
            f"per-file verification."
        )
    for line, row in enumerate(reader, start=2):
        try:
            i, lab = int(row["index"]), int(row["label"])
            sha = row["png_sha256"].strip().lower()
            if not (0 <= lab < 10) or len(sha) != 64 or i in rows:
                raise ValueError("bad label, digest or duplicate index")
        except (TypeError, ValueError) as e:
            raise DataError(
                f"{path} line {line} is malformed ({e}). Restore the manifest from a verified copy."
            ) from e
        rows[i] = (lab, row["class"], sha)
        by_class[lab].append(i)
    by_class_arr = {c: np.array(sorted(v), dtype=np.int64) for c, v in by_class.items()}
    return rows, by_class_arr, sha256_bytes(raw)


def _load_manifest(path: Path):
    st = path.stat()
    return _manifest_cached(str(path.resolve()), st.st_mtime_ns, st.st_size)


def _list_class_folder(folder: Path) -> tuple[np.ndarray, dict[int, str]]:
    """Sorted original indices of the ``NNNNN.png`` files in one class folder, and their names."""
    if not folder.is_dir():
        raise DataError(
            f"{folder} is missing: the CIFAR-10 ImageFolder tree needs one folder per class "
            f"({', '.join(CIFAR10_CLASSES)}). Restore it from a verified copy, or {LOCAL_HINT}."
        )
    found: dict[int, str] = {}
    with os.scandir(folder) as it:
        for entry in it:
            if not entry.name.endswith(".png"):
                continue  # ignore stray non-image files (.DS_Store, README, ...)
            m = _PNG_NAME.match(entry.name)
            if m is None:
                raise DataError(
                    f"{folder / entry.name} has an unexpected name: files must be named by their "
                    f"0-based CIFAR-10 training index, NNNNN.png. Restore the folder from a "
                    f"verified copy, or {LOCAL_HINT}."
                )
            i = int(m.group(1))
            if not 0 <= i < _CIFAR_N_TRAIN:
                raise DataError(
                    f"{folder / entry.name}: index {i} is outside 0..{_CIFAR_N_TRAIN - 1}. "
                    f"Remove it, or {LOCAL_HINT}."
                )
            if i in found:
                raise DataError(
                    f"{folder}: {found[i]} and {entry.name} both claim index {i}. Remove one, or "
                    f"{LOCAL_HINT}."
                )
            found[i] = entry.name
    return np.array(sorted(found), dtype=np.int64), found


def _decode_png(path: Path, data: bytes) -> np.ndarray:
    from PIL import Image  # imported lazily: only the ImageFolder layout needs it

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            fmt, mode, size = im.format, im.mode, im.size
            arr = np.asarray(im)
    except Exception as e:  # noqa: BLE001 - PIL raises many types for broken files
        raise DataError(
            f"{path} is not a readable PNG ({type(e).__name__}: {e}). Replace it from a verified "
            f"copy, or {LOCAL_HINT}."
        ) from e
    if fmt != "PNG" or mode != "RGB" or size != (32, 32):
        raise DataError(
            f"{path} decodes as {fmt} mode {mode} size {size[0]}x{size[1]}; a CIFAR-10 image "
            f"must be an 8-bit RGB 32x32 PNG. Replace it from a verified copy, or {LOCAL_HINT}."
        )
    return arr


def _read_imagefolder(base: Path, classes, per_class, offset, verify: bool):
    train = base / "train"
    manifest_path = base / "train_manifest.csv"
    manifest = _load_manifest(manifest_path) if (verify and manifest_path.is_file()) else None
    chosen: list[tuple[int, int]] = []  # (index, label)
    names: dict[int, str] = {}
    for c in classes:
        folder = train / CIFAR10_CLASSES[c]
        listed, found = _list_class_folder(folder)
        picked = _take_ranks(listed, per_class, offset, str(folder), c)
        if manifest is not None:
            # The manifest says which indices belong to class c: a file missing from the folder
            # would silently shift every later rank, so compare the listed prefix with it.
            want = manifest[1][c][: offset + len(picked)]
            have = listed[: offset + len(picked)]
            if not np.array_equal(want, have):
                missing = sorted(set(want.tolist()) - set(have.tolist()))
                extra = sorted(set(have.tolist()) - set(want.tolist()))
                if missing:
                    raise DataError(
                        f"{folder / f'{missing[0]:05d}.png'} is missing: {manifest_path} lists it "
                        f"as a {CIFAR10_CLASSES[c]} image. Restore it from a verified copy, or "
                        f"{LOCAL_HINT}."
                    )
                raise DataError(
                    f"{folder / found[extra[0]]} is not a {CIFAR10_CLASSES[c]} image "
                    f"according to {manifest_path}. Remove it or restore the folder from a "
                    f"verified copy, or {LOCAL_HINT}."
                )
        chosen.extend((int(i), c) for i in picked)
        names.update((int(i), found[int(i)]) for i in picked)
    chosen.sort()
    idx = np.array([i for i, _ in chosen], dtype=np.int64)
    if len(np.unique(idx)) != len(idx):
        dup = int(idx[np.flatnonzero(np.diff(idx) == 0)[0]])
        owners = [CIFAR10_CLASSES[c] for i, c in chosen if i == dup]
        raise DataError(
            f"{train}: image {dup:05d}.png appears in several class folders ({', '.join(owners)}). "
            f"Restore the tree from a verified copy, or {LOCAL_HINT}."
        )
    images = np.empty((len(chosen), 32, 32, 3), dtype=np.uint8)
    labels = np.empty(len(chosen), dtype=np.int64)
    for k, (i, c) in enumerate(chosen):
        path = train / CIFAR10_CLASSES[c] / names[i]
        data = path.read_bytes()
        if manifest is not None:
            row = manifest[0].get(i)
            if row is None:
                raise DataError(
                    f"{path} has no row in {manifest_path}. Restore the tree and manifest from a "
                    f"verified copy, or {LOCAL_HINT}."
                )
            if row[0] != c:
                raise DataError(
                    f"{path} is in the {CIFAR10_CLASSES[c]} folder but {manifest_path} says image "
                    f"{i} is {row[1]} (label {row[0]}). Restore the tree from a verified copy, or "
                    f"{LOCAL_HINT}."
                )
            got = sha256_bytes(data)
            if got != row[2]:
                raise DataError(
                    f"{path} fails its checksum: sha256 {got}, but {manifest_path} records "
                    f"{row[2]}. Replace the file from a verified copy, or {LOCAL_HINT}."
                )
        images[k] = _decode_png(path, data)
        labels[k] = c
    info_manifest = None
    if manifest is not None:
        info_manifest = {
            "path": str(manifest_path.resolve()),
            "sha256": manifest[2],
            "is_published": manifest[2] == CIFAR10_MANIFEST_SHA256,
        }
    return images, labels, idx, info_manifest


def read_cifar10_train(root, classes: Sequence[int] | None = None, per_class: int | None = None,
                       offset: int = 0, verify: bool = True, *, return_info: bool = False):
    """Read (a per-class selection of) the CIFAR-10 training set, in original order.

    Parameters
    ----------
    root : path-like
        Data root holding ``cifar-10-batches-py/`` or ``cifar10/train/<class>/<NNNNN>.png``.
    classes : sequence of int, optional
        CIFAR-10 labels to read (airplane=0 ... truck=9); default all ten.
    per_class, offset : int
        For each class take the images of rank ``offset .. offset+per_class-1`` in dataset
        order within that class (``per_class=None``: all from ``offset`` on). Only those PNG
        files are opened and decoded.
    verify : bool
        ImageFolder layout: check every decoded file's sha256 and class against
        ``cifar10/train_manifest.csv`` when it exists. Batches: check the batches' md5.
    return_info : bool
        Also return a provenance dict (dataset, resolved root, layout and folder, the
        selection rule, the manifest used and what was verified), as
        :mod:`adamdyn.data.prepare` records it.

    Returns
    -------
    images : uint8 array (N, 32, 32, 3), HWC, sorted by original training index
    labels : int64 array (N,)
    indices : int64 array (N,), the original 0-based training indices (increasing)
    info : dict, only with ``return_info=True``

    Raises
    ------
    DataError
        naming the file or folder, for a missing class folder or file, too few images, a
        checksum or class mismatch with the manifest, or a PNG that does not decode to
        RGB 32x32.
    """
    classes = _check_selection_args(classes, per_class, offset)
    per_class = None if per_class is None else int(per_class)
    offset = int(offset)
    layout, folder = cifar10_layout(root)
    info = {
        "dataset": "cifar10",
        "split": "train",
        "root": str(Path(root).resolve()),
        "layout": layout,
        "folder": str(folder.resolve()),
        "selection": {
            "classes": classes,
            "per_class": per_class,
            "offset": offset,
            "rule": "per class, ranks offset..offset+per_class-1 in original dataset order; "
                    "result sorted by original training index",
        },
    }
    if layout == "batches":
        images, labels, idx = _read_batches(folder, classes, per_class, offset, verify)
        info["verified"] = "md5 of the official python batches" if verify else "not verified"
    else:
        images, labels, idx, man = _read_imagefolder(folder, classes, per_class, offset, verify)
        info["manifest"] = man
        info["verified"] = (
            "sha256 and class of every decoded PNG against train_manifest.csv" if man
            else "not verified (no train_manifest.csv)" if verify else "not verified"
        )
    return (images, labels, idx, info) if return_info else (images, labels, idx)
