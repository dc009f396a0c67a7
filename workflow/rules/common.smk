# Helpers shared by the rule files (the scale; the plan of runs and jobs; every rule's params).
import difflib
import json
from pathlib import Path
import re
import shlex
import subprocess
import sys
import time

import adamdyn
from adamdyn.calibration import PREFIX, candidate_variants, touched
from adamdyn.data import raw_source
from adamdyn.registry import (figure as figure_module, figure_order, is_study, settings_for, summary, title,
                              variant_configs, variant_notes)
from adamdyn.naming import split_figure_id
from adamdyn.io import damaged_history, write_json
from adamdyn.problems import data_name
from adamdyn.published.calibration import REFERENCE
from adamdyn.workflow import plan, resolve_scale

SCALE, SCALE_WHY = resolve_scale(config["scale"])
if config["device"] == "cuda" and workflow.local_exec and workflow.is_main_process:  # a cluster's nodes decide
    import torch

    if not torch.cuda.is_available():
        raise WorkflowError("config: device = cuda, but torch sees no CUDA GPU on this machine; nothing was run. "
                            "Use --config device=auto (CUDA when available, else CPU) or device=cpu.")
SCALE_CFG = config["scales"][SCALE]
RESULTS = f"results/{SCALE}"
# The interpreter of the jobs, a parameter of every rule: the environment's own `bin/python`, the same
# whichever of its names started Snakemake (`snakemake` runs python3, `python -m snakemake` python),
# so that switching between the two never reruns a job.
PYTHON = str(Path(sys.prefix, "bin", "python")) if Path(sys.prefix, "bin", "python").exists() else sys.executable
try:
    RUNS, READS, JOBS = plan(SCALE, SCALE_CFG)
except ValueError as exc:
    raise WorkflowError(str(exc))
FIGURES = sorted(READS, key=figure_order)  # the paper's figures, then our studies; variants (<id>-<variant>) after each
# the {fig} wildcard: a figure id of the package (<id> or a study's name), or a variant of one
_FIG_IDS = "|".join(sorted({split_figure_id(f)[0] for f in FIGURES}, key=len, reverse=True))
FIG_PATTERN = f"({_FIG_IDS})(-[a-z0-9_]+)?"
BASE_FIGURES = [f for f in FIGURES if split_figure_id(f)[1] is None]  # without the variants
# What the default target, the claims table and the book cover: every figure and study, and the
# variants where the scale builds them (`build_variants`, or --config variants=true|false). A variant
# left out is still a target by name (`snakemake fig10-xavier`).
BUILD_VARIANTS = SCALE_CFG["build_variants"] if config["variants"] == "auto" else config["variants"]
# The calibration's candidates (figNN-cal_<candidate>, rules/calibration.smk) are scored from their
# comparisons alone: not drawn, claimed or listed with the variants; the calibration page is their output.
CALIBRATION = SCALE_CFG.get("calibration")
CANDIDATE_FIGURES = list(candidate_variants(SCALE_CFG))
BUILT = [f for f in FIGURES if f not in CANDIDATE_FIGURES] if BUILD_VARIANTS else BASE_FIGURES
NOTES = variant_notes(SCALE_CFG)  # <id>-<variant> -> what it sets and why: every variant, candidates included
DECLARED = {f: v for f, v in NOTES.items() if f not in CANDIDATE_FIGURES}  # the variants the settings declare
VARIANTS = {f: v for f, v in DECLARED.items() if f in BUILT}  # those built
# every figure id whose runs the default target trains: the built ones, and the candidates where the calibration is built
DEFAULT_FIGURES = BUILT + (CANDIDATE_FIGURES if CALIBRATION and BUILD_VARIANTS else [])


def jobs_reading(figures):
    """The training jobs with a run that one of ``figures`` reads, in plan order."""
    wanted = set(figures)
    return [n for n, job in JOBS.items() if any(wanted.intersection(RUNS[r].figures) for r in job.runs)]


