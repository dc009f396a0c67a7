"""All figures' claims gathered into one Markdown table a reader can scan."""
from __future__ import annotations

import json


def _cell(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def claims_markdown(claims_by_figure: dict[str, list[dict]], scale: str) -> str:
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
    return "\n".join(lines) + "\n"


def load_claims(paths: dict[str, str]) -> dict[str, list[dict]]:
    return {figure: json.loads(open(path).read()) for figure, path in paths.items()}
