"""All figures' claims gathered into one Markdown table a reader can scan, followed by each
figure's comparison with the published figure (:mod:`adamdyn.published`)."""
from __future__ import annotations

import json
import math

import pandas as pd

from ..naming import split_figure_id
from . import FAILS, HOLDS, tally_text, verdict_of


def _cell(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def _number(value) -> str:
    if isinstance(value, str):  # a column that also holds an (a, b) location is read back as text
        try:
            value = float(value)
        except ValueError:
            return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def claim_row(c: dict) -> str:
    """A claim's cells in a Markdown table: id, statement, measured, threshold and verdict (bold when
    it does not hold; an inconclusive one with its reason; a setting chosen after seeing results said)."""
    v = verdict_of(c)
    verdict = v if v == HOLDS else f"**{v}**" if v == FAILS else f"{v}: {_cell(c.get('why', ''))}"
    if c.get("caveat"):
        verdict += f" (setting chosen after seeing results: {_cell(c['caveat'])})"
    return (f"`{c['id']}` | {_cell(c['statement'])} | {_cell(c['measured'])} | {_cell(c['threshold'])} | "
            f"{verdict}")


def _verdict(r) -> str:
    if not r.comparable:
        return f"not comparable: {r.why_not}"
    return "agrees" if r.agrees in (True, "True") else "**disagrees**"


def published_markdown(compare_by_figure: dict[str, pd.DataFrame]) -> list[str]:
    """The section "Against the published figures": per figure how many readings are comparable
    and agree, then every reading with its published and measured value."""
    lines = ["", "## Against the published figures", "",
             "Readings of the paper's figures (`src/adamdyn/published/readings.yaml`, transcribed from the "
             "readings of the published images), measured on this scale's runs. A reading is comparable when a "
             "run matches its curve with the paper's settings; it agrees when |difference| <= its uncertainty "
             "(decades log10(measured/published) for a value, 0 inside a published range; a plain difference for "
             "counts, iterations and fractions of cells). A reading that is not comparable is still measured "
             "where the run reaches it, and says why.", "",
             "| figure | readings | comparable | agree | disagree |", "|---|---|---|---|---|"]
    tables = {fig: t for fig, t in compare_by_figure.items() if len(t)}
    for fig, t in tables.items():
        comp = t[t["comparable"].astype(bool)]
        agree = int((comp["agrees"].astype(str) == "True").sum())
        lines.append(f"| {fig} | {len(t)} | {len(comp)} | {agree} | {len(comp) - agree} |")
    for fig, t in tables.items():
        lines += ["", f"### {fig}", "", "| reading | curve | kind | published | measured | difference | "
                  "uncertainty | verdict |", "|---|---|---|---|---|---|---|---|"]
        for r in t.fillna({"curve": "", "series": ""}).itertuples():
            unit = "" if r.unit == "decades" or pd.isna(r.difference) else f" ({r.unit})"
            series = "" if r.series in ("", "loss") else f" ({r.series})"
            lines.append(f"| `{r.id}` | {_cell(r.curve)}{_cell(series)} | {r.kind} | {r.published} | "
                         f"{_number(r.measured)} | {_number(r.difference)}{unit} | {r.uncertainty:g} | "
                         f"{_cell(_verdict(r))} |")
    return lines


def _near(t: pd.DataFrame) -> tuple[int, int, float]:
    """(readings measured, those within their uncertainty, median |difference| in decades) of a
    comparison table, comparable or not: how far a figure lies from the published one."""
    measured = t[t["difference"].notna()]
    within = int((measured["difference"].abs() <= measured["uncertainty"] + 1e-12).sum())
    decades = measured[measured["unit"] == "decades"]["difference"].abs()
    return len(measured), within, float(decades.median()) if len(decades) else math.nan


def variant_table(ids: list[str], claims_by_figure: dict[str, list[dict]], compare_by_figure: dict[str, pd.DataFrame],
                  variants: dict[str, dict]) -> list[str]:
    """One row per figure id (the main figure, then its variants): what it sets and why, its claims,
    and how far it lies from the published readings."""
    lines = ["| variant | sets | why | claims hold | readings within / measured | median abs. difference (decades) |",
             "|---|---|---|---|---|---|"]
    for fig in ids:
        note = variants.get(fig, {"set": "the paper's settings (main)", "why": ""})
        t = compare_by_figure.get(fig)
        n, within, med = _near(t) if t is not None and len(t) else (0, 0, math.nan)
        held = tally_text(claims_by_figure[fig]) if fig in claims_by_figure else "–"
        lines.append(f"| `{fig}` | {_cell(note['set'])} | {_cell(note['why'])} | {held} | {within} / {n} | "
                     f"{_number(med)} |")
    return lines


def variants_markdown(claims_by_figure: dict[str, list[dict]], compare_by_figure: dict[str, pd.DataFrame],
                      variants: dict[str, dict]) -> list[str]:
    """The section "Variants": per figure that has variants, the main figure and each variant (what
    it sets, why), which claims hold and how far it lies from the published readings; then each
    reading's difference per variant (what moved what)."""
    bases = sorted({split_figure_id(v)[0] for v in variants})
    if not bases:
        return []
    lines = ["", "## Variants: settings the paper leaves open", "",
             "A variant is the same figure with one open setting changed (`variants` of the figure's scale "
             "entry in workflow/config/<id>.yaml). Its readings are measured like the main figure's, whether or "
             "not the run has every setting of the paper's; 'within' counts readings whose |difference| <= their "
             "uncertainty, and the median is over the readings measured in decades.", ""]
    for base in bases:
        ids = [base] + sorted(v for v in variants if split_figure_id(v)[0] == base)
        lines += [f"### {base}", ""] + variant_table(ids, claims_by_figure, compare_by_figure, variants)
        tables = {fig: compare_by_figure[fig].set_index("id") for fig in ids if fig in compare_by_figure}
        if tables:
            lines += ["", "| reading | published | " + " | ".join(f"`{f}`" for f in tables) + " |",
                      "|---|---|" + "---|" * len(tables)]
            first = next(iter(tables.values()))
            for rid in first.index:
                cells = []
                for t in tables.values():
                    d = t["difference"].get(rid, math.nan) if rid in t.index else math.nan
                    m = t["measured"].get(rid) if rid in t.index else None
                    cells.append(f"{_number(m)} ({_number(d)})")
                lines.append(f"| `{rid}` | {first.loc[rid, 'published']} | " + " | ".join(cells) + " |")
            lines += ["", "Each cell: measured (difference; decades unless the reading counts or times)."]
        lines.append("")
    return lines


def claims_markdown(claims_by_figure: dict[str, list[dict]], scale: str,
                    compare_by_figure: dict[str, pd.DataFrame] | None = None,
                    variants: dict[str, dict] | None = None) -> str:
    """The claims table of the main figures, their comparison with the published figures and, when
    figures have variants, the variants' section (:func:`variants_markdown`)."""
    everything, all_compare = claims_by_figure, compare_by_figure or {}
    claims_by_figure = {f: c for f, c in everything.items() if split_figure_id(f)[1] is None}
    compare_by_figure = {f: t for f, t in all_compare.items() if split_figure_id(f)[1] is None}
    all_claims = [c for cs in claims_by_figure.values() for c in cs]
    lines = [f"# Claims of the paper checked at the `{scale}` scale", "",
             f"**Claims: {tally_text(all_claims)}.**", "",
             "A claim is inconclusive when the runs cannot decide it; its verdict says why.", "",
             "| figure | claim | paper's statement | measured | threshold | verdict |",
             "|---|---|---|---|---|---|"]
    for figure, claims in claims_by_figure.items():
        for c in claims:
            lines.append(f"| {figure} | {claim_row(c)} |")
    if compare_by_figure:
        lines += published_markdown(compare_by_figure)
    lines += variants_markdown(everything, all_compare, variants or {})
    return "\n".join(lines) + "\n"


def load_claims(paths: dict[str, str]) -> dict[str, list[dict]]:
    return {figure: json.loads(open(path).read()) for figure, path in paths.items()}
