# Helpers shared by the rule files (scale, the plan of runs, params of every rule).
import inspect
import json
from pathlib import Path
import shlex
import subprocess
import sys
import time

import adamdyn
from adamdyn.data import raw_source
from adamdyn.problems import needs_data
from adamdyn.stats.figures import TABLES
from adamdyn.workflow import PHASE_FIGURE, phase_blocks, plan, resolve_scale

SCALE, SCALE_WHY = resolve_scale(config["scale"])
SCALE_CFG = config["scales"][SCALE]
RESULTS = f"results/{SCALE}"
PYTHON = sys.executable
try:
    RUNS, READS = plan(SCALE_CFG)
    BLOCKS = phase_blocks(SCALE_CFG)
except ValueError as exc:
    raise WorkflowError(str(exc))
# figure -> [(folder with history.parquet and run.json, iterations the figure reads)]: the runs a
# figure reads, or Fig 8's blocks of (a, b) cells.
SOURCES = {fig: [(f"{RESULTS}/runs/{name}", iters) for name, iters in reads] for fig, reads in READS.items()}
if BLOCKS:
    SOURCES[PHASE_FIGURE] = [(f"{RESULTS}/{PHASE_FIGURE}/{name}", p["iterations"]) for name, p in BLOCKS.items()]
FIGURES = sorted(SOURCES)
DATASETS = list(SCALE_CFG.get("datasets", {}))

print(f"Scale: {SCALE} ({SCALE_WHY}); figures {', '.join(FIGURES)}; {len(RUNS)} distinct runs"
      + (f" and {len(BLOCKS)} blocks of Fig 8 cells" if BLOCKS else "") + "; "
      f"{SCALE_CFG.get('cost', 'cost not measured')}. Results in {RESULTS}/.",
      file=sys.stderr)


def package_code(*subpackages):
    """The package's source files of a stage: a rule lists them as input, so that editing the
    statistics, claims or plotting code re-runs that stage (and never retrains)."""
    root = Path(adamdyn.__file__).parent
    return sorted(str(p) for sub in subpackages for p in (root / sub).glob("*.py"))


def all_targets():
    return [figure_targets(fig) for fig in FIGURES] + [f"{RESULTS}/claims.md"] + data_targets()


def data_targets():
    return [f"{RESULTS}/data/{name}.pt" for name in DATASETS]


def fetch_root(wildcards, output):
    """The download folder: where the fetch rule's record lies."""
    return str(Path(output[0]).parent)


def raw_input(wildcards):
    """The fetch rule's record for a real data set; nothing for a synthetic one."""
    source = raw_source(wildcards.name)
    return [] if source is None else [f"{config['data']['root']}/{source}.json"]


def raw_arg(wildcards, input):
    return f"--raw {input.raw[0]}" if input.raw else ""


def fetch_args(wildcards):
    data = config["data"]
    if data["local"]:
        return f"--local {shlex.quote(str(data['local']))}"
    return "--download" if data["download"] else ""


def dataset_params(wildcards):
    return json.dumps(SCALE_CFG["datasets"][wildcards.name])


def figure_targets(fig):
    return [f"{RESULTS}/figures/{fig}.png", f"{RESULTS}/figures/{fig}.pdf",
            f"{RESULTS}/stats/{fig}.csv", f"{RESULTS}/claims/{fig}.json", f"{RESULTS}/provenance/{fig}.json"]


def figure_data_metas(wildcards):
    """The provenance records of the prepared data sets a figure's runs read."""
    if wildcards.fig == PHASE_FIGURE:
        names = {needs_data(p["problem"]) for p in BLOCKS.values()}
    else:
        names = {needs_data(RUNS[name].spec.problem) for name, _ in READS[wildcards.fig]} - {None}
    return [f"{RESULTS}/data/{name}.json" for name in sorted(names)]


def provenance_args(wildcards, input):
    runs = [f"--run {folder}" for folder, _ in SOURCES[wildcards.fig]]
    return " ".join(runs + [f"--data {meta}" for meta in input.data])


def run_plan_json(wildcards):
    return json.dumps(RUNS[wildcards.run].to_dict())


def run_data(wildcards):
    """The prepared data set a run trains on, if any."""
    data = needs_data(RUNS[wildcards.run].spec.problem)
    return [f"{RESULTS}/data/{data}.pt"] if data else []


def run_threads(wildcards):
    return RUNS[wildcards.run].threads


def run_checkpoint_every(wildcards):
    return RUNS[wildcards.run].checkpoint_every or config["checkpoint_every"]


def block_plan_json(wildcards):
    return json.dumps(BLOCKS[wildcards.block])


def block_data(wildcards):
    return [f"{RESULTS}/data/{needs_data(BLOCKS[wildcards.block]['problem'])}.pt"]


def block_threads(wildcards):
    return BLOCKS[wildcards.block]["threads"]


def figure_histories(wildcards):
    return [f"{folder}/history.parquet" for folder, _ in SOURCES[wildcards.fig]]


def figure_infos(wildcards):
    return [f"{folder}/run.json" for folder, _ in SOURCES[wildcards.fig]]


def figure_run_args(wildcards):
    """--run DIR:ITERATIONS for every run (or Fig 8 block) the figure reads (it may read the start
    of a longer run)."""
    return " ".join(f"--run {folder}:{iters}" for folder, iters in SOURCES[wildcards.fig])


def stats_params(wildcards):
    """The statistics settings a figure's table takes: the tail window, the regime classifier and
    its sensitivity grid where the table labels curves, and the figure's own settings."""
    settings = config["stats"]
    wanted = inspect.signature(TABLES[wildcards.fig]).parameters
    shared = {k: settings[k] for k in ("regime", "sensitivity") if k in wanted}
    return json.dumps({"window": settings["tail_window"], **shared, **settings.get(wildcards.fig, {})})


def claims_params(wildcards):
    return json.dumps(config["claims"].get(wildcards.fig, {}))


def plot_params(wildcards):
    return json.dumps(SCALE_CFG[wildcards.fig].get("plot", {}))


def stamp(wildcards):
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "no git"
    return f"scale {SCALE} | {time.strftime('%Y-%m-%d')} | commit {commit}"
