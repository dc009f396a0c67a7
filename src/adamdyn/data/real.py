"""The real data sets, prepared deterministically from the raw files: CIFAR-2, CIFAR-10 and
Fashion-MNIST as standardised float32 tensors with one-hot targets. Image statistics come from
exact integer sums of the uint8 pixels, so a prepared set is bit-identical wherever it is built."""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np
import torch

from .cifar10 import CIFAR10_CLASSES, read_cifar10_train
from .errors import DataError
from .fashion_mnist import FASHION_MNIST_CLASSES, read_fashion_mnist
from .store import Prepared, _finish


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


#: [U] the pixels' scaling (issue 26's candidate ``unit_pixels``): standardised per channel (our
#: default) or left in [0, 1] (``unit``).
PIXELS = ("standardised", "unit")


def pixel_values(images_u8: np.ndarray, pixels: str, mean: Sequence[float], std: Sequence[float],
                 channel_axis: int | None) -> np.ndarray:
    """The network's inputs as ``pixels`` says: standardised (:func:`standardise`), or ``images_u8 / 255``
    (float64 division, as float32)."""
    if pixels == "standardised":
        return standardise(images_u8, mean, std, channel_axis)
    if pixels == "unit":
        return (np.asarray(images_u8, dtype=np.float64) / 255.0).astype(np.float32)
    raise ValueError(f"pixels {pixels!r}: expected one of {', '.join(PIXELS)}")


def _pixels_note(pixels: str) -> str:
    return "" if pixels == "standardised" else (
        " -- NOT applied (pixels='unit'): inputs are pixels/255 in [0,1]; mean and std are recorded only")


def _pixels_key(pixels: str) -> dict:
    """``{"pixels": ...}`` in a prepared set's preprocessing, left out for the default (whose provenance
    stays as it was before the option existed)."""
    return {} if pixels == "standardised" else {"pixels": pixels}


def one_hot(labels: np.ndarray, classes: Sequence[int]) -> torch.Tensor:
    """float32 one-hot targets; column ``j`` is class ``classes[j]``."""
    col = {int(c): j for j, c in enumerate(classes)}
    y = torch.zeros(len(labels), len(classes), dtype=torch.float32)
    if len(labels):
        y[torch.arange(len(labels)), torch.tensor([col[int(c)] for c in labels])] = 1.0
    return y


# --------------------------------------------------------------------------------------------
# image data sets
# --------------------------------------------------------------------------------------------
_CIFAR_PRE = (
    "pixels/255 in [0,1]; per-channel standardisation (x - mean) / std with the training "
    "subset's mean and population std (ddof=0), applied to every split"
)


def _cifar_meta(name: str, source: dict, layout: str, mean: list[float], std: list[float],
                pixels: str = "standardised") -> dict:
    """The provenance of a CIFAR subset: its source and its preprocessing (:data:`_CIFAR_PRE` then ``layout``)."""
    return {"name": name, "source": source,
            "preprocessing": {"description": _CIFAR_PRE + _pixels_note(pixels) + layout, "mean": mean, "std": std,
                              "stats_from": "x_train", "channel_order": "RGB", **_pixels_key(pixels)}}


def prepare_cifar2(root, per_class: int = 1000, test_per_class: int = 1000,
                   classes: Sequence[int] = (0, 1), verify: bool = True, pixels: str = "standardised") -> Prepared:
    """CIFAR-2 for the MLP figures: airplane vs automobile by default.

    Training set: the first ``per_class`` training images of each class in dataset order;
    held-out set: the next ``test_per_class`` of each class (omitted when 0). Both are sorted
    by original training index (classes interleaved as in the data set). Pixels are scaled to
    [0, 1] and standardised per channel with the *training* subset's mean and population std,
    then flattened channel-first, (N, 3, 32, 32) -> (N, 3072). Targets are float32 one-hot
    with ``len(classes)`` columns, column ``j`` = class ``classes[j]`` (airplane = column 0).
    ``pixels="unit"`` leaves the pixels in [0, 1] (:data:`PIXELS`).

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
    x = pixel_values(chw, pixels, mean, std, channel_axis=1).reshape(len(idx), -1)
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
    return _finish(tensors, _cifar_meta("cifar2", source, "; flattened channel-first (N,3,32,32) -> (N,3072); "
                                         "targets one-hot float32, column j = classes[j]", mean, std, pixels))


def prepare_cifar10(root, per_class: int = 1000, verify: bool = True, pixels: str = "standardised") -> Prepared:
    """CIFAR-10 subset for the ResNet figure: the first ``per_class`` training images of each
    of the 10 classes in dataset order, sorted by original index, as (N, 3, 32, 32) float32
    standardised per channel with the subset's mean/std (or in [0, 1]: ``pixels="unit"``); one-hot
    float32 targets (10 columns).

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
        "x_train": torch.from_numpy(pixel_values(chw, pixels, mean, std, channel_axis=1)),
        "y_train": one_hot(labels, classes),
    }
    source = dict(info)
    source["selection"] = {
        "classes": classes, "class_names": list(CIFAR10_CLASSES), "per_class": per_class,
        "rule": "per class, ranks 0..per_class-1 in original dataset order; sorted by "
                "original training index",
    }
    source["train_indices"] = idx
    return _finish(tensors, _cifar_meta("cifar10", source, "; images kept as (N,3,32,32); no augmentation; "
                                        "targets one-hot float32", mean, std, pixels))


def prepare_fashion_mnist(root, per_class: int = 1000, verify: bool = True, pixels: str = "standardised") -> Prepared:
    """Fashion-MNIST subset for the (a, b) grid figure.

    The first ``per_class`` official training images of each class in dataset order, sorted
    by original index; pixels /255 then standardised with the subset's (single-channel) mean
    and population std (or left in [0, 1]: ``pixels="unit"``); flattened to 784; one-hot float32
    targets (10 columns).

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
    x = pixel_values(sub, pixels, mean, std, channel_axis=None).reshape(len(idx), -1)
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
                           "subset's mean and population std (one channel)" + _pixels_note(pixels)
                           + "; flattened to 784; targets one-hot float32",
            "mean": mean, "std": std, "stats_from": "x_train", **_pixels_key(pixels),
        },
    }
    return _finish(tensors, meta)