def default_jobs():
    """The training jobs of the default target: those with a run of a figure it builds."""
    return jobs_reading(DEFAULT_FIGURES)


# A finished run whose history no longer matches the checksum recorded at training: stop before
# any job (a statistics job would fail and lose its previous table), naming the run and the fix.
# Checked by the main Snakemake process only, not again inside each (cluster) job.
DAMAGED = {n: why for n in RUNS if workflow.is_main_process and Path(f"{RESULTS}/runs/{n}/run.json").exists()
           for why in [damaged_history(f"{RESULTS}/runs/{n}")] if why}
if DAMAGED:
    files = [f"{RESULTS}/runs/{n}/{f}" for n in DAMAGED for f in ("history.parquet", "run.json")]
    # the same command with the damaged runs' jobs forced: appended last, --forcerun works whatever the
    # order of the targets and options given (a target after --config would be read as a config item)
    again = shlex.join(["snakemake"] + sys.argv[1:] + ["--forcerun"]
                       + [f"{RESULTS}/runs/{n}/history.parquet" for n in DAMAGED])
    raise WorkflowError("damaged run output; nothing was run:\n" + "\n".join(
        f"  {RESULTS}/runs/{n}: {why}" for n, why in DAMAGED.items())
        + "\nRebuild (each run's job resumes from its final checkpoint to the identical history, and what was "
        + "made from it is made again):\n"
        + f"  rm -f {shlex.join(files)} && {again}")
DATASETS = list(SCALE_CFG.get("datasets", {}))
SINGLE = [name for name, job in JOBS.items() if job.executor == "single"]
# jobs of several runs (a batch, or a sequence of runs in one process): one rule each, named train_<job>
BATCHES = {name: job for name, job in JOBS.items() if job.executor != "single"}
# the train rule's {run}: exactly the runs trained alone (a batch's runs come from its own rule)
SINGLE_RUN = "|".join(re.escape(n) for n in SINGLE) or "(?!)"
# figures whose runs a bisection decides as it goes (the divergence-edge study): its job writes their reads file
BISECTED = [f for f in FIGURES if hasattr(figure_module(f), "bisection_job")]
PLANNED_FIG = "|".join(re.escape(f) for f in FIGURES if f not in BISECTED) or "(?!)"

if workflow.is_main_process:  # once: a job that runs Python code (run:) parses the Snakefile again
    _jobs = [JOBS[n] for n in default_jobs()]
    print(f"Scale: {SCALE} ({SCALE_WHY}); the default target builds {', '.join(BUILT)}"
          f"{'' if BUILD_VARIANTS else ' (not the variants: --config variants=true)'}"
          f"{' and the calibration study' if CALIBRATION and BUILD_VARIANTS else ''}; "
          f"{len({r for j in _jobs for r in j.runs})} distinct runs in {len(_jobs)} training jobs "
          f"({sum(j.executor == 'batched' for j in _jobs)} batched, {sum(j.executor == 'sequence' for j in _jobs)} "
          f"sequences of runs); {SCALE_CFG.get('cost', 'cost not measured')}. Results in {RESULTS}/.",
          file=sys.stderr)


def package_code(*parts):
    """The package's source files a stage runs: a rule lists them as input, so that editing the
    statistics, claims or drawing code re-runs that stage (and never retrains)."""
    root = Path(adamdyn.__file__).parent
    return sorted(str(root / p) for p in parts)


def figure_base(fig):
    """The figure id of a figure id or of its variant <id>-<variant>."""
    return split_figure_id(fig)[0]


def figure_code(wildcards):
    """A figure's module and the shared machinery its stages use."""
    source = Path(figure_module(wildcards.fig).__file__).relative_to(Path(adamdyn.__file__).parent)
    return package_code(str(source), "figures/common.py", "figures/phase.py", "registry.py",
                        "stats/curves.py", "claims/__init__.py", "plotting/style.py")


