"""The calibration study (issue 26; docs/calibration-design.md): its candidates as variants of the
figures they touch, the split of the readings, the choice and its rule (on tables where a candidate
wins and where it does not), and the study built at the ci scale."""
import json

import pandas as pd
import pytest

import copy

from adamdyn.calibration import candidate_variants, check_map, touched
from adamdyn.published import calibration as cal
from adamdyn.registry import variant_configs, variant_notes
from adamdyn.workflow import plan
from conftest import CONFIG


def test_a_candidate_is_a_variant_of_each_figure_it_touches_and_only_there():
    cpu = CONFIG["scales"]["cpu"]
    made = candidate_variants(cpu)
    on = touched(cpu)
    # a loss normalisation is an MLP's option: not Fig 10's DGM nor Fig 5's quadratic
    assert on["sum_outputs"] == ["fig01", "fig02", "fig03", "fig04", "fig07"]
    assert "fig10" in on["glorot"] and "fig05" not in on["glorot"]
    assert "fig10-cal_sum_outputs" not in made and "fig05-cal_glorot" not in made
    # the study's own change of a figure (Fig 7: seed 0, the curve its readings read), on every candidate
    assert all(made[f"fig07-cal_{c}"][0]["seeds"] == [0] for c in ("sum_outputs", "glorot", "unit_pixels"))
    # the candidate's set on every problem it names, the data swap on the data set it names
    fig01 = made["fig01-cal_sum_outputs"][0]
    assert fig01["problem"]["loss"] == "sum_outputs" and fig01["runs"][1]["problem"]["loss"] == "sum_outputs"
    assert made["fig01-cal_unit_pixels"][0]["problem"]["data"] == "cifar2_unit"
    assert made["fig01-cal_unit_pixels"][0]["runs"][1]["problem"]["data"] == "sine"  # not a CIFAR set
    # they are variants like any other: in the plan, with a note saying which candidate and why
    assert set(made) <= set(variant_configs(cpu)) and variant_notes(cpu)["fig03-cal_glorot"]["why"].startswith(
        "calibration candidate glorot")
    runs, reads, _ = plan("cpu", cpu)
    names = dict(reads)["fig03-cal_sum_outputs"]
    assert all("-sumoutputs_" in n for n, _ in names)
    assert not {n for n, _ in names} & {n for n, _ in reads["fig03"]}
    # a candidate's runs on the unit-pixel set are new runs; the sine under unit_pixels is C0's run
    assert dict(reads["fig01-cal_unit_pixels"]).keys() & dict(reads["fig01"]).keys() == {
        n for n, _ in reads["fig01"] if n.startswith("mlp-sine")}


def _compare(fig, rows):
    """A comparison table as adamdyn.published.compare writes it (the columns the study reads)."""
    return pd.DataFrame([{"figure": fig, "id": f"{fig}.{i}", "kind": kind, "comparable": True, "agrees": agrees,
                          "measured": 1.0, "published": 1.0} for i, (kind, agrees) in enumerate(rows)])


SPLIT = {"selection": {"figures": ["fig01"], "kinds": ["start"]}, "held_out": {"figures": ["fig07"]}}


def _tables(c0, cand):
    """C0's and one candidate's comparisons of a selection figure (fig01) and a held-out one (fig07)."""
    return {"C0": {f: (_compare(f, r), True) for f, r in c0.items()},
            "cand": {f: (_compare(f, r), True) for f, r in cand.items()}}


def test_fig08_map_measures_the_study_candidates_with_their_own_change():
    cpu = CONFIG["scales"]["cpu"]
    found = cpu["calibration"]["held_out"]["map"]
    check_map(cpu, found)  # the shipped map: sum_outputs and glorot, as the study changes them
    on_map = cpu["fig08_reduction"]["variants"]["calibration"]["set"]["candidates"]
    assert set(on_map) == {"sum_outputs", "glorot"}  # unit_pixels changes CIFAR only, not Fashion-MNIST

    def refused(edit, message):
        c = copy.deepcopy(cpu)
        edit(c["fig08_reduction"]["variants"]["calibration"]["set"]["candidates"], c["calibration"]["candidates"])
        with pytest.raises(ValueError, match=message):
            check_map(c, found)

    refused(lambda m, s: m.update(half={"why": "x", "eps": 2e-8}), "half: not a candidate of the calibration study")
    refused(lambda m, s: m["sum_outputs"].update(eps=1e-9), "sum_outputs: must make the study's change")
    refused(lambda m, s: m["glorot"].update(problem={"init": "normal"}), "glorot: must make the study's change")
    refused(lambda m, s: m.pop("glorot"), "candidates glorot change the MLP of Fig 8's map but are not on it")


def test_the_split_puts_every_start_in_the_selection_half():
    halves = cal.halves(_compare("fig07", [("start", True), ("final", True)]), **SPLIT)
    assert list(halves) == ["selection", "held_out"]
    assert list(cal.halves(_compare("fig06", [("start", True)]), **SPLIT)) == [None]  # a figure of neither half


