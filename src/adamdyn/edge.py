"""The divergence edge of Adam's (a, b) map (the divergence-edge study): per row b, the smallest a/b at which a run
diverges, found by bisection, and the theory it is held against.

Theory (eq. (3), alpha = 1 - a eta, beta = 1 - b eta). With v_t >= (1 - alpha) alpha^(t-s) g_s^2 for
every s <= t, the first moment m_t = (1 - beta) sum_s beta^(t-s) g_s obeys, coordinate-wise,

    |m_hat_t| / sqrt(v_hat_t) <= (1 - beta) / (1 - beta^t) * sqrt((1 - alpha^t) / (1 - alpha))
                                 * sum_{k < t} (beta / sqrt(alpha))^k                    (B_t)

(:func:`update_bound_at`). When beta < sqrt(alpha), i.e. a < 2b - b^2 eta (Zhang et al., arXiv
2208.09632), B_t stays below B = (1 - beta) / (sqrt(1 - alpha) (1 - beta / sqrt(alpha))), about
b / (sqrt(a eta) (b - a/2)) (:func:`update_bound`): the update is bounded whatever the gradients.
Beyond that edge B_t grows geometrically in t. The ODE analysis (Barakat & Bianchi, arXiv 1810.02263)
asks a <= 4b; the published Fig 8 puts the onset at a/b = 2.4-4.1, between the two.

The bisection (:func:`bisect_edges`): every chain (a row b, a seed, a step size eta) starts from the
bracket [low, high] of a/b and tests its geometric midpoint; a run that the loss-curve classifier
labels ``divergence`` (the label of Fig 8's map) moves ``high`` down to it, any other label moves
``low`` up. All chains of a step (every row, seed and eta) are trained by one function call, so that
a caller trains them together; the tested points of a chain are labelled monotonically by
construction, so its edge is the bracket (largest a/b that did not diverge, smallest that did).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np


def update_bound(a: float, b: float, eta: float) -> float:
    """B = (1 - beta) / (sqrt(1 - alpha) (1 - beta / sqrt(alpha))), the bound on |m_hat| / sqrt(v_hat)
    as t grows, for beta < sqrt(alpha) (a < 2b - b^2 eta); inf beyond. About b / (sqrt(a eta) (b - a/2))."""
    alpha, beta = 1 - a * eta, 1 - b * eta
    if alpha <= 0 or beta >= math.sqrt(alpha):
        return math.inf
    return (1 - beta) / (math.sqrt(1 - alpha) * (1 - beta / math.sqrt(alpha)))


def update_bound_at(a: float, b: float, eta: float, t: np.ndarray) -> np.ndarray:
    """B_t of the module docstring at steps t = 1, 2, ... (finite for every t, any alpha, beta)."""
    alpha, beta = 1 - a * eta, 1 - b * eta
    t = np.asarray(t, dtype=float)
    r = beta / math.sqrt(alpha)
    geometric = t if math.isclose(r, 1.0) else (1 - r ** t) / (1 - r)
    return (1 - beta) / (1 - beta ** t) * np.sqrt((1 - alpha ** t) / (1 - alpha)) * geometric


@dataclass
class Chain:
    """One bisection: row ``b``, ``seed``, step size ``eta``; ``tested`` holds (a/b, diverged)."""

    b: float
    seed: int
    eta: float
    low: float
    high: float
    tested: list[tuple[float, bool]] = field(default_factory=list)

    def bracket(self) -> tuple[float, float]:
        """(largest a/b tested that did not diverge, smallest that did), the search's ends if none."""
        lo = max((r for r, d in self.tested if not d), default=self.low)
        hi = min((r for r, d in self.tested if d), default=self.high)
        return lo, hi

    def next_ratio(self) -> float:
        lo, hi = self.bracket()
        return math.sqrt(lo * hi)


def bisect_edges(chains: list[Chain], steps: int,
                 train: Callable[[int, list[tuple[Chain, float]]], list[bool]]) -> list[Chain]:
    """Run ``steps`` bisection steps on every chain: at step s, ``train(s, [(chain, a/b), ...])``
    trains each chain's midpoint (all of them together) and returns whether each diverged."""
    for step in range(steps):
        points = [(c, c.next_ratio()) for c in chains]
        for (c, ratio), diverged in zip(points, train(step, points), strict=True):
            c.tested.append((ratio, bool(diverged)))
    return chains
