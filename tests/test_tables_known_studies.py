"""Known-answer tests for the statistics tables of Fig 8 and the divergence-edge, lr-decay and Fig 8 reduction studies.

Every test writes synthetic run folders (``history.parquet`` and ``run.json``, with the keys the engine
writes) into ``tmp_path`` and reads them back through the figure's ``table(runs, ...)`` with the
classifier settings of config.yaml (``stats.tail_window``, ``stats.regime``, ``stats.sensitivity``) and
the figures' scale entries. The loss curves are built in l = log10(loss) from a few pieces whose
statistics are known by construction:

- a 2-periodic oscillation l = level -/+ 0.1 (even / odd iteration): no spike event, the floor is
  level - 0.1, the mean loss of a whole number of periods is 10^level * (10^0.1 + 10^-0.1) / 2;
- planted spikes: l raised by h decades for one iteration from the floor, so a spike of height h
  at a known iteration;
- divergence as the engine records it (the first non-finite loss ends the history, ``diverged_step``
  in run.json), or as the classifier sees it without a non-finite loss (a floor that rises, no
  progress from l_0, a dense large oscillation).

What is checked, against numbers derived from the construction (not read off the tables):

- Fig 8 ``table``: regime labels and their evidence, late spikes (count, height, peaks) against
  spikes in the window, labels under the moved thresholds, the late window's length and log10 mean
  loss, divergence flag and step, grid indices, on-grid flag; ``phase_boundaries`` and
  ``divergence_onsets`` on a 4 x 4 grid whose regions are planted.
- the divergence-edge study ``table``/``edges``/``row_medians``: bisection chains whose finite and diverging runs are
  planted, so every chain's bracket (largest finite a/b, smallest diverging a/b), midpoint and the
  medians over seeds are powers of 2; the update-bound columns of an anchor run at a = b.
- the lr-decay study ``table``: step and cosine decays whose elapsed time t = sum eta_k has a closed form,
  spikes planted before and after the decay (spikes per unit t), the gap between arms at equal t,
  and the reference run's gap to the eta_0 phase at equal t.
- the Fig 8 reduction study ``table``/``summary``: a transect whose cells change label between the two lengths read,
  held against the published map's region constraints; agreeing cells, divergence onset per row,
  lowest cell and the default's gap.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from adamdyn.figures import fig08
from adamdyn.studies import batch_size, divergence_edge, fig08_reduction, lr_decay, spike_mechanism
from adamdyn.config import load_config
from adamdyn.registry import variant_configs
from adamdyn.io import write_json, write_parquet

CONFIG = load_config(Path(__file__).resolve().parents[1])
WINDOW = CONFIG["stats"]["tail_window"]       # 1000
REGIME = CONFIG["stats"]["regime"]            # window 1000, burn_in 200, height 1, floor_window 200, ...
SENSITIVITY = CONFIG["stats"]["sensitivity"]  # height 0.5 / 2, floor_window 100 / 400
PAPER_GRID = {"points": 40, "low": 0.1, "high": 100.0}


def gv(j: int) -> float:
    """a_j = b_j = 10^(-1 + 3j/39), the paper's 40-point grid."""
    return 10 ** (-1 + 3 * j / 39)


def r3(x: float) -> float:
    """x to 3 significant digits (how the claims tables round)."""
    return float(f"{x:.3g}")


# --- loss curves, built in l = log10(loss) ---

WIGGLE = 0.1
OSC = math.log10((10 ** -WIGGLE + 10 ** WIGGLE) / 2)  # log10(mean loss) - level of whole periods of the oscillation


def oscillating(n: int, level: float, descent: int = 0) -> np.ndarray:
    """l_k = level - 0.1 at even k, level + 0.1 at odd k; with ``descent``, a straight line from
    l_0 = 0 down to ``level`` over the first ``descent`` iterations instead."""
    k = np.arange(n)
    l = np.where(k % 2 == 0, level - WIGGLE, level + WIGGLE)
    if descent:
        l[:descent] = level * k[:descent] / descent
    return l


def relevel(l: np.ndarray, start: int, level: float) -> np.ndarray:
    """The oscillation moved to ``level`` from iteration ``start`` on (same phase)."""
    l[start:] = oscillating(len(l), level)[start:]
    return l


def spiked(l: np.ndarray, spikes: dict[int, float]) -> np.ndarray:
    """A one-iteration spike of h decades above the oscillation's low point (its trailing floor)."""
    for k, h in spikes.items():
        l[k] = min(l[k - 1], l[k]) + h
    return l


def loss_of(l: np.ndarray, blow_up_at: int | None = None) -> np.ndarray:
    """10^l; with ``blow_up_at`` the loss is inf there and the history ends (as the engine stops)."""
    loss = 10.0 ** l
    return loss if blow_up_at is None else np.append(loss[:blow_up_at], np.inf)


def write_run(folder: Path, loss, *, a: float, b: float, eta: float, seed: int = 0, problem: dict | None = None,
              schedule: dict | None = None, columns: dict | None = None, plan_iterations: int | None = None,
              wall_time_s: float | None = None, job_runs: int = 1, batch_size: int | None = None,
              alpha_beta_eps: tuple[float, float, float] | None = None) -> Path:
    """A run folder as the engine leaves it. a and b are stored the way the optimiser spec stores them,
    (1 - alpha) / eta with alpha = 1 - a eta (so 1 may come back as 0.9999999999999)."""
    loss = np.asarray(loss, dtype=float)
    bad = np.flatnonzero(~np.isfinite(loss))
    diverged_step = int(bad[0]) if len(bad) else None
    alpha, beta, eps = alpha_beta_eps or (1 - a * eta, 1 - b * eta, 1e-8)
    folder.mkdir(parents=True)
    write_parquet(folder / "history.parquet",
                  pd.DataFrame({"step": np.arange(len(loss)), "loss": loss, **(columns or {})}))
    spec = {"problem": problem or {"name": "mlp", "data": "fashion_mnist", "widths": [16] * 6},
            "optimiser": {"name": "adam", "eta": eta, "alpha": alpha, "beta": beta, "eps": eps,
                          "a": (1 - alpha) / eta, "b": (1 - beta) / eta},
            "seed": seed, "dtype": "float32", "batch_size": batch_size}
    if schedule is not None:
        spec["schedule"] = schedule
    write_json(folder / "run.json", {
        "name": folder.name, "spec": spec,
        "plan": {"name": folder.name, "iterations": plan_iterations or len(loss), "eval_every": 0},
        "problem_metadata": {"n_train": 1000}, "iterations_done": len(loss), "diverged": diverged_step is not None,
        "diverged_step": diverged_step, "wall_time_s": wall_time_s,
        "job": {"name": "job", "executor": "batched", "runs": job_runs}})
    return folder


# ============================ Fig 8: the (a, b) phase diagram ============================

