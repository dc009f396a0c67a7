"""The results book (adamdyn.book) on known inputs: its tallies, agreement counts and costs are those
of the files it reads, and the README's block is replaced between its markers only."""
import os

import pandas as pd
import pytest

from adamdyn import book


def _claims(*passed):
    return [{"id": f"figX.c{i}", "statement": "s", "measured": {"m": 1.0}, "threshold": "t", "passed": p,
             "verdict": {True: "holds", False: "does not hold", None: "inconclusive"}[p],
             "why": "too few seeds" if p is None else "", "caveat": ""} for i, p in enumerate(passed)]


def _compare(agrees):
    return pd.DataFrame({"id": [f"fig01.r{i}" for i in range(len(agrees))], "curve": "", "series": "", "kind": "final",
                         "published": 1.0, "measured": 1.0, "difference": 0.0, "unit": "decades",
                         "uncertainty": 0.2, "agrees": [a for a, _ in agrees], "comparable": [c for _, c in agrees],
                         "why_not": [None if c else "another width" for _, c in agrees]})


def test_a_page_counts_the_claims_and_readings_it_is_given():
    claims = {"fig01": _claims(True, False, None)}
    compare = {"fig01": _compare([(True, True), (False, True), (False, False)])}
    page = book.figure_page("fig01", "Figure 1", "Figure 1: a caption.", "../figures/fig01.png", claims, compare, {},
                            "scale ci")
    assert "**Claims: 1 hold, 1 do not hold, 1 inconclusive (of 3).**" in page
    assert "1 of 2 comparable readings agree" in page and "inconclusive: too few seeds" in page
    assert book.agreement(compare["fig01"]) == (2, 1) and book.agreement(pd.DataFrame()) == (0, 0)
    assert "## Variants" not in page


def test_a_page_lists_the_declared_variants_a_build_left_out():
    claims = {"fig01": _claims(True), "fig01-a": _claims(False)}
    compare = {"fig01": _compare([(True, True)]), "fig01-a": _compare([(False, True)])}
    declared = {"fig01-a": {"set": "init: glorot", "why": "the start"}, "fig01-b": {"set": "dtype: float64", "why": "x"}}
    page = book.figure_page("fig01", "Figure 1", "cap", "f.png", claims, compare, {"fig01-a": declared["fig01-a"]},
                            "scale ci", declared)
    built, unbuilt = page.split("Declared in the figure's settings but not built")
    assert "| `fig01-a` | init: glorot | the start | 0 hold, 1 do not hold" in built and "fig01-b" not in built
    assert "| `fig01-b` | dtype: float64 | x |" in unbuilt and "fig01-a" not in unbuilt
    assert "snakemake --cores 2 fig01-b" in unbuilt
    alone = book.figure_page("fig01", "Figure 1", "cap", "f.png", claims, compare, {}, "s", {"fig01-b": declared["fig01-b"]})
    assert "## Variants" in alone and "| `fig01-b` | dtype: float64 | x |" in alone


def test_costs_are_summed_from_the_benchmark_files(tmp_path):
    # jobs a (0-60 s) and b (0-120 s) side by side, then the statistics (120-126 s): a 126 s build
    for stage, job, s, end in (("train", "a", 60.0, 60), ("train", "b", 120.0, 120), ("stats", "fig01", 6.0, 126)):
        (tmp_path / stage).mkdir(exist_ok=True)
        (tmp_path / stage / f"{job}.tsv").write_text(f"s\th:m:s\tmax_rss\tcpu_time\n{s}\t0:00:{int(s)}\t10\t{s}\n")
        os.utime(tmp_path / stage / f"{job}.tsv", (1e9 + end, 1e9 + end))
    text = book.costs_table(sorted(tmp_path.glob("*/*.tsv")))
    assert "last job's end: 2.1 min**; 1.48 jobs running on average" in text  # 186 s of jobs / 126 s
    assert "3 jobs, 3.1 min of job time" in text
    assert "| train | 2 | 3.0 | 2.0 |" in text and "| stats | 1 | 0.1 | 0.1 |" in text
    assert "No benchmark files" in book.costs_table([])
    # a variant built by name later into the same folder (a job of 600 s ending at 1000 s) stays out
    (tmp_path / "train" / "v.tsv").write_text("s\th:m:s\tmax_rss\tcpu_time\n600.0\t0:10:00\t10\t600\n")
    os.utime(tmp_path / "train" / "v.tsv", (1e9 + 1000, 1e9 + 1000))
    assert book.costs_table(sorted(tmp_path.glob("*/*.tsv")), {"v"}) == text
    assert "4 jobs" in book.costs_table(sorted(tmp_path.glob("*/*.tsv")))


def test_the_readme_block_is_replaced_between_its_markers_only():
    readme = f"head\n{book.README_BEGIN}\nold table\n{book.README_END}\ntail\n"
    out = book.replace_block(readme, "| new |\n")
    assert out == f"head\n{book.README_BEGIN}\n| new |\n{book.README_END}\ntail\n"
    with pytest.raises(ValueError, match="no book block"):
        book.replace_block("no markers here", "x")
