"""Which run is a reading's curve: a run a figure reads (:class:`RunRef`), matched to a reading's
curve, and how its settings differ from the paper's (what makes a reading not comparable)."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..figures.common import per_epoch
from ..settings import data_kind
from ..io import read_history, read_json


# --- which run is a reading's curve ---

class RunRef:
    """A run a figure reads: its run.json now, its history (cut to what the figure reads) when asked."""

    def __init__(self, folder: Path, iterations: int):
        self.folder, self.iterations = Path(folder), int(iterations)
        self.info = read_json(self.folder / "run.json")
        self._history = None

    @property
    def history(self) -> pd.DataFrame:
        if self._history is None:
            self._history = read_history(self.folder, self.iterations)
        return self._history

    @property
    def per_epoch(self) -> int:
        return per_epoch(self)

    def matches(self, curve: dict) -> bool:
        opt, spec = self.info["spec"]["optimiser"], self.info["spec"]
        problem = spec["problem"]
        for key, want in curve.items():
            if key == "optimiser":
                ok = opt["name"] == want
            elif key == "data":
                ok = data_kind(problem) == want
            elif key == "seed":
                ok = spec["seed"] == want
            else:
                have = opt.get(key)
                ok = have is not None and math.isclose(have, float(want), rel_tol=1e-6)
            if not ok:
                return False
        return True

    def facts(self, cells: int) -> dict:
        """The settings a reading's paper settings are checked against."""
        spec, meta = self.info["spec"], self.info["problem_metadata"]
        return {"iterations": self.iterations, "time": self.iterations * spec["optimiser"]["eta"],
                "epochs": self.iterations // self.per_epoch, "widths": spec["problem"].get("widths"),
                "width": spec["problem"].get("width"), "batch_size": spec["batch_size"],
                "n_train": meta.get("n_train", meta.get("n_interior")), "cells": cells}


def differences(paper: dict, facts: dict) -> list[str]:
    """Each setting in which a run differs from the paper's, in words ("width 128 vs the paper's 500")."""
    out = []
    for key, want in paper.items():
        have = facts.get(key)
        same = (have == want) if not isinstance(want, float) else (
            have is not None and math.isclose(have, want, rel_tol=1e-6))
        if not same:
            out.append(f"{key} {have} vs the paper's {want}")
    return out


def curve_text(curve: dict | None) -> str:
    return " ".join(f"{k}={v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool) else f"{k}={v}"
                    for k, v in (curve or {}).items())
