"""Raw reader for Fashion-MNIST: the uncompressed idx files of torchvision's raw layout,
``<root>/FashionMNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` under a data root
such as ``../shared/data``, each verified against the official sha256 value.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import LOCAL_HINT, DataError
from .files import REDOWNLOAD, missing, read_whole, sha256_bytes

__all__ = [
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_SHA256",
    "FASHION_MNIST_SIZES",
    "read_fashion_mnist",
]

#: Fashion-MNIST label numbering.
FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)

#: sha256 of the official uncompressed Fashion-MNIST idx files (../shared/data/README.md; they
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


def _read_idx(path: Path, magic: int, item_shape: tuple[int, ...], verify: bool) -> np.ndarray:
    """Parse one uncompressed idx file (uint8 data) and check its size and checksum."""
    if not path.is_file():
        raise missing(path, "Fashion-MNIST idx file")
    buf = read_whole(path)
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
            f"{len(buf)} bytes. {REDOWNLOAD}"
        )
    found_magic = int.from_bytes(buf[:4], "big")
    if found_magic != magic:
        raise DataError(
            f"{path} is not the expected idx file: magic number 0x{found_magic:08x}, expected "
            f"0x{magic:08x} (uint8, {ndim} dimensions). {REDOWNLOAD}"
        )
    dims = tuple(int.from_bytes(buf[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(buf) != expected:
        state = "truncated" if len(buf) < expected else "too long"
        raise DataError(
            f"{path} is {state}: expected {expected} bytes, found {len(buf)} (its header says "
            f"shape {dims}). {REDOWNLOAD}"
        )
    if dims[1:] != item_shape:
        raise DataError(
            f"{path} holds items of shape {dims[1:]}, expected {item_shape}. {REDOWNLOAD}"
        )
    if verify:
        want = FASHION_MNIST_SHA256.get(path.name)
        got = sha256_bytes(buf)
        if want is not None and got != want:
            raise DataError(
                f"{path} fails its checksum: sha256 {got}, expected the official {want}. "
                f"The file is damaged or not the official one. {REDOWNLOAD}"
            )
    return np.frombuffer(buf, dtype=np.uint8, offset=header).reshape(dims)


def read_fashion_mnist(root, train: bool = True, verify: bool = True, *,
                       return_info: bool = False):
    """Read Fashion-MNIST from ``<root>/FashionMNIST/raw``.

    Parameters
    ----------
    root : path-like
        Data root holding ``FashionMNIST/raw/`` (uncompressed idx files, torchvision layout).
    train : bool
        ``True`` for the 60,000 training images, ``False`` for the 10,000 test images.
    verify : bool
        Check each file's sha256 against :data:`FASHION_MNIST_SHA256` (about 0.2 s).
    return_info : bool
        Also return a provenance dict (dataset, split, resolved root, layout, the two files
        read, what was verified), as :mod:`adamdyn.data.prepare` records it.

    Returns
    -------
    images : uint8 array (N, 28, 28), original order
    labels : int64 array (N,), values 0..9
    info : dict, only with ``return_info=True``

    Raises
    ------
    DataError
        naming the file, when a file or folder is missing, truncated, has a wrong header,
        a label outside 0..9, or a checksum mismatch.
    """
    folder = Path(root) / "FashionMNIST" / "raw"
    if not folder.is_dir():
        raise missing(folder, "Fashion-MNIST raw folder")
    img_name, lab_name = _FMNIST_FILES[bool(train)]
    lab_path, img_path = folder / lab_name, folder / img_name
    labels = _read_idx(lab_path, 0x00000801, (), verify)  # small file first: fail fast
    if labels.size and labels.max() > 9:
        bad = int(np.flatnonzero(labels > 9)[0])
        raise DataError(
            f"{lab_path} has label {int(labels[bad])} at position {bad}; Fashion-MNIST labels "
            f"are 0..9. {REDOWNLOAD}"
        )
    images = _read_idx(img_path, 0x00000803, (28, 28), verify)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{img_path} holds {images.shape[0]} images but {lab_path} holds {labels.shape[0]} "
            f"labels. {REDOWNLOAD}"
        )
    labels = labels.astype(np.int64)
    if not return_info:
        return images, labels
    info = {
        "dataset": "fashion_mnist",
        "split": "train" if train else "test",
        "root": str(Path(root).resolve()),
        "layout": "idx (FashionMNIST/raw)",
        "files": [str(img_path.resolve()), str(lab_path.resolve())],
        "verified": "sha256 against the official values" if verify else "not verified",
    }
    return images, labels, info
