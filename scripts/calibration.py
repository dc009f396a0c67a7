"""Score the calibration study's candidates on the published readings (rule ``calibration``):
each candidate's comparisons (and C0's, the main figures') -> calibration/{readings,table}.csv,
decision.json and calibration.md (adamdyn.published.calibration)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from _cli import entry

from adamdyn import book
from adamdyn.io import read_json, write_csv, write_json, write_text
from adamdyn.published import calibration as cal


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--spec", type=json.loads, required=True,
                   help="{candidates: {name: why}, tables: {candidate: {figure: [compare csv, own]}}, selection, "
                        "held_out, map: {claims, reference} or null, scale, stamp, "
                        "cost: {benchmarks: folder, jobs: {training job: [part]}}}")
    p.add_argument("--out", type=Path, required=True, help="the study's folder")
    args = p.parse_args()
    s = args.spec
    tables = {c: {f: (pd.read_csv(path), own) for f, (path, own) in figs.items()} for c, figs in s["tables"].items()}
    rows = cal.readings(tables, s["selection"], s["held_out"])
    cells = cal.map_cells(read_json(s["map"]["claims"]), s["map"]["reference"]) if s.get("map") else None
    table = cal.score(rows, cells)
    decision = cal.decide(table, list(s["tables"]))
    write_csv(args.out / "readings.csv", rows)
    write_csv(args.out / "table.csv", table)
    write_json(args.out / "decision.json", decision)
    cost = None
    if s.get("cost"):
        folder = Path(s["cost"]["benchmarks"])
        cost = cal.cost({job: (parts, book.job_seconds(folder / f"{job}.tsv")) for job, parts in s["cost"]["jobs"].items()})
    write_text(args.out / "calibration.md",
               cal.markdown(table, decision, rows, s["candidates"], s["scale"], s["stamp"], cost))


if __name__ == "__main__":
    entry(main)
