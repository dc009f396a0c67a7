"""Known-answer tests of the statistics tables of the paper's figures (``table(runs, ...)`` of
Figs 1-7, 9 and 10).

Each test writes synthetic run folders (``history.parquet`` and ``run.json``, as a training job
leaves them) whose statistics are known by construction: a spike of planted height and time on a
flat or decaying log10 loss, a planted slope, a 2-periodic orbit, a planted plateau and collapse, a
planted gap between two curves at equal t = eta x iteration, epoch means of a noisy-looking curve.
It then checks that the figure's table reports exactly those numbers. The answers are derived from
the construction (each says how in a comment), never read off the table. Each construction also
holds a trap that a plausible wrong implementation falls into (a window off by one or not capped,
a spike window not shrunk for a coarser series, the wrong time axis, a missing absolute value, an
iterate-cut not applied, ...), so that such an implementation gives another number.

The settings are config.yaml's (``stats:`` and the scales' entries), copied here because the known
answers were derived for them; ``test_settings_are_config_yamls`` says when they have moved.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from adamdyn.figures import fig01, fig02, fig03, fig04, fig05, fig06, fig07, fig09, fig10
from adamdyn.io import write_json, write_parquet

from conftest import CONFIG

# --- config.yaml's statistics settings (stats.tail_window, stats.regime, stats.sensitivity, ...) ---

WINDOW = 1000
REGIME = {"window": 1000, "burn_in": 200, "height": 1.0, "floor_window": 200, "rise_within": 50, "recovery": 0.5,
          "progress": 0.5, "rise": 1.0, "dense_fraction": 0.1, "dense_within": 2.0}
SENSITIVITY = {"height": [0.5, 2.0], "floor_window": [100, 400]}
EARLY_ITERATION, INITIAL_PERIOD = 5, 20          # stats.fig03
FAST_ITERATIONS = 100                            # stats.fig04
COLLAPSE_FACTOR, REACH_LEVEL = 10, 1e-3          # stats.fig05
ORBIT_REL_TOL, ORBIT_WINDOW = 0.01, 50           # stats.fig06
SPIKE = [0.3, 1.2, 1.5, 0.9, 0.2]  # a planted spike, decades above a flat level: it crosses the 1-decade
# threshold at its 2nd point, peaks at its 3rd (1.5 decades) and is back within 0.5 decade at its 5th


def test_settings_are_config_yamls():
    stats = CONFIG["stats"]
    assert stats["tail_window"] == WINDOW and stats["regime"] == REGIME and stats["sensitivity"] == SENSITIVITY
    assert stats["fig03"] == {"early_iteration": EARLY_ITERATION, "initial_period": INITIAL_PERIOD}
    assert stats["fig04"]["fast_iterations"] == FAST_ITERATIONS
    assert stats["fig05"] == {"collapse_factor": COLLAPSE_FACTOR, "reach_level": REACH_LEVEL}
    assert stats["fig06"] == {"orbit_rel_tol": ORBIT_REL_TOL, "orbit_window": ORBIT_WINDOW}


# --- writing runs ---

def adam(eta, a, b):
    return {"name": "adam", "eta": eta, "alpha": 1 - a * eta, "beta": 1 - b * eta, "a": a, "b": b}


def rmsprop(eta, alpha):
    return {"name": "rmsprop", "eta": eta, "alpha": alpha, "beta": None, "a": (1 - alpha) / eta, "b": None}


def signgd(eta):
    return {"name": "signgd", "eta": eta, "alpha": None, "beta": None, "a": None, "b": None}


MLP = {"name": "mlp", "data": "cifar2", "widths": [256, 128, 64]}


def write_run(folder, loss, optimiser, problem=MLP, *, seed=0, batch_size=None, metadata=None, eval_every=0,
              columns=None):
    """A run folder as a training job leaves it: the history (step, loss and ``columns``) and run.json."""
    folder.mkdir(parents=True)
    loss = np.asarray(loss, dtype=float)
    write_parquet(folder / "history.parquet", pd.DataFrame({"step": np.arange(len(loss)), "loss": loss,
                                                           **(columns or {})}))
    write_json(folder / "run.json", {
        "name": folder.name, "iterations_done": len(loss),
        "spec": {"problem": problem, "seed": seed, "batch_size": batch_size, "optimiser": optimiser},
        "problem_metadata": metadata or {"n_train": 200},
        "plan": {"iterations": len(loss), "eval_every": eval_every}})
    return folder


def evaluated(values, every):
    """A held-out metric as the engine logs it: a value every ``every`` iterations, NaN between."""
    col = np.full(len(values) * every, np.nan)
    col[::every] = values
    return col


def plant(l, at, offsets, level):
    """Set l[at:at + len(offsets)] to ``level`` + offsets (a planted spike, in decades)."""
    l[at:at + len(offsets)] = level + np.asarray(offsets, dtype=float)
    return l


def fall_then_flat(n, level, until=100):
    """log10 loss falling linearly from 0 to ``level`` over the first ``until`` iterations, then flat."""
    t = np.arange(n)
    return np.where(t < until, level * t / until, level)


def by_run(table):
    return {r["run"]: r for r in table.to_dict("records")}


# --- Fig 1: late spikes in training and held-out loss ---

def test_fig01_counts_the_planted_late_spike_and_the_held_out_one_on_its_coarser_grid(tmp_path):
    n = 1000  # the ci sine run's length
    l = fall_then_flat(n, -4.0)
    plant(l, 300, [0.3, 1.2, 3.0, 1.0, 0.2], -4.0)  # 3 decades, in the regime window (from 200) but in the first half
    plant(l, 700, SPIKE, -4.0)                       # 1.5 decades in the second half, peak at 702
    # held-out loss every 10 iterations (100 evaluations) at 1e-2; a dip to 1e-4 at evaluation 40, a 2-decade
    # spike at evaluations 80-84 (peak 82), and a last evaluation at 10^-2.3. With the windows counted in
    # evaluations (floor 20, rise 5) the dip is no spike and the spike stands 2 decades over its floor; with
    # the iteration windows (floor 200, rise 50) the dip would be the floor: one event of 4 decades.
    test = np.full(100, -2.0)
    test[40] = -4.0
    plant(test, 80, [0.3, 1.2, 2.0, 0.9, 0.2], -2.0)
    test[99] = -2.3
    sine = write_run(tmp_path / "sine", 10 ** l, adam(1e-3, 1, 100),
                     {"name": "mlp", "data": "sine", "widths": [100, 100]}, eval_every=10,
                     columns={"test_loss": evaluated(10 ** test, 10)})
    cifar = write_run(tmp_path / "cifar2", 10 ** fall_then_flat(300, -3.0), adam(1e-3, 1, 100), eval_every=10,
                      columns={"test_loss": evaluated(np.full(30, 0.1), 10)})
    table = fig01.table([(cifar, 300), (sine, n)], WINDOW, REGIME, SENSITIVITY)
    assert list(table["run"]) == ["cifar2", "sine"] and list(table["problem"]) == ["cifar2", "sine"]
    r = by_run(table)["sine"]
    assert r["late_spikes"] == 1 and r["late_spike_peaks"] == "702"
    assert r["late_spike_max_decades"] == pytest.approx(1.5)
    assert r["spikes_in_window"] == 2 and r["window_start"] == 200 and r["regime"] == "spike"
    # the late window is the last third (333 < 1000): flat 1e-4 except the five planted points from 700
    assert r["tail_window"] == 333
    assert r["tail_mean_loss"] == pytest.approx(1e-4 * (333 - 5 + sum(10 ** o for o in SPIKE)) / 333)
    assert r["final_loss"] == pytest.approx(1e-4) and r["min_loss"] == pytest.approx(1e-4)
    assert r["late_spikes_test_loss"] == 1
    assert r["late_spike_max_decades_test_loss"] == pytest.approx(2.0)
    assert r["final_test_loss"] == pytest.approx(10 ** -2.3) and r["min_test_loss"] == pytest.approx(1e-4)
    c = by_run(table)["cifar2"]  # a clean run: no spike, the oscillation label, the last third of 300
    assert c["late_spikes"] == 0 and c["late_spike_max_decades"] == 0.0 and c["regime"] == "oscillation"
    assert c["tail_window"] == 100 and c["late_spikes_test_loss"] == 0 and c["final_test_loss"] == pytest.approx(0.1)


# --- Fig 2: distance to signGD at equal time ---

def test_fig02_measures_the_planted_gap_to_signgd_at_equal_time(tmp_path):
    # signGD (eta 1e-4, 100 iterations to t = 0.01): L(t) = 1 - 40 t, linear so that its interpolation is exact.
    # Each other run is signGD's curve at its own t = eta k plus a planted gap g_k.
    def curve(eta, gap):
        k = np.arange(round(0.01 / eta))
        return 1 - 40 * eta * k + gap(k)

    runs = {"signgd": (signgd(1e-4), lambda k: 0 * k),
            "adam_5e-4": (adam(5e-4, 1, 100), lambda k: 0.02 + 0 * k),        # constant: max = mean = 0.02
            "adam_1e-4": (adam(1e-4, 1, 100), lambda k: 0.001 * k),           # k = 0..99: max 0.099, mean 0.0495
            "rmsprop_5e-4": (rmsprop(5e-4, 0.99), lambda k: -0.03 + 0 * k),  # below signGD: |gap| = 0.03
            "rmsprop_1e-4": (rmsprop(1e-4, 0.99), lambda k: 0.01 * (-1.0) ** k)}  # +-0.01: mean |gap| 0.01
    folders = [(write_run(tmp_path / name, curve(opt["eta"], gap), opt), 1000) for name, (opt, gap) in runs.items()]
    rows = by_run(fig02.table(folders, WINDOW))
    expected = {"signgd": (0, 0), "adam_5e-4": (0.02, 0.02), "adam_1e-4": (0.099, 0.0495),
                "rmsprop_5e-4": (0.03, 0.03), "rmsprop_1e-4": (0.01, 0.01)}
    for name, (largest, mean) in expected.items():
        assert rows[name]["max_abs_diff_to_signgd"] == pytest.approx(largest, abs=1e-12), name
        assert rows[name]["mean_abs_diff_to_signgd"] == pytest.approx(mean, abs=1e-12), name
        assert rows[name]["final_time"] == pytest.approx(0.01), name  # every run ends at t = iterations x eta = 0.01
    with pytest.raises(ValueError, match="exactly one signGD run"):
        fig02.table(folders[1:], WINDOW)


# --- Fig 3: the early value and the mean after the initial period ---

def test_fig03_reads_the_early_value_and_the_mean_after_the_initial_period_of_the_first_iterations(tmp_path):
    # Every run: l_t = -0.05 t up to t = 10 (the same start for every a), then -0.5 - r (t - 10) with a
    # rate r per run. The figure reads the first 100 iterations of runs trained to 300; the rest of each
    # history is a plateau at 10^3 that must not be read.
    rates = {"adam_a100": (adam(1e-3, 100, 100), 0.02), "adam_a1": (adam(1e-3, 1, 1), 0.005),
             "rmsprop_a10": (rmsprop(1e-3, 1 - 10 * 1e-3), 0.01)}
    t = np.arange(300)
    runs = []
    for name, (opt, r) in rates.items():
        l = np.where(t <= 10, -0.05 * t, -0.5 - r * (t - 10))
        l[100:] = 3.0
        runs.append((write_run(tmp_path / name, 10 ** l, opt), 100))
    rows = by_run(fig03.table(runs, WINDOW, REGIME, SENSITIVITY, EARLY_ITERATION, INITIAL_PERIOD))
    for name, (_, r) in rates.items():
        row = rows[name]
        assert row["iterations"] == 100
        assert row["log10_loss_early"] == pytest.approx(-0.05 * 5)  # l_5, equal across a
        # mean of -0.5 - r (t - 10) over t = 20..99, whose mean t is 59.5
        assert row["mean_log10_loss_after_initial"] == pytest.approx(-0.5 - r * (59.5 - 10))


# --- Fig 4: fast drop, small oscillation, late spike ---

def test_fig04_measures_the_planted_drop_oscillation_and_spike(tmp_path):
    n, amp = 2000, 0.2  # the paper's length; oscillation of +-0.2 decade, period 4 (+, +, -, -)
    t = np.arange(n)
    s = np.where((t // 2) % 2 == 0, 1.0, -1.0)
    l = np.where(t < 150, -0.02 * t, -3.0 + amp * s)  # falls 0.02 decade per iteration for 150 iterations
    plant(l, 1500, [0.4, 1.3, 2.0, 1.1, 0.2], -3.0)   # peak 2 decades above -3 at 1502
    run = write_run(tmp_path / "rmsprop", 10 ** l, rmsprop(1e-3, 0.99))
    r = fig04.table([(run, n)], WINDOW, REGIME, SENSITIVITY, FAST_ITERATIONS).iloc[0]
    assert r["fast_drop_decades"] == pytest.approx(0.02 * 99)  # l_0 - min of l_0..l_99 = l_99 = -1.98
    # over the regime window [1000, 2000) the residual from a centred 20-point mean (5 periods) is +-0.2
    # except at the edges and around the spike (fewer than 5 % of the points each side): half its 5-95 % range
    assert r["window_start"] == 1000
    assert r["osc_amplitude_decades"] == pytest.approx(amp)
    assert r["osc_period"] == pytest.approx(4, rel=0.05)  # the spike perturbs a few sign changes
    assert r["late_spikes"] == 1 and r["late_spike_peaks"] == "1502" and r["regime"] == "spike"
    # the height is over the trailing floor, the oscillation's trough -3.2: 2 + 0.2 decades
    assert r["late_spike_max_decades"] == pytest.approx(2.0 + amp)
    assert r["tail_window"] == 666 and r["final_loss"] == pytest.approx(10 ** -3.2)  # s_1999 = -1


# --- Fig 5: plateau and collapse ---

@pytest.mark.parametrize("method, eta", [("signgd", 1e-2), ("rmsprop", 5e-3)])
def test_fig05_finds_the_planted_plateau_collapse_and_reach(tmp_path, method, eta):
    # 2400 iterations: the late window is the last third, 800 (< 1000). Loss: f0 = 12 falling 0.011 decade
    # per iteration for t < 700, 4e-6 until 800, then alternating 1e-6 / 3e-6 (mean 2e-6) until 1600, then
    # alternating 5e-7 / 1.5e-6 (mean 1e-6). f(x*) = 0, as on the quadratic. The window before the last one
    # is exactly [800, 1600): moved by one iteration either way, its mean is no longer 2e-6.
    n, rate = 2400, 0.011
    t = np.arange(n)
    alt = np.where(t % 2 == 0, 0.5, 1.5)
    loss = np.select([t < 700, t < 800, t < 1600], [12 * 10.0 ** (-rate * t), 4e-6, 2e-6 * alt], 1e-6 * alt)
    meta = {"f0": 12.0, "f_star": 0.0, "mu": 0.37, "prop4_stop_time_bound": 11.4}
    opt = signgd(eta) if method == "signgd" else rmsprop(eta, 0.9)
    run = write_run(tmp_path / method, loss, opt, {"name": "wishart_quadratic", "dim": 10, "seed": 0, "f0": 12.0},
                    metadata=meta)
    r = fig05.table([(run, n)], WINDOW, COLLAPSE_FACTOR, REACH_LEVEL).iloc[0]
    assert r["tail_window"] == 800
    assert r["plateau"] == pytest.approx(1e-6)         # mean of [1600, 2400)
    assert r["plateau_floor"] == pytest.approx(5e-7)   # its minimum
    assert r["plateau_before"] == pytest.approx(2e-6)  # mean of [800, 1600)
    # collapse: the first t with 12 x 10^(-0.011 t) <= 10 x plateau = 1e-5, t >= log10(1.2e6) / 0.011 = 552.7
    step = math.ceil(math.log10(12 / (COLLAPSE_FACTOR * 1e-6)) / rate)
    assert step == 553 and r["collapse_step"] == step
    assert r["collapse_time"] == pytest.approx(step * eta)
    # reach: the first t with f - f* <= 1e-3 (f0 - f*), three decades down: t >= 3 / 0.011 = 272.7
    reach = math.ceil(-math.log10(REACH_LEVEL) / rate)
    assert reach == 273 and r["reach_step"] == reach
    assert r["reach_time"] == pytest.approx(reach * eta)
    assert r["final_time"] == pytest.approx(n * eta)
    assert (r["f0"], r["f_star"], r["mu"], r["prop4_bound"]) == (12.0, 0.0, 0.37, 11.4)


# --- Fig 6: the 2-periodic orbit ---

def test_fig06_finds_when_each_iterate_enters_the_orbit(tmp_path):
    n, eta = 200, 0.01  # the ci scale; the orbit is x = +-eta/2
    R = eta / 2
    t = np.arange(n)
    dev = np.where((t // 3) % 2 == 0, 0.003, -0.003)   # on the orbit: |x| within 0.3 % of eta/2
    before = 0.5 * 0.97 ** t                            # before 100: at least 2.4 % off (0.5 x 0.97^99)
    rel = np.where(t < 100, before, dev)

    def iterate(rel, sign_from=None):
        x = (-1.0) ** t * R * (1 + rel)
        if sign_from is not None:  # the sign stops alternating once at sign_from (x keeps its predecessor's sign)
            x[sign_from:] *= -1
        return x

    # alpha 0.5: a point 2 % off (still alternating) at 149, then a 0.9 % deviation at 190: entry 150,
    # and the largest deviation over the last 50 is 0.009 (the 0.02 at 149 is the 51st from the end)
    r05 = rel.copy()
    r05[149], r05[190] = 0.02, 0.009
    # alpha 0.7: on the radius at 160 but with the sign of 159 (then alternating again): entry 161
    x07 = iterate(rel, sign_from=160)
    # alpha 0.9: the last point 1.1 % off: not on the orbit at the end
    r09 = rel.copy()
    r09[-1] = 0.011
    iterates = {"a05": (0.5, iterate(r05)), "a07": (0.7, x07), "a09": (0.9, iterate(r09))}
    runs = [(write_run(tmp_path / name, x ** 2 / 2, rmsprop(eta, alpha), {"name": "scalar_quadratic", "x0": 1.0},
                       columns={"x0": x}), n) for name, (alpha, x) in iterates.items()]
    rows = by_run(fig06.table(runs, WINDOW, ORBIT_REL_TOL, ORBIT_WINDOW))
    assert all(r["orbit_radius"] == pytest.approx(R) for r in rows.values())
    assert rows["a05"]["orbit_entry_step"] == 150
    assert rows["a05"]["max_rel_deviation_last"] == pytest.approx(0.009)
    assert rows["a07"]["orbit_entry_step"] == 161
    assert rows["a07"]["max_rel_deviation_last"] == pytest.approx(0.003)
    assert pd.isna(rows["a09"]["orbit_entry_step"])
    assert rows["a09"]["max_rel_deviation_last"] == pytest.approx(0.011)
    # x_199 = (-1)^199 R (1 + 0.011); the sign flip at 160 makes x07's last sign +
    assert rows["a09"]["final_x"] == pytest.approx(-R * 1.011)
    assert rows["a07"]["final_x"] == pytest.approx(R * (1 + dev[-1]))


# --- Fig 7: the three regimes ---

def test_fig07_labels_the_planted_spike_oscillation_and_divergences(tmp_path):
    n, t = 1000, np.arange(1000)  # the paper's length: the regime window is [200, 1000)
    spike = plant(fall_then_flat(n, -4.0), 700, [0.3, 1.2, 1.8, 0.9, 0.2], -4.0)  # 1.8 decades, peak 702
    osc = np.where(t < 100, -0.05 * t, -5.0 + 0.1 * (-1.0) ** t)                   # +-0.1 decade, period 2
    drift = np.where(t < 100, -0.06 * t, -6.0 + 0.004 * (t - 100))  # the floor climbs 0.8 decade per 200 its.
    overflow = np.append(10 ** fall_then_flat(500, -4.0), np.inf)   # the engine stops at the first inf
    runs = [(write_run(tmp_path / "spike", 10 ** spike, adam(1e-3, 1, 100)), n),
            (write_run(tmp_path / "osc", 10 ** osc, adam(1e-3, 10, 10)), n),
            (write_run(tmp_path / "drift", 10 ** drift, adam(1e-3, 100, 1)), n),
            (write_run(tmp_path / "overflow", overflow, adam(1e-3, 100, 1), seed=1), n)]
    rows = by_run(fig07.table(runs, WINDOW, REGIME, SENSITIVITY))
    s = rows["spike"]
    assert s["regime"] == "spike" and s["window_start"] == 200 and s["spikes_in_window"] == 1
    assert s["late_spikes"] == 1 and s["late_spike_peaks"] == "702"
    assert s["late_spike_max_decades"] == pytest.approx(1.8)
    # 1.8 decades is a spike at the 0.5-decade threshold and none at 2; the floor is flat, so its window
    # does not matter
    assert s["regime_height=0.5"] == "spike" and s["regime_height=2"] == "oscillation"
    assert s["regime_floor_window=100"] == "spike" and s["regime_floor_window=400"] == "spike"
    o = rows["osc"]
    assert o["regime"] == "oscillation" and o["spikes_in_window"] == 0 and o["late_spikes"] == 0
    assert o["osc_amplitude_decades"] == pytest.approx(0.1)
    assert o["osc_period"] == pytest.approx(2, rel=0.01)  # 2 x 800 points / 799 sign changes
    # the last 333 iterations alternate 10^(-5 +- 0.1): their mean, up to the one unpaired point
    assert o["tail_mean_loss"] == pytest.approx(1e-5 * (10 ** 0.1 + 10 ** -0.1) / 2, rel=1e-3)
    assert o["tail_mean_loss"] == min(r["tail_mean_loss"] for r in rows.values())
    d = rows["drift"]
    # it makes progress (median l over W is -4 < l_0 - 0.5) and has no spike (it rises 0.8 < 1 decade over any
    # 200 iterations), but the floor of W's last 200 is 0.004 x 600 = 2.4 decades above that of its first 200
    assert d["regime"] == "divergence" and not d["no_progress"] and d["spikes_in_window"] == 0
    assert d["floor_rise_decades"] == pytest.approx(2.4)
    v = rows["overflow"]
    assert v["regime"] == "divergence" and v["diverged"] and v["iterations"] == 501
    assert v["final_loss"] == pytest.approx(1e-4)  # the last finite loss


# --- Fig 9: per-epoch means of stochastic Adam ---

def test_fig09_reads_the_epoch_means_and_counts_spikes_in_epochs(tmp_path):
    per_epoch, epochs = 10, 200  # the paper's batch 1000 of 10000 images
    e = np.arange(epochs)
    ep = np.where(e < 50, -3.0 * e / 50, -3.0)  # log10 of each epoch's mean
    plant(ep, 150, SPIKE, -3.0)                  # crosses at epoch 151, 1.5 decades at 152, back at 154
    ramp = 0.08 * np.arange(1, 16)               # epochs 160-174: 0.08 ... 1.2 decades, then back at 175
    plant(ep, 160, ramp, -3.0)
    # The ramp first reaches 1 decade at 172 (1.04), but left the floor's 0.5 decade at 165 (0.48): 7 epochs >
    # the classifier's 50 iterations = 5 epochs, so it is no spike; counted in iterations (50) it would be one.
    rng = np.random.default_rng(0)
    z = np.array([-1, -0.6, -0.2, 0.2, 0.6, 1, -0.8, 0.8, -0.4, 0.4])  # sums to 0: batch losses average to E
    loss = np.concatenate([10 ** x * (1 + 0.5 * rng.permutation(z)) for x in ep])
    loss = np.append(loss, np.full(5, 1e3))  # half an epoch at the end, not a complete epoch
    run = write_run(tmp_path / "default", loss, adam(1e-3, 1, 100),
                    {"name": "resnet18", "data": "cifar10", "width": 32}, batch_size=1000,
                    metadata={"n_train": 10000})
    r = fig09.table([(run, len(loss))], WINDOW, REGIME).iloc[0]
    assert r["iterations_per_epoch"] == per_epoch and r["epochs"] == epochs and r["batch_size"] == 1000
    assert r["late_spikes"] == 1 and r["late_spike_epochs"] == "152"
    assert r["late_spike_max_decades"] == pytest.approx(1.5)
    assert r["max_rebound_decades"] == pytest.approx(1.5)  # the spike's peak over the running minimum -3
    assert r["final_epoch_loss"] == pytest.approx(1e-3) and r["min_epoch_loss"] == pytest.approx(1e-3)
    assert r["tail_mean_epoch_loss"] == pytest.approx(1e-3)  # the last tenth, epochs 180-199, is flat
    # mean of l: the fall (sum of -3 e / 50 for e < 50 = -73.5), 150 epochs at -3, the spike and the ramp
    assert r["mean_log10_epoch_loss"] == pytest.approx((-73.5 - 450 + sum(SPIKE) + ramp.sum()) / epochs)
    assert r["min_loss"] == pytest.approx(5e-4)  # the per-iteration minimum: 1e-3 x (1 - 0.5)


# --- Fig 10: objective and test error of the deep Galerkin method ---

def test_fig10_reads_objective_and_test_error_apart(tmp_path):
    cube = {"name": "dgm_poisson", "data": "poisson_cube", "widths": [200, 200], "activation": "tanh"}
    disk = {"name": "dgm_poisson", "data": "poisson_disk_400", "widths": [10, 10, 10, 10], "activation": "gelu"}
    # the defaults on the cube: a 2-decade objective spike at 800-804 (peak 802) and a 1.5-decade test-error
    # spike at evaluations 80-84 (steps 800-840, peak 82), test error falling from 1e-1 to 1e-3 over 30 evaluations
    obj = plant(fall_then_flat(1000, -3.0), 800, [0.4, 1.3, 2.0, 1.1, 0.2], -3.0)
    err = plant(fall_then_flat(100, -2.0, until=30) - 1.0, 80, SPIKE, -3.0)
    default = write_run(tmp_path / "cube_default", 10 ** obj, adam(5e-4, 2, 200), cube, eval_every=10,
                        columns={"test_error": evaluated(10 ** err, 10)})
    # a ~ b: no spike, objective flat at 1e-4 and test error at 10^-3.5 at the end
    balanced_err = fall_then_flat(100, -2.5, until=30) - 1.0
    balanced = write_run(tmp_path / "cube_balanced", 10 ** fall_then_flat(1000, -4.0), adam(5e-4, 10, 10), cube,
                         eval_every=10, columns={"test_error": evaluated(10 ** balanced_err, 10)})
    # the disk (500 iterations, 50 evaluations) on its 400-point data set: a test-error spike at 40-44 only
    derr = plant(np.full(50, -2.0), 40, SPIKE, -2.0)
    on_disk = write_run(tmp_path / "disk_default", 10 ** fall_then_flat(500, -2.0), adam(5e-4, 2, 200), disk,
                        eval_every=10, columns={"test_error": evaluated(10 ** derr, 10)})
    rows = by_run(fig10.table([(default, 1000), (balanced, 1000), (on_disk, 500)], WINDOW, REGIME, SENSITIVITY))
    d = rows["cube_default"]
    assert d["problem"] == "poisson_cube" and d["late_spikes"] == 1 and d["late_spike_peaks"] == "802"
    assert d["late_spike_max_decades"] == pytest.approx(2.0)
    assert d["late_spikes_test_error"] == 1 and d["late_spike_max_decades_test_error"] == pytest.approx(1.5)
    assert d["final_test_error"] == pytest.approx(1e-3) and d["min_test_error"] == pytest.approx(1e-3)
    b = rows["cube_balanced"]
    assert b["late_spikes"] == 0 and b["late_spikes_test_error"] == 0 and b["late_spike_max_decades_test_error"] == 0
    assert b["tail_mean_loss"] == pytest.approx(1e-4) and b["final_test_error"] == pytest.approx(10 ** -3.5)
    k = rows["disk_default"]
    assert k["problem"] == "poisson_disk"  # a derived data set counts as its source's problem
    assert k["late_spikes"] == 0 and k["late_spikes_test_error"] == 1
    assert k["late_spike_max_decades_test_error"] == pytest.approx(1.5)
    assert k["final_test_error"] == pytest.approx(1e-2) and k["min_test_error"] == pytest.approx(1e-2)
