"""The paper's claims, checked against what the runs measured.

Each figure's ``claims`` (:mod:`adamdyn.figures`) reads the figure's statistics table and returns :class:`Claim` objects;
``claims/figNN.json`` holds them as a list of ``{id, statement, measured, threshold, passed}``.
A claim that does not hold in our runs is reported as not holding, with its numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Claim:
    id: str
    statement: str
    measured: Any
    threshold: Any
    passed: bool

    def to_dict(self) -> dict:
        d = asdict(self)
        d["passed"] = bool(d["passed"])
        return d
