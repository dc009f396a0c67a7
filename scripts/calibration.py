"""Score the calibration study's candidates on the published readings (rule ``calibration``):
each candidate's comparisons (and C0's, the main figures') -> calibration/{readings,table}.csv,
decision.json and calibration.md (adamdyn.published.calibration)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd
from _cli import entry

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
    cost = cal.cost(job_seconds(Path(s["cost"]["benchmarks"]), s["cost"]["jobs"])) if s.get("cost") else None
    write_text(args.out / "calibration.md",
               cal.markdown(table, decision, rows, s["candidates"], s["scale"], s["stamp"], cost))


def job_seconds(folder: Path, jobs: dict[str, list[str]]) -> dict[str, tuple[list[str], float | None]]:
    """{job: (its parts, its wall-clock seconds from Snakemake's benchmark file, or None without one)}."""
    out = {}
    for job, parts in jobs.items():
        path = folder / f"{job}.tsv"
        t = pd.read_csv(path, sep="\t") if path.exists() else None
        out[job] = (parts, float(t["s"].iloc[-1]) if t is not None and len(t) and "s" in t else None)
    return out


if __name__ == "__main__":
    entry(main)
