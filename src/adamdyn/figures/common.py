"""Machinery every figure module shares: loading a figure's runs, picking the run at an (a, b),
the per-run statistics rows (loss-curve summary and dynamics), and helpers for claims.

A figure reads runs as ``(run folder, iterations it reads)`` pairs: a figure that needs the first
N iterations of a run that another figure trains longer reads the start of it.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..io import DamagedOutput, damaged_history, read_history, read_json
from ..settings import data_kind
from ..stats import curves


class Run(NamedTuple):
    """One run as a figure sees it: its ``run.json`` and its history cut to what the figure reads."""

    info: dict
    history: pd.DataFrame

    @property
    def optimiser(self) -> dict:
        return self.info["spec"]["optimiser"]


def load_runs(runs: list[tuple[Path, int]]) -> list[Run]:
    """The runs a figure reads; a run whose history is damaged stops the stage, naming it."""
    for d, _ in runs:
        why = damaged_history(d)
        if why:
            raise DamagedOutput(f"run {d}: {why}. Delete {d}/history.parquet and rerun Snakemake: the run's job "
                               "resumes from its final checkpoint to the identical history")
    return [Run(read_json(Path(d) / "run.json"), read_history(d, n)) for d, n in runs]


# --- which run: an (a, b) written "a,b" as in config.yaml ---

def parse_ab(text: str) -> tuple[float, float]:
    a, b = (float(v) for v in str(text).split(","))
    return a, b


def at_ab(stats: pd.DataFrame, a_b: str) -> pd.DataFrame:
    """The rows of a statistics table at (a, b)."""
    a, b = parse_ab(a_b)
    return stats[np.isclose(stats["a"], a) & np.isclose(stats["b"], b)]


def runs_at_ab(runs: list[Run], a_b: str) -> list[Run]:
    """The loaded runs at (a, b) (the same test as :func:`at_ab`)."""
    a, b = parse_ab(a_b)
    return [r for r in runs if r.optimiser["a"] is not None and r.optimiser["b"] is not None
            and np.isclose(r.optimiser["a"], a) and np.isclose(r.optimiser["b"], b)]


def of_optimiser(runs: list[Run], name: str, key: str, descending: bool = True) -> list[Run]:
    """The runs of one optimiser, sorted by one of its settings (eta, a)."""
    sel = [r for r in runs if r.optimiser["name"] == name]
    return sorted(sel, key=lambda r: r.optimiser[key], reverse=descending)


# --- statistics rows ---

def per_epoch(run: Run) -> int:
    """Iterations per epoch: n_train / batch size (1 for full batch)."""
    batch = run.info["spec"]["batch_size"]
    return 1 if batch is None else run.info["problem_metadata"]["n_train"] // batch


def epoch_means(hist: pd.DataFrame, per_epoch: int, column: str = "loss") -> np.ndarray:
    """The mean mini-batch training loss (or another logged ``column``) of each complete epoch (the
    curve of Fig 9 and the batch-size study)."""
    loss = hist[column].to_numpy()
    epochs = len(loss) // per_epoch
    return loss[:epochs * per_epoch].reshape(epochs, per_epoch).mean(axis=1)


def job_rate(run: Run) -> float | None:
    """Cell-iterations per second of the training job the run was part of: the runs of its job (a
    batch's cells) times the iterations done, over the job's wall time; None without a wall time."""
    if not run.info.get("wall_time_s"):
        return None
    job = run.info.get("job") or {}
    cells = int(job.get("runs", 1)) if job.get("executor") == "batched" else 1  # a sequence's runs take turns
    return cells * run.info["iterations_done"] / run.info["wall_time_s"]


def base_row(run: Run, window: int) -> dict:
    """Settings of a run and the summary of its loss curve (:func:`curves.summarise`)."""
    opt, spec = run.optimiser, run.info["spec"]
    row = {"run": run.info["name"], "optimiser": opt["name"], "eta": opt["eta"], "alpha": opt["alpha"],
           "beta": opt["beta"], "a": opt["a"], "b": opt["b"], "seed": spec["seed"]}
    row.update(curves.summarise(run.history["loss"].to_numpy(), window))
    return row


def spike_settings(regime_cfg: dict, every: int = 1) -> dict:
    """The spike-event thresholds of the regime classifier, for a series logged every ``every``
    iterations (its windows, counted in iterations, shrink by that factor)."""
    return {"height": regime_cfg["height"], "floor_window": max(1, regime_cfg["floor_window"] // every),
            "rise_within": max(1, regime_cfg["rise_within"] // every), "recovery": regime_cfg["recovery"]}


def dynamics(loss: np.ndarray, regime_cfg: dict, sensitivity: dict) -> dict:
    """Regime label and its evidence, late-phase spikes, fast oscillation, and how the label moves
    when the spike threshold or the floor window moves (``sensitivity``: key -> values)."""
    r = curves.regime(loss, **regime_cfg)
    late = len(curves.log_loss(loss)) // 2
    events = curves.spike_events(loss, start=late, **spike_settings(regime_cfg))
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


def curve_table(runs, window: int, regime: dict, sensitivity: dict, early_iteration: int | None = None,
                initial_period: int | None = None, fast_iterations: int | None = None) -> pd.DataFrame:
    """Per run: the base statistics plus the loss curve's dynamics, and for every held-out metric
    (``test_loss``, ``test_error``) its final and minimum value and late spikes. Optional measures:
    log10 loss at ``early_iteration``, mean log10 loss from ``initial_period`` on, and the drop in
    decades over the first ``fast_iterations``."""
    rows = []
    for run in load_runs(runs):
        row, hist = base_row(run, window), run.history
        loss = hist["loss"].to_numpy()
        row["problem"] = data_kind(run.info["spec"]["problem"])
        row.update(dynamics(loss, regime, sensitivity))
        every = max(1, run.info["plan"]["eval_every"])
        for col in (c for c in hist.columns if c.startswith("test_")):
            test = hist[col].dropna().to_numpy()
            events = curves.spike_events(test, start=len(test) // 2,
                                         **spike_settings(regime, every)) if len(test) else []
            row.update({f"final_{col}": float(test[-1]) if len(test) else None,
                        f"min_{col}": float(test.min()) if len(test) else None,
                        f"late_spikes_{col}": len(events),
                        f"late_spike_max_decades_{col}": max((e["height"] for e in events), default=0.0)})
        l = curves.log_loss(loss)
        if early_iteration is not None:
            row["log10_loss_early"] = float(l[min(early_iteration, len(l) - 1)])
        if initial_period is not None:
            row["mean_log10_loss_after_initial"] = float(l[initial_period:].mean())
        if fast_iterations is not None:
            row["fast_drop_decades"] = float(l[0] - l[:fast_iterations].min())
        rows.append(row)
    return pd.DataFrame(rows)


def label_changes(table: pd.DataFrame) -> dict[str, float]:
    """The fraction of a table's rows whose regime label changes under each moved threshold of the
    classifier (its ``regime_<key>=<value>`` columns)."""
    return {k.removeprefix("regime_"): float((table[k] != table["regime"]).mean())
            for k in table.columns if k.startswith("regime_")}


# --- claims ---

def rounded(x: float, digits: int = 4):
    """A number rounded for a claims table (None and NaN become None)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(f"{x:.{digits}g}")


def moved_labels(record: dict) -> dict:
    """The regime label and the labels recomputed with the classifier's thresholds moved."""
    return {k.removeprefix("regime_") if k != "regime" else "label": v
            for k, v in record.items() if k == "regime" or k.startswith("regime_")}


def peaks(value) -> str:
    """A statistics table's ';'-joined spike peaks (read back as a number when there is one, NaN
    when there is none)."""
    if isinstance(value, str):
        return value
    return "" if value is None or pd.isna(value) else str(int(value))


def late_spikes(r) -> dict:
    return {"late_spikes": int(r.late_spikes), "largest_decades": rounded(r.late_spike_max_decades, 3),
            "peaks_at": peaks(r.late_spike_peaks)}


def spike_threshold_text(regime: dict) -> str:
    """The spike-event definition in words, from the classifier's settings."""
    return (f"a rise of >= {regime['height']:g} decade over the trailing {regime['floor_window']}-iteration "
            f"floor within {regime['rise_within']} iterations")


# --- the published figure's readings on our drawing ---

PUBLISHED_LABEL = "published (read from the paper's figure)"


def mark_published(axes: dict, published: pd.DataFrame | None) -> None:
    """Draw the readings of the published figure (rows of the comparison table,
    :func:`adamdyn.published.compare`) as small hollow markers on the axes of their panels
    (``axes``: panel -> an axis or a list of axes): black where the reading is comparable at this
    scale, grey where it is not; a published range as a vertical bar, a reading over a span of
    iterations (a plateau) with a thin horizontal line over that span. The x-limits of the drawing stay as
    they are (a reading beyond them is not drawn); a comparable reading may widen the y-range, so
    that a disagreement shows. The figure gets one legend entry for them all, at its bottom left."""
    if published is None or not len(published):
        return
    from matplotlib.lines import Line2D

    first, greyed = None, False  # the first axis marked (None: nothing drawn), any grey marker
    for panel, targets in axes.items():
        rows = published[(published["panel"] == panel) & published["marker_x"].notna() & published["marker_y"].notna()]
        for ax in targets if isinstance(targets, list) else [targets]:
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            drawn = False
            for r in rows.itertuples():
                comparable = bool(r.comparable)
                inside_y = y0 <= r.marker_y <= y1
                if not (x0 <= r.marker_x <= x1) or (not comparable and not inside_y):
                    continue
                colour = "k" if comparable else "0.55"
                lo = r.marker_lo if pd.notna(r.marker_lo) else r.marker_y
                lo = r.marker_y if lo <= 0 and ax.get_yscale() == "log" else lo
                hi = r.marker_hi if pd.notna(r.marker_hi) else r.marker_y
                if hi > lo:  # a published range
                    ax.plot([r.marker_x, r.marker_x], [lo, hi], color=colour, lw=0.8, zorder=6)
                if pd.notna(r.range_lo) and pd.notna(r.range_hi):
                    ax.plot([max(r.range_lo, x0), min(r.range_hi, x1)], [r.marker_y, r.marker_y], color=colour,
                            lw=0.6, zorder=6)
                ax.plot([r.marker_x], [r.marker_y], ls="", marker="o", ms=5, mfc="none", mec=colour, mew=1.0,
                        zorder=7)
                drawn, greyed = True, greyed or not comparable
            ax.set_xlim(x0, x1)
            if drawn and first is None:
                first = ax
    if first is None:
        return
    label = PUBLISHED_LABEL + ("; grey: not comparable at this scale" if greyed else "")
    handle = Line2D([], [], ls="", marker="o", ms=5, mfc="none", mec="k", mew=1.0, label=label)
    # the figure's own legend, in the strip style.save keeps free at the bottom: the axes' legends stay
    first.figure.legend(handles=[handle], loc="lower left", bbox_to_anchor=(0.0, 0.0), fontsize=7, frameon=False,
                        handletextpad=0.3, borderaxespad=0.2)
