"""The readings of the published figures (adamdyn.published): the file is valid and covers every
figure of the paper; each kind of reading measures what it says on curves with known answers; a
reading that cannot be compared says why; the comparison reaches claims.md and the drawings."""
import copy
import math

import numpy as np
import pandas as pd
import pytest
from pathlib import Path

from adamdyn import published
from adamdyn.claims.table import claims_markdown
from adamdyn.registry import FIGURES
from adamdyn.figures.common import PUBLISHED_LABEL, mark_published
from adamdyn.io import write_json, write_parquet
from adamdyn.published import COLUMNS, KINDS, ReadingError, compare, load, measure_cells, measure_curve, parse

from conftest import CONFIG

REGIME = CONFIG["stats"]["regime"]
SPIKES = {k: REGIME[k] for k in ("height", "floor_window", "rise_within", "recovery")}
PAPER_FIGURES = [f"fig{n:02d}" for n in range(1, 11)]


# --- the readings file ---

def test_every_figure_of_the_paper_has_readings_and_every_record_is_valid():
    readings = load()  # validates every record
    assert sorted(readings) == PAPER_FIGURES
    for fig, records in readings.items():
        assert len(records) >= 5, fig
        for r in records:
            assert r["uncertainty"] > 0 and r["kind"] in KINDS and r["id"].startswith(f"{fig}.")
            if KINDS[r["kind"]] == "decades":  # the uncertainties of figure-readings.md
                assert r["uncertainty"] == {"eye": 0.2, "digitised": 0.05}[r["source"]] or r["kind"] == "argmin_cell"
    ids = [r["id"] for records in readings.values() for r in records]
    assert len(ids) == len(set(ids))
    assert set(readings) <= set(FIGURES)


def test_every_panel_of_a_reading_is_one_the_figure_draws():
    drawn = {"fig01": {"left", "right"}, "fig02": {"adam", "rmsprop"}, "fig03": {"adam", "rmsprop"},
             "fig04": {"whole"}, "fig05": {"signgd", "rmsprop"}, "fig06": {"iterate"},
             "fig07": {"spike", "oscillation", "divergence", "spike_state", "oscillation_state", "divergence_state"},
             "fig08": {"heat", "regimes"}, "fig09": {"loss"}, "fig10": {"cube", "cube_test", "disk", "disk_test"}}
    for fig, records in load().items():
        assert {r["panel"] for r in records} <= drawn[fig], fig


def _doc(**change):
    record = {"id": "fig05.signgd.start", "panel": "signgd", "curve": {"optimiser": "signgd"}, "kind": "start",
              "published": 12, "uncertainty": 0.2, "source": "eye", "note": "n"}
    record.update(change)
    return {"figures": {"fig05": {"paper": {"iterations": 20000}, "readings": [record]}}}


@pytest.mark.parametrize("change, key", [
    ({"kind": "height_at"}, "kind"),
    ({"uncertainty": 0}, "uncertainty"),
    ({"uncertainty": -0.2}, "uncertainty"),
    ({"published": [3, 1]}, "published"),
    ({"published": "12"}, "published"),
    ({"source": "guess"}, "source"),
    ({"series": "grad"}, "series"),
    ({"curve": {"optimizer": "signgd"}}, "curve"),
    ({"kind": "value_at"}, "at"),
    ({"kind": "floor"}, "range"),
    ({"colour": "red"}, "colour"),
    ({"id": "fig06.x"}, "id"),
    ({"paper": {"depth": 3}}, "paper"),
    ({"window": -1}, "window"),
    ({"kind": "spike_count", "range": [0, 10], "height": 0}, "height"),
])
def test_a_bad_record_gives_one_error_naming_its_id_and_key(change, key):
    with pytest.raises(ReadingError, match=rf"reading '[^']+', key '{key}'"):
        parse(_doc(**change))


def test_a_missing_key_and_a_repeated_id_are_named():
    doc = _doc()
    del doc["figures"]["fig05"]["readings"][0]["uncertainty"]
    with pytest.raises(ReadingError, match="'fig05.signgd.start', key 'uncertainty': missing"):
        parse(doc)
    doc = _doc()
    doc["figures"]["fig05"]["readings"].append(copy.deepcopy(doc["figures"]["fig05"]["readings"][0]))
    with pytest.raises(ReadingError, match="key 'id': used twice"):
        parse(doc)


