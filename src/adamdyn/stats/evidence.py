"""Small exact tests that decide whether a claim's evidence beats chance.

A claim about counts (spikes per arm, per eps) or about an alarm that "precedes each spike" can hold
by luck: with one seed a chaotic count falls in any order one time in a few, and an alarm that is on
most of the time precedes every spike. These tests give the probability of the observed pattern
under chance, computed exactly (no sampling, so a verdict is reproducible):

- :func:`ordered_trend`: counts of several seeds in a claimed order, against every reordering
  within each seed (a stratified permutation test of Kendall's S);
- :func:`binomial_tail`: hits of an alarm at the spikes, against its rate at other times;
- :func:`hypergeometric_tail`: cells of a label on its side of the map, against the side's share.
"""
from __future__ import annotations

import itertools
import math
from typing import Sequence


def kendall_s(values: Sequence[float]) -> int:
    """Kendall's S of ``values`` against their claimed order (position 0 expected largest): the
    pairs in the claimed order minus the pairs against it; ties count zero. S > 0: a falling trend."""
    s = 0
    for i, j in itertools.combinations(range(len(values)), 2):
        s += int(values[i] > values[j]) - int(values[i] < values[j])
    return s


def ordered_trend(by_seed: Sequence[Sequence[float]]) -> dict:
    """A stratified exact permutation test that values fall along the claimed order.

    ``by_seed``: per seed, the values in the claimed order (first expected largest). The statistic is
    the sum over seeds of :func:`kendall_s`; its null distribution permutes each seed's values
    independently (every reordering equally likely). Returns ``{"S", "S_max", "p"}`` with ``p`` the
    one-sided probability of an S at least as large; with one seed of three values ``p`` >= 1/6.
    """
    seeds = [list(v) for v in by_seed if len(v) >= 2]
    if not seeds:
        return {"S": 0, "S_max": 0, "p": 1.0}
    observed = sum(kendall_s(v) for v in seeds)
    s_max = sum(math.comb(len(v), 2) for v in seeds)
    dists = []
    for v in seeds:  # the distribution of one seed's S over its permutations
        counts: dict[int, int] = {}
        for perm in itertools.permutations(v):
            k = kendall_s(perm)
            counts[k] = counts.get(k, 0) + 1
        total = sum(counts.values())
        dists.append({k: n / total for k, n in counts.items()})
    dist = {0: 1.0}
    for d in dists:  # the sum's distribution: convolve the seeds' distributions
        new: dict[int, float] = {}
        for s1, p1 in dist.items():
            for s2, p2 in d.items():
                new[s1 + s2] = new.get(s1 + s2, 0.0) + p1 * p2
        dist = new
    p = sum(pr for s, pr in dist.items() if s >= observed)
    return {"S": observed, "S_max": s_max, "p": min(1.0, p)}


def binomial_tail(hits: int, n: int, rate: float) -> float:
    """P(X >= hits) for X ~ Binomial(n, rate): how often an alarm that is on at a fraction ``rate``
    of ordinary times would be on at ``hits`` or more of ``n`` spikes by chance."""
    rate = min(max(rate, 0.0), 1.0)
    return min(1.0, sum(math.comb(n, k) * rate ** k * (1 - rate) ** (n - k) for k in range(hits, n + 1)))


def hypergeometric_tail(on_side: int, labelled: int, side: int, total: int) -> float:
    """P(X >= on_side) for X the number of ``labelled`` cells, drawn at random among ``total``, that
    fall among the ``side`` cells of a region: how often a label would sit this much on its side of
    the map by chance."""
    denom = math.comb(total, labelled)
    return min(1.0, sum(math.comb(side, k) * math.comb(total - side, labelled - k)
                        for k in range(on_side, min(side, labelled) + 1)) / denom)
