"""Prepared data sets: determinism, definitions, normalisation, and checksummed atomic files."""
from __future__ import annotations

import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from adamdyn.data import (
    PREPARERS,
    DataError,
    load_prepared,
    poisson_cube,
    poisson_disk,
    prepare_cifar2,
    prepare_cifar10,
    prepare_fashion_mnist,
    read_cifar10_train,
    save_prepared,
    sine_regression,
    tensor_checksum,
)
from conftest import SHARED_DATA

SHARED = SHARED_DATA


@pytest.fixture
def shared() -> Path:
    if not ((SHARED / "FashionMNIST" / "raw").is_dir() and (SHARED / "cifar10" / "train").is_dir()):
        pytest.skip(f"offline data copy not found at {SHARED} (see shared/data/README.md)")
    return SHARED


# ---------------------------------------------------------------------------- checksums, files
def test_tensor_checksum_is_stable_and_sensitive():
    a = {"x": torch.arange(6, dtype=torch.float32).reshape(2, 3), "y": torch.tensor([1, 2])}
    ref = tensor_checksum(a)
    assert tensor_checksum({"y": a["y"].clone(), "x": a["x"].clone()}) == ref  # key order
    assert tensor_checksum({"x": a["x"].t().contiguous().t(), "y": a["y"]}) == ref  # layout
    variants = [
        {"x": a["x"].double(), "y": a["y"]},  # dtype
        {"x": a["x"].reshape(3, 2), "y": a["y"]},  # shape
        {"x2": a["x"], "y": a["y"]},  # name
        {"x": a["x"] + 1e-6, "y": a["y"]},  # value
    ]
    assert len({tensor_checksum(v) for v in variants} | {ref}) == len(variants) + 1