# --- each kind on curves with known answers ---

def _read(kind, **extra):
    return {"kind": kind, **extra}


def test_values_on_a_curve():
    x = np.arange(100, dtype=float)
    y = 10.0 ** (-x / 10)  # one decade every 10 iterations
    m = lambda kind, **kw: measure_curve(_read(kind, **kw), x, y, SPIKES, 10, 20)  # noqa: E731
    assert m("start") == 1.0
    assert math.isclose(m("value_at", at=30), 1e-3)
    assert math.isclose(m("value_at", at=30, window=10), 1e-3)  # geometric mean of a straight log line
    assert math.isclose(m("final"), 10 ** -9.9)
    assert math.isclose(m("floor", range=[20, 40]), 1e-4)
    assert math.isclose(m("peak", range=[20, 40]), 1e-2)
    assert math.isclose(m("plateau", range=[20, 40]), 1e-3)
    assert m("value_at", at=150) is None and m("floor", range=[50, 150]) is None  # beyond the run


def test_a_series_logged_every_ten_iterations_reaches_the_end_of_its_run():
    x = np.arange(0, 1000, 10, dtype=float)
    y = np.full(len(x), 1e-3)
    assert measure_curve(_read("floor", range=[500, 999]), x, y, SPIKES, 10, 20) == 1e-3
    assert measure_curve(_read("value_at", at=1005), x, y, SPIKES, 10, 20) is None


def test_spikes_are_counted_with_the_classifiers_events_inside_the_range():
    y = np.full(1000, 1e-6)
    for t in (300, 500, 700):
        y[t:t + 5] = 1e-3  # three 3-decade spikes
    y[600:605] = 3e-6  # half a decade: not a spike
    x = np.arange(1000, dtype=float)
    count = lambda **kw: measure_curve(_read("spike_count", **kw), x, y, SPIKES, 10, 20)  # noqa: E731
    assert count(range=[0, 999]) == 3
    assert count(range=[400, 999]) == 2
    assert count(range=[0, 999], height=4.0) == 0


def test_the_collapse_is_the_first_iteration_within_the_factor_of_the_plateau():
    x = np.arange(2000, dtype=float)
    y = np.where(x < 900, 10.0, 1e-3)
    assert measure_curve(_read("collapse_iteration"), x, y, SPIKES, 10, 500) == 900


def _grid():
    values = [0.1, 1.0, 10.0, 100.0]
    rows = []
    for b in values:
        for a in values:
            label = "divergence" if a >= 4 * b else "spike" if b >= 10 * a else "oscillation"
            rows.append({"a": a, "b": b, "regime": label, "diverged": a >= 100 * b, "on_grid": True,
                         "log10_tail_mean_loss": -5.0 - (a == b == 1.0) * 3})
    rows.append({"a": 1.0, "b": 50.0, "regime": "spike", "diverged": False, "on_grid": False,
                 "log10_tail_mean_loss": -4.0})
    return pd.DataFrame(rows)


def test_cell_readings_on_a_phase_diagram():
    g = _grid()
    frac = lambda where, among=None: measure_cells({"kind": "cells_fraction", "where": where, "among": among}, g)  # noqa
    assert frac("regime == 'divergence'") == 6 / 16  # the off-grid cell does not count
    assert frac("regime == 'divergence'", "a <= 2 * b") == 0
    assert frac("diverged") == 3 / 16
    assert measure_cells({"kind": "min_cell"}, g) == -8.0
    assert measure_cells({"kind": "argmin_cell"}, g) == [1.0, 1.0]
    assert measure_cells({"kind": "default_gap", "default": "1,50"}, g) == 4.0


def test_differences_in_decades_in_a_range_and_in_counts():
    d = published.difference
    assert math.isclose(d({"kind": "final", "published": 1e-3}, 1e-2), 1.0)
    assert d({"kind": "final", "published": [1e-3, 1e-2]}, 5e-3) == 0.0
    assert math.isclose(d({"kind": "final", "published": [1e-3, 1e-2]}, 1e-4), -1.0)
    assert math.isclose(d({"kind": "value_at", "published": -0.02}, -0.002), -1.0)
    assert math.isnan(d({"kind": "value_at", "published": -0.02}, 0.002))  # the wrong sign
    assert d({"kind": "spike_count", "published": 7}, 4) == -3
    assert math.isclose(d({"kind": "argmin_cell", "published": [1, 1]}, [10, 10]), math.sqrt(2))


