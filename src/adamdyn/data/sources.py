"""Raw readers for the two image datasets, and :func:`fetch`, which decides where they live.

Nothing here transforms pixels: the readers return the original uint8 values in the original
dataset order, as numpy arrays, after checking that the files are what they claim to be.
:mod:`adamdyn.data.prepare` turns them into the compact tensors the experiments use.

Layouts (all relative to a data root such as ``shared/data``):

* Fashion-MNIST: ``<root>/FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte``,
  torchvision's raw layout, uncompressed; verified against the official sha256 values.
* CIFAR-10 training set, either

  - ``<root>/cifar-10-batches-py/data_batch_1..5`` (torchvision's download; md5-verified), or
  - ``<root>/cifar10/train/<class>/<NNNNN>.png``: an ImageFolder tree whose file names are the
    0-based positions in the original training set, with an optional
    ``<root>/cifar10/train_manifest.csv`` (``index,label,class,original_filename,png_sha256``)
    against which every decoded file is verified.

  Class folders in alphabetical order are exactly CIFAR-10's label numbering (airplane=0 ...
  truck=9). When both layouts are present the python batches are used.
"""
from __future__ import annotations

import csv
import errno
import functools
import hashlib
import io
import os
import pickle
import re
import socket
import urllib.error
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import LOCAL_HINT, DataError

__all__ = [
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_SHA256",
    "FASHION_MNIST_SIZES",
    "CIFAR10_BATCH_MD5",
    "CIFAR10_MANIFEST_SHA256",
    "canonical_dataset",
    "cifar10_layout",
    "check_layout",
    "read_fashion_mnist",
    "read_cifar10_train",
    "fetch",
]

#: CIFAR-10 label numbering (= alphabetical order of the ImageFolder class folders).
CIFAR10_CLASSES: tuple[str, ...] = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)
#: Fashion-MNIST label numbering.
FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

#: sha256 of the official uncompressed Fashion-MNIST idx files (shared/data/README.md; they
#: are the decompressed content of the official ``.gz`` files whose md5 torchvision checks).
FASHION_MNIST_SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
#: Sizes in bytes of those files (header + data).
FASHION_MNIST_SIZES: dict[str, int] = {
    "train-images-idx3-ubyte": 47_040_016,
    "train-labels-idx1-ubyte": 60_008,
    "t10k-images-idx3-ubyte": 7_840_016,
    "t10k-labels-idx1-ubyte": 10_008,
}
_FMNIST_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

#: md5 of the official python batches (the values torchvision checks).
CIFAR10_BATCH_MD5: dict[str, str] = {
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
}
#: sha256 of shared/data/cifar10/train_manifest.csv as published in its README.
CIFAR10_MANIFEST_SHA256 = "900cef627067783ad5c7d97e6604080410dac5bc7e73bb9936dda939508e8176"

_CIFAR_N_TRAIN = 50_000
_PNG_NAME = re.compile(r"^(\d+)\.png$")
_REDOWNLOAD = "Re-download it, or " + LOCAL_HINT


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def canonical_dataset(name: str) -> str:
    """Map a dataset name from the config to ``"cifar10"`` or ``"fashion_mnist"``.

    CIFAR-2 is a subset of the CIFAR-10 training set, so ``"cifar2"`` maps to ``"cifar10"``.
    """
    key = re.sub(r"[-_ ]", "", str(name).lower())
    if key in ("cifar10", "cifar2"):
        return "cifar10"
    if key in ("fashionmnist", "fmnist"):
        return "fashion_mnist"
    raise ValueError(
        f"unknown dataset {name!r}: expected one of 'cifar10', 'cifar2', 'fashion_mnist'"
    )


