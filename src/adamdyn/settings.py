"""Facts about settings that the plan, the training and the post-processing share, without torch
(the statistics, claims, comparison and drawing jobs import this, not the optimisers or problems):
Adam's eps by PyTorch's default, the ways a decayed eta carries Adam's factors, how two settings
compare, and which data a problem fits."""
from __future__ import annotations

import math

EPS = 1e-8  # PyTorch's default eps for Adam and RMSprop, which the paper's runs use
FOLLOW = ("factor", "rate", "square")  # how (alpha, beta) follow a decayed eta_k (adamdyn.schedule)
# the data sets a problem may fit, by their preparer (adamdyn.data.PREPARERS; a test keeps them equal)
DATA_KINDS = ("cifar2", "cifar10", "fashion_mnist", "sine", "poisson_cube", "poisson_disk")


def settings_close(x, y) -> bool:
    """Equal settings (nested dicts and lists), floats compared to 1e-9 relative."""
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(settings_close(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(settings_close(a, b) for a, b in zip(x, y))
    if isinstance(x, float) or isinstance(y, float):
        return x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return x == y


def data_name(problem: dict) -> str | None:
    """The prepared data set a problem trains on (None for the synthetic objectives)."""
    return problem.get("data")


def data_kind(problem: dict) -> str:
    """What a problem fits: its data set's preparer (``poisson_cube`` for the derived set
    ``poisson_cube_8000``: a derived set is named ``<source>_<suffix>``), else the problem's name."""
    name = problem.get("data")
    if name is None:
        return problem["name"]
    kinds = [k for k in DATA_KINDS if name == k or name.startswith(f"{k}_")]
    return max(kinds, key=len) if kinds else name
