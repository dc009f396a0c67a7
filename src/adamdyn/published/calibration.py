"""The calibration study's score and choice (issue 26; design: docs/calibration-design.md).

Each candidate is scored by the comparison with the published figures that exists
(:func:`adamdyn.published.compare`, unchanged): on each figure, the readings that agree within
their uncertainty among the comparable ones. The readings are split in two halves, declared in the
config before any result: the **selection** half (every reading of the selection figures, and the
``start`` of every curve of every figure scored) chooses; the **held-out** half (every other reading
of the held-out figures, and Fig 8's map: its cells that agree with the published regions) only
reports. The rule:

- the choice is the candidate with the most selection readings in agreement; a tie goes to ``C0``
  (the paper's reading, our default), then to the candidate declared first;
- it becomes the default only if its held-out agreement is higher than ``C0``'s, counted on what
  both have (a candidate without Fig 8's map is compared without it).
"""
from __future__ import annotations

import pandas as pd

REFERENCE = "C0"  # the default settings: the main figures
MAP_KEY = "agreeing_constrained_cells_by_candidate_and_length"  # the Fig 8 reduction study's length claim


def halves(compare: pd.DataFrame, selection: dict, held_out: dict) -> pd.Series:
    """Each reading's half: ``selection``, ``held_out`` or None (a figure in neither)."""
    kinds = set(selection.get("kinds", []))
    sel = compare["figure"].isin(selection["figures"]) | (compare["kind"].isin(kinds)
                                                          & compare["figure"].isin(selection["figures"]
                                                                                   + held_out["figures"]))
    held = ~sel & compare["figure"].isin(held_out["figures"])
    return pd.Series([("selection" if s else "held_out" if h else None) for s, h in zip(sel, held)],
                     index=compare.index)


def readings(tables: dict[str, dict[str, pd.DataFrame]], selection: dict, held_out: dict) -> pd.DataFrame:
    """One row per (candidate, reading): ``tables[candidate][figure]`` is the comparison of that
    figure under the candidate (``C0``'s where the candidate does not touch it: column ``own``
    False). Columns: candidate, figure, id, half, comparable, agrees, measured, published, own."""
    rows = []
    for cand, figs in tables.items():
        for fig, (frame, own) in figs.items():
            f = frame.copy()
            f["figure"] = fig  # a variant's comparison names its figure id; the study scores the figure
            f["half"] = halves(f, selection, held_out)
            f["candidate"], f["own"] = cand, own
            rows.append(f[["candidate", "figure", "id", "kind", "half", "comparable", "agrees", "measured",
                           "published", "own"]])
    out = pd.concat(rows, ignore_index=True)
    out["comparable"] = out["comparable"].astype(bool)
    out["agrees"] = out["agrees"].fillna(False).astype(bool) & out["comparable"]
    return out[out["half"].notna()].reset_index(drop=True)


def map_cells(claims: list[dict], reference: str) -> dict[str, tuple[int, int]]:
    """Fig 8's map per candidate: {candidate: (agreeing, constrained cells)} at the longest length, from
    the claims of a calibration variant of the Fig 8 reduction study (its ``reference`` is C0)."""
    for claim in claims:
        found = claim.get("measured", {}).get(MAP_KEY)
        if found:
            out = {}
            for cand, by_length in found.items():
                agree, total = by_length[max(by_length, key=int)].split("/")
                out[REFERENCE if cand == reference else cand] = (int(agree), int(total))
            return out
    raise ValueError(f"no claim measures {MAP_KEY}: the map's figure must be a calibration variant of the Fig 8 "
                     "reduction study (held_out.map.figure in workflow/config/calibration.yaml)")


def score(rows: pd.DataFrame, cells: dict[str, tuple[int, int]] | None = None) -> pd.DataFrame:
    """Per candidate, half and figure: readings in agreement and comparable readings; Fig 8's map
    (``cells``: {candidate: (agreeing, constrained)}) is a held-out part of its own, ``fig08 map``."""
    grouped = rows.groupby(["candidate", "half", "figure"], sort=False).agg(
        agree=("agrees", "sum"), comparable=("comparable", "sum"), own=("own", "any")).reset_index()
    if cells:
        grouped = pd.concat([grouped, pd.DataFrame(
            [{"candidate": c, "half": "held_out", "figure": "fig08 map", "agree": a, "comparable": n, "own": True}
             for c, (a, n) in cells.items() if c in set(rows["candidate"])])], ignore_index=True)
    return grouped