def all_targets():
    return [*(figure_targets(fig) for fig in BUILT), f"{RESULTS}/claims.md", f"{RESULTS}/book/index.md",
            *data_targets(), *([f"{RESULTS}/calibration/calibration.md"] if CALIBRATION and BUILD_VARIANTS else [])]


def not_built():
    """The jobs and figure ids the default target does not build (variants left out, the calibration's
    candidates): their benchmark files, when built by name into the same folder, stay out of the book's
    cost of the build."""
    built = set(default_jobs())
    return sorted([f for f in FIGURES if f not in DEFAULT_FIGURES] + [n for n in JOBS if n not in built])


# --- the calibration study (rules/calibration.smk): C0 is the main figures, each candidate its variants ---


def calibration_tables():
    """{candidate: {figure: (its comparison, whether the candidate changes its runs)}}, C0 first."""
    out = {REFERENCE: {fig: (f"{RESULTS}/compare/{fig}.csv", True) for fig in CALIBRATION["figures"]}}
    for cand, figs in touched(SCALE_CFG).items():  # in declared order; a figure it does not touch reads C0's
        out[cand] = {fig: (f"{RESULTS}/compare/{fig}-{PREFIX}{cand}.csv" if fig in figs else f"{RESULTS}/compare/{fig}.csv",
                           fig in figs) for fig in CALIBRATION["figures"]}
    return out


def calibration_compares(wildcards):
    return sorted({path for figs in calibration_tables().values() for path, _ in figs.values()})


def calibration_map(wildcards):
    """Fig 8's map (held out), where the scale has it: the claims of the Fig 8 reduction study's variant."""
    found = CALIBRATION["held_out"].get("map")
    return [f"{RESULTS}/claims/{found['figure']}.json"] if found else []


def calibration_jobs():
    """{training job: [what it is for]} of the study's own jobs, those that train no run of the main
    figures and studies (C0's): a candidate's figures (its name) or Fig 8's map."""
    found = CALIBRATION["held_out"].get("map")
    parts = {fig: split_figure_id(fig)[1].removeprefix(PREFIX) for fig in CANDIDATE_FIGURES}
    if found:
        parts[found["figure"]] = "fig08 map"
    c0 = set(jobs_reading(BASE_FIGURES))
    return {n: sorted({parts[f] for r in JOBS[n].runs for f in RUNS[r].figures if f in parts})
            for n in jobs_reading(parts) if n not in c0}


def calibration_spec(wildcards, input):
    found = CALIBRATION["held_out"].get("map")
    return json.dumps({"candidates": {c: v["why"] for c, v in CALIBRATION["candidates"].items()},
                       "tables": calibration_tables(), "selection": CALIBRATION["selection"],
                       "held_out": CALIBRATION["held_out"], "scale": SCALE, "stamp": stamp(wildcards),
                       "map": {"claims": input.map[0], "reference": found["reference"]} if found else None,
                       "cost": {"benchmarks": f"{RESULTS}/benchmarks/train", "jobs": calibration_jobs()}})


def data_targets():
    return [f"{RESULTS}/data/{name}.pt" for name in DATASETS]


def fetch_root(wildcards, output):
    """The download folder: where the fetch rule's record lies."""
    return str(Path(output[0]).parent)


def data_source(name):
    """The preparer of data set ``name`` of this scale: its own name, or the ``source`` its entry
    names (a set derived for a variant, e.g. more collocation points)."""
    return SCALE_CFG["datasets"][name].get("source", name)


def raw_input(wildcards):
    """The fetch rule's record for a real data set; nothing for a synthetic one."""
    source = raw_source(data_source(wildcards.name))
    return [] if source is None else [f"{config['data']['root']}/{source}.json"]


def raw_arg(wildcards, input):
    return f"--raw {input.raw[0]}" if input.raw else ""


