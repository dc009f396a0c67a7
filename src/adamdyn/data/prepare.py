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

from typing import Callable

from .real import channel_stats, one_hot, prepare_cifar2, prepare_cifar10, prepare_fashion_mnist, standardise
from .store import FORMAT_VERSION, Prepared, load_prepared, save_prepared, tensor_checksum
from .synthetic import poisson_cube, poisson_disk, sine_regression

__all__ = ["FORMAT_VERSION", "PREPARERS", "Prepared", "channel_stats", "load_prepared", "one_hot",
           "poisson_cube", "poisson_disk", "prepare_cifar10", "prepare_cifar2", "prepare_fashion_mnist",
           "save_prepared", "sine_regression", "standardise", "tensor_checksum"]


#: Name -> preparation function, for generic workflow rules.
PREPARERS: dict[str, Callable[..., Prepared]] = {
    "cifar2": prepare_cifar2,
    "cifar10": prepare_cifar10,
    "fashion_mnist": prepare_fashion_mnist,
    "sine": sine_regression,
    "poisson_cube": poisson_cube,
    "poisson_disk": poisson_disk,
}
