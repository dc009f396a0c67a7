# Helpers shared by the rule files: the scale, the plan of runs, and the params of each rule.
import json
import subprocess
import sys
import time

from adamdyn.workflow import plan, resolve_scale

SCALE, SCALE_WHY = resolve_scale(config["scale"])
SCALE_CFG = config["scales"][SCALE]
RESULTS = f"results/{SCALE}"
PYTHON = sys.executable
try:
    RUNS, READS = plan(SCALE_CFG)
except ValueError as exc:
    raise WorkflowError(str(exc))
FIGURES = list(READS)

print(f"Scale: {SCALE} ({SCALE_WHY}); figures {', '.join(FIGURES)}; {len(RUNS)} distinct runs; "
      f"about {SCALE_CFG.get('minutes', '?')} min on a 2-core CPU machine. Results in {RESULTS}/.",
      file=sys.stderr)


wildcard_constraints:
    run="[^/]+",
    fig="fig[0-9][0-9]",


def all_targets():
    return [figure_targets(fig) for fig in FIGURES] + [f"{RESULTS}/claims.md"]


def figure_targets(fig):
    return [f"{RESULTS}/figures/{fig}.png", f"{RESULTS}/figures/{fig}.pdf",
            f"{RESULTS}/stats/{fig}.csv", f"{RESULTS}/claims/{fig}.json"]


def run_plan_json(wildcards):
    return json.dumps(RUNS[wildcards.run].to_dict())


def run_threads(wildcards):
    return RUNS[wildcards.run].threads


def figure_histories(wildcards):
    return [f"{RESULTS}/runs/{name}/history.parquet" for name, _ in READS[wildcards.fig]]


def figure_infos(wildcards):
    return [f"{RESULTS}/runs/{name}/run.json" for name, _ in READS[wildcards.fig]]


def figure_run_args(wildcards):
    """--run DIR:ITERATIONS for every run the figure reads (it may read the start of a longer run)."""
    return " ".join(f"--run {RESULTS}/runs/{name}:{iters}" for name, iters in READS[wildcards.fig])


def stats_params(wildcards):
    settings = config["stats"]
    return json.dumps({"window": settings["tail_window"], **settings.get(wildcards.fig, {})})


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