def test_save_load_roundtrip_and_atomicity(tmp_path):
    tensors, meta = sine_regression(seed=1, n_train=50, n_test=20)
    path = tmp_path / "sub" / "sine.pt"
    sha = save_prepared(path, tensors, meta)
    assert sha == meta["sha256"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["sine.pt"]  # no temp left over
    t2, m2 = load_prepared(path)
    assert m2 == meta and tensor_checksum(t2) == sha
    assert all(torch.equal(t2[k], tensors[k]) for k in tensors)
    raw = torch.load(path, weights_only=True)  # plain torch.load works: tensors + "meta"
    assert set(raw) == set(tensors) | {"meta"}


def test_failed_save_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    tensors, meta = sine_regression(seed=1, n_train=5, n_test=5)
    path = tmp_path / "sine.pt"
    save_prepared(path, tensors, meta)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(OSError):
        save_prepared(path, {"x_train": torch.zeros(3)}, meta)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["sine.pt"]


def test_load_detects_damage(tmp_path):
    tensors, meta = sine_regression(seed=2, n_train=10, n_test=10)
    path = tmp_path / "sine.pt"
    save_prepared(path, tensors, meta)
    obj = torch.load(path, weights_only=True)
    obj["y_train"][0] += 1.0
    torch.save(obj, path)
    with pytest.raises(DataError) as e:
        load_prepared(path)
    assert str(path) in str(e.value) and "checksum" in str(e.value)
    path.write_bytes(b"garbage")
    with pytest.raises(DataError, match=str(path)):
        load_prepared(path)
    with pytest.raises(DataError, match="does not exist"):
        load_prepared(tmp_path / "absent.pt")


def _leave_marker(path):
    Path(path).write_text("this ran while loading")
    return 0


class _RunsCodeWhenUnpickled:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return _leave_marker, (self.marker,)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("fmt", ["zip", "legacy", "pickle"])
def test_load_refuses_pickled_objects(tmp_path, fmt):
    tensors, meta = sine_regression(seed=3, n_train=5, n_test=5)
    path = tmp_path / "sine.pt"
    save_prepared(path, tensors, meta)
    obj = torch.load(path, weights_only=True)
    marker = tmp_path / "marker"
    obj["meta"]["note"] = _RunsCodeWhenUnpickled(marker)  # checksum still matches the tensors
    if fmt == "pickle":  # protocol 5: torch's safe unpickler stops before reaching the object
        path.write_bytes(pickle.dumps(obj, protocol=5))
    else:
        torch.save(obj, path, _use_new_zipfile_serialization=fmt == "zip")
    with pytest.raises(DataError) as e:
        load_prepared(path)
    msg = str(e.value)
    assert str(path) in msg, msg
    if fmt != "pickle":
        assert "refused" in msg and "_leave_marker" in msg and "run arbitrary code" in msg, msg
    assert not marker.exists()  # nothing in the file was run


# ---------------------------------------------------------------------------- CIFAR
def _check_standardised(x: torch.Tensor, channels: int, tol: float = 1e-4):
    per_channel = x.double().reshape(len(x), channels, -1).transpose(0, 1).reshape(channels, -1)
    assert per_channel.mean(dim=1).abs().max() < tol
    assert (per_channel.std(dim=1, unbiased=False) - 1).abs().max() < tol


def test_cifar2_small_definition(shared):
    p = prepare_cifar2(shared, per_class=6, test_per_class=4)
    t, meta = p
    assert t["x_train"].shape == (12, 3072) and t["x_train"].dtype == torch.float32
    assert t["y_train"].shape == (12, 2) and t["x_test"].shape == (8, 3072)
    tr, te = np.array(meta["source"]["train_indices"]), np.array(meta["source"]["test_indices"])
    assert np.all(np.diff(tr) > 0) and np.all(np.diff(te) > 0)
    # training set = first 6 of each class, held-out = the next 4, from the raw reader
    for c in (0, 1):
        _, _, first = read_cifar10_train(shared, classes=[c], per_class=6)
        _, _, nxt = read_cifar10_train(shared, classes=[c], per_class=4, offset=6)
        assert set(first) <= set(tr) and set(nxt) <= set(te)
    # one-hot: airplane = column 0 (index 29 is the first airplane, 4 the first automobile)
    assert tr[0] == 4 and t["y_train"][0].tolist() == [0.0, 1.0]
    assert t["y_train"][tr.tolist().index(29)].tolist() == [1.0, 0.0]
    assert t["y_train"].sum(dim=0).tolist() == [6.0, 6.0]
    # both sets standardised with the *training* statistics, channel-first flatten
    img, _, idx = read_cifar10_train(shared, classes=[0, 1], per_class=10)
    mean = torch.tensor(meta["preprocessing"]["mean"], dtype=torch.float64)
    std = torch.tensor(meta["preprocessing"]["std"], dtype=torch.float64)
    chw = torch.from_numpy(img).permute(0, 3, 1, 2).double() / 255
    expect = ((chw - mean[:, None, None]) / std[:, None, None]).reshape(len(idx), -1).float()
    pos = {int(i): k for k, i in enumerate(idx)}
    assert torch.allclose(t["x_train"], expect[[pos[i] for i in tr]], atol=1e-6)
    assert torch.allclose(t["x_test"], expect[[pos[i] for i in te]], atol=1e-6)
    _check_standardised(t["x_train"], 3)
    json.dumps(meta)  # meta is plain data


def test_cifar2_paper_scale_statistics_and_determinism(shared):
    a = prepare_cifar2(shared)  # 1000 + 1000 per class: ~1-2 s
    t, meta = a
    assert t["x_train"].shape == (2000, 3072) and t["x_test"].shape == (2000, 3072)
    assert t["y_train"].sum(dim=0).tolist() == [1000.0, 1000.0]
    assert t["y_test"].sum(dim=0).tolist() == [1000.0, 1000.0]
    assert not set(meta["source"]["train_indices"]) & set(meta["source"]["test_indices"])
    _check_standardised(t["x_train"], 3, tol=1e-4)
    b = prepare_cifar2(shared)
    assert b.meta["sha256"] == meta["sha256"] == tensor_checksum(b.tensors)


def test_cifar10_small(shared):
    t, meta = prepare_cifar10(shared, per_class=3)
    assert t["x_train"].shape == (30, 3, 32, 32) and t["y_train"].shape == (30, 10)
    assert t["y_train"].sum(dim=0).tolist() == [3.0] * 10
    _, labels, idx = read_cifar10_train(shared, per_class=3)
    assert meta["source"]["train_indices"] == idx.tolist()
    assert t["y_train"].argmax(dim=1).tolist() == labels.tolist()
    _check_standardised(t["x_train"], 3)
    assert "x_test" not in t


# ---------------------------------------------------------------------------- Fashion-MNIST
def test_fashion_mnist_prepared(shared):
    a = prepare_fashion_mnist(shared, per_class=1000)
    t, meta = a
    assert t["x_train"].shape == (10000, 784) and t["y_train"].shape == (10000, 10)
    assert t["y_train"].sum(dim=0).tolist() == [1000.0] * 10
    idx = meta["source"]["train_indices"]
    assert idx[:10] == list(range(10)) and idx == sorted(idx)
    assert t["y_train"][:10].argmax(dim=1).tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    _check_standardised(t["x_train"], 1)
    b = prepare_fashion_mnist(shared, per_class=1000)
    assert b.meta["sha256"] == meta["sha256"]
    json.dumps(meta)


def test_unit_pixels_are_the_standardised_sets_pixels_over_255_unstandardised(shared):
    """pixels='unit' (issue 26's candidate): the same images in [0, 1], the statistics recorded but not
    applied; the default's provenance is unchanged (no ``pixels`` key)."""
    for prepare, kwargs, channels in ((prepare_cifar2, {"per_class": 6, "test_per_class": 4}, 3),
                                      (prepare_cifar10, {"per_class": 3}, 3),
                                      (prepare_fashion_mnist, {"per_class": 5}, 1)):
        std_t, std_meta = prepare(shared, **kwargs)
        unit_t, unit_meta = prepare(shared, **kwargs, pixels="unit")
        assert "pixels" not in std_meta["preprocessing"] and unit_meta["preprocessing"]["pixels"] == "unit"
        assert unit_meta["source"]["train_indices"] == std_meta["source"]["train_indices"]
        mean = torch.tensor(std_meta["preprocessing"]["mean"], dtype=torch.float64)
        sd = torch.tensor(std_meta["preprocessing"]["std"], dtype=torch.float64)
        for key in [k for k in std_t if k.startswith("x_")]:
            u = unit_t[key].double()
            assert u.min() >= 0 and u.max() <= 1 and u.max() > 0.9
            per_channel = u.reshape(len(u), channels, -1)
            back = (std_t[key].double().reshape(len(u), channels, -1) * sd[:, None] + mean[:, None])
            assert torch.allclose(per_channel, back, atol=1e-5), (prepare.__name__, key)
        assert torch.equal(unit_t["y_train"], std_t["y_train"])
        assert "NOT applied" in unit_meta["preprocessing"]["description"]
    with pytest.raises(ValueError, match="pixels 'raw'"):
        prepare_cifar10(shared, per_class=1, pixels="raw")


# ---------------------------------------------------------------------------- synthetic
def test_sine_regression():
    t, meta = sine_regression(seed=0)
    assert t["x_train"].shape == (2000, 5) and t["y_train"].shape == (2000, 1)
    assert t["x_test"].shape == (10000, 5) and t["y_test"].shape == (10000, 1)
    for x, y in ((t["x_train"], t["y_train"]), (t["x_test"], t["y_test"])):
        assert x.dtype == torch.float32 and 0 <= x.min() and x.max() < 1
        assert torch.allclose(y, torch.sin(2 * math.pi * x.double()).sum(1, keepdim=True).float(),
                              atol=1e-6)
    assert sine_regression(seed=0).meta["sha256"] == meta["sha256"]
    assert sine_regression(seed=1).meta["sha256"] != meta["sha256"]


def test_poisson_cube():
    t, meta = poisson_cube(seed=3)
    xi, xb, xt = t["x_interior"], t["x_boundary"], t["x_test"]
    assert xi.shape == (2000, 4) and xb.shape == (2000, 4) and xt.shape == (10000, 4)
    assert torch.all(t["f_interior"] == 0) and t["f_interior"].shape == (2000, 1)
    assert 0 <= xi.min() and xi.max() < 1 and 0 <= xt.min() and xt.max() < 1
    on_face = (xb == 0) | (xb == 1)
    assert torch.all(on_face.any(dim=1)) and 0 <= xb.min() and xb.max() <= 1
    # faces picked uniformly: each of the 8 faces gets about 250 points
    face = torch.where(xb == 0, 0, 4)[on_face.nonzero(as_tuple=True)] + on_face.nonzero()[:, 1]
    counts = torch.bincount(face, minlength=8)
    assert counts.sum() == 2000 and counts.min() > 180 and counts.max() < 320
    u = lambda x: (x[:, 0:1].double() * x[:, 1:2] + x[:, 2:3].double() * x[:, 3:4]).float()
    assert torch.allclose(t["g_boundary"], u(xb), atol=1e-6)
    assert torch.allclose(t["u_test"], u(xt), atol=1e-6)
    assert poisson_cube(seed=3).meta["sha256"] == meta["sha256"]
    assert poisson_cube(seed=4).meta["sha256"] != meta["sha256"]


def test_poisson_disk():
    t, meta = poisson_disk(seed=5)
    xi, xb, xt = t["x_interior"], t["x_boundary"], t["x_test"]
    assert xi.shape == (2000, 2) and xb.shape == (2000, 2) and xt.shape == (10000, 2)
    assert torch.all(t["f_interior"] == 1) and torch.all(t["g_boundary"] == 0)
    assert (xb.double().norm(dim=1) - 1).abs().max() < 1e-6
    r2 = (xt.double() ** 2).sum(dim=1)
    assert xi.double().norm(dim=1).max() <= 1 + 1e-6 and r2.max() <= 1 + 1e-6
    assert torch.allclose(t["u_test"].double().squeeze(1), (1 - r2) / 4, atol=1e-7)
    assert abs((r2 < 0.25).double().mean().item() - 0.25) < 0.03  # uniform in area
    angle = torch.atan2(xb[:, 1], xb[:, 0])
    assert abs((angle > 0).double().mean().item() - 0.5) < 0.05
    assert poisson_disk(seed=5).meta["sha256"] == meta["sha256"]
    assert poisson_disk(seed=6).meta["sha256"] != meta["sha256"]


def test_preparers_registry():
    assert set(PREPARERS) == {"cifar2", "cifar10", "fashion_mnist", "sine", "poisson_cube",
                              "poisson_disk"}