def fetch_args(wildcards):
    data = config["data"]
    if data["local"]:
        return f"--local {shlex.quote(str(data['local']))}"
    return "--download" if data["download"] else ""


def dataset_params(wildcards):
    """A data set's entry (a derived set's names its preparer as ``source``) as JSON."""
    return json.dumps(SCALE_CFG["datasets"][wildcards.name])


def figure_targets(fig):
    return [f"{RESULTS}/figures/{fig}.png", f"{RESULTS}/figures/{fig}.pdf",
            f"{RESULTS}/stats/{fig}.csv", f"{RESULTS}/claims/{fig}.json", f"{RESULTS}/compare/{fig}.csv",
            f"{RESULTS}/provenance/{fig}.json"]


def run_files(names):
    return [f"{RESULTS}/runs/{name}/{f}" for name in names for f in ("history.parquet", "run.json")]


def bisection_job(fig):
    """A bisected figure's job (its module's ``bisection_job`` of its scale entry)."""
    return figure_module(fig).bisection_job(fig, variant_configs(SCALE_CFG)[fig])


def bisection_data(fig):
    """The prepared data sets a bisected figure's runs read (those of its job's problem)."""
    return sorted({data_name(bisection_job(fig)["problem"])} - {None})


def figure_data_metas(wildcards):
    """The provenance records of the prepared data sets a figure's runs read."""
    if wildcards.fig in BISECTED:
        names = bisection_data(wildcards.fig)
    else:
        names = sorted({data_name(RUNS[name].spec.problem) for name, _ in READS[wildcards.fig]} - {None})
    return [f"{RESULTS}/data/{name}.json" for name in names]


def provenance_args(wildcards, input):
    return " ".join(f"--data {meta}" for meta in input.data)


# --- training jobs: a run alone (rule train) or a batch of runs (one rule per batch) ---

def runs_dir(wildcards, output):
    """The folder of every run's folder: two levels above a run's history."""
    return str(Path(output[0]).parents[1])


def data_dir(wildcards, input):
    """The folder of the prepared data sets (a job without data gets the scale's folder anyway)."""
    return str(Path(input.data[0]).parent) if input.data else f"{RESULTS}/data"


def job_json(name):
    return json.dumps(JOBS[name].to_dict(RUNS))


def job_data(name):
    """The prepared data sets a job's runs train on."""
    names = {data_name(RUNS[r].spec.problem) for r in JOBS[name].runs} - {None}
    return [f"{RESULTS}/data/{n}.pt" for n in sorted(names)]


def job_threads(name):
    return max(RUNS[r].threads for r in JOBS[name].runs)


# Scheduling only (no result depends on it): the longest jobs start first, so that the last jobs to
# start are short and both cores stay busy to the end (longest first). Measured in the clean cpu build
# of b7fdb92 (docs/book/index.md): a stack of Fig 8's cells or a bisection shard 7-11 min, a mini-batch
# run (Fig 9's ResNet) 18-22 min (about 10 min since its channels-last layout, 16648eb: scratch runs
# side by side), every other single run at most 11 min (most under 4).
STACK_PRIORITY = 2  # a job of many cells or chains: a batch of runs, a bisection shard
MINIBATCH_PRIORITY = 1  # a single run of mini-batches (hundreds of steps an epoch)
# Snakemake does not pass a job's priority on to the jobs it waits for: the data sets come first (short
# jobs), or a long run waits behind every run of a lower priority for its data (measured in the clean
# cpu build of b7fdb92: Fig 9's ResNet runs waited for CIFAR-10's preparation behind the CIFAR-2 runs
# and started about 95 minutes into the build).
DATA_PRIORITY = 3


def job_priority(name):
    """A training job's priority: a batch of runs first, then mini-batch runs, then the rest."""
    if JOBS[name].executor != "single":
        return STACK_PRIORITY
    return MINIBATCH_PRIORITY if any(RUNS[r].spec.batch_size for r in JOBS[name].runs) else 0


