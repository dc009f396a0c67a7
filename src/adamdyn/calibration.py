"""The calibration study's figures (issue 26; its design, written before its results:
docs/calibration-design.md): the settings the paper leaves open, one candidate at a time, applied
to every figure it touches, never chosen per figure.

A scale's ``calibration`` entry (workflow/config/calibration.yaml) declares

- ``candidates``: ``{name: {why, set, problems}}``, each a set of changes as a variant's ``set`` is
  (:func:`adamdyn.variants.apply_variant`); ``problems`` names the problems its ``problem`` change
  applies to (a loss normalisation is an MLP's option; the DGM objective is eq. (13) as printed);
- ``figures``: ``{figNN: {...}}``, the figures it measures, each with what the study changes for
  its own runs only (e.g. Fig 7's seed 0, the only curve its readings read);
- ``selection`` and ``held_out``: the split of the published readings (scored by
  :mod:`adamdyn.published.calibration`).

Candidate ``c`` of figure ``figNN`` is the variant ``figNN-cal_c`` (:func:`candidate_variants`),
declared only where ``c`` changes one of the figure's runs; elsewhere the figure's readings under
``c`` are the main figure's. The reference ``C0`` is the main figure itself.
"""
from __future__ import annotations

from .variants import apply_variant

PREFIX = "cal_"  # a candidate's variant: figNN-cal_<candidate>


def candidate_variants(scale_cfg: dict) -> dict[str, tuple[dict, dict]]:
    """``{figNN-cal_<c>: (its scale entry, {set, why})}`` for every figure of the scale's calibration
    and every candidate that changes one of its problems or data sets."""
    study = scale_cfg.get("calibration") or {}
    found = (study.get("held_out") or {}).get("map")
    if found:
        check_map(scale_cfg, found)
    out = {}
    for fig, own in (study.get("figures") or {}).items():
        if fig not in scale_cfg:
            raise ValueError(f"calibration.figures: {fig} is not a figure of this scale")
        base = {k: v for k, v in scale_cfg[fig].items() if k != "variants"}
        for name, cand in (study.get("candidates") or {}).items():
            changed = apply_variant(base, cand["set"], cand.get("problems"))
            if changed == base:
                continue  # the candidate does not touch this figure: its readings are C0's
            out[f"{fig}-{PREFIX}{name}"] = (apply_variant(changed, own or {}),
                                            {"set": cand["set"], "why": f"calibration candidate {name}: {cand['why']}"})
    return out


def touched(scale_cfg: dict) -> dict[str, list[str]]:
    """``{candidate: [figures it touches]}`` at this scale (the others read C0's runs)."""
    made = candidate_variants(scale_cfg)
    study = scale_cfg.get("calibration") or {}
    return {c: [f for f in study.get("figures", {}) if f"{f}-{PREFIX}{c}" in made] for c in study.get("candidates", {})}


def check_map(scale_cfg: dict, found: dict) -> None:
    """Fig 8's map (``held_out.map``) must measure the study's own candidates: each candidate of the map's
    variant but its reference is a study candidate, with the study's ``problem`` change and no other, and
    every study candidate that only changes the MLP's problem is on the map. Raises ValueError naming the key."""
    base, _, variant = found["figure"].partition("-")
    entry = ((scale_cfg.get(base) or {}).get("variants") or {}).get(variant)
    if entry is None:
        raise ValueError(f"calibration.held_out.map.figure: {found['figure']!r} is not a declared variant of "
                         "this scale; name a calibration variant of fig08_reduction (workflow/config/calibration.yaml)")
    on_map = {c: v for c, v in (entry.get("set", {}).get("candidates") or {}).items() if c != found["reference"]}
    study = scale_cfg["calibration"]["candidates"]
    where = f"{base}.variants.{variant}.set.candidates"
    for name, cand in on_map.items():
        own = study.get(name)
        if own is None:
            raise ValueError(f"{where}.{name}: not a candidate of the calibration study (calibration.candidates: "
                             f"{', '.join(study)}); the map measures the study's candidates only")
        if set(own["set"]) != {"problem"} or cand.get("problem") != own["set"]["problem"] or "eps" in cand:
            raise ValueError(f"{where}.{name}: must make the study's change, problem: {own['set'].get('problem')} "
                             f"(calibration.candidates.{name}.set), and no other")
    missing = [c for c, v in study.items() if set(v["set"]) == {"problem"} and "mlp" in v.get("problems", ["mlp"])
               and c not in on_map]
    if missing:
        raise ValueError(f"{where}: the study's candidates {', '.join(missing)} change the MLP of Fig 8's map but "
                         "are not on it; add them with the study's problem change")
