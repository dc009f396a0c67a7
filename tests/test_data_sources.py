"""Raw readers and fetch(): layouts, order, label numbering, and clear errors on bad files.

Uses the offline copies in shared/data (read-only). Tests that damage a file copy what they
need into pytest's tmp_path first; CIFAR tests decode only a handful of PNGs.
"""
from __future__ import annotations

import errno
import gzip
import io
import pickle
import shutil
import urllib.error
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from adamdyn.data import (
    CIFAR10_CLASSES,
    DataError,
    canonical_dataset,
    check_layout,
    fetch,
    read_cifar10_train,
    read_fashion_mnist,
)
from conftest import SHARED_DATA

SHARED = SHARED_DATA
FM_RAW = SHARED / "FashionMNIST" / "raw"
CIFAR = SHARED / "cifar10"


@pytest.fixture
def shared() -> Path:
    if not (FM_RAW.is_dir() and (CIFAR / "train").is_dir()):
        pytest.skip(f"offline data copy not found at {SHARED} (see shared/data/README.md)")
    return SHARED


def _mini_cifar_tree(dst: Path, cls: str = "airplane", n: int = 5, manifest: bool = True) -> Path:
    """Copy the first n PNGs of one class (and optionally the manifest) into dst/cifar10."""
    src = CIFAR / "train" / cls
    out = dst / "cifar10" / "train" / cls
    out.mkdir(parents=True)
    for name in sorted(p.name for p in src.iterdir())[:n]:
        shutil.copyfile(src / name, out / name)
    if manifest:
        shutil.copyfile(CIFAR / "train_manifest.csv", dst / "cifar10" / "train_manifest.csv")
    return out


def _fm_copy(dst: Path, damaged: str, data: bytes) -> Path:
    """A FashionMNIST/raw folder in dst: `damaged` gets `data`, the others link to shared/."""
    raw = dst / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in FM_RAW.iterdir():
        if f.name == damaged:
            (raw / f.name).write_bytes(data)
        else:
            (raw / f.name).symlink_to(f)
    return raw / damaged


# ---------------------------------------------------------------------------- CIFAR-10 tree
def test_imagefolder_original_order_and_cifar_label_numbering(shared):
    # First three airplanes (label 0); the README says the first airplane is image 29.
    images, labels, idx = read_cifar10_train(shared, classes=[0], per_class=3)
    assert idx.tolist() == [29, 30, 35]
    assert labels.tolist() == [0, 0, 0]
    assert images.shape == (3, 32, 32, 3) and images.dtype == np.uint8
    # offset selects later ranks within the class
    _, _, idx2 = read_cifar10_train(shared, classes=[0], per_class=2, offset=1)
    assert idx2.tolist() == [30, 35]

    # One image per class: sorted by original index, labels = alphabetical folder order.
    images, labels, idx = read_cifar10_train(shared, per_class=1)
    assert np.all(np.diff(idx) > 0)
    assert idx[:2].tolist() == [0, 1]  # image 0 is a frog, image 1 a truck
    assert labels[:2].tolist() == [CIFAR10_CLASSES.index("frog"), CIFAR10_CLASSES.index("truck")]
    assert sorted(labels.tolist()) == list(range(10))
    # README spot checks: image 0 red channel starts 59, 43, 50, blue ends 140, 84, 72;
    # image 1 red starts 154, 126, 105, blue ends 139, 142, 144.
    assert images[0, 0, :3, 0].tolist() == [59, 43, 50]
    assert images[0, -1, -3:, 2].tolist() == [140, 84, 72]
    assert images[1, 0, :3, 0].tolist() == [154, 126, 105]
    assert images[1, -1, -3:, 2].tolist() == [139, 142, 144]