# --- one figure's comparison ---

def _run(folder, name, loss, eta=1e-3, a=1.0, b=100.0, n_train=2000, widths=(256, 128, 64), seed=0):
    folder.mkdir(parents=True)
    write_parquet(folder / "history.parquet", pd.DataFrame({"step": np.arange(len(loss)), "loss": loss}))
    write_json(folder / "run.json", {
        "name": name, "problem_metadata": {"n_train": n_train},
        "spec": {"problem": {"name": "mlp", "data": "cifar2", "widths": list(widths)}, "seed": seed,
                 "batch_size": None, "optimiser": {"name": "adam", "eta": eta, "alpha": 1 - a * eta,
                                                   "beta": 1 - b * eta, "a": a, "b": b}}})
    return folder


READINGS = {"fig07": [dict(r, figure="fig07", paper={"iterations": 1000, "n_train": 2000}) for r in [
    {"id": "fig07.spike.final", "panel": "spike", "curve": {"optimiser": "adam", "a": 1, "b": 100}, "kind": "final",
     "published": 3e-6, "uncertainty": 0.2, "source": "eye", "note": "n"},
    {"id": "fig07.spike.at500", "panel": "spike", "curve": {"optimiser": "adam", "a": 1, "b": 100}, "kind": "value_at",
     "at": 500, "published": 1e-3, "uncertainty": 0.2, "source": "eye", "note": "n"},
    {"id": "fig07.oscillation.final", "panel": "oscillation", "curve": {"optimiser": "adam", "a": 10, "b": 10},
     "kind": "final", "published": 1e-5, "uncertainty": 0.2, "source": "eye", "note": "n"},
]]}


def test_compare_measures_what_matches_and_says_why_the_rest_is_not_comparable(tmp_path):
    loss = np.full(1000, 4e-6)
    loss[500] = 1e-2
    spike = _run(tmp_path / "s", "spike", loss)
    out = compare("fig07", [(spike, 1000)], pd.DataFrame(), REGIME, 10, 1000, readings=READINGS)
    assert list(out.columns) == COLUMNS and list(out["id"]) == [r["id"] for r in READINGS["fig07"]]
    final, at500, osc = (r for _, r in out.iterrows())
    assert final["comparable"] and final["agrees"] and math.isclose(final["difference"], math.log10(4 / 3))
    assert at500["comparable"] and not at500["agrees"] and math.isclose(at500["difference"], 1.0)
    assert not osc["comparable"] and osc["agrees"] is None and "no run matches the curve" in osc["why_not"]
    assert final["marker_x"] == 1000 and final["marker_y"] == 3e-6 and at500["marker_x"] == 500


def test_a_run_with_other_settings_than_the_papers_is_measured_but_not_comparable(tmp_path):
    small = _run(tmp_path / "s", "spike", np.full(300, 1e-4), n_train=200)
    out = compare("fig07", [(small, 300)], pd.DataFrame(), REGIME, 10, 1000, readings=READINGS)
    final = out.iloc[0]
    assert not final["comparable"] and final["measured"] == 1e-4
    assert final["why_not"] == "iterations 300 vs the paper's 1000; n_train 200 vs the paper's 2000"
    assert out.iloc[1]["why_not"] == "iterations 300 vs the paper's 1000; n_train 200 vs the paper's 2000"
    assert pd.isna(out.iloc[1]["measured"])  # iteration 500 is beyond this run


def test_a_figure_without_readings_compares_nothing(tmp_path):
    out = compare("lr_decay", [], pd.DataFrame(), REGIME, 10, 1000, readings=READINGS)
    assert out.empty and list(out.columns) == COLUMNS


def test_claims_md_gains_the_section_against_the_published_figures(tmp_path):
    spike = _run(tmp_path / "s", "spike", np.full(1000, 4e-6))
    out = compare("fig07", [(spike, 1000)], pd.DataFrame(), REGIME, 10, 1000, readings=READINGS)
    out.to_csv(tmp_path / "c.csv", index=False)
    text = claims_markdown({"fig07": []}, "ci", {"fig07": pd.read_csv(tmp_path / "c.csv")})
    assert "## Against the published figures" in text
    assert "| fig07 | 3 | 2 | 1 | 1 |" in text  # readings, comparable, agree, disagree
    assert "not comparable: no run matches the curve at this scale" in text and "**disagrees**" in text