def _sha256_bytes(data: bytes | bytearray | memoryview) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_digest(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_whole(path: Path) -> bytearray:
    """Read a file into one writable buffer (so numpy views on it are writable)."""
    size = path.stat().st_size
    buf = bytearray(size)
    with open(path, "rb") as f:
        n = f.readinto(buf)
    if n != size:  # the file changed under us
        raise DataError(f"{path} changed while being read ({n} of {size} bytes). Read it again.")
    return buf


def _missing(path: Path, what: str) -> DataError:
    return DataError(
        f"{path} does not exist ({what}). Either {LOCAL_HINT}, or set data.download: true "
        f"(`--config data_download=true`) to let torchvision download it (needs a network)."
    )


# --------------------------------------------------------------------------------------------
# Fashion-MNIST
# --------------------------------------------------------------------------------------------
def _read_idx(path: Path, magic: int, item_shape: tuple[int, ...], verify: bool) -> np.ndarray:
    """Parse one uncompressed idx file (uint8 data) and check its size and checksum."""
    if not path.is_file():
        raise _missing(path, "Fashion-MNIST idx file")
    buf = _read_whole(path)
    if buf[:2] == b"\x1f\x8b":
        raise DataError(
            f"{path} is gzip-compressed; the reader expects the uncompressed idx file "
            f"(torchvision's FashionMNIST/raw layout). Decompress it (gunzip -k) or {LOCAL_HINT}."
        )
    ndim = len(item_shape) + 1
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise DataError(
            f"{path} is truncated: expected at least a {header}-byte idx header, found "
            f"{len(buf)} bytes. {_REDOWNLOAD}"
        )
    found_magic = int.from_bytes(buf[:4], "big")
    if found_magic != magic:
        raise DataError(
            f"{path} is not the expected idx file: magic number 0x{found_magic:08x}, expected "
            f"0x{magic:08x} (uint8, {ndim} dimensions). {_REDOWNLOAD}"
        )
    dims = tuple(int.from_bytes(buf[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(buf) != expected:
        state = "truncated" if len(buf) < expected else "too long"
        raise DataError(
            f"{path} is {state}: expected {expected} bytes, found {len(buf)} (its header says "
            f"shape {dims}). {_REDOWNLOAD}"
        )
    if dims[1:] != item_shape:
        raise DataError(
            f"{path} holds items of shape {dims[1:]}, expected {item_shape}. {_REDOWNLOAD}"
        )
    if verify:
        want = FASHION_MNIST_SHA256.get(path.name)
        got = _sha256_bytes(buf)
        if want is not None and got != want:
            raise DataError(
                f"{path} fails its checksum: sha256 {got}, expected the official {want}. "
                f"The file is damaged or not the official one. {_REDOWNLOAD}"
            )
    return np.frombuffer(buf, dtype=np.uint8, offset=header).reshape(dims)


def _read_fashion_mnist(root, train: bool = True, verify: bool = True):
    folder = Path(root) / "FashionMNIST" / "raw"
    if not folder.is_dir():
        raise _missing(folder, "Fashion-MNIST raw folder")
    img_name, lab_name = _FMNIST_FILES[bool(train)]
    lab_path, img_path = folder / lab_name, folder / img_name
    labels = _read_idx(lab_path, 0x00000801, (), verify)  # small file first: fail fast
    if labels.size and labels.max() > 9:
        bad = int(np.flatnonzero(labels > 9)[0])
        raise DataError(
            f"{lab_path} has label {int(labels[bad])} at position {bad}; Fashion-MNIST labels "
            f"are 0..9. {_REDOWNLOAD}"
        )
    images = _read_idx(img_path, 0x00000803, (28, 28), verify)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{img_path} holds {images.shape[0]} images but {lab_path} holds {labels.shape[0]} "
            f"labels. {_REDOWNLOAD}"
        )
    info = {
        "dataset": "fashion_mnist",
        "split": "train" if train else "test",
        "root": str(Path(root).resolve()),
        "layout": "idx (FashionMNIST/raw)",
        "files": [str(img_path.resolve()), str(lab_path.resolve())],
        "verified": "sha256 against the official values" if verify else "not verified",
    }
    return images, labels.astype(np.int64), info


def read_fashion_mnist(root, train: bool = True, verify: bool = True):
    """Read Fashion-MNIST from ``<root>/FashionMNIST/raw``.

    Parameters
    ----------
    root : path-like
        Data root holding ``FashionMNIST/raw/`` (uncompressed idx files, torchvision layout).
    train : bool
        ``True`` for the 60,000 training images, ``False`` for the 10,000 test images.
    verify : bool
        Check each file's sha256 against :data:`FASHION_MNIST_SHA256` (about 0.2 s).

    Returns
    -------
    images : uint8 array (N, 28, 28), original order
    labels : int64 array (N,), values 0..9

    Raises
    ------
    DataError
        naming the file, when a file or folder is missing, truncated, has a wrong header,
        a label outside 0..9, or a checksum mismatch.
    """
    images, labels, _ = _read_fashion_mnist(root, train, verify)
    return images, labels


# --------------------------------------------------------------------------------------------
# CIFAR-10
# --------------------------------------------------------------------------------------------
def cifar10_layout(root) -> tuple[str, Path]:
    """Find the CIFAR-10 training set under ``root``.

    Returns ``("batches", <root>/cifar-10-batches-py)`` or ``("imagefolder", <root>/cifar10)``;
    raises :class:`DataError` naming ``root`` when neither is there.
    """
    root = Path(root)
    if not root.is_dir():
        raise _missing(root, "CIFAR-10 data root")
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
            raise _missing(path, "CIFAR-10 python batch")
        if verify and _file_digest(path, "md5") != md5:
            raise DataError(
                f"{path} fails its checksum (md5 differs from the official {md5}). "
                f"{_REDOWNLOAD}"
            )
        try:
            with open(path, "rb") as f:
                entry = pickle.load(f, encoding="latin1")
            d = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
            lab = np.asarray(entry["labels"], dtype=np.int64)
        except Exception as e:  # noqa: BLE001 - any unpickling problem means a bad file
            raise DataError(f"{path} cannot be read as a CIFAR-10 batch ({e}). {_REDOWNLOAD}") from e
        if len(d) != len(lab):
            raise DataError(f"{path} holds {len(d)} images but {len(lab)} labels. {_REDOWNLOAD}")
        data.append(d)
        labels.append(lab)
    all_labels = np.concatenate(labels)
    if all_labels.min() < 0 or all_labels.max() > 9:
        raise DataError(f"{folder} has labels outside 0..9. {_REDOWNLOAD}")
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
    return rows, by_class_arr, _sha256_bytes(raw)


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
            got = _sha256_bytes(data)
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


def _read_cifar10_train(root, classes=None, per_class=None, offset=0, verify: bool = True):
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
    return images, labels, idx, info


def read_cifar10_train(root, classes: Sequence[int] | None = None, per_class: int | None = None,
                       offset: int = 0, verify: bool = True):
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

    Returns
    -------
    images : uint8 array (N, 32, 32, 3), HWC, sorted by original training index
    labels : int64 array (N,)
    indices : int64 array (N,), the original 0-based training indices (increasing)

    Raises
    ------
    DataError
        naming the file or folder, for a missing class folder or file, too few images, a
        checksum or class mismatch with the manifest, or a PNG that does not decode to
        RGB 32x32.
    """
    images, labels, idx, _ = _read_cifar10_train(root, classes, per_class, offset, verify)
    return images, labels, idx


# --------------------------------------------------------------------------------------------
# fetch: where does the raw data live?
# --------------------------------------------------------------------------------------------
def check_layout(dataset: str, root) -> Path:
    """Check cheaply (names and sizes, no checksums) that ``root`` holds ``dataset``'s files.

    Returns ``root`` as a :class:`~pathlib.Path`; raises :class:`DataError` naming what is
    missing. Checksums are verified later, when the readers open the files.
    """
    name = canonical_dataset(dataset)
    root = Path(root)
    if name == "fashion_mnist":
        folder = root / "FashionMNIST" / "raw"
        if not folder.is_dir():
            raise _missing(folder, "Fashion-MNIST raw folder")
        for fname, size in FASHION_MNIST_SIZES.items():
            path = folder / fname
            if not path.is_file():
                raise _missing(path, "Fashion-MNIST idx file")
            found = path.stat().st_size
            if found != size:
                state = "truncated" if found < size else "too long"
                raise DataError(
                    f"{path} is {state}: expected {size} bytes, found {found}. {_REDOWNLOAD}"
                )
        return root
    layout, folder = cifar10_layout(root)
    if layout == "batches":
        for fname in CIFAR10_BATCH_MD5:
            if not (folder / fname).is_file():
                raise _missing(folder / fname, "CIFAR-10 python batch")
    else:
        for cls in CIFAR10_CLASSES:
            if not (folder / "train" / cls).is_dir():
                raise DataError(
                    f"{folder / 'train' / cls} is missing: the CIFAR-10 ImageFolder tree needs "
                    f"one folder per class. Restore it from a verified copy, or {LOCAL_HINT}."
                )
    return root


_NETWORK_ERRNOS = {
    errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ECONNREFUSED, errno.ECONNRESET,
    errno.ECONNABORTED, errno.ETIMEDOUT, errno.ENETDOWN, errno.EHOSTDOWN,
}


def _is_network_error(exc: BaseException) -> bool:
    """True for the errors urllib/socket raise when no network (or DNS) is reachable."""
    if isinstance(exc, urllib.error.HTTPError):
        return False  # the server answered
    if isinstance(exc, (urllib.error.URLError, socket.gaierror, socket.timeout, ConnectionError,
                        TimeoutError)):
        return True
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS


def fetch(dataset: str, root=None, download: bool = False, local=None) -> Path:
    """Resolve the folder that holds ``dataset``'s raw files, downloading only if asked.

    Parameters
    ----------
    dataset : str
        ``"cifar10"`` (``"cifar2"`` is an alias) or ``"fashion_mnist"``.
    root : path-like, optional
        Where to download to (used only when ``local`` is not set and ``download`` is true).
    download : bool
        Let torchvision download the official files into ``root`` (it checks their md5; files
        already there are not downloaded again).
    local : path-like, optional
        An existing offline copy (e.g. ``shared/data``). Takes precedence over ``download``;
        it is only read, never written.

    Returns
    -------
    pathlib.Path
        The resolved data root, to pass to the readers or to :mod:`adamdyn.data.prepare`.

    Raises
    ------
    DataError
        when the local copy lacks the expected layout, when the network is unreachable, when a
        download is corrupted, or when neither ``local`` nor ``download`` is configured.
    """
    name = canonical_dataset(dataset)
    if local not in (None, ""):
        path = Path(local).expanduser()
        if not path.is_dir():
            raise DataError(
                f"data.local = {path} does not exist or is not a folder. Point data.local at a "
                f"copy laid out as in shared/data/README.md (e.g. `--config "
                f"data_local=../shared/data`), or unset it and set data.download: true."
            )
        check_layout(name, path)
        return path.resolve()
    if download:
        if root in (None, ""):
            raise DataError(
                "data.download is true but no download folder (data.root) is configured. Set "
                f"data.root to a writable folder, or {LOCAL_HINT}."
            )
        root = Path(root).expanduser()
        root.mkdir(parents=True, exist_ok=True)
        import torchvision.datasets as tvd  # lazily: importing torchvision is slow

        cls = tvd.CIFAR10 if name == "cifar10" else tvd.FashionMNIST
        try:
            cls(str(root), train=True, download=True)
        except Exception as e:  # noqa: BLE001 - classify, then re-raise as DataError
            text = str(e)
            network = _is_network_error(e) or (
                isinstance(e, RuntimeError) and text.startswith("Error downloading")
                and "corrupted" not in text
            )
            if network:
                raise DataError(
                    f"cannot download {name} into {root}: the network is unreachable "
                    f"({type(e).__name__}: {text.splitlines()[0] if text else e!r}). Point "
                    f"data.local at an offline copy instead, e.g. `--config "
                    f"data_local=../shared/data` (layout in shared/data/README.md)."
                ) from e
            raise DataError(
                f"downloading {name} into {root} failed ({type(e).__name__}: {text}). Delete the "
                f"partial files under {root} and retry, or {LOCAL_HINT}."
            ) from e
        check_layout(name, root)
        return root.resolve()
    where = f" into {root}" if root not in (None, "") else ""
    raise DataError(
        f"no source configured for {name}: set data.local to an offline copy (e.g. `--config "
        f"data_local=../shared/data`, layout in shared/data/README.md) or set data.download: "
        f"true (`--config data_download=true`) to download it{where} with torchvision."
    )