def test_imagefolder_labels_agree_with_manifest(shared):
    import csv

    _, labels, idx = read_cifar10_train(shared, classes=[1, 9], per_class=4)
    with open(CIFAR / "train_manifest.csv") as f:
        rows = {int(r["index"]): int(r["label"]) for r in csv.DictReader(f)}
    assert [rows[i] for i in idx.tolist()] == labels.tolist()


def test_missing_class_folder_is_named(tmp_path, shared):
    _mini_cifar_tree(tmp_path, "airplane", n=3)
    missing = tmp_path / "cifar10" / "train" / "automobile"
    with pytest.raises(DataError) as e:
        read_cifar10_train(tmp_path, classes=[0, 1], per_class=1)
    assert str(missing) in str(e.value) and "missing" in str(e.value)
    # A folder that is not requested is not needed.
    _, labels, _ = read_cifar10_train(tmp_path, classes=[0], per_class=3)
    assert labels.tolist() == [0, 0, 0]
    # ... but fetch() checks the whole layout.
    with pytest.raises(DataError, match="automobile"):
        fetch("cifar10", local=tmp_path)


def test_corrupt_png_fails_manifest_checksum(tmp_path, shared):
    folder = _mini_cifar_tree(tmp_path, "airplane", n=5, manifest=True)
    bad = folder / "00030.png"
    bad.write_bytes(b"this is not a png" * 10)
    with pytest.raises(DataError) as e:
        read_cifar10_train(tmp_path, classes=[0], per_class=5)
    assert str(bad) in str(e.value) and "checksum" in str(e.value)
    # images before it in the selection are fine
    _, _, idx = read_cifar10_train(tmp_path, classes=[0], per_class=1)
    assert idx.tolist() == [29]


def test_corrupt_png_without_manifest_fails_to_decode(tmp_path, shared):
    folder = _mini_cifar_tree(tmp_path, "airplane", n=5, manifest=False)
    bad = folder / "00030.png"
    bad.write_bytes(bad.read_bytes()[:40])  # truncated PNG
    with pytest.raises(DataError) as e:
        read_cifar10_train(tmp_path, classes=[0], per_class=5)
    assert str(bad) in str(e.value) and "PNG" in str(e.value)


@pytest.mark.parametrize("mode,size", [("RGB", (16, 16)), ("L", (32, 32))])
def test_png_with_wrong_size_or_mode_is_named(tmp_path, shared, mode, size):
    folder = _mini_cifar_tree(tmp_path, "airplane", n=3, manifest=False)
    bad = folder / "00035.png"
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, format="PNG")
    bad.write_bytes(buf.getvalue())
    with pytest.raises(DataError) as e:
        read_cifar10_train(tmp_path, classes=[0], per_class=3)
    assert str(bad) in str(e.value) and "RGB 32x32" in str(e.value)


def test_file_missing_from_class_folder_is_caught_by_manifest(tmp_path, shared):
    folder = _mini_cifar_tree(tmp_path, "airplane", n=5, manifest=True)
    (folder / "00030.png").unlink()  # would silently shift every later rank
    with pytest.raises(DataError) as e:
        read_cifar10_train(tmp_path, classes=[0], per_class=3)
    assert str(folder / "00030.png") in str(e.value) and "missing" in str(e.value)


def test_too_few_images_and_bad_arguments(tmp_path, shared):
    folder = _mini_cifar_tree(tmp_path, "airplane", n=3, manifest=False)
    with pytest.raises(DataError, match=str(folder)):
        read_cifar10_train(tmp_path, classes=[0], per_class=4)
    with pytest.raises(ValueError):
        read_cifar10_train(tmp_path, classes=[0, 0], per_class=1)
    with pytest.raises(ValueError):
        read_cifar10_train(tmp_path, classes=[10], per_class=1)


def test_no_cifar_layout_names_the_root(tmp_path):
    with pytest.raises(DataError) as e:
        read_cifar10_train(tmp_path, classes=[0], per_class=1)
    assert str(tmp_path) in str(e.value) and "data.local" in str(e.value)


