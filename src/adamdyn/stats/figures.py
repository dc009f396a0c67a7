"""Each figure's statistics table: one row per run, from the runs' histories and run.json.

Statistics never train: they read ``history.parquet`` and ``run.json`` of each run, cut to the
iterations the figure asks for.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..io import read_history, read_json
from . import curves


def _base_row(run_dir: Path, iterations: int, window: int) -> tuple[dict, pd.DataFrame, dict]:
    info = read_json(run_dir / "run.json")
    hist = read_history(run_dir, iterations)
    opt = info["spec"]["optimiser"]
    row = {"run": info["name"], "optimiser": opt["name"], "eta": opt["eta"], "alpha": opt["alpha"],
           "beta": opt["beta"], "a": opt["a"], "b": opt["b"], "seed": info["spec"]["seed"]}
    row.update(curves.summarise(hist["loss"].to_numpy(), window))
    return row, hist, info


def fig05(runs: list[tuple[Path, int]], window: int, collapse_factor: float) -> pd.DataFrame:
    """Fig 5: the plateau after the fast phase, and when it is reached (in time t = eta * k).

    ``plateau`` is the mean loss over the late window; ``plateau_before`` the mean over the window
    just before it (equal when the loss has stopped decreasing). The collapse step is the first
    iteration whose loss is within ``collapse_factor`` of the plateau; ``prop4_bound`` is
    Proposition 4's stopping-time bound 2 sqrt((f(x0) - f(x*)) / mu) for the signGD flow.
    """
    rows = []
    for run_dir, iterations in runs:
        row, hist, info = _base_row(Path(run_dir), iterations, window)
        loss = hist["loss"].to_numpy()
        w = row["tail_window"]
        plateau = row["tail_mean_loss"]
        collapse = curves.first_below(loss, collapse_factor * plateau)
        row.update(plateau=plateau, plateau_before=curves.window_mean(loss, -2 * w, -w),
                   collapse_step=collapse,
                   collapse_time=None if collapse is None else collapse * row["eta"],
                   final_time=len(loss) * row["eta"], f0=info["problem_metadata"]["f0"],
                   mu=info["problem_metadata"]["mu"],
                   prop4_bound=info["problem_metadata"]["prop4_stop_time_bound"])
        rows.append(row)
    return pd.DataFrame(rows)


def fig06(runs: list[tuple[Path, int]], window: int, orbit_rel_tol: float, orbit_window: int) -> pd.DataFrame:
    """Fig 6: how close each alpha's iterate is to the 2-periodic orbit x = +/- eta/2, and from when."""
    rows = []
    for run_dir, iterations in runs:
        row, hist, _ = _base_row(Path(run_dir), iterations, window)
        x = hist["x0"].to_numpy()
        radius = row["eta"] / 2
        row.update(orbit_radius=radius, orbit_entry_step=curves.orbit_entry(x, radius, orbit_rel_tol),
                   orbit_rel_tol=orbit_rel_tol, orbit_window=orbit_window,
                   max_rel_deviation_last=curves.max_orbit_deviation(x, radius, orbit_window),
                   final_x=float(x[-1]))
        rows.append(row)
    return pd.DataFrame(rows)