def test_a_candidate_better_on_both_halves_becomes_the_default():
    rows = cal.readings(_tables({"fig01": [("start", False), ("final", False)], "fig07": [("final", False)]},
                                {"fig01": [("start", True), ("final", False)], "fig07": [("final", True)]}), **SPLIT)
    decision = cal.decide(cal.score(rows), ["C0", "cand"])
    assert decision["choice"] == "cand" and decision["becomes_default"]
    assert decision["selection"] == {"C0": 0, "cand": 1} and decision["held_out"] == {"C0": 0, "cand": 1}


def test_a_candidate_chosen_on_the_selection_but_not_better_held_out_leaves_the_default():
    rows = cal.readings(_tables({"fig01": [("start", False)], "fig07": [("start", False), ("final", True)]},
                                {"fig01": [("start", True)], "fig07": [("start", True), ("final", False)]}), **SPLIT)
    decision = cal.decide(cal.score(rows), ["C0", "cand"])
    assert decision["choice"] == "cand" and not decision["becomes_default"]
    assert decision["selection"] == {"C0": 0, "cand": 2}  # the held-out figure's start is a selection reading
    assert "the paper's reading stays" in decision["why"]
    missed = cal.unexplained(rows)
    assert dict(zip(missed["id"], missed["agree_under"])) == {"fig01.0": "cand", "fig07.0": "cand"}


def test_a_tie_keeps_the_paper_reading():
    rows = cal.readings(_tables({"fig01": [("start", True)], "fig07": [("final", False)]},
                                {"fig01": [("start", True)], "fig07": [("final", True)]}), **SPLIT)
    decision = cal.decide(cal.score(rows), ["C0", "cand"])
    assert decision["choice"] == "C0" and not decision["becomes_default"]


def test_fig08_map_is_held_out_and_compared_only_where_both_have_it():
    claims = [{"id": "other", "measured": {}}, {"id": "fig08_reduction.length_moves_the_map", "measured": {
        cal.MAP_KEY: {"w64": {"2000": "13/22", "8000": "19/22"}, "cand": {"2000": "9/22", "8000": "21/22"}}}}]
    cells = cal.map_cells(claims, "w64")
    assert cells == {"C0": (19, 22), "cand": (21, 22)}  # the longest length
    rows = cal.readings(_tables({"fig01": [("start", False)], "fig07": [("final", True)]},
                                {"fig01": [("start", True)], "fig07": [("final", True)]}), **SPLIT)
    decision = cal.decide(cal.score(rows, cells), ["C0", "cand"])
    assert decision["becomes_default"] and decision["held_out_parts"] == ["fig07", "fig08 map"]
    assert decision["held_out"] == {"C0": 20, "cand": 22}
    with pytest.raises(ValueError, match="no claim measures"):
        cal.map_cells(claims[:1], "w64")


def test_the_cost_is_the_job_time_of_the_study_own_jobs_by_part():
    lines = cal.cost({"a": (["glorot"], 60.0), "b": (["glorot"], 120.0), "m": (["fig08 map"], None)})
    assert "| glorot | 2 | 3.0 | 2.0 |" in lines
    assert "| fig08 map | 1 | not measured (1 without a benchmark file) | – |" in lines
    assert "**3 training jobs, 3.0 min of job time** (1 not measured)" in lines[-1]
    assert cal.cost({}) == ["The study trains no run of its own at this scale."]


def test_ci_scale_builds_the_calibration_study(ci_dir):
    out = ci_dir / "results" / "ci" / "calibration"
    study = CONFIG["scales"]["ci"]["calibration"]
    table = pd.read_csv(out / "table.csv")
    assert list(dict.fromkeys(table["candidate"])) == ["C0", *study["candidates"]]
    assert set(table["figure"]) == set(study["figures"])
    # Fig 5 is quadratic: no candidate touches it, its readings are C0's, said so on the page
    assert not table[(table["figure"] == "fig05") & (table["candidate"] != "C0")]["own"].any()
    assert table[(table["figure"] == "fig04") & (table["candidate"] != "C0")]["own"].all()
    readings = pd.read_csv(out / "readings.csv")
    assert set(readings.loc[readings["figure"] == "fig05", "half"]) <= {"held_out", "selection"}
    assert (readings.loc[readings["kind"] == "start", "half"] == "selection").all()
    decision = json.loads((out / "decision.json").read_text())
    assert decision["choice"] in ["C0", *study["candidates"]]
    # a candidate's figure is scored from its comparison alone: not drawn or claimed by the default target
    results = out.parent
    assert (results / "compare" / "fig04-cal_glorot.csv").exists() and (results / "stats" / "fig04-cal_glorot.csv").exists()
    assert not (results / "figures" / "fig04-cal_glorot.png").exists()
    assert not (results / "claims" / "fig04-cal_glorot.json").exists()
    page = (out / "calibration.md").read_text()
    assert "(=C0)" in page and "## The choice" in page and "glorot" in page
    # its cost: the two candidates' own jobs (Fig 4 under each), from their benchmark files
    assert "## Its cost" in page and "**2 training jobs," in page and "not measured" not in page
