"""Where a dataset's raw files live: :func:`fetch` (a local copy, or a torchvision download)
and :func:`check_layout` (a cheap check of names and sizes; the readers verify checksums).

A failed download is classified: an unreachable network gets a message that says to point
``data.local`` at an offline copy; any other failure says to delete the partial files.
"""
from __future__ import annotations

import errno
import re
import socket
import urllib.error
from pathlib import Path

from .cifar10 import CIFAR10_BATCH_MD5, CIFAR10_CLASSES, cifar10_layout
from .errors import LOCAL_HINT, DataError
from .fashion_mnist import FASHION_MNIST_SIZES
from .files import REDOWNLOAD, missing

__all__ = ["canonical_dataset", "check_layout", "fetch"]


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
            raise missing(folder, "Fashion-MNIST raw folder")
        for fname, size in FASHION_MNIST_SIZES.items():
            path = folder / fname
            if not path.is_file():
                raise missing(path, "Fashion-MNIST idx file")
            found = path.stat().st_size
            if found != size:
                state = "truncated" if found < size else "too long"
                raise DataError(
                    f"{path} is {state}: expected {size} bytes, found {found}. {REDOWNLOAD}"
                )
        return root
    layout, folder = cifar10_layout(root)
    if layout == "batches":
        for fname in CIFAR10_BATCH_MD5:
            if not (folder / fname).is_file():
                raise missing(folder / fname, "CIFAR-10 python batch")
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
        An existing offline copy (e.g. ``../shared/data``). Takes precedence over ``download``;
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