N8 = 3000                                 # W = the last 1000 iterations (2000..2999), late phase from 1500
FIG08_GRID = CONFIG["scales"]["ci"]["fig08"]["grid"]  # every 13th point: a, b in {0.1, 1, 10, 100}
S1 = {1600: 3.0, 2300: 1.5, 2700: 1.2}    # one late spike before W, two in W, both below 2 decades
S2 = {1700: 2.5, 2200: 2.2, 2500: 1.3, 2900: 1.1}  # the default: one of the spikes in W is above 2 decades


def _fig08_curve(kind: str, arg):
    if kind == "osc":        # settles at -4, then oscillates about ``arg`` over W
        return loss_of(relevel(oscillating(N8, -4.0, descent=200), 2000, arg))
    if kind == "spike":
        return loss_of(spiked(oscillating(N8, -4.0, descent=200), arg))
    if kind == "blowup":     # the last third of the finite part at 10^level, then inf at ``at``
        at, level = arg
        l = oscillating(N8, -4.0, descent=200)
        l[at - at // 3:at] = level
        return loss_of(l, blow_up_at=at)
    if kind == "drift":      # the floor rises 2 decades over W, no non-finite loss
        l = oscillating(N8, -4.0, descent=200)
        l[2000:] = -4.0 + 2.0 * np.arange(1000) / 999
        return loss_of(l)
    if kind == "dense":      # jumps of 1.2 decades at every step, 0.9 decade below l_0 in the median
        l = np.where(np.arange(N8) % 2 == 0, -1.5, -0.3)
        l[0] = 0.0
        return loss_of(l)
    if kind == "stuck":      # no progress: oscillates about l_0
        return loss_of(oscillating(N8, 0.0))
    raise ValueError(kind)


# (j_a, j_b) -> curve; rows b = 0.1, 1, 10, 100 (j_b = 0, 13, 26, 39), columns a likewise
FIG08_CELLS = {
    (0, 0): ("osc", -5.0), (13, 0): ("osc", -4.5), (26, 0): ("blowup", (899, 3.0)), (39, 0): ("blowup", (299, 2.0)),
    (0, 13): ("spike", S1), (13, 13): ("osc", -6.0), (26, 13): ("drift", None), (39, 13): ("dense", None),
    (0, 26): ("spike", S1), (13, 26): ("spike", S1), (26, 26): ("osc", -5.5), (39, 26): ("stuck", None),
    (0, 39): ("spike", S1), (13, 39): ("spike", S2), (26, 39): ("spike", S1), (39, 39): ("osc", -5.0),
    (3, 39): ("spike", S1),  # on the paper's grid (j = 3) but not on the ci sub-grid
}
LABEL = {"osc": "oscillation", "spike": "spike", "blowup": "divergence", "drift": "divergence",
         "dense": "divergence", "stuck": "divergence"}


@pytest.fixture(scope="module")
def fig08_stats(tmp_path_factory):
    root = tmp_path_factory.mktemp("fig08")
    runs = [(write_run(root / f"ja{ja}_jb{jb}", _fig08_curve(*curve), a=gv(ja), b=gv(jb), eta=1e-3), N8)
            for (ja, jb), curve in FIG08_CELLS.items()]
    stats = fig08.table(runs, WINDOW, REGIME, SENSITIVITY, FIG08_GRID)
    return stats.set_index("run", drop=False)


def _spike_tail(level: float, spikes_in_tail: list[float], n: int = 1000) -> float:
    """log10 of the mean loss over n (even) iterations of the oscillation about ``level`` in which
    one-iteration spikes of these heights replace low points."""
    low, high = 10 ** (level - WIGGLE), 10 ** (level + WIGGLE)
    return math.log10((n // 2 * (low + high) + sum(10 ** (level - WIGGLE + h) - low for h in spikes_in_tail)) / n)


def test_fig08_regime_labels_grid_indices_and_divergence(fig08_stats):
    s = fig08_stats
    assert len(s) == len(FIG08_CELLS)
    for (ja, jb), (kind, _) in FIG08_CELLS.items():
        r = s.loc[f"ja{ja}_jb{jb}"]
        assert r["regime"] == LABEL[kind], (ja, jb)
        # a, b: the grid's values, not (1 - alpha) / eta rounded back; indices not swapped
        assert (r["ja"], r["jb"]) == (ja, jb) and r["a"] == fig08.grid_value(ja, 40, 0.1, 100.0)
        assert r["b"] == fig08.grid_value(jb, 40, 0.1, 100.0)
        assert bool(r["on_grid"]) == (ja % 13 == 0 and jb % 13 == 0)
    # the engine's record of the two blow-ups: inf at iterations 899 and 299, so 899 and 299 finite losses
    div = s.set_index(["ja", "jb"])
    assert div.loc[(26, 0), "diverged_at"] == 899 and div.loc[(39, 0), "diverged_at"] == 299
    assert bool(div.loc[(26, 0), "diverged"]) and bool(div.loc[(39, 0), "diverged"])
    assert div.loc[(26, 0), "iterations"] == 900 and div.loc[(39, 0), "iterations"] == 300
    finite = div.drop([(26, 0), (39, 0)])
    assert (finite["diverged_at"] == -1).all() and not finite["diverged"].astype(bool).any()
    assert (finite["iterations"] == N8).all()
    # the divergences without a non-finite loss, by their evidence
    assert div.loc[(26, 13), "floor_rise_decades"] == pytest.approx(1600 / 999)  # min of l over W's last 200 minus first 200
    assert not div.loc[(26, 13), "no_progress"]
    assert div.loc[(39, 13), "dense_jump_fraction"] == 1.0                      # every step of W jumps 1.2 decades
    assert bool(div.loc[(39, 26), "no_progress"]) and div.loc[(39, 26), "dense_jump_fraction"] == 0.0
    assert div.loc[(39, 26), "initial_loss"] == pytest.approx(10 ** -0.1)
    assert (div.drop([(39, 26)])["initial_loss"] == 1.0).all()                   # l_0 = 0 everywhere else


def test_fig08_late_spikes_window_spikes_and_moved_thresholds(fig08_stats):
    s = fig08_stats.set_index(["ja", "jb"])
    for cell in [(0, 13), (0, 26), (13, 26), (0, 39), (26, 39), (3, 39)]:  # S1
        r = s.loc[cell]
        # the late phase starts at 1500 (half the curve): all three; W starts at 2000: two
        assert (r["late_spikes"], r["spikes_in_window"]) == (3, 2), cell
        assert r["late_spike_max_decades"] == pytest.approx(3.0)   # the one before W is the highest
        assert r["late_spike_peaks"] == "1600;2300;2700"
        # a 2-decade threshold sees no spike in W (1.5, 1.2): oscillation; half a decade: still spike
        assert r["regime_height=2"] == "oscillation" and r["regime_height=0.5"] == "spike"
        assert r["regime_floor_window=100"] == r["regime_floor_window=400"] == "spike"
    d = s.loc[(13, 39)]  # S2, the default (1, 100)
    assert (d["late_spikes"], d["spikes_in_window"]) == (4, 3)
    assert d["late_spike_max_decades"] == pytest.approx(2.5) and d["late_spike_peaks"] == "1700;2200;2500;2900"
    assert d["regime_height=2"] == "spike"                          # 2.2 decades in W
    dense = s.loc[(39, 13)]  # every odd iteration rises 1.2 decades from the floor -1.5 and falls back
    assert dense["late_spikes"] == 750 and dense["spikes_in_window"] == 500  # odd k in [1500, 3000) / [2000, 3000)
    assert dense["late_spike_max_decades"] == pytest.approx(1.2)
    blow = s.loc[(26, 0)]  # late phase from 449 (half of 899 finite): one unrecovered rise from -4.1 to 3 at 600
    assert blow["late_spikes"] == 1 and blow["late_spike_peaks"] == "600"
    assert blow["late_spike_max_decades"] == pytest.approx(7.1)
    for cell, (kind, _) in FIG08_CELLS.items():
        if kind == "osc":
            r = s.loc[cell]
            assert r["late_spikes"] == 0 and r["late_spike_max_decades"] == 0.0
            assert all(r[f"regime_{k}={v:g}"] == "oscillation" for k, vs in SENSITIVITY.items() for v in vs)
            assert r["osc_amplitude_decades"] == pytest.approx(WIGGLE, abs=1e-9)  # decades, not ln units
            assert r["osc_period"] == pytest.approx(2 * 1000 / 999)               # 999 sign changes over W
        elif kind in ("drift", "dense", "stuck", "blowup"):
            r = s.loc[cell]
            assert all(r[f"regime_{k}={v:g}"] == "divergence" for k, vs in SENSITIVITY.items() for v in vs)


def test_fig08_tail_window_and_log10_tail_mean_loss(fig08_stats):
    s = fig08_stats.set_index(["ja", "jb"])
    expected_tail = {
        # the level over the last 1000 iterations (the level changes exactly 1000 before the end)
        (0, 0): -5.0 + OSC, (13, 0): -4.5 + OSC, (13, 13): -6.0 + OSC, (26, 26): -5.5 + OSC, (39, 39): -5.0 + OSC,
        # the last third of the finite part only: 299 of 899, 99 of 299 (not of the history's 900 or 300)
        (26, 0): 3.0, (39, 0): 2.0,
        (26, 13): math.log10(1e-4 * (10 ** (2000 / 999) - 1) / (10 ** (2 / 999) - 1) / 1000),  # geometric ramp
        (39, 13): math.log10((10 ** -1.5 + 10 ** -0.3) / 2),
        (39, 26): 0.0 + OSC,
        (13, 39): _spike_tail(-4.0, [2.2, 1.3, 1.1]),
    }
    for cell in [(0, 13), (0, 26), (13, 26), (0, 39), (26, 39), (3, 39)]:
        expected_tail[cell] = _spike_tail(-4.0, [1.5, 1.2])
    for cell, value in expected_tail.items():
        assert s.loc[cell, "log10_tail_mean_loss"] == pytest.approx(value, rel=1e-9, abs=1e-12), cell
        assert s.loc[cell, "tail_mean_loss"] == pytest.approx(10 ** value, rel=1e-9)
    assert s.loc[(26, 0), "tail_window"] == 299 and s.loc[(39, 0), "tail_window"] == 99
    assert (s.drop([(26, 0), (39, 0)])["tail_window"] == WINDOW).all()
    assert s.loc[(13, 13), "min_loss"] == pytest.approx(10 ** -6.1)
    assert s.loc[(26, 0), "final_loss"] == pytest.approx(1e3)       # the last finite loss, not inf


def test_fig08_phase_boundaries_and_divergence_onsets(fig08_stats):
    grid = fig08_stats[fig08_stats["on_grid"].astype(bool)]  # as the claims read it: the off-sub-grid cell left out
    assert len(grid) == 16
    bounds = fig08.phase_boundaries(grid)
    # per row b, the smallest a/b labelled divergence: b = 0.1 first at a = 10, b = 1 and 10 at 10b; b = 100 never
    assert bounds["smallest_diverging_a_over_b_by_b"] == {"0.1": 100.0, "1": 10.0, "10": 10.0, "100": None}
    # per column a, the smallest spiking b (the off-grid spike at a = 0.17 is not a column)
    assert bounds["smallest_spiking_b_by_a"] == {"0.1": 1.0, "1": 10.0, "10": 100.0, "100": None}
    onsets = fig08.divergence_onsets(grid, 1e-3)
    assert {k: (v["lo"], v["hi"]) for k, v in onsets.items()} == {
        "0.1": (10.0, 100.0), "1": (1.0, 10.0), "10": (1.0, 10.0), "100": (None, None)}
    # a/b = 2 - b eta, to 3 digits
    assert {k: v["bounded_update_edge"] for k, v in onsets.items()} == {"0.1": 2.0, "1": 2.0, "10": 1.99, "100": 1.9}
    assert [v["b"] for v in onsets.values()] == pytest.approx([0.1, 1.0, 10.0, 100.0])


# ============================ the divergence-edge study: the divergence edge by bisection ============================

FIG12 = CONFIG["scales"]["cpu"]["divergence_edge"]       # etas 1e-3, 2e-3; bracket [1, 16]; 3 steps
ETAS, BRACKET, STEPS = FIG12["etas"], FIG12["bracket"], FIG12["steps"]
ROWS = [11, 19]                                # b = 0.702, 2.89 (two of the configured rows)
TIME = 2.0                                     # t = eta x iterations: 2000 and 1000 iterations (short, for speed)
F, D, STUCK = "finite", "diverges", "stuck"
# (row, seed, eta) -> the tested a/b in the bisection's order from [1, 16] (midpoint sqrt(lo hi)), with
# the planted outcome; the first seed and eta of a row also test the anchor a/b = 1 (last)
CHAINS = {
    (0, 0, ETAS[0]): [(4.0, D), (2.0, F), (2 ** 1.5, F), (1.0, F)],
    (0, 1, ETAS[0]): [(4.0, F), (8.0, D), (2 ** 2.5, D)],
    (0, 0, ETAS[1]): [(4.0, D), (2.0, F), (2 ** 1.5, F)],
    (0, 1, ETAS[1]): [(4.0, F), (8.0, F), (2 ** 3.5, F)],             # never diverges: hi is the bracket's 16
    (1, 0, ETAS[0]): [(4.0, F), (8.0, D), (2 ** 2.5, D), (1.0, STUCK)],  # the anchor diverges: not monotone
    (1, 1, ETAS[0]): [(4.0, D), (2.0, D), (2 ** 0.5, D)],             # always diverges: lo is the bracket's 1
    (1, 0, ETAS[1]): [(4.0, D), (2.0, F), (2 ** 1.5, F)],
    (1, 1, ETAS[1]): [(4.0, F), (8.0, D), (2 ** 2.5, D)],
}
# (lo, hi, lo tested, hi tested, monotone, runs): read off the chains above
BRACKETS = {
    (0, 0, ETAS[0]): (2 ** 1.5, 4.0, True, True, True, 4), (0, 1, ETAS[0]): (4.0, 2 ** 2.5, True, True, True, 3),
    (0, 0, ETAS[1]): (2 ** 1.5, 4.0, True, True, True, 3), (0, 1, ETAS[1]): (2 ** 3.5, 16.0, True, False, True, 3),
    (1, 0, ETAS[0]): (4.0, 1.0, True, True, False, 4), (1, 1, ETAS[0]): (1.0, 2 ** 0.5, False, True, True, 3),
    (1, 0, ETAS[1]): (2 ** 1.5, 4.0, True, True, True, 3), (1, 1, ETAS[1]): (4.0, 2 ** 2.5, True, True, True, 3),
}
ANCHOR = (0, 0, ETAS[0])   # its anchor's largest update over eta is planted (below)


def _divergence_edge_history(n: int, outcome: str, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Loss and update_max of a tested run: finite runs oscillate, diverging ones blow up halfway
    (odd k) or never make progress (even k)."""
    if outcome == F:
        loss = loss_of(oscillating(n, -4.0, descent=200))
    elif outcome == STUCK or k % 2 == 0:
        loss = loss_of(oscillating(n, 0.0))
    else:
        loss = loss_of(oscillating(n, -4.0, descent=200), blow_up_at=n // 2)
    u = np.full(len(loss), 0.5)
    u[~np.isfinite(loss)] = np.nan
    return loss, u


@pytest.fixture(scope="module")
def divergence_edge_stats(tmp_path_factory):
    root = tmp_path_factory.mktemp("divergence_edge")
    runs, k = [], 0
    for step in range(STEPS + 1):  # the bisection's order: step by step over every chain, anchors last
        for (row, seed, eta), tested in CHAINS.items():
            if step >= len(tested):
                continue
            ratio, outcome = tested[step]
            b, n = gv(ROWS[row]), round(TIME / eta)
            loss, u = _divergence_edge_history(n, outcome, k)
            if (row, seed, eta) == ANCHOR and ratio == 1.0:
                # B_1 = 1 exactly, B_t ~ sqrt(t) early: 1.2 at t = 1 exceeds it once; the late window is
                # the last third, 666 of 2000 iterations: 1.5 at its first step, 2.0 one step before it
                u[0], u[10], u[n - 667], u[n - 666] = 1.2, 2.5, 2.0, 1.5
            runs.append((write_run(root / f"r{row}_s{seed}_eta{eta:g}_ab{ratio:.4f}", loss, a=ratio * b, b=b, eta=eta,
                                   seed=seed, plan_iterations=n, columns={"update_max": u}, wall_time_s=50.0,
                                   job_runs=10), n))
            k += 1
    return divergence_edge.table(runs, WINDOW, REGIME, SENSITIVITY, BRACKET, STEPS, ETAS)


def test_divergence_edge_table_rows(divergence_edge_stats):
    s = divergence_edge_stats
    assert len(s) == sum(len(t) for t in CHAINS.values())
    for (row, seed, eta), tested in CHAINS.items():
        b = gv(ROWS[row])
        chain = s[(s["seed"] == seed) & (s["eta"] == eta) & np.isclose(s["row_b"], b)]
        assert chain["a_over_b"].tolist() == pytest.approx([r for r, _ in tested], rel=1e-8)
        assert chain["regime"].tolist() == ["oscillation" if o == F else "divergence" for _, o in tested]
        assert (chain["iterations"] == round(TIME / eta)).all()        # the plan's, also for the runs that blew up
        assert chain["bounded_update_edge"].tolist() == pytest.approx([2 - b * eta] * len(tested))
        assert (chain[["bracket_low", "bracket_high", "steps", "first_eta"]].drop_duplicates().values.tolist()
                == [[1.0, 16.0, 3, 1e-3]])
    beyond = s[s["a_over_b"] >= 2 - s["b"] * s["eta"]]                 # no finite bound: nothing exceeds it
    assert np.isinf(beyond["update_bound"]).all() and (beyond["update_bound_exceeded"] == 0).all()


def test_divergence_edge_update_columns_of_the_anchor(divergence_edge_stats):
    s = divergence_edge_stats
    b, eta = gv(ROWS[0]), ETAS[0]
    r = s[np.isclose(s["row_b"], b) & (s["seed"] == 0) & (s["eta"] == eta) & np.isclose(s["a_over_b"], 1.0)].iloc[0]
    assert r["update_max"] == 2.5 and r["update_max_late"] == 1.5
    assert r["update_over_bound_max"] == pytest.approx(1.2) and r["update_bound_exceeded"] == 1
    # a = b: alpha = beta, B = (1 - beta) / (sqrt(1 - beta) (1 - sqrt(beta))) = sqrt(b eta) / (1 - sqrt(1 - b eta))
    assert r["update_bound"] == pytest.approx(math.sqrt(b * eta) / (1 - math.sqrt(1 - b * eta)), rel=1e-9)
    assert r["update_bound_approx"] == pytest.approx(2 / math.sqrt(b * eta), rel=1e-9)   # b / (sqrt(a eta) (b - a/2))
    assert r["cell_iterations_per_s"] == 400.0                          # 10 runs x 2000 iterations / 50 s
    other = s[np.isclose(s["row_b"], gv(ROWS[1])) & (s["seed"] == 0) & (s["eta"] == eta)
              & np.isclose(s["a_over_b"], 1.0)].iloc[0]                 # the other anchor: update 0.5, B_1 = 1
    assert other["update_over_bound_max"] == pytest.approx(0.5) and other["update_bound_exceeded"] == 0


def test_divergence_edge_edges_and_row_medians(divergence_edge_stats):
    e = divergence_edge.edges(divergence_edge_stats)
    assert len(e) == len(CHAINS) and e["b"].nunique() == 2  # one b per row over both etas
    for (row, seed, eta), (lo, hi, lo_t, hi_t, mono, n) in BRACKETS.items():
        # the chain's b is the row's to 6 significant digits (so that the etas' (1 - beta) / eta agree)
        c = e[(e["b"] == float(f"{gv(ROWS[row]):.6g}")) & (e["seed"] == seed) & (e["eta"] == eta)]
        assert len(c) == 1
        c = c.iloc[0]
        assert (c["lo"], c["hi"]) == (pytest.approx(lo, rel=1e-8), pytest.approx(hi, rel=1e-8)), (row, seed, eta)
        assert (c["lo_tested"], c["hi_tested"], c["monotone"], c["tested"]) == (lo_t, hi_t, mono, n)
        assert c["mid"] == pytest.approx(math.sqrt(lo * hi), rel=1e-8)
        assert c["bounded_update_edge"] == pytest.approx(2 - gv(ROWS[row]) * eta, rel=1e-6)
    med = divergence_edge.row_medians(e).set_index(["b", "eta"]).sort_index()
    # midpoints: 2^1.75 and 2^2.25 | 2^1.75 and 2^3.75 | 2 (the non-monotone chain: sqrt(4 x 1)) and 2^0.25 | ...
    want = [(2 ** 1.75, 2 ** 2.25), (2 ** 1.75, 2 ** 3.75), (2 ** 0.25, 2.0), (2 ** 1.75, 2 ** 2.25)]
    assert med["median"].tolist() == pytest.approx([(x + y) / 2 for x, y in want], rel=1e-8)  # two seeds
    assert med["min"].tolist() == pytest.approx([x for x, _ in want], rel=1e-8)
    assert med["max"].tolist() == pytest.approx([y for _, y in want], rel=1e-8)
    assert [eta for _, eta in med.index] == [ETAS[0], ETAS[1]] * 2


# ============================ the lr-decay study: learning-rate decay ============================

FIG13 = CONFIG["scales"]["cpu"]["lr_decay"]
ARMS = FIG13["arms"]                               # fixed_factors, fixed_rates, beta_square
# the runs' length is the test's own (the spike positions below are placed in 1500 iterations), the decay the cpu scale's
N13, START, FACTOR, ETA0 = 1500, FIG13["decay"]["start"], FIG13["decay"]["factor"], FIG13["eta"]
FINAL = ETA0 * FACTOR
LEVEL = {"fixed_factors": -4.5, "fixed_rates": -5.0, "beta_square": -5.5}   # after the decay
SPIKES = {"step": {"fixed_factors": {600: 2.0, 900: 2.0, 1200: 2.0}, "fixed_rates": {800: 2.0}, "beta_square": {}},
          "cosine": {"fixed_factors": {700: 2.0, 1100: 2.0}, "fixed_rates": {1000: 2.0},
                     "beta_square": {N13 - 1: 2.0}}}   # a spike at the last iteration, not recovered: it counts
# elapsed time over the logged iterations START..N13-1: sum of eta_k for k = START..N13-2
SPAN = {"step": (N13 - 1 - START) * FINAL,
        # sum_{j=0}^{1098} [f + (e0 - f)(1 + cos(pi j / 1100)) / 2], and sum_{j=0}^{1099} cos(pi j / 1100) = 1
        "cosine": (N13 - 1 - START) * FINAL + (ETA0 - FINAL) / 2 * (N13 - START + math.cos(math.pi / (N13 - START)))}


def _eta_schedule(kind: str) -> np.ndarray:
    k = np.arange(N13)
    if kind == "step":
        return np.where(k < START, ETA0, FINAL)
    cos = FINAL + (ETA0 - FINAL) * 0.5 * (1 + np.cos(np.pi * (k - START) / (N13 - START)))
    return np.where(k < START, ETA0, cos)


def _before_decay() -> np.ndarray:
    """l = -10 t (t = eta_0 k) before the decay, with a 1.5-decade spike at START - 1, just before it."""
    l = np.zeros(N13)
    l[:START] = -10 * ETA0 * np.arange(START)  # -0.01 k
    l[START - 1] = l[START - 2] + 1.5
    return l


@pytest.fixture(scope="module")
def lr_decay_stats(tmp_path_factory):
    root = tmp_path_factory.mktemp("lr_decay")
    runs = []
    for kind in ("step", "cosine"):
        eta = _eta_schedule(kind)
        for arm, follow in ARMS.items():
            l = _before_decay()
            l[START:] = oscillating(N13, LEVEL[arm])[START:]
            spiked(l, SPIKES[kind][arm])
            schedule = {"kind": kind, "start": START, "factor": FACTOR, "alpha": follow["alpha"],
                        "beta": follow["beta"], "stop": N13 if kind == "cosine" else None}
            runs.append((write_run(root / f"{kind}_{arm}", loss_of(l), a=1.0, b=100.0, eta=ETA0, schedule=schedule,
                                   columns={"eta": eta}), N13))
    # the reference at the final eta from the start: l = 0.2 - 10 t, 0.2 decade above the eta_0 phase at equal t
    ref = 0.2 - 10 * FINAL * np.arange(N13)
    runs.append((write_run(root / "reference", loss_of(ref), a=1.0, b=100.0, eta=FINAL), len(ref)))
    return lr_decay.table(runs, WINDOW, REGIME, ARMS).set_index("run", drop=False)


def test_lr_decay_elapsed_time_and_spikes_per_unit_t(lr_decay_stats):
    s = lr_decay_stats
    for kind in ("step", "cosine"):
        for arm in ARMS:
            r = s.loc[f"{kind}_{arm}"]
            assert (r["arm"], r["schedule"], r["decay_start"]) == (arm, kind, START)
            assert r["t_decay"] == pytest.approx(START * ETA0)                        # 0.4
            assert r["t_end"] == pytest.approx(START * ETA0 + SPAN[kind], rel=1e-9)
            n = len(SPIKES[kind][arm])  # the spike at START - 1 is before the decay: not counted
            assert r["spikes_after_decay"] == n, (kind, arm)
            assert r["spikes_per_unit_t"] == pytest.approx(n / SPAN[kind], rel=1e-9)
            assert r["spike_max_decades_after_decay"] == pytest.approx(2.0 if n else 0.0)
            # the 50 iterations before the decay: -0.01 k for k = 350..398 and the spike -3.98 + 1.5
            assert r["log10_loss_before_decay"] == pytest.approx((-0.01 * sum(range(350, 399)) - 2.48) / 50)
    assert s.loc["step_fixed_factors", "spikes_per_unit_t"] == pytest.approx(3 / 0.1099)
    ref = s.loc["reference"]
    assert (ref["arm"], ref["schedule"], ref["decay_start"], ref["spikes_after_decay"]) == ("reference", "constant", 0, 0)
    assert ref["t_end"] == pytest.approx((N13 - 1) * FINAL)
    assert math.isnan(ref["t_decay"]) and math.isnan(ref["spikes_per_unit_t"])


def test_lr_decay_tail_mean_over_the_last_third(lr_decay_stats):
    # 1500 iterations: the late window is the last third, 500 (1000..1499), holding the step arm's spike at 1200
    r = lr_decay_stats.loc["step_fixed_factors"]
    low, high = 10 ** (-4.5 - WIGGLE), 10 ** (-4.5 + WIGGLE)
    assert r["tail_window"] == 500
    assert r["log10_tail_mean_loss"] == pytest.approx(math.log10((250 * low + 250 * high + 10 ** -2.6 - low) / 500))


def test_lr_decay_gaps_between_arms_at_equal_t(lr_decay_stats):
    s = lr_decay_stats
    # over the 1100 iterations from the decay: the level difference, except where either curve spikes
    step_ff = s.loc["step_fixed_factors"]
    assert step_ff["gap_to_fixed_factors"] == 0.0
    # 0.5 apart; at ff's spikes 600, 900, 1200: 2.5; at fr's spike 800: 1.5
    assert step_ff["gap_to_fixed_rates"] == pytest.approx((1096 * 0.5 + 3 * 2.5 + 1.5) / 1100)
    assert step_ff["gap_to_beta_square"] == pytest.approx((1097 * 1.0 + 3 * 3.0) / 1100)
    assert s.loc["step_fixed_rates", "gap_to_fixed_factors"] == pytest.approx(step_ff["gap_to_fixed_rates"])
    # cosine: ff's spikes at 700, 1100: 3.0; bs's spike at 1499 (an odd, high point of ff): |(-5.6 + 2) - (-4.4)|
    cos_ff = s.loc["cosine_fixed_factors"]
    assert cos_ff["gap_to_beta_square"] == pytest.approx((1097 * 1.0 + 2 * 3.0 + 0.8) / 1100)
    # the reference against the (a, b)-fixed step run's eta_0 phase at equal t: 0.2 decade everywhere
    # (at equal iteration the two curves would be far apart: -0.001 k + 0.2 vs -0.01 k)
    assert s.loc["reference", "ode_gap_decades"] == pytest.approx(0.2, rel=1e-9)
    assert s.loc["reference", ["gap_to_fixed_factors", "gap_to_fixed_rates", "gap_to_beta_square"]].isna().all()


# ============================ the Fig 8 reduction study: Fig 8's transect study ============================

_VARIANTS15 = variant_configs(CONFIG["scales"]["cpu"])
FIG15 = _VARIANTS15["fig08_reduction-w128"]                              # the cpu study with its variant's width 128
PROBLEM15 = FIG15["problem"]                                            # width 64; w128 and w32 change it
CANDIDATES = {"w128": FIG15["candidates"]["w128"],                      # each from its variant
              "w32": _VARIANTS15["fig08_reduction-w32"]["candidates"]["w32"]}
CELLS15 = [[7, 7], [10, 7], [15, 7], [19, 7], [13, 31], [13, 35], [13, 39], [18, 16]]  # of the cpu study's cells
LENGTHS = [2000, 4000]
N15 = max(LENGTHS)
DEFAULT15 = CONFIG["claims"]["fig08_reduction"]["default"]                        # "1,100" = cell (13, 39)


def _fig08_reduction_curve(kind: str, arg=None) -> np.ndarray:
    base = oscillating(N15, -4.0, descent=200)
    if kind == "osc":
        return loss_of(relevel(base, 200, arg))
    if kind == "spike":
        return loss_of(spiked(base, arg))
    if kind == "late_blowup":   # -4 up to 1999, -4.5 from 2000, inf at 3000: divergence shows only at 4000
        return loss_of(relevel(base, 2000, -4.5), blow_up_at=3000)
    if kind == "blowup":        # -4, -3.5 from 1000, inf at ``arg``
        return loss_of(relevel(base, 1000, -3.5), blow_up_at=arg)
    raise ValueError(kind)


TWO = {1500: 2.0, 3500: 2.0}   # a spike in W at both lengths (W = 1000..1999, 3000..3999)
FIG15_CURVES = {
    "w128": {(7, 7): ("osc", -5.0), (10, 7): ("osc", -4.5), (15, 7): ("late_blowup",), (19, 7): ("blowup", 1500),
             (13, 31): ("spike", TWO), (13, 35): ("spike", {3500: 2.0}), (13, 39): ("spike", TWO),
             (18, 16): ("osc", -6.0)},
    "w32": {(7, 7): ("spike", TWO), (10, 7): ("osc", -4.5), (15, 7): ("osc", -4.0), (19, 7): ("blowup", 1500),
            (13, 31): ("osc", -5.0), (13, 35): ("spike", TWO), (13, 39): ("blowup", 1800),
            (18, 16): ("osc", -5.5)},
}


@pytest.fixture(scope="module")
def fig08_reduction_stats(tmp_path_factory):
    root = tmp_path_factory.mktemp("fig08_reduction")
    problems = fig08_reduction.candidate_problems(PROBLEM15, CANDIDATES)
    runs = []
    for cand, cells in FIG15_CURVES.items():
        for (ja, jb), curve in cells.items():
            runs.append((write_run(root / f"{cand}_ja{ja}_jb{jb}", _fig08_reduction_curve(*curve), a=gv(ja), b=gv(jb),
                                   eta=FIG15["eta"], problem=problems[cand], job_runs=8,
                                   wall_time_s=320.0 if cand == "w128" else None), N15))
    stats = fig08_reduction.table(runs, WINDOW, REGIME, SENSITIVITY, FIG15["grid"], CELLS15, PROBLEM15, CANDIDATES, LENGTHS)
    return stats


# what the published map says of each cell (fig08_reduction.published_constraints: no divergence at a <= 2b,
# divergence at a >= 4b, spike at b >= 28.9, no spike at b <= 2.9, oscillation on the diagonal up to 11.9)
NOT_DIV, DIV, SPIKE, NO_SPIKE, OSC_DIAG = ("not (regime == 'divergence')", "regime == 'divergence'",
                                           "regime == 'spike'", "not (regime == 'spike')", "regime == 'oscillation'")
SAYS = {(7, 7): [NOT_DIV, NO_SPIKE, OSC_DIAG], (10, 7): [NOT_DIV, NO_SPIKE], (15, 7): [DIV, NO_SPIKE],
        (19, 7): [DIV, NO_SPIKE], (13, 31): [NOT_DIV], (13, 35): [NOT_DIV, SPIKE], (13, 39): [NOT_DIV, SPIKE],
        (18, 16): [NOT_DIV, NO_SPIKE]}
LABELS15 = {  # (candidate, length) -> labels in CELLS15 order
    ("w128", 2000): ["oscillation", "oscillation", "oscillation", "divergence", "spike", "oscillation", "spike",
                     "oscillation"],
    ("w128", 4000): ["oscillation", "oscillation", "divergence", "divergence", "spike", "spike", "spike", "oscillation"],
    ("w32", 2000): ["spike", "oscillation", "oscillation", "divergence", "oscillation", "spike", "divergence",
                    "oscillation"],
    ("w32", 4000): ["spike", "oscillation", "oscillation", "divergence", "oscillation", "spike", "divergence",
                    "oscillation"],
}


def _agrees(cell, label):
    want = {DIV: label == "divergence", NOT_DIV: label != "divergence", SPIKE: label == "spike",
            NO_SPIKE: label != "spike", OSC_DIAG: label == "oscillation"}
    return all(want[s] for s in SAYS[cell])


def test_fig08_reduction_table_reads_every_run_at_every_length(fig08_reduction_stats):
    s = fig08_reduction_stats
    assert len(s) == 2 * len(CELLS15) * len(LENGTHS)
    for (cand, length), labels in LABELS15.items():
        part = s[(s["candidate"] == cand) & (s["length"] == length)]
        assert [tuple(c) for c in part[["ja", "jb"]].values.tolist()] == [tuple(c) for c in CELLS15]
        assert part["a"].tolist() == [fig08.grid_value(ja, 40, 0.1, 100.0) for ja, _ in CELLS15]
        assert part["b"].tolist() == [fig08.grid_value(jb, 40, 0.1, 100.0) for _, jb in CELLS15]
        assert part["regime"].tolist() == labels, (cand, length)
        assert part["published_says"].tolist() == ["; ".join(SAYS[tuple(c)]) for c in CELLS15]
        assert part["agrees"].tolist() == [_agrees(tuple(c), lab) for c, lab in zip(CELLS15, labels)]
        assert (part["width"] == (128 if cand == "w128" else 32)).all()
    by = s.set_index(["candidate", "ja", "jb", "length"]).sort_index()
    late = by.loc[("w128", 15, 7)]  # inf at 3000: finite and at -4 in the first 2000, diverged in the first 4000
    # the late window: the last third of 2000 (666), the last 1000 of the 3000 finite losses
    assert late.loc[2000, ["iterations_read", "tail_window"]].tolist() == [2000, 666] and not late.loc[2000, "diverged"]
    assert late.loc[4000, ["iterations_read", "tail_window"]].tolist() == [3001, 1000] and late.loc[4000, "diverged"]
    assert late.loc[2000, "log10_tail_mean_loss"] == pytest.approx(-4.0 + OSC)
    assert late.loc[4000, "log10_tail_mean_loss"] == pytest.approx(-4.5 + OSC)   # 2000..2999, the finite part's end
    early = by.loc[("w128", 19, 7)]  # inf at 1500: the last third of 1500 finite losses, 1000..1499, at -3.5
    assert early["tail_window"].tolist() == [500, 500] and early["iterations_read"].tolist() == [1501, 1501]
    assert early["log10_tail_mean_loss"].tolist() == pytest.approx([-3.5 + OSC] * 2)
    assert (by.loc["w128", "cell_iterations_per_s"].loc[(7, 7)] == 100.0).all()   # 8 runs x 4000 / 320 s
    assert by.loc["w32", "cell_iterations_per_s"].isna().all()                    # no wall time: no rate


def test_fig08_reduction_summary(fig08_reduction_stats):
    out = fig08_reduction.summary(fig08_reduction_stats, DEFAULT15).set_index(["candidate", "length"])
    agree = {k: sum(_agrees(tuple(c), lab) for c, lab in zip(CELLS15, v)) for k, v in LABELS15.items()}
    assert agree == {("w128", 2000): 6, ("w128", 4000): 8, ("w32", 2000): 5, ("w32", 4000): 5}
    for key, n in agree.items():
        assert (out.loc[key, "agree"], out.loc[key, "constrained"]) == (n, 8)  # every cell is constrained
    assert out.loc[("w128", 2000), "disagreeing_cells"] == "(1.43,0.346):oscillation (1,49.2):oscillation"
    assert out.loc[("w128", 4000), "disagreeing_cells"] == ""
    assert out.loc[("w32", 4000), "disagreeing_cells"] == "(0.346,0.346):spike (1.43,0.346):oscillation (1,100):divergence"
    # the one row of >= 3 cells, b = 0.346 (a/b = 1, 1.70, 4.12, 8.38 = 10^(3j/39) for j = 0, 3, 8, 12)
    assert out.loc[("w128", 2000), "divergence_onset_a_over_b_by_b"] == {"0.346": r3(10 ** (36 / 39))}
    assert out.loc[("w128", 4000), "divergence_onset_a_over_b_by_b"] == {"0.346": r3(10 ** (24 / 39))}
    assert out.loc[("w32", 4000), "divergence_onset_a_over_b_by_b"] == {"0.346": 8.38}
    assert out.loc[("w128", 4000), "theory_a_over_b_by_b"] == {"0.346": r3(2 - gv(7) * FIG15["eta"])}
    # lowest finite cell: (2.42, 1.70) at -6 (w128), -5.5 (w32)
    assert set(out["best_cell"]) == {"(2.42, 1.7)"}
    assert out.loc[("w128", 4000), "best_log10"] == r3(-6.0 + OSC)
    assert out.loc[("w32", 2000), "best_log10"] == r3(-5.5 + OSC)
    # the default (1, 100): -4 with one 2-decade spike in the late window at either length (1500 in the
    # last 666 of 2000, 3500 in the last 1000 of 4000); w32's diverged
    best = -6.0 + OSC
    assert out.loc[("w128", 2000), "default_gap"] == r3(_spike_tail(-4.0, [2.0], 666) - best)
    assert out.loc[("w128", 4000), "default_gap"] == r3(_spike_tail(-4.0, [2.0], 1000) - best)
    assert out.loc[("w32", 2000), "default_gap"] == math.inf
    assert out.loc[("w128", 2000), "cell_iterations_per_s"] == 100.0   # median: 6 full runs at 100, 2 shorter
    assert pd.isna(out.loc[("w32", 2000), "cell_iterations_per_s"])   # no rate at all: None (NaN in the frame)


def test_fig08_cells_against_the_published_map_and_the_cells_a_choice_saw(tmp_path):
    # the published map (readings.yaml): no divergence where a <= 2b; divergence where a >= 4b; spikes for
    # every b >= 28.9 and none for b <= 2.9; the diagonal oscillation up to 11.9 and spike from 14.3
    cells = {(0, 0): ("osc", -5.0),           # a = b = 0.1: oscillation on the diagonal, as published
             (39, 39): ("osc", -5.0),         # a = b = 100: published spike (b >= 28.9, diagonal >= 14.3)
             (26, 0): ("blowup", (899, 3.0)),  # a = 100 b: divergence, as published
             (0, 39): ("spike", S1),          # b = 100: spike, as published
             (13, 26): ("osc", -5.0)}         # a = 1, b = 10: a <= 2b, b between 2.9 and 28.9: no divergence only
    runs = [(write_run(tmp_path / f"ja{ja}_jb{jb}", _fig08_curve(*curve), a=gv(ja), b=gv(jb), eta=1e-3), N8)
            for (ja, jb), curve in cells.items()]
    stats = fig08.table(runs, WINDOW, REGIME, SENSITIVITY, FIG08_GRID,
                        chosen_on_results={"why": "w", "cells": [[0, 0], [39, 39]]}).set_index(["ja", "jb"])
    assert stats["agrees"].to_dict() == {(0, 0): True, (39, 39): False, (26, 0): True, (0, 39): True, (13, 26): True}
    assert stats["chosen_on"].to_dict() == {(0, 0): True, (39, 39): True, (26, 0): False, (0, 39): False,
                                            (13, 26): False}
    assert stats.loc[(13, 26), "published_says"] == "not (regime == 'divergence')"
    text = fig08.seen_and_unseen(stats.reset_index())
    assert text.endswith("1 of 2 among those the choice saw, 3 of 3 among the others.")



# ============================ the spike-mechanism study: the spike mechanism ============================

def test_spike_mechanism_signals_before_spikes_and_at_quiet_times(tmp_path):
    """A flat loss of 1e-4 for 1500 iterations with one-iteration spikes of 2 decades at 600 and 1000
    (events: start 599 and 999, end 601 and 1001). R every 3 iterations: 0.5, but 1.2 at the checks
    570-597 (before the first spike) and 300-330 (a quiet time), NaN at 1200 (an overflow); the
    decoupling ratio every iteration: 0.5, but 0.05 at 950-999 (up to the second spike's rise) and
    1200-1249 (a quiet time)."""
    n, steps = 1500, np.arange(1500)
    loss = np.full(n, 1e-4)
    loss[[600, 1000]] = 1e-2
    r = np.full(n, np.nan)
    r[::3] = 0.5
    r[(steps % 3 == 0) & (((steps >= 570) & (steps <= 597)) | ((steps >= 300) & (steps <= 330)))] = 1.2
    r[1200] = np.nan
    checks = steps % 3 == 0
    d = np.full(n, 0.5)
    d[(steps >= 950) & (steps <= 999)] = 0.05
    d[(steps >= 1200) & (steps <= 1249)] = 0.05
    cols = {"sharpness_ratio": np.where(checks & (steps != 1200), r, np.nan), "decoupling": d,
            "update_cosine": np.full(n, 0.9)}
    cols["sharpness_ratio"][1200] = np.inf  # a check whose products overflowed (logged, not finite)
    run = write_run(tmp_path / "spike", loss, a=1.0, b=100.0, eta=1e-3, columns=cols,
                    problem={"name": "mlp", "data": "cifar2", "widths": [256, 128, 64]})
    row = spike_mechanism.table([(run, n)], WINDOW, REGIME, SENSITIVITY, decoupling_level=0.1, lookback=100).iloc[0]
    # late window: the last third (1000-1499, shorter than 3 x 1000); its checks 1002, ..., 1497 = 166, one inf
    assert row["R_late_checks"] == 166 and row["R_late_nonfinite_frac"] == pytest.approx(1 / 166)
    assert row["R_late_frac_above_1"] == 0 and row["R_late_median"] == 0.5 and row["R_late_max"] == 0.5
    assert row["spikes"] == 2 and row["spike_starts"] == "599;999"
    # spike 1: R >= 1 from 570 to its rise at 599 (lead 29), no decoupling; spike 2 the reverse (lead 999 - 950)
    assert row["spike_R_max_before"] == "1.2;0.5" and row["spike_lead_R"] == "29;nan"
    assert row["spike_lead_decoupling"] == "nan;49"
    assert row["spike_R_hits"] == 1 and row["spike_R_measured"] == 2 and row["spike_decoupling_hits"] == 1
    # quiet times: 200-1499 less [499, 601] and [899, 1001] = 1300 - 2 x 103 = 1094; R >= 1 at a check
    # before t within 100 iterations: t = 301..430 (130), among the 1089 with a check before them (t = 200,
    # 201 after the burn-in, 602, 603 and 1002 after a spike's end have none); decoupled with a positive
    # lead: t = 1201..1249 (49), the ratio measured at every iteration
    assert row["quiet_times"] == 1094
    assert row["R_alarm_base_rate"] == pytest.approx(130 / 1089)
    assert row["decoupling_alarm_base_rate"] == pytest.approx(49 / 1094)


# ============================ the batch-size study: the batch size ============================

def test_batch_size_epoch_spikes_with_windows_in_iterations_and_the_distance_to_full_batch(tmp_path):
    """N = 1000, 80 epochs. Full batch: l = -3.3 every epoch. Batch N/8 (8 iterations an epoch, each
    epoch's iterations at its value, so the epoch means are exact): l = -3 to epoch 40, a dip to -4.5 at
    41, -3.6 for epochs 42-69, back to -3 from 70. With the classifier's windows counted in iterations
    (floor over 200 / 8 = 25 epochs, rise within 6), the return at 70 is 0.6 decade above its floor
    (-3.6): no spike. Counted in epochs (a 200-epoch floor reaching back to the dip) it would be a
    1.5-decade spike."""
    eta, n = 1e-3, 1000
    full = write_run(tmp_path / "full", np.full(80, 10 ** -3.3), a=1.0, b=100.0, eta=eta)
    l = np.full(80, -3.0)
    l[41], l[42:70] = -4.5, -3.6
    small = write_run(tmp_path / "small", np.repeat(10 ** l, 8), a=1.0, b=100.0, eta=eta, batch_size=125)
    k = 1 / 8  # the square-root rule's run at N/8: eta sqrt(k), 1 - beta and 1 - alpha times k, eps / sqrt(k)
    ruled = write_run(tmp_path / "sqrt", np.repeat(10 ** l, 8), a=1.0, b=100.0, eta=eta * math.sqrt(k), batch_size=125,
                      alpha_beta_eps=(1 - k * 1e-3, 1 - k * 0.1, 1e-8 / math.sqrt(k)))
    for f in (full, small, ruled):  # the figure's runs are trained on its full batch N
        info = json.loads((f / "run.json").read_text())
        info["problem_metadata"]["n_train"] = n
        write_json(f / "run.json", info)
    stats = batch_size.table([(full, 80), (small, 640), (ruled, 640)], WINDOW, REGIME, eta=eta, rates=["1,100"],
                        full_batch=n, divisors=[1, 8], rules={"sqrt": [8]}).set_index("run")
    assert stats.loc["small", "epochs"] == 80 and stats.loc["small", "late_spikes"] == 0
    assert stats.loc["full", "late_spikes"] == 0 and stats.loc["full", "gap_to_full_batch_decades"] == 0
    # |difference| 0.3 at 79 epochs and 1.2 at the dip; the excess (where above full batch) 0.3 at the 51
    # epochs at -3
    assert stats.loc["small", "gap_to_full_batch_decades"] == pytest.approx((79 * 0.3 + 1.2) / 80)
    assert stats.loc["small", "excess_over_full_batch_decades"] == pytest.approx(51 * 0.3 / 80)
    assert stats.loc["small", "tail_mean_epoch_loss"] == pytest.approx(1e-3)  # the last tenth: epochs 72-79
    # the rule run is found by its setting, though it stores (a, b) = (1, 100) x sqrt(1/8) = (0.354, 35.4)
    assert (stats.loc["sqrt", "a_b"], stats.loc["sqrt", "rule"], stats.loc["sqrt", "divisor"]) == ("1,100", "sqrt", 8)
    assert stats.loc["sqrt", "a"] == pytest.approx(math.sqrt(k)) and stats.loc["sqrt", "b"] == pytest.approx(100 * math.sqrt(k))