def test_python_batches_layout_matches_imagefolder(tmp_path, shared):
    """A fake cifar-10-batches-py built from real images reads back identically."""
    images, labels, _ = read_cifar10_train(shared, classes=[0, 1, 6], per_class=4)
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), -1)  # official row layout
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    chunks = np.array_split(np.arange(len(images)), 5)
    for k, ch in enumerate(chunks, start=1):
        with open(folder / f"data_batch_{k}", "wb") as f:
            pickle.dump({"data": rows[ch], "labels": labels[ch].tolist()}, f)
    im2, lab2, idx2 = read_cifar10_train(tmp_path, classes=[0, 6], per_class=3, verify=False)
    keep = np.isin(labels, [0, 6])
    ranks = np.zeros(len(labels), int)
    for c in (0, 6):
        ranks[labels == c] = np.arange((labels == c).sum())
    sel = keep & (ranks < 3)
    assert np.array_equal(im2, images[sel]) and np.array_equal(lab2, labels[sel])
    assert idx2.tolist() == np.flatnonzero(sel).tolist()
    with pytest.raises(DataError) as e:  # the md5s are not the official ones
        read_cifar10_train(tmp_path, classes=[0], per_class=1)
    assert str(folder / "data_batch_1") in str(e.value) and "checksum" in str(e.value)


# ---------------------------------------------------------------------------- Fashion-MNIST
def test_fashion_mnist_shared_copy_verifies(shared):
    images, labels = read_fashion_mnist(shared, train=True)  # sha256 checked
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.tolist()[:10] == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert np.bincount(labels).tolist() == [6000] * 10
    assert abs(images.mean() / 255 - 0.2860) < 1e-4
    timg, tlab = read_fashion_mnist(shared, train=False)
    assert timg.shape == (10000, 28, 28)
    assert tlab.tolist()[:10] == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]


def test_readers_return_info_only_when_asked(shared):
    out = read_fashion_mnist(shared, train=False, verify=False, return_info=True)
    assert len(out) == 3 and len(read_fashion_mnist(shared, train=False, verify=False)) == 2
    info = out[2]
    assert info["split"] == "test" and info["verified"] == "not verified"
    assert info["files"] == [str((FM_RAW / f).resolve())
                             for f in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]
    assert len(read_cifar10_train(shared, classes=[0], per_class=2)) == 3
    *_, info = read_cifar10_train(shared, classes=[0], per_class=2, return_info=True)
    assert info["layout"] == "imagefolder" and info["manifest"]["is_published"]
    assert info["selection"]["classes"] == [0] and info["selection"]["per_class"] == 2


def test_fashion_mnist_truncated_file_is_named(tmp_path, shared):
    name = "train-labels-idx1-ubyte"
    path = _fm_copy(tmp_path, name, (FM_RAW / name).read_bytes()[:1000])
    with pytest.raises(DataError) as e:
        read_fashion_mnist(tmp_path, train=True)
    msg = str(e.value)
    assert str(path) in msg and "truncated" in msg and "expected 60008 bytes, found 1000" in msg
    assert "data.local" in msg


def test_fashion_mnist_modified_copy_fails_sha256(tmp_path, shared):
    name = "train-labels-idx1-ubyte"
    data = bytearray((FM_RAW / name).read_bytes())
    data[8] = 8 if data[8] != 8 else 7  # a different, still valid label
    path = _fm_copy(tmp_path, name, bytes(data))
    with pytest.raises(DataError) as e:
        read_fashion_mnist(tmp_path, train=True)
    assert str(path) in str(e.value) and "checksum" in str(e.value)
    # Structurally the file is fine: without verification it reads.
    _, labels = read_fashion_mnist(tmp_path, train=True, verify=False)
    assert labels[0] == data[8]


