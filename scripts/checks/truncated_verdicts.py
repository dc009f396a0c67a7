"""A shorter run, measured before it is chosen (issue 25): a figure's or study's claims with its runs
read to fewer iterations than they were trained, one table row per claim and length.

A run's history up to iteration n is the history of the same run trained to n (the engine's
iterations do not depend on the run's planned length) wherever the run's settings do not depend on
its length. So the verdicts a shorter setting would give are read off runs already trained: the
figure's entry of the scale is changed in memory (``--key`` to each of ``--values``, and ``--set``
for the rest of the candidate setting), the runs it then plans are read from ``--runs`` to the
length it plans, and its statistics and claims are computed as the workflow computes them. A run
whose name changes with its length (a cosine schedule's stop) is not there: the script stops,
naming it.

    python scripts/checks/truncated_verdicts.py --figure batch_size --key epochs --values 800 600 500 400 300 \\
        --set 'divisors=[1, 4, 16]' --runs results/cpu/runs --out docs/benchmarks-cuts-batch_size.md
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from _bench import emit  # noqa: E402

from adamdyn.config import load_config  # noqa: E402
from adamdyn.registry import figure, settings_for  # noqa: E402
from adamdyn.workflow import plan  # noqa: E402


def verdicts(config: dict, scale: str, name: str, runs_dir: Path) -> tuple[list, set[str]]:
    """The claims of ``name`` at ``config``'s scale entry, its runs read from ``runs_dir``, and the
    commits those runs were trained at (run.json)."""
    scale_cfg = config["scales"][scale]
    _, reads, _ = plan(scale, scale_cfg)
    missing = [r for r, _ in reads[name] if not (runs_dir / r / "history.parquet").exists()]
    if missing:
        raise SystemExit(f"{runs_dir}: no run {missing[0]} (and {len(missing) - 1} more): train the longer "
                         "setting first; a run whose name holds its length cannot be read shorter")
    commits = {json.loads((runs_dir / r / "run.json").read_text()).get("git_commit", "?") for r, _ in reads[name]}
    mod = figure(name)
    stats = mod.table([(runs_dir / r, n) for r, n in reads[name]], **settings_for(name, "table", config, scale_cfg))
    return mod.claims(stats, **settings_for(name, "claims", config, scale_cfg)), commits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figure", required=True, help="a figure or study id (fig09, batch_size, lr_decay, ...)")
    ap.add_argument("--scale", default="cpu")
    ap.add_argument("--key", required=True, help="the length's key in the scale entry (iterations, epochs)")
    ap.add_argument("--values", type=int, nargs="+", required=True, help="the lengths, the trained one first")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=YAML",
                    help="another key of the entry for every length (the setting the runs were trained with)")
    ap.add_argument("--runs", type=Path, required=True, help="the trained runs (results/<scale>/runs)")
    ap.add_argument("--root", type=Path, default=Path("."))
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    base = load_config(args.root)
    entry = base["scales"][args.scale][args.figure]
    for item in args.set:
        key, _, value = item.partition("=")
        entry[key] = yaml.safe_load(value)
    entry.pop("variants", None)
    table, commits = {}, set()
    for value in args.values:
        config = copy.deepcopy(base)
        config["scales"][args.scale][args.figure][args.key] = value
        if args.key == "iterations" and "reference_iterations" in entry:  # the lr-decay study's reference
            config["scales"][args.scale][args.figure]["reference_iterations"] = value
        claims, trained_at = verdicts(config, args.scale, args.figure, args.runs)
        table[value], commits = {c.id: c for c in claims}, commits | trained_at
    ids = list(dict.fromkeys(i for claims in table.values() for i in claims))
    first = args.values[0]
    sets = "; ".join(args.set) or "the scale's entry otherwise"
    lines = [f"`{args.figure}` at the `{args.scale}` scale ({sets}), its runs trained to {args.key} = {first} "
             f"and read to each length (scripts/checks/truncated_verdicts.py). A verdict that differs from "
             f"the one at {first} is in bold. Runs trained at commit(s) {', '.join(sorted(commits))}.", "",
             "| claim | " + " | ".join(f"{args.key} {v}" for v in args.values) + " |",
             "|---|" + "---|" * len(args.values)]
    for i in ids:
        cells = []
        for v in args.values:
            c = table[v].get(i)
            text = "not built" if c is None else c.verdict
            ref = table[first].get(i)
            bold = v != first and (ref is None or c is None or c.verdict != ref.verdict)
            cells.append(f"**{text}**" if bold else text)
        lines.append(f"| `{i}` | " + " | ".join(cells) + " |")
    lines += ["", "Measured, per length:", ""]
    for v in args.values:
        lines.append(f"- {args.key} {v}: " + "; ".join(f"`{c.id}` {json.dumps(c.measured)}" for c in table[v].values()))
    emit(lines, args.out)


if __name__ == "__main__":
    main()
