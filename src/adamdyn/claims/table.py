"""All figures' claims gathered into one Markdown table a reader can scan, followed by each
figure's comparison with the published figure (:mod:`adamdyn.published`)."""
from __future__ import annotations

import json
import math

import pandas as pd


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


def claims_markdown(claims_by_figure: dict[str, list[dict]], scale: str,
                    compare_by_figure: dict[str, pd.DataFrame] | None = None) -> str:
    all_claims = [c for cs in claims_by_figure.values() for c in cs]
    held = sum(c["passed"] for c in all_claims)
    lines = [f"# Claims of the paper checked at the `{scale}` scale", "",
             f"**{held} of {len(all_claims)} claims hold.**", "",
             "| figure | claim | paper's statement | measured | threshold | verdict |",
             "|---|---|---|---|---|---|"]
    for figure, claims in claims_by_figure.items():
        for c in claims:
            verdict = "holds" if c["passed"] else "**does not hold**"
            lines.append(f"| {figure} | `{c['id']}` | {_cell(c['statement'])} | {_cell(c['measured'])} | "
                         f"{_cell(c['threshold'])} | {verdict} |")
    if compare_by_figure:
        lines += published_markdown(compare_by_figure)
    return "\n".join(lines) + "\n"


def load_claims(paths: dict[str, str]) -> dict[str, list[dict]]:
    return {figure: json.loads(open(path).read()) for figure, path in paths.items()}