def test_published_readings_are_drawn_on_their_panel_with_one_legend_entry(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spike = _run(tmp_path / "s", "spike", np.full(1000, 4e-6))
    table = compare("fig07", [(spike, 1000)], pd.DataFrame(), REGIME, 10, 1000, readings=READINGS)
    table.to_csv(tmp_path / "c.csv", index=False)
    fig, (left, right) = plt.subplots(ncols=2)
    for ax in (left, right):
        ax.plot(np.arange(1000), np.full(1000, 1e-4), label="run")
        ax.set_yscale("log")
        ax.legend(loc="upper right")
    mark_published({"spike": left, "oscillation": right}, pd.read_csv(tmp_path / "c.csv"))
    points = lambda ax: [tuple(map(float, (l.get_xdata()[0], l.get_ydata()[0]))) for l in ax.lines[1:]]  # noqa
    assert set(points(left)) == {(1000.0, 3e-6), (500.0, 1e-3)}
    assert points(right) == [(1000.0, 1e-5)]  # not comparable (no run matches): drawn in grey
    assert right.lines[1].get_markeredgecolor() == "0.55" and left.lines[1].get_markeredgecolor() == "k"
    (legend,) = fig.legends  # one entry for the whole figure; the axes' legends stay as they were
    assert [t.get_text() for t in legend.get_texts()] == [PUBLISHED_LABEL + "; grey: not comparable at this scale"]
    assert [[t.get_text() for t in ax.get_legend().get_texts()] for ax in (left, right)] == [["run"], ["run"]]
    plt.close(fig)


def test_the_claims_table_keeps_variants_apart_and_says_what_moved_what():
    """The main claims table counts only the paper's figures; a figure's variants get their own
    section: claims held and distance from the readings per variant, then each reading per variant."""
    import pandas as pd

    from adamdyn.claims.table import claims_markdown

    def table(diff):
        return pd.DataFrame([{"id": "fig05.signgd.start", "published": "12", "measured": 12 * 10 ** diff,
                              "difference": diff, "unit": "decades", "uncertainty": 0.2, "comparable": True,
                              "agrees": abs(diff) <= 0.2, "why_not": None, "curve": "", "series": "", "kind": "start"}])

    claim = {"id": "fig05.x", "statement": "s", "measured": 1.0, "threshold": 1.0}
    claims = {"fig05": [{**claim, "passed": True}], "fig05-seed1": [{**claim, "passed": False}]}
    text = claims_markdown(claims, "ci", {"fig05": table(0.1), "fig05-seed1": table(0.5)},
                           {"fig05-seed1": {"set": {"problem": {"seed": 1}}, "why": "another U"}})
    assert "**Claims: 1 hold, 0 do not hold, 0 inconclusive (of 1).**" in text and "| fig05-seed1 |" not in text
    variants = text.split("## Variants: settings the paper leaves open")[1]
    assert "| `fig05` | the paper's settings (main) |  | 1 hold, 0 do not hold, 0 inconclusive (of 1) | 1 / 1 | 0.1 |" in variants
    assert "| `fig05-seed1` | problem: seed: 1 | another U | 0 hold, 1 do not hold, 0 inconclusive (of 1) | 0 / 1 | 0.5 |" in variants
    assert "| `fig05.signgd.start` | 12 | 15.1 (0.1) | 37.9 (0.5) |" in variants


def test_a_published_fact_is_written_once_in_the_readings_and_read_by_its_claims():
    """Fig 8's onset band lives in readings.yaml (facts) only: the claims of Fig 8 and of the
    divergence-edge study state and test the band read from there."""
    from adamdyn.figures.phase import published_onset
    from adamdyn.published import ReadingError, fact

    rows, band = published_onset()
    assert fact("fig08", "divergence_onset")["a_over_b"] == list(band) and rows[0] < rows[1] and band[0] < band[1]
    with pytest.raises(ReadingError, match="no fact fig08.nothing"):
        fact("fig08", "nothing")
    src = (Path(__file__).resolve().parents[1] / "src" / "adamdyn")
    for module in ("figures/fig08.py", "studies/divergence_edge.py"):
        assert f"{band[0]:g}, {band[1]:g}" not in (src / module).read_text()