def test_fashion_mnist_label_out_of_range_and_gzip(tmp_path, shared):
    name = "t10k-labels-idx1-ubyte"
    data = bytearray((FM_RAW / name).read_bytes())
    data[20] = 12
    path = _fm_copy(tmp_path / "a", name, bytes(data))
    with pytest.raises(DataError) as e:
        read_fashion_mnist(tmp_path / "a", train=False, verify=False)
    assert str(path) in str(e.value) and "0..9" in str(e.value)
    path = _fm_copy(tmp_path / "b", name, gzip.compress(bytes(data)))
    with pytest.raises(DataError, match="gzip"):
        read_fashion_mnist(tmp_path / "b", train=False)


def test_fashion_mnist_missing_folder(tmp_path):
    with pytest.raises(DataError) as e:
        read_fashion_mnist(tmp_path)
    msg = str(e.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in msg
    assert "data.local" in msg and "data.download" in msg


# ---------------------------------------------------------------------------- fetch
def test_fetch_local_copy(shared):
    assert fetch("cifar2", local=shared) == shared.resolve()
    assert fetch("fashion_mnist", root="unused", download=True, local=shared) == shared.resolve()
    assert check_layout("cifar10", shared) == shared


def test_fetch_local_errors(tmp_path):
    with pytest.raises(DataError, match=str(tmp_path / "nope")):
        fetch("cifar10", local=tmp_path / "nope")
    with pytest.raises(DataError, match="FashionMNIST"):
        fetch("fashion_mnist", local=tmp_path)  # folder exists, layout does not
    with pytest.raises(ValueError, match="unknown dataset"):
        canonical_dataset("mnist")


def test_fetch_without_source_says_how_to_configure(tmp_path):
    with pytest.raises(DataError) as e:
        fetch("cifar10", root=tmp_path)
    assert "data.local" in str(e.value) and "data.download" in str(e.value)


@pytest.mark.parametrize("exc", [
    urllib.error.URLError("[Errno -3] Temporary failure in name resolution"),
    OSError(101, "Network is unreachable"),
    RuntimeError("Error downloading train-images-idx3-ubyte.gz:\nTried https://x, got:\n"
                 "<urlopen error [Errno -3] Temporary failure in name resolution>\n"),
])
def test_fetch_download_without_network_is_clear(tmp_path, monkeypatch, exc):
    import torchvision.datasets as tvd

    def offline(*args, **kwargs):
        raise exc

    monkeypatch.setattr(tvd, "CIFAR10", offline)
    monkeypatch.setattr(tvd, "FashionMNIST", offline)
    for name in ("cifar10", "fashion_mnist"):
        with pytest.raises(DataError) as e:
            fetch(name, root=tmp_path / "dl", download=True)
        msg = str(e.value)
        assert "network is unreachable" in msg and "data_local=" in msg, msg


@pytest.mark.parametrize("exc", [RuntimeError("File not found or corrupted."),
                                 OSError(errno.ENOSPC, "No space left on device")])
def test_fetch_download_other_failures_are_not_called_network(tmp_path, monkeypatch, exc):
    import torchvision.datasets as tvd

    def corrupted(*args, **kwargs):
        raise exc

    monkeypatch.setattr(tvd, "CIFAR10", corrupted)
    with pytest.raises(DataError) as e:
        fetch("cifar10", root=tmp_path, download=True)
    assert "unreachable" not in str(e.value) and str(tmp_path) in str(e.value)


def test_fetch_download_success_returns_root(tmp_path, monkeypatch, shared):
    import torchvision.datasets as tvd

    calls = []

    def fake_fmnist(root, train=True, download=False):  # what torchvision would leave behind
        calls.append((root, train, download))
        raw = Path(root) / "FashionMNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for f in FM_RAW.iterdir():
            (raw / f.name).symlink_to(f)

    monkeypatch.setattr(tvd, "FashionMNIST", fake_fmnist)
    root = tmp_path / "downloads"
    assert fetch("fashion_mnist", root=root, download=True) == root.resolve()
    assert calls == [(str(root), True, True)]
