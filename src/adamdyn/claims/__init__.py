"""The paper's claims, checked against what the runs measured.

Each figure's ``claims`` (:mod:`adamdyn.figures`) reads the figure's statistics table and returns :class:`Claim` objects;
``claims/<id>.json`` holds them as a list of ``{id, statement, measured, threshold, passed, verdict, why,
caveat}``.

A claim has one of three verdicts:

- **holds**: the measured values satisfy the claim's test;
- **does not hold**: they violate it; reported with its numbers, never hidden;
- **inconclusive**: the runs cannot decide it, and ``why`` says what is missing (an overflow of float32,
  too few seeds for a count, a run shorter than the time the claim is about, a difference below the
  measurement's resolution). ``passed`` is then ``None``.

Identities of the arithmetic and sanity checks of the code are tested in ``tests/``, not counted here.

A claim whose runs use a setting that was chosen after seeing results (a scale entry's
``chosen_on_results``: why, and which cells it saw) carries that as its ``caveat``, printed with its
verdict (:func:`with_caveat`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

HOLDS, FAILS, INCONCLUSIVE = "holds", "does not hold", "inconclusive"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE)


@dataclass
class Claim:
    id: str
    statement: str
    measured: Any
    threshold: Any
    passed: bool | None  # None: inconclusive, with ``why`` saying what the runs cannot decide
    why: str = ""
    caveat: str = ""  # a setting of the runs was chosen after seeing results: which, and what it saw

    def __post_init__(self) -> None:
        if self.passed is None:
            if not self.why:
                raise ValueError(f"claim {self.id}: an inconclusive verdict needs its reason (why)")
        else:
            self.passed = bool(self.passed)

    @property
    def verdict(self) -> str:
        return INCONCLUSIVE if self.passed is None else HOLDS if self.passed else FAILS

    def to_dict(self) -> dict:
        d = asdict(self)
        d["verdict"] = self.verdict
        return d


def verdict_of(claim: dict) -> str:
    """The verdict of a claim read back from ``claims/<id>.json``."""
    passed = claim.get("passed")
    return INCONCLUSIVE if passed is None else HOLDS if passed else FAILS


def tally(claims: list[dict]) -> dict[str, int]:
    """How many claims hold, do not hold and are inconclusive."""
    out = {v: 0 for v in VERDICTS}
    for c in claims:
        out[verdict_of(c)] += 1
    return out


def tally_text(claims: list[dict]) -> str:
    """``"31 hold, 20 do not hold, 4 inconclusive (of 55)"``."""
    t = tally(claims)
    return f"{t[HOLDS]} hold, {t[FAILS]} do not hold, {t[INCONCLUSIVE]} inconclusive (of {len(claims)})"


def with_caveat(claims: list[Claim], chosen_on_results: dict | None, seen: str = "") -> list[Claim]:
    """The claims with the scale's ``chosen_on_results.why`` (and ``seen``: what the choice saw, and how
    the claim's data fare apart from it) as their caveat; unchanged without one."""
    if not chosen_on_results:
        return claims
    text = str(chosen_on_results["why"]).strip() + (f" {seen}" if seen else "")
    for c in claims:
        c.caveat = text
    return claims


def count_verdict(claimed_way: bool, p: float, seeds: int, min_seeds: int, max_p: float, each: str) -> dict:
    """``passed``/``why`` of a claim on counts of chaotic events (spikes), over ``seeds`` seeds that ran
    every ``each``: too few seeds is inconclusive; counts not the claimed way (``claimed_way`` False)
    do not hold; the claimed way but as likely as ``p`` > ``max_p`` by chance is inconclusive."""
    if seeds < min_seeds:
        return {"passed": None, "why": f"too few seeds: {seeds} ran every {each}, the claim needs {min_seeds} "
                                       "(spike counts are chaotic)"}
    if not claimed_way:
        return {"passed": False}
    if p > max_p:
        return {"passed": None, "why": f"the claimed way, but p = {p:.2g} by chance (> {max_p:g})"}
    return {"passed": True}


def trend_verdict(trend: dict, seeds: int, min_seeds: int, max_p: float, each: str) -> dict:
    """:func:`count_verdict` of counts that should fall along an order (:func:`evidence.ordered_trend`:
    the claimed way is S > 0)."""
    return count_verdict(trend["S"] > 0, trend["p"], seeds, min_seeds, max_p, each)