def job_checkpoint_every(name):
    asked = [RUNS[r].checkpoint_every for r in JOBS[name].runs if RUNS[r].checkpoint_every]
    return min(asked) if asked else config["checkpoint_every"]


def readings_file():
    """The readings of the published figures (package data of adamdyn.published)."""
    return str(Path(adamdyn.__file__).parent / "published" / "readings.yaml")


def compare_code(wildcards):
    return package_code("published/__init__.py", "published/readings.py", "published/match.py",
                        "published/measure.py", "published/markers.py", "figures/common.py", "stats/curves.py")


def compare_settings(wildcards):
    """The comparison's settings, from the configuration: the classifier's spike-event thresholds count
    spikes; a collapse is Fig 5's (stats.fig05.collapse_factor, against the late window's mean)."""
    stats = config["stats"]
    return json.dumps({"regime": stats["regime"], "tail_window": stats["tail_window"],
                       "collapse_factor": stats["fig05"]["collapse_factor"]})


def figure_histories(wildcards):
    return [f"{RESULTS}/runs/{name}/history.parquet" for name, _ in READS[wildcards.fig]]


def figure_infos(wildcards):
    return [f"{RESULTS}/runs/{name}/run.json" for name, _ in READS[wildcards.fig]]


def figure_reads(wildcards):
    """[run folder, iterations] of every run the figure reads (it may read the start of a longer
    run); written to reads/<id>.json, since 1600 of them do not fit one command line."""
    return [[f"{RESULTS}/runs/{name}", iters] for name, iters in READS[wildcards.fig]]


def figure_settings(part):
    """The settings of a figure's stage (table, claims or draw) from the configuration, as JSON."""
    return lambda wildcards: json.dumps(settings_for(wildcards.fig, part, config, SCALE_CFG))


def caption(wildcards):
    """The figure's caption, workflow/report/<id>.rst, for the report."""
    text = Path(workflow.basedir, "workflow", "report", f"{figure_base(wildcards.fig)}.rst").read_text()
    note = NOTES.get(wildcards.fig)
    if note:  # a variant: what it changes, and why it is tried
        text += f"\n\nVariant ``{wildcards.fig}``: {json.dumps(note['set'])}. {note['why']}"
    return text


def stamp(wildcards):
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "no git"
    return f"scale {SCALE} | {time.strftime('%Y-%m-%d')} | commit {commit}"


def figure_title(fig):
    """A target's line in the list: the paper's figure, or what the study studies (its summary)."""
    if not is_study(fig):
        return f"{title(fig)} of the paper, with its statistics, claims and comparison"
    return f"study: {summary(fig)}"


# `snakemake targets`: what can be asked for by name (rules/figures.smk prints it).
def target_list():
    return "\n".join(
        [f"Targets at the {SCALE} scale (snakemake --cores 2 TARGET --config scale={SCALE}):",
         "  all (the default)  every figure and study, the claims table, the book and the prepared data"
         + ("; the variants too" if BUILD_VARIANTS else "; not the variants (--config variants=true adds them)"),
         *(f"  {fig:<18} {figure_title(fig)}{f' (variant {split_figure_id(fig)[1]})' if fig in NOTES else ''}"
           for fig in FIGURES),
         f"  {'data':<18} the prepared data sets: {', '.join(DATASETS)}",
         *([f"  {'calibration':<18} the calibration study: its candidates x figures against the published readings, "
             f"{RESULTS}/calibration/ (docs_calibration copies its page into docs/)"] if CALIBRATION else []),
         f"  {'book':<18} the results book of the scale: {RESULTS}/book/ (a page per figure and study)",
         f"  {'docs':<18} copy the book, the figures and the claims table into docs/ and the README's table",
         f"  {'targets':<18} this list",
         f"  or any output file, e.g. {RESULTS}/stats/fig07.csv; a report: snakemake --report report.html"])
