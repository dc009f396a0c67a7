"""Data layer: where the raw files live (:mod:`.fetch`), raw readers (:mod:`.fashion_mnist`,
:mod:`.cifar10`), preparation to compact, checksummed tensors (:mod:`.real` for the image sets,
:mod:`.synthetic` for the drawn ones, both stored by :mod:`.store`; :mod:`.prepare` names them).

Typical use from a workflow script (``scripts/fetch_data.py``, ``scripts/prepare_data.py``)::

    from adamdyn.data import fetch, prepare_cifar2, save_prepared, load_prepared
    root = fetch("cifar10", root="results/raw", download=False, local="../shared/data")
    tensors, meta = prepare_cifar2(root, per_class=1000, test_per_class=1000)
    save_prepared("results/paper/data/cifar2.pt", tensors, meta)
    tensors, meta = load_prepared("results/paper/data/cifar2.pt")   # checksum re-verified

Nothing in the readers transforms pixels: they return the original uint8 values in the original
dataset order, as numpy arrays, after checking that the files are what they claim to be.

Every failure about files raises :class:`DataError`, whose message names the file or folder
and says what to do.
"""
from .cifar10 import CIFAR10_CLASSES, cifar10_layout, read_cifar10_train
from .errors import DataError
from .fashion_mnist import FASHION_MNIST_CLASSES, FASHION_MNIST_SHA256, read_fashion_mnist
from .fetch import canonical_dataset, check_layout, fetch
from .prepare import (
    PREPARERS,
    Prepared,
    channel_stats,
    load_prepared,
    one_hot,
    poisson_cube,
    poisson_disk,
    prepare_cifar2,
    prepare_cifar10,
    prepare_fashion_mnist,
    save_prepared,
    sine_regression,
    standardise,
    tensor_checksum,
)

SYNTHETIC = ("sine", "poisson_cube", "poisson_disk")


def raw_source(name: str) -> str | None:
    """The raw dataset a prepared set is cut from (``cifar10`` or ``fashion_mnist``); None if synthetic."""
    if name not in PREPARERS:
        raise ValueError(f"unknown prepared data set {name!r}: expected one of {', '.join(PREPARERS)}")
    return None if name in SYNTHETIC else canonical_dataset(name)


__all__ = [
    "SYNTHETIC",
    "raw_source",
    "DataError",
    "CIFAR10_CLASSES",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_SHA256",
    "canonical_dataset",
    "check_layout",
    "cifar10_layout",
    "fetch",
    "read_cifar10_train",
    "read_fashion_mnist",
    "Prepared",
    "tensor_checksum",
    "channel_stats",
    "standardise",
    "one_hot",
    "prepare_cifar2",
    "prepare_cifar10",
    "prepare_fashion_mnist",
    "sine_regression",
    "poisson_cube",
    "poisson_disk",
    "save_prepared",
    "load_prepared",
    "PREPARERS",
]