def _spike_settings(regime_cfg: dict, every: int = 1) -> dict:
    """The spike-event thresholds of the regime classifier, for a series logged every ``every``
    iterations (its windows, counted in iterations, shrink by that factor)."""
    return {"height": regime_cfg["height"], "floor_window": max(1, regime_cfg["floor_window"] // every),
            "rise_within": max(1, regime_cfg["rise_within"] // every), "recovery": regime_cfg["recovery"]}


def _dynamics(loss: np.ndarray, regime_cfg: dict, sensitivity: dict) -> dict:
    """Regime label and its evidence, late-phase spikes, fast oscillation, and how the label moves
    when the spike threshold or the floor window moves (``sensitivity``: key -> values)."""
    r = curves.regime(loss, **regime_cfg)
    late = len(curves.log_loss(loss)) // 2
    events = curves.spike_events(loss, start=late, **_spike_settings(regime_cfg))
    osc = curves.oscillation(loss, start=r["window_start"])
    row = {"regime": r["label"], "window_start": r["window_start"], "floor_rise_decades": r["floor_rise_decades"],
           "dense_jump_fraction": r["dense_jump_fraction"], "no_progress": r["no_progress"],
           "spikes_in_window": r["spikes_in_window"], "late_spikes": len(events),
           "late_spike_max_decades": max((e["height"] for e in events), default=0.0),
           "late_spike_peaks": ";".join(str(e["peak"]) for e in events),
           "osc_amplitude_decades": osc["amplitude"], "osc_period": osc["period"]}
    for key, values in sensitivity.items():
        for v in values:
            row[f"regime_{key}={v:g}"] = curves.regime(loss, **{**regime_cfg, key: v})["label"]
    return row


def curve_table(runs, window: int, regime: dict, sensitivity: dict, **extra) -> pd.DataFrame:
    """Figs 1, 3, 4, 7, 10: per run, the base statistics plus the loss curve's dynamics, and for
    every held-out metric (``test_loss``, ``test_error``) its final and minimum value and late spikes."""
    rows = []
    for run_dir, iterations in runs:
        row, hist, info = _base_row(Path(run_dir), iterations, window)
        loss = hist["loss"].to_numpy()
        row["problem"] = info["spec"]["problem"].get("data", info["spec"]["problem"]["name"])
        row.update(_dynamics(loss, regime, sensitivity))
        every = max(1, info["plan"]["eval_every"])
        for col in (c for c in hist.columns if c.startswith("test_")):
            test = hist[col].dropna().to_numpy()
            events = curves.spike_events(test, start=len(test) // 2,
                                         **_spike_settings(regime, every)) if len(test) else []
            row.update({f"final_{col}": float(test[-1]) if len(test) else None,
                        f"min_{col}": float(test.min()) if len(test) else None,
                        f"late_spikes_{col}": len(events),
                        f"late_spike_max_decades_{col}": max((e["height"] for e in events), default=0.0)})
        l = curves.log_loss(loss)
        if "early_iteration" in extra:
            row["log10_loss_early"] = float(l[min(extra["early_iteration"], len(l) - 1)])
        if "initial_period" in extra:
            row["mean_log10_loss_after_initial"] = float(l[extra["initial_period"]:].mean())
        if "fast_iterations" in extra:
            row["fast_drop_decades"] = float(l[0] - l[:extra["fast_iterations"]].min())
        rows.append(row)
    return pd.DataFrame(rows)


def fig02(runs, window: int) -> pd.DataFrame:
    """Fig 2: each run's distance to signGD's loss curve at equal time t = eta x iteration.

    The distance is the largest and the mean |L(t) - L_signGD(t)| over the run's time grid, with
    signGD's curve interpolated linearly in t (its grid is the finest: eta = 1e-5).
    """
    loaded = []
    for run_dir, iterations in runs:
        row, hist, _ = _base_row(Path(run_dir), iterations, window)
        loaded.append((row, hist))
    sign = [(r, h) for r, h in loaded if r["optimiser"] == "signgd"]
    if len(sign) != 1:
        raise ValueError(f"fig02 needs exactly one signGD run, got {len(sign)}")
    s_row, s_hist = sign[0]
    s_t = s_hist["step"].to_numpy() * s_row["eta"]
    rows = []
    for row, hist in loaded:
        t = hist["step"].to_numpy() * row["eta"]
        diff = np.abs(hist["loss"].to_numpy() - np.interp(t, s_t, s_hist["loss"].to_numpy()))
        row.update(final_time=float(len(t) * row["eta"]), max_abs_diff_to_signgd=float(diff.max()),
                   mean_abs_diff_to_signgd=float(diff.mean()))
        rows.append(row)
    return pd.DataFrame(rows)


def label_changes(table: pd.DataFrame) -> dict[str, float]:
    """The fraction of a table's rows whose regime label changes under each moved threshold of the
    classifier (its ``regime_<key>=<value>`` columns)."""
    return {k.removeprefix("regime_"): float((table[k] != table["regime"]).mean())
            for k in table.columns if k.startswith("regime_")}


def epoch_means(hist: pd.DataFrame, per_epoch: int) -> np.ndarray:
    """The mean mini-batch training loss of each complete epoch (Fig 9's curve)."""
    loss = hist["loss"].to_numpy()
    epochs = len(loss) // per_epoch
    return loss[:epochs * per_epoch].reshape(epochs, per_epoch).mean(axis=1)


def fig09(runs, window: int, regime: dict, sensitivity: dict) -> pd.DataFrame:
    """Fig 9: stochastic Adam on the ResNet18, per run, statistics of the per-epoch mean loss.

    ``tail_mean_epoch_loss`` is the mean over the last tenth of the epochs; late spikes are the
    spike events (:func:`curves.spike_events`, the classifier's thresholds with its windows
    counted in epochs) in the second half; ``max_rebound_decades`` the largest rise of the epoch
    curve above its running minimum after the first tenth (0 for a monotone curve);
    ``mean_log10_epoch_loss`` the mean of log10 over all epochs (lower: faster overall).
    """
    rows = []
    for run_dir, iterations in runs:
        row, hist, info = _base_row(Path(run_dir), iterations, window)
        per_epoch = info["problem_metadata"]["n_train"] // info["spec"]["batch_size"]
        ep = epoch_means(hist, per_epoch)
        l = curves.log_loss(ep)
        events = curves.spike_events(ep, start=len(ep) // 2, **_spike_settings(regime, per_epoch))
        start = max(1, len(l) // 10)
        rebound = float((l[start:] - np.minimum.accumulate(l)[start:]).max()) if len(l) > start else 0.0
        row.update(batch_size=info["spec"]["batch_size"], iterations_per_epoch=per_epoch, epochs=len(ep),
                   final_epoch_loss=float(ep[-1]), min_epoch_loss=float(ep.min()),
                   tail_mean_epoch_loss=float(ep[-max(1, len(ep) // 10):].mean()),
                   mean_log10_epoch_loss=float(l.mean()), max_rebound_decades=rebound,
                   late_spikes=len(events), late_spike_max_decades=max((e["height"] for e in events), default=0.0),
                   late_spike_epochs=";".join(str(e["peak"]) for e in events))
        rows.append(row)
    return pd.DataFrame(rows)


def fig08(runs, window: int, regime: dict, sensitivity: dict) -> pd.DataFrame:
    """Fig 8: one row per (a, b) cell of the phase diagram, from its block's losses.

    Per cell: the mean loss over the last ``window`` iterations (the heat-map; NaN for a cell whose
    loss became non-finite, which is blank on the map), its log10, the regime label (divergence
    for a non-finite loss) with its evidence and its labels under the moved thresholds, the spike
    count in the classification window, and the iteration at which it diverged (-1 if never).
    """
    rows = []
    for block_dir, iterations in runs:
        info = read_json(Path(block_dir) / "run.json")
        hist = read_history(block_dir, iterations)
        eta = info["plan"]["eta"]
        for cell in info["cells"]:
            loss = hist[cell["column"]].to_numpy()
            row = {"block": info["plan"]["name"], "a": cell["a"], "b": cell["b"], "ja": cell["ja"], "jb": cell["jb"],
                   "on_grid": cell["ja"] is not None, "eta": eta, "alpha": 1 - cell["a"] * eta,
                   "beta": 1 - cell["b"] * eta, "seed": info["seed"], "initial_loss": float(loss[0])}
            row.update(curves.summarise(loss, window))
            row["diverged_at"] = cell["diverged_at"] if 0 <= cell["diverged_at"] < len(loss) else -1
            if row["diverged"]:
                row["tail_mean_loss"] = float("nan")  # blank on the heat-map
            row["log10_tail_mean_loss"] = float(np.log10(row["tail_mean_loss"])) if row["tail_mean_loss"] > 0 else float("nan")
            row.update(_dynamics(loss, regime, sensitivity))
            rows.append(row)
    return pd.DataFrame(rows)


TABLES = {"fig01": curve_table, "fig02": fig02, "fig03": curve_table, "fig04": curve_table,
          "fig05": fig05, "fig06": fig06, "fig07": curve_table, "fig08": fig08,
          "fig09": fig09, "fig10": curve_table}