def decide(table: pd.DataFrame, order: list[str]) -> dict:
    """The choice and whether it becomes the default (the module's rule), from :func:`score`'s table;
    ``order`` is the candidates as declared, ``C0`` first."""
    def total(cand, half, parts=None):
        t = table[(table["candidate"] == cand) & (table["half"] == half)]
        if parts is not None:
            t = t[t["figure"].isin(parts)]
        return int(t["agree"].sum()), int(t["comparable"].sum())

    sel = {c: total(c, "selection")[0] for c in order}
    best = max(sel.values())
    choice = next(c for c in order if sel[c] == best)  # C0 first: a tie keeps the paper's reading
    parts = set(table[(table["candidate"] == choice) & (table["half"] == "held_out")]["figure"]) & set(
        table[(table["candidate"] == REFERENCE) & (table["half"] == "held_out")]["figure"])
    held_choice, held_c0 = total(choice, "held_out", parts)[0], total(REFERENCE, "held_out", parts)[0]
    default = choice != REFERENCE and held_choice > held_c0
    if choice == REFERENCE:
        why = f"no candidate agrees with more selection readings than {REFERENCE} ({sel[REFERENCE]})"
    elif default:
        why = (f"{choice} agrees with {sel[choice]} selection readings against {REFERENCE}'s {sel[REFERENCE]}, "
               f"and with {held_choice} held-out readings against {held_c0} ({', '.join(sorted(parts))})")
    else:
        why = (f"{choice} agrees with {sel[choice]} selection readings against {REFERENCE}'s {sel[REFERENCE]}, "
               f"but with {held_choice} held-out readings against {REFERENCE}'s {held_c0} "
               f"({', '.join(sorted(parts))}): the paper's reading stays")
    return {"choice": choice, "becomes_default": default, "selection": sel,
            "held_out": {c: total(c, "held_out", parts)[0] for c in order}, "held_out_parts": sorted(parts),
            "why": why}


def unexplained(rows: pd.DataFrame) -> pd.DataFrame:
    """The comparable readings ``C0`` disagrees with, each with the candidates that agree with it
    (none: no candidate explains it)."""
    c0 = rows[(rows["candidate"] == REFERENCE) & rows["comparable"] & ~rows["agrees"]]
    others = rows[(rows["candidate"] != REFERENCE) & rows["agrees"]]
    fixed = others.groupby("id")["candidate"].apply(lambda s: ", ".join(s)).to_dict()
    out = c0[["figure", "id", "half", "published", "measured"]].copy()
    out["agree_under"] = out["id"].map(fixed).fillna("")
    return out.reset_index(drop=True)


def _cell(table: pd.DataFrame, cand: str, half: str, fig: str) -> str:
    t = table[(table["candidate"] == cand) & (table["half"] == half) & (table["figure"] == fig)]
    if t.empty:
        return "–"
    row = t.iloc[0]
    return f"{int(row['agree'])}/{int(row['comparable'])}" + ("" if row["own"] else " (=C0)")


def cost(jobs: dict[str, tuple[list[str], float | None]]) -> list[str]:
    """The study's own training jobs (those that train no run of C0) by part, from their wall-clock
    seconds in Snakemake's benchmark files (``None``: no file, e.g. a run trained before the rules
    recorded them). Job time, not wall-clock time: jobs run side by side, on every core."""
    rows = [(", ".join(parts), s) for parts, s in jobs.values()]
    if not rows:
        return ["The study trains no run of its own at this scale."]
    df = pd.DataFrame(rows, columns=["part", "s"])
    lines = ["| part | training jobs | job time (min) | longest job (min) |", "|---|---|---|---|"]
    for part, g in df.groupby("part", sort=True):
        done = g["s"].dropna()
        lines.append(f"| {part} | {len(g)} | {done.sum() / 60:.1f} | {done.max() / 60 if len(done) else 0:.1f} |"
                     if len(done) == len(g) else f"| {part} | {len(g)} | not measured ({len(g) - len(done)} "
                     "without a benchmark file) | – |")
    done = df["s"].dropna()
    lines += ["", f"In all **{len(df)} training jobs, {done.sum() / 60:.1f} min of job time**"
              + (f" ({len(df) - len(done)} not measured)" if len(done) < len(df) else "")
              + ": to the jobs of the main figures and studies (C0's; the default build's cost is in the book's "
              "index) the study adds at least this job time divided by the cores it runs on."]
    return lines


