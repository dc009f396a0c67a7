"""Deterministic preparation of every data set the experiments use, as compact tensors.

Each ``prepare_*`` / synthetic function returns a :class:`Prepared` ``(tensors, meta)`` pair:

* ``tensors``: a dict of CPU tensors (floats are float32), e.g. ``x_train``, ``y_train`` and,
  where there is a held-out set, ``x_test``, ``y_test``;
* ``meta``: a plain (JSON-compatible) dict with the source (data set, resolved root, layout,
  selection rule and the original indices used), the preprocessing (description and the
  per-channel mean/std), shapes, dtypes and ``sha256`` = :func:`tensor_checksum` of the tensors.

:func:`save_prepared` writes them atomically as one ``torch.save`` dict (the tensors at top
level plus ``"meta"``); :func:`load_prepared` reads it back (tensors and plain data only) and
re-checks the checksum.

Determinism: image statistics are computed from exact integer sums of the uint8 pixels and
the standardisation is purely element-wise, so a prepared set is bit-identical however often,
and on whichever machine, it is built. Synthetic sets draw from one CPU ``torch.Generator``
seeded with ``seed``, in a documented order.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np
import torch

from ..io import atomic_path
from .cifar10 import CIFAR10_CLASSES, read_cifar10_train
from .errors import DataError
from .fashion_mnist import FASHION_MNIST_CLASSES, read_fashion_mnist

#: Version of the saved layout; bump when the meaning of the saved tensors changes.
FORMAT_VERSION = 1


class Prepared(NamedTuple):
    """A prepared data set: named tensors plus their provenance."""

    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any]


# --------------------------------------------------------------------------------------------
# checksums and small numerical helpers
# --------------------------------------------------------------------------------------------
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


def channel_stats(images_u8: np.ndarray, channel_axis: int | None) -> tuple[list[float], list[float]]:
    """Per-channel mean and population std (ddof=0) of ``images_u8 / 255``.

    Computed from exact integer sums, so the result does not depend on summation order,
    memory alignment or hardware. ``channel_axis=None`` treats the array as one channel.
    """
    a = np.asarray(images_u8)
    if a.dtype != np.uint8:
        raise TypeError(f"channel_stats expects uint8 pixels, got {a.dtype}")
    chans = [a] if channel_axis is None else [np.take(a, c, axis=channel_axis)
                                              for c in range(a.shape[channel_axis])]
    means, stds = [], []
    for ch in chans:
        n = ch.size
        if n == 0:
            raise ValueError("channel_stats: no pixels")
        s = int(ch.sum(dtype=np.int64))
        ss = int(np.square(ch, dtype=np.int64).sum(dtype=np.int64))
        mean = Fraction(s, 255 * n)
        var = Fraction(ss, 255 * 255 * n) - mean * mean
        means.append(float(mean))
        stds.append(math.sqrt(float(var)))
    return means, stds


def standardise(images_u8: np.ndarray, mean: Sequence[float], std: Sequence[float],
                channel_axis: int | None) -> np.ndarray:
    """``(images_u8 / 255 - mean) / std`` per channel, element-wise in float64, as float32."""
    x = np.asarray(images_u8, dtype=np.float64) / 255.0
    if channel_axis is None:
        if std[0] <= 0:
            raise ValueError("standardise: the channel has zero variance")
        return ((x - mean[0]) / std[0]).astype(np.float32)
    if min(std) <= 0:
        raise ValueError(f"standardise: a channel has zero variance (std {list(std)})")
    shape = [1] * x.ndim
    shape[channel_axis] = -1
    m = np.asarray(mean, dtype=np.float64).reshape(shape)
    s = np.asarray(std, dtype=np.float64).reshape(shape)
    return ((x - m) / s).astype(np.float32)


def one_hot(labels: np.ndarray, classes: Sequence[int]) -> torch.Tensor:
    """float32 one-hot targets; column ``j`` is class ``classes[j]``."""
    col = {int(c): j for j, c in enumerate(classes)}
    y = torch.zeros(len(labels), len(classes), dtype=torch.float32)
    if len(labels):
        y[torch.arange(len(labels)), torch.tensor([col[int(c)] for c in labels])] = 1.0
    return y


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
# image data sets
# --------------------------------------------------------------------------------------------
_CIFAR_PRE = (
    "pixels/255 in [0,1]; per-channel standardisation (x - mean) / std with the training "
    "subset's mean and population std (ddof=0), applied to every split"
)


def prepare_cifar2(root, per_class: int = 1000, test_per_class: int = 1000,
                   classes: Sequence[int] = (0, 1), verify: bool = True) -> Prepared:
    """CIFAR-2 for the MLP figures: airplane vs automobile by default.

    Training set: the first ``per_class`` training images of each class in dataset order;
    held-out set: the next ``test_per_class`` of each class (omitted when 0). Both are sorted
    by original training index (classes interleaved as in the data set). Pixels are scaled to
    [0, 1] and standardised per channel with the *training* subset's mean and population std,
    then flattened channel-first, (N, 3, 32, 32) -> (N, 3072). Targets are float32 one-hot
    with ``len(classes)`` columns, column ``j`` = class ``classes[j]`` (airplane = column 0).

    Keys: ``x_train`` (N, 3072), ``y_train`` (N, 2), and ``x_test``, ``y_test``.
    """
    classes = [int(c) for c in classes]
    per_class, test_per_class = int(per_class), int(test_per_class)
    if per_class < 1 or test_per_class < 0:
        raise ValueError(f"need per_class >= 1 and test_per_class >= 0, got {per_class}, "
                         f"{test_per_class}")
    images, labels, idx, info = read_cifar10_train(
        root, classes=classes, per_class=per_class + test_per_class, offset=0, verify=verify,
        return_info=True)
    rank = np.empty(len(idx), dtype=np.int64)
    for c in classes:
        m = labels == c
        rank[m] = np.arange(int(m.sum()))
    tr, te = rank < per_class, rank >= per_class
    chw = images.transpose(0, 3, 1, 2)  # (N, 3, 32, 32)
    mean, std = channel_stats(chw[tr], channel_axis=1)
    x = standardise(chw, mean, std, channel_axis=1).reshape(len(idx), -1)
    tensors = {
        "x_train": torch.from_numpy(np.ascontiguousarray(x[tr])),
        "y_train": one_hot(labels[tr], classes),
    }
    if test_per_class:
        tensors["x_test"] = torch.from_numpy(np.ascontiguousarray(x[te]))
        tensors["y_test"] = one_hot(labels[te], classes)
    source = dict(info)
    source["selection"] = {
        "classes": classes,
        "class_names": [CIFAR10_CLASSES[c] for c in classes],
        "per_class": per_class,
        "test_per_class": test_per_class,
        "rule": "per class, training set = ranks 0..per_class-1 in original dataset order, "
                "held-out = ranks per_class..per_class+test_per_class-1; each set sorted by "
                "original training index",
    }
    source["train_indices"] = idx[tr]
    source["test_indices"] = idx[te]
    meta = {
        "name": "cifar2",
        "source": source,
        "preprocessing": {
            "description": _CIFAR_PRE + "; flattened channel-first (N,3,32,32) -> (N,3072); "
                           "targets one-hot float32, column j = classes[j]",
            "mean": mean, "std": std, "stats_from": "x_train", "channel_order": "RGB",
        },
    }
    return _finish(tensors, meta)


def prepare_cifar10(root, per_class: int = 1000, verify: bool = True) -> Prepared:
    """CIFAR-10 subset for the ResNet figure: the first ``per_class`` training images of each
    of the 10 classes in dataset order, sorted by original index, as (N, 3, 32, 32) float32
    standardised per channel with the subset's mean/std; one-hot float32 targets (10 columns).

    Keys: ``x_train``, ``y_train`` (no held-out set).
    """
    per_class = int(per_class)
    if per_class < 1:
        raise ValueError(f"need per_class >= 1, got {per_class}")
    classes = list(range(10))
    images, labels, idx, info = read_cifar10_train(root, classes=classes, per_class=per_class,
                                                   offset=0, verify=verify, return_info=True)
    chw = images.transpose(0, 3, 1, 2)
    mean, std = channel_stats(chw, channel_axis=1)
    tensors = {
        "x_train": torch.from_numpy(standardise(chw, mean, std, channel_axis=1)),
        "y_train": one_hot(labels, classes),
    }
    source = dict(info)
    source["selection"] = {
        "classes": classes, "class_names": list(CIFAR10_CLASSES), "per_class": per_class,
        "rule": "per class, ranks 0..per_class-1 in original dataset order; sorted by "
                "original training index",
    }
    source["train_indices"] = idx
    meta = {
        "name": "cifar10",
        "source": source,
        "preprocessing": {
            "description": _CIFAR_PRE + "; images kept as (N,3,32,32); no augmentation; "
                           "targets one-hot float32",
            "mean": mean, "std": std, "stats_from": "x_train", "channel_order": "RGB",
        },
    }
    return _finish(tensors, meta)


def prepare_fashion_mnist(root, per_class: int = 1000, verify: bool = True) -> Prepared:
    """Fashion-MNIST subset for the (a, b) grid figure.

    The first ``per_class`` official training images of each class in dataset order, sorted
    by original index; pixels /255 then standardised with the subset's (single-channel) mean
    and population std; flattened to 784; one-hot float32 targets (10 columns).

    Keys: ``x_train`` (N, 784), ``y_train`` (N, 10).
    """
    per_class = int(per_class)
    if per_class < 1:
        raise ValueError(f"need per_class >= 1, got {per_class}")
    images, labels, info = read_fashion_mnist(root, train=True, verify=verify, return_info=True)
    chosen = []
    for c in range(10):
        ic = np.flatnonzero(labels == c)[:per_class]
        if len(ic) < per_class:
            raise DataError(
                f"{info['files'][1]} has only {len(ic)} images of class {c}; {per_class} "
                f"requested. Ask for fewer, or point data.local at a complete copy."
            )
        chosen.append(ic)
    idx = np.sort(np.concatenate(chosen))
    sub = images[idx]
    mean, std = channel_stats(sub, channel_axis=None)
    x = standardise(sub, mean, std, channel_axis=None).reshape(len(idx), -1)
    tensors = {"x_train": torch.from_numpy(x), "y_train": one_hot(labels[idx], range(10))}
    source = dict(info)
    source["selection"] = {
        "classes": list(range(10)), "class_names": list(FASHION_MNIST_CLASSES),
        "per_class": per_class,
        "rule": "official training split; per class, ranks 0..per_class-1 in dataset order; "
                "sorted by original index",
    }
    source["train_indices"] = idx
    meta = {
        "name": "fashion_mnist",
        "source": source,
        "preprocessing": {
            "description": "pixels/255 in [0,1]; standardised (x - mean) / std with the "
                           "subset's mean and population std (one channel); flattened to 784; "
                           "targets one-hot float32",
            "mean": mean, "std": std, "stats_from": "x_train",
        },
    }
    return _finish(tensors, meta)


# --------------------------------------------------------------------------------------------
# synthetic data sets
# --------------------------------------------------------------------------------------------
def _generator(seed: int) -> torch.Generator:
    return torch.Generator(device="cpu").manual_seed(int(seed))


def _synthetic_meta(name: str, seed: int, definition: str, order: str, **sizes) -> dict:
    return {
        "name": name,
        "source": {"dataset": name, "kind": "synthetic", "seed": int(seed),
                   "generator": f"torch.Generator(cpu), torch {torch.__version__}",
                   "draw_order": order, **sizes},
        "preprocessing": {"description": definition, "mean": None, "std": None},
    }


def sine_regression(seed: int, n_train: int = 2000, n_test: int = 10000, dim: int = 5) -> Prepared:
    """Fig 1 right: x ~ U[0,1)^dim, y = sum_k sin(2 pi x_k), shape (N, 1).

    Draw order from one generator seeded with ``seed``: ``x_train`` then ``x_test`` (float32);
    targets are evaluated in float64 on the stored float32 inputs, then rounded to float32.
    Keys: ``x_train``, ``y_train``, ``x_test``, ``y_test``.
    """
    g = _generator(seed)
    x_train = torch.rand(int(n_train), int(dim), generator=g)
    x_test = torch.rand(int(n_test), int(dim), generator=g)

    def f(x):
        return torch.sin(2 * math.pi * x.double()).sum(dim=1, keepdim=True).float()

    tensors = {"x_train": x_train, "y_train": f(x_train), "x_test": x_test, "y_test": f(x_test)}
    meta = _synthetic_meta(
        "sine", seed, "f*(x) = sum_k sin(2 pi x_k), x ~ U[0,1)^dim; no preprocessing",
        "x_train, x_test", n_train=int(n_train), n_test=int(n_test), dim=int(dim))
    return _finish(tensors, meta)


def _cube_solution(x: torch.Tensor) -> torch.Tensor:
    """u*(x) = x1 x2 + x3 x4 (+ x5 x6 + ... for larger even dim), float64 -> float32, (N, 1)."""
    xd = x.double()
    return (xd[:, 0::2] * xd[:, 1::2]).sum(dim=1, keepdim=True).float()


def poisson_cube(seed: int, n_interior: int = 2000, n_boundary: int = 2000, n_test: int = 10000,
                 dim: int = 4) -> Prepared:
    """Fig 10a: -Laplace(u) = 0 on (0,1)^dim, u = x1 x2 + x3 x4 on the boundary.

    Draw order from one generator seeded with ``seed``: interior points U[0,1)^dim; boundary
    face numbers k uniform in 0..2*dim-1; boundary points U[0,1)^dim whose coordinate
    ``k % dim`` is then set to ``k // dim`` (0 or 1); test points U[0,1)^dim. ``dim`` must be
    even (u* pairs coordinates); it is harmonic, so f = 0.

    Keys: ``x_interior`` (N,dim), ``f_interior`` (N,1) = 0, ``x_boundary``, ``g_boundary``
    (N,1) = u*(x_boundary), ``x_test``, ``u_test`` (N,1) = u*(x_test). float32.
    """
    dim = int(dim)
    if dim < 2 or dim % 2:
        raise ValueError(f"poisson_cube needs an even dim >= 2 (u* = x1 x2 + x3 x4 + ...), got {dim}")
    g = _generator(seed)
    x_int = torch.rand(int(n_interior), dim, generator=g)
    face = torch.randint(0, 2 * dim, (int(n_boundary),), generator=g)
    x_bd = torch.rand(int(n_boundary), dim, generator=g)
    x_bd[torch.arange(int(n_boundary)), face % dim] = (face // dim).to(torch.float32)
    x_test = torch.rand(int(n_test), dim, generator=g)
    tensors = {
        "x_interior": x_int,
        "f_interior": torch.zeros(int(n_interior), 1),
        "x_boundary": x_bd,
        "g_boundary": _cube_solution(x_bd),
        "x_test": x_test,
        "u_test": _cube_solution(x_test),
    }
    meta = _synthetic_meta(
        "poisson_cube", seed,
        "-Laplace u = 0 on (0,1)^dim, u = x1 x2 + x3 x4 on the boundary; exact u* = x1 x2 + x3 x4; "
        "boundary: face uniform among the 2*dim faces, then a uniform point on it",
        "x_interior, boundary faces, boundary points, x_test",
        n_interior=int(n_interior), n_boundary=int(n_boundary), n_test=int(n_test), dim=dim)
    return _finish(tensors, meta)


def _disk_points(n: int, g: torch.Generator) -> torch.Tensor:
    uv = torch.rand(n, 2, generator=g, dtype=torch.float64)
    r, theta = torch.sqrt(uv[:, 0]), 2 * math.pi * uv[:, 1]
    return torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1).float()


def poisson_disk(seed: int, n_interior: int = 2000, n_boundary: int = 2000,
                 n_test: int = 10000) -> Prepared:
    """Fig 10b: -Laplace(u) = 1 on the unit disk, u = 0 on the circle, u* = (1 - r^2) / 4.

    The paper prints u* = (r^2 - 1)/4, whose Laplacian is +1: it solves -Laplace(u) = -1, not the
    stated problem. The stated PDE (f = 1, which eq. (13) fits) has the solution (1 - r^2)/4, and
    the test error is measured against that.

    Draw order from one generator seeded with ``seed`` (float64 draws, points stored float32):
    interior (U, V) pairs with r = sqrt(U), angle = 2 pi V; boundary angles 2 pi W on the unit
    circle; test points like the interior.

    Keys: ``x_interior`` (N,2), ``f_interior`` (N,1) = 1, ``x_boundary``, ``g_boundary`` = 0,
    ``x_test``, ``u_test`` = (1 - |x|^2) / 4 evaluated on the stored test points.
    """
    g = _generator(seed)
    x_int = _disk_points(int(n_interior), g)
    theta = 2 * math.pi * torch.rand(int(n_boundary), generator=g, dtype=torch.float64)
    x_bd = torch.stack([torch.cos(theta), torch.sin(theta)], dim=1).float()
    x_test = _disk_points(int(n_test), g)
    u_test = (1.0 - (x_test.double() ** 2).sum(dim=1, keepdim=True)) / 4.0
    tensors = {
        "x_interior": x_int,
        "f_interior": torch.ones(int(n_interior), 1),
        "x_boundary": x_bd,
        "g_boundary": torch.zeros(int(n_boundary), 1),
        "x_test": x_test,
        "u_test": u_test.float(),
    }
    meta = _synthetic_meta(
        "poisson_disk", seed,
        "-Laplace u = 1 on the unit disk, u = 0 on the circle; exact u* = (1 - r^2)/4 (the paper "
        "prints (r^2 - 1)/4, which solves -Laplace u = -1); interior "
        "and test uniform in the disk (r = sqrt(U), angle uniform); boundary uniform angle",
        "interior (U,V) pairs, boundary angles, test (U,V) pairs",
        n_interior=int(n_interior), n_boundary=int(n_boundary), n_test=int(n_test), dim=2)
    return _finish(tensors, meta)


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


#: Name -> preparation function, for generic workflow rules.
PREPARERS: dict[str, Callable[..., Prepared]] = {
    "cifar2": prepare_cifar2,
    "cifar10": prepare_cifar10,
    "fashion_mnist": prepare_fashion_mnist,
    "sine": sine_regression,
    "poisson_cube": poisson_cube,
    "poisson_disk": poisson_disk,
}
