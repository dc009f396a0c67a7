"""The results book: one Markdown page per figure of the paper and per study, an index, and the
cost of the build, every number read from a scale's results (rule ``book``), the way showyourwork
puts a pipeline's numbers into a paper. Prose comes from the captions (``workflow/report/<id>.rst``)
and from the claims' own statements; nothing here is typed by hand.

A page holds: the figure, its caption, its claims (statement, measured, threshold, verdict, the
reason of an inconclusive one, a setting chosen after seeing results), its comparison with the
published figure (:mod:`adamdyn.published`: published against measured, reading by reading) and its
variants (what each sets and why, its claims and its distance to the published readings). The index
holds one line per figure or study, the README's table of what this reproduces (:func:`readme_table`)
and the cost of each stage from Snakemake's ``benchmark:`` files (:func:`costs_table`)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .claims import tally_text
from .claims.table import _cell, _number, _verdict, claim_row, variant_table
from .naming import split_figure_id

README_BEGIN = "<!-- book:begin (written by `snakemake docs`; do not edit by hand) -->"
README_END = "<!-- book:end -->"


def agreement(compare: pd.DataFrame | None) -> tuple[int, int]:
    """(comparable readings, those that agree within their uncertainty) of a comparison table."""
    if compare is None or compare.empty:
        return 0, 0
    comp = compare[compare["comparable"].astype(bool)]
    return len(comp), int((comp["agrees"].astype(str) == "True").sum())


def claims_section(claims: list[dict]) -> list[str]:
    lines = [f"**Claims: {tally_text(claims)}.**", "", "| claim | statement | measured | threshold | verdict |",
             "|---|---|---|---|---|"]
    lines += [f"| {claim_row(c)} |" for c in claims]
    return lines


def compare_section(compare: pd.DataFrame) -> list[str]:
    n, agree = agreement(compare)
    lines = [f"{agree} of {n} comparable readings agree within their uncertainty ({len(compare)} readings in all; "
             "a difference is log10(measured/published) in decades unless the reading counts or times).", "",
             "| reading | curve | kind | published | measured | difference | uncertainty | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for r in compare.fillna({"curve": "", "series": ""}).itertuples():
        unit = "" if r.unit == "decades" or pd.isna(r.difference) else f" ({r.unit})"
        lines.append(f"| `{r.id}` | {_cell(r.curve)} | {r.kind} | {r.published} | {_number(r.measured)} | "
                     f"{_number(r.difference)}{unit} | {r.uncertainty:g} | {_cell(_verdict(r))} |")
    return lines


def variants_section(base: str, claims: dict[str, list[dict]], compare: dict[str, pd.DataFrame],
                     variants: dict[str, dict]) -> list[str]:
    ids = sorted(v for v in variants if split_figure_id(v)[0] == base)
    if not ids:
        return []
    return variant_table([base] + ids, claims, compare, variants)


def declared_section(base: str, declared: dict[str, dict], built: dict[str, dict]) -> list[str]:
    """The variants of ``base`` that its settings declare but this build did not make (a scale whose
    default target leaves the variants out): what each sets and why, and how to build it."""
    ids = sorted(v for v in declared if split_figure_id(v)[0] == base and v not in built)
    if not ids:
        return []
    lines = ["Declared in the figure's settings but not built at this scale (`snakemake --cores all "
             "--config variants=true`, or one by name, e.g. `snakemake --cores 2 " + ids[0] + "`):", "",
             "| variant | sets | why |", "|---|---|---|"]
    return lines + [f"| `{v}` | {_cell(declared[v]['set'])} | {_cell(declared[v]['why'])} |" for v in ids]


def figure_page(fig: str, title: str, caption: str, image: str, claims: dict[str, list[dict]],
                compare: dict[str, pd.DataFrame], variants: dict[str, dict], stamp: str,
                declared: dict[str, dict] | None = None) -> str:
    """One page: the figure ``fig`` (its base id), its caption, claims, comparison and variants (those
    built, with their claims and readings; those only ``declared``, with what they set and why)."""
    lines = [f"# {title}", "", f"*{stamp}*", "", f"![{title}]({image})", "", caption.strip(), "",
             "## Claims", ""] + claims_section(claims[fig])
    if fig in compare and len(compare[fig]):
        lines += ["", "## Against the published figure", ""] + compare_section(compare[fig])
    more = variants_section(fig, claims, compare, variants)
    unbuilt = declared_section(fig, declared or {}, variants)
    if more or unbuilt:
        lines += ["", "## Variants: settings the paper leaves open", ""] + more + ([""] if more and unbuilt else []) \
            + unbuilt
    return "\n".join(lines) + "\n"


def readme_table(rows: list[dict]) -> str:
    """What this reproduces, one line per figure or study: its verdicts and its agreement with the
    published figure (the README's table, between :data:`README_BEGIN` and :data:`README_END`)."""
    lines = ["| | what | claims | against the published figure |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| [{r['title']}]({r['page']}) | {r['what']} | {tally_text(r['claims'])} | {r['agreement']} |")
    return "\n".join(lines) + "\n"


def job_seconds(benchmark: Path) -> float | None:
    """A job's wall-clock seconds from its Snakemake benchmark file (column ``s``, its last line), or
    None where there is no file or no measurement in it."""
    if not benchmark.exists():
        return None
    t = pd.read_csv(benchmark, sep="\t")
    return float(t["s"].iloc[-1]) if len(t) and "s" in t else None


def costs_table(benchmarks: list[Path], leave_out: set[str] = frozenset()) -> str:
    """The cost of the build by stage, from Snakemake's benchmark files
    (``benchmarks/<rule>/<job>.tsv``, column ``s``: the job's wall-clock seconds), but those of the jobs
    in ``leave_out`` (a job name or figure id the default target does not build: a variant or the
    calibration's candidates, built by name into the same folder). A file is written
    when its job ends, so its modification time less ``s`` is when the job began: the span from the
    first job's start to the last job's end is the build's wall-clock time when it ran in one
    invocation (an upper bound otherwise). Job time over that span is the number of jobs running on
    average (how well the cores were kept busy). The files' ``cpu_time`` is not used: Snakemake
    samples it every 30 s, so a job's last interval is lost (a job shorter than 30 s records none)."""
    rows = []
    for path in benchmarks:
        s = None if path.stem in leave_out else job_seconds(path)
        if s is not None:
            rows.append({"stage": path.parent.name, "job": path.stem, "s": s, "end": path.stat().st_mtime})
    if not rows:
        return "No benchmark files: the jobs of this scale ran before the rules recorded them.\n"
    df = pd.DataFrame(rows)
    span = df["end"].max() - (df["end"] - df["s"]).min()
    by = df.groupby("stage")["s"].agg(["count", "sum", "max"]).sort_values("sum", ascending=False)
    busy = f"; {df['s'].sum() / span:.2f} jobs running on average" if span > 0 else ""
    lines = [f"**Wall-clock time from the first job's start to the last job's end: {span / 60:.1f} min**{busy} "
             "(the build's time when it ran in one invocation; an upper bound if it was resumed).", "",
             f"{len(df)} jobs, {df['s'].sum() / 60:.1f} min of job time in all (jobs run side by side, so the "
             "build's wall-clock time is less; Snakemake's benchmark files, `results/<scale>/benchmarks/`).", "",
             "| stage | jobs | job time (min) | longest job (min) |", "|---|---|---|---|"]
    for stage, r in by.iterrows():
        lines.append(f"| {stage} | {int(r['count'])} | {r['sum'] / 60:.1f} | {r['max'] / 60:.1f} |")
    top = df.sort_values("s", ascending=False).head(10)
    lines += ["", "The ten longest jobs:", "", "| stage | job | min |", "|---|---|---|"]
    lines += [f"| {r.stage} | `{r.job}` | {r.s / 60:.1f} |" for r in top.itertuples()]
    return "\n".join(lines) + "\n"


def index_page(scale: str, stamp: str, rows: list[dict], costs: str) -> str:
    studies = [r for r in rows if r["study"]]
    paper = [r for r in rows if not r["study"]]
    all_claims = [c for r in paper for c in r["claims"]]
    comparable = sum(r["comparable"] for r in paper)
    agree = sum(r["agree"] for r in paper)
    lines = [f"# Results book: the `{scale}` scale", "", f"*{stamp}*", "",
             "Every number in this book is read from the results of this scale by the rule `book`; "
             "`snakemake docs --config scale=cpu` copies the cpu scale's book into `docs/book/`.", "",
             f"The paper's figures: claims {tally_text(all_claims)}; {agree} of {comparable} comparable readings of the "
             "published figures agree within their uncertainty.", "", "## The paper's figures", "",
             readme_table(paper)]
    if studies:
        lines += ["## Our studies beyond the paper", "", readme_table(studies)]
    lines += ["## Cost of the build", "", costs]
    return "\n".join(lines)


def replace_block(text: str, block: str) -> str:
    """``text`` (the README) with what lies between its book markers replaced by ``block``."""
    if README_BEGIN not in text or README_END not in text:
        raise ValueError(f"README.md has no book block: put the lines {README_BEGIN!r} and {README_END!r} "
                         "where the table of figures belongs")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_BEGIN}\n{block}{README_END}{tail}"