def markdown(table: pd.DataFrame, decision: dict, rows: pd.DataFrame, candidates: dict[str, str],
             scale: str, stamp: str, cost_lines: list[str] | None = None) -> str:
    """The study's page: the candidates, the table (candidates x figures, both halves), the choice,
    and every reading C0 misses with each candidate's value of it (:func:`unexplained`)."""
    order = list(decision["selection"])
    missed = unexplained(rows)
    values_of = {(c, i): m for c, i, m, ok in zip(rows["candidate"], rows["id"], rows["measured"], rows["comparable"])
                 if ok}
    lines = [f"# The calibration study: the settings the paper leaves open, scored on the published readings ({scale} scale)",
             "", f"Generated by the `calibration` rule ({stamp}) from the comparisons of each candidate's figures "
             "(`results/<scale>/compare/<figure>-cal_<candidate>.csv`) and of the main figures (C0). The design and "
             "the split were written before any result: [docs/calibration-design.md](calibration-design.md).", "",
             "| candidate | what it changes |", "|---|---|",
             *(f"| `{c}` | {candidates.get(c, 'the default settings (the main figures)')} |" for c in order), ""]
    for half, title in (("selection", "Selection half (chooses)"), ("held_out", "Held-out half (reported only)")):
        figs = list(dict.fromkeys(table[table["half"] == half]["figure"]))
        lines += [f"## {title}", "", "Readings in agreement / comparable readings; `(=C0)`: the candidate does not "
                  "change this figure's runs, its readings are C0's.", "",
                  "| candidate | " + " | ".join(figs) + " | total |", "|---" * (len(figs) + 2) + "|"]
        for c in order:
            t = table[(table["candidate"] == c) & (table["half"] == half)]
            lines.append(f"| `{c}` | " + " | ".join(_cell(table, c, half, f) for f in figs)
                         + f" | {int(t['agree'].sum())}/{int(t['comparable'].sum())} |")
        lines.append("")
    if cost_lines is not None:
        lines += ["## Its cost", "", "The study's own training jobs, those that train no run of C0 (C0's are the "
                  "default build's), from Snakemake's benchmark files (`results/<scale>/benchmarks/train/`):", "",
                  *cost_lines, ""]
    lines += ["## The choice", "",
              f"- Chosen on the selection half: **{decision['choice']}**.",
              f"- Becomes the default: **{'yes' if decision['becomes_default'] else 'no'}**: {decision['why']}.",
              f"- Held-out totals compared on: {', '.join(decision['held_out_parts'])}; "
              + ", ".join(f"`{c}` {n}{_without(table, c, decision['held_out_parts'])}"
                          for c, n in decision["held_out"].items()) + ".", ""]
    got = missed[missed["agree_under"] != ""]
    others = [c for c in order if c != REFERENCE]
    lines += ["## The readings C0 misses", "",
              f"C0 disagrees with {len(missed)} comparable readings of the two halves; a candidate agrees with "
              f"{len(got)} of them, no candidate with the other {len(missed) - len(got)}. Each is listed with every "
              "candidate's measured value (`–`: not comparable under it); `readings.csv` has every reading.", "",
              "| figure | readings C0 misses | that no candidate gets |", "|---|---|---|"]
    for fig, g in missed.groupby("figure", sort=False):
        lines.append(f"| {fig} | {len(g)} | {int((g['agree_under'] == '').sum())} |")
    lines += ["", "| reading | half | published | C0 | " + " | ".join(others) + " | agrees under |",
              "|---" * (len(others) + 5) + "|"]
    for r in missed.itertuples():
        values = [_fmt(values_of.get((c, r.id))) for c in others]
        lines.append(f"| `{r.id}` | {r.half} | {r.published} | {_fmt(r.measured)} | " + " | ".join(values)
                     + f" | {r.agree_under or 'none'} |")
    return "\n".join(lines) + "\n"


def _without(table: pd.DataFrame, cand: str, parts: list[str]) -> str:
    """" (without <part>)" for the held-out parts a candidate was not measured on (Fig 8's map)."""
    have = set(table[(table["candidate"] == cand) & (table["half"] == "held_out")]["figure"])
    missing = [p for p in parts if p not in have]
    return f" (without {', '.join(missing)})" if missing else ""


def _fmt(x) -> str:
    if x is None:
        return "–"
    try:
        return f"{float(x):.3g}"
    except (TypeError, ValueError):
        return str(x)
