"""The ci-scale workflow through SLURM: `snakemake --profile profiles/slurm` on the single-node
cluster of workflow/slurm/start.sh, with snakemake-executor-plugin-slurm, as a cluster's users run it.

Figs 6 and 8 (single runs, two batches of Fig 8 cells, and checkpointing training jobs) run as
sbatch jobs in one temporary copy of the workflow while the session's ci-scale build (``ci_build``,
which the workflow tests assert) runs locally; the test checks in the
accounting database (sacct) that every job of the run went through SLURM and completed, and that
the two copies hold the same runs, statistics, claims and comparisons with the published figures. Skipped, with the reason, where
start.sh cannot bring a cluster up (not root, no apt-get, packages not installable) or the
executor plugin is not installed. The daemons are stopped at the end (unless the cluster was
already up before the test).
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from adamdyn.config import load_config

from conftest import ROOT, copy_workflow, write_config
from test_workflow import LOCAL, needs_data

pytestmark = [pytest.mark.workflow, needs_data]

START = ROOT / "workflow" / "slurm" / "start.sh"
STOP = ROOT / "workflow" / "slurm" / "stop.sh"
STATE = Path(os.environ.get("ADAMDYN_SLURM_STATE", "/var/tmp/adamdyn-slurm"))
TARGETS = ("fig06", "fig08")  # single runs, two batches of Fig 8 cells, a data set; one post job each
TIMEOUT_S = 900


def why_no_slurm():
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed (pip install snakemake-executor-plugin-slurm)"
    if os.geteuid() != 0:
        return "workflow/slurm/start.sh must run as root (apt-get, munged and the SLURM daemons)"
    if shutil.which("dpkg-query") is None:
        return "workflow/slurm/start.sh needs a Debian/Ubuntu system (apt-get install slurmctld slurmd ...)"
    return None


@pytest.fixture
def slurm_env(request):
    """A running cluster; the environment (SLURM_CONF) its clients need."""
    reason = why_no_slurm()
    if reason:
        pytest.skip(reason)
    env = dict(os.environ, SLURM_CONF=str(STATE / "etc" / "slurm.conf"))
    already_up = shutil.which("sinfo") is not None and subprocess.run(
        ["sinfo", "-h"], env=env, capture_output=True).returncode == 0
    if not already_up:  # stop whatever start.sh started, also when it fails half-way
        request.addfinalizer(lambda: subprocess.run(["bash", str(STOP)], capture_output=True, timeout=120))
    t0 = time.time()
    proc = subprocess.run(["bash", str(START)], capture_output=True, text=True, timeout=900)
    if proc.returncode in (2, 3):  # not root / packages missing and not installable
        pytest.skip(f"workflow/slurm/start.sh cannot bring a cluster up: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, f"workflow/slurm/start.sh failed:\n{proc.stdout}\n{proc.stderr}"
    print(f"\nSLURM cluster up in {time.time() - t0:.1f} s (already up: {already_up})")
    return env


def sacct_jobs(env, run_id):
    """The SLURM jobs of one Snakemake run (the executor names each job by the run's ID)."""
    out = subprocess.run(
        ["sacct", "-X", "--parsable2", "--noheader", "--name", run_id, "--starttime", "now-1days",
         "--endtime", "now", "--format=JobIDRaw,State,ExitCode,Partition,Account,AllocCPUS,ReqMem,NodeList,Comment%300"],
        env=env, capture_output=True, text=True, check=True).stdout
    keys = ("id", "state", "exit_code", "partition", "account", "cpus", "mem", "node", "comment")
    return [dict(zip(keys, line.split("|"))) for line in out.splitlines() if line]


def rule_of(comment):
    """sbatch --comment of the executor: rule_<rule> or rule_<rule>_wildcards_<values>."""
    assert comment.startswith("rule_"), comment
    return comment[len("rule_"):].split("_wildcards_")[0]


def test_ci_workflow_through_slurm_equals_a_local_run(slurm_env, tmp_path, ci_build):
    on_slurm = copy_workflow(tmp_path / "slurm")
    # on the cluster Fig 6's runs are one job each (rule train); the local build trains them as one
    # sequence (scales.ci.fig06.sequence): the same histories, byte for byte, are asserted below
    config = load_config(on_slurm)
    del config["scales"]["ci"]["fig06"]["sequence"]
    write_config(on_slurm, config)
    t0 = time.time()
    # The session's local ci build (started by ci_build) shares the 2 cores with the cluster's jobs;
    # it fills the executor's idle time (job start-up, status polling), and results do not depend on timing.
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "profiles/slurm", *TARGETS,
         "--slurm-init-seconds-before-status-checks", "2", "--seconds-between-status-checks", "2",
         "--slurm-keep-successful-logs",
         "--config", "scale=ci", LOCAL],
        cwd=on_slurm, env=slurm_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=TIMEOUT_S)
    local = ci_build.wait()
    print(f"SLURM and local runs done in {time.time() - t0:.1f} s")
    assert run.returncode == 0, f"snakemake --profile profiles/slurm failed:\n{run.stdout[-20000:]}"

    # --- every job went through SLURM, as the profile asked ---
    run_id = re.search(r"SLURM run ID: (\S+)", run.stdout).group(1)
    jobs = sacct_jobs(slurm_env, run_id)
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", run.stdout)
    assert sorted(j["id"] for j in jobs) == sorted(submitted), (jobs, submitted)
    assert all(j["state"] == "COMPLETED" and j["exit_code"] == "0:0" for j in jobs), jobs
    assert {j["partition"] for j in jobs} == {"cpu"}  # profiles/slurm: default-resources
    assert {j["account"] for j in jobs} == {"adamdyn"}  # the user's default account (start.sh)

    out = on_slurm / "results" / "ci"
    infos = {d.name: json.loads((d / "run.json").read_text()) for d in sorted((out / "runs").iterdir())}
    single = {name for name, info in infos.items() if info["job"]["executor"] == "single"}
    batches = {info["job"]["name"] for info in infos.values() if info["job"]["executor"] == "batched"}
    assert batches == {"fig08_batch000", "fig08_batch001"} and len(infos) == len(single) + 16
    rules = Counter(rule_of(j["comment"]) for j in jobs)
    # each figure's statistics, claims, comparison, drawing and provenance: one job of group `post`
    # (the executor names a group job by the group and its rules)
    assert rules == Counter({"fetch": 1, "prepare_data": 1, "train": len(single),
                             "train_fig08_batch000": 1, "train_fig08_batch001": 1,
                             "post_claims_compare_figure_provenance_stats": len(TARGETS)}), rules
    trained = {j["comment"].split("_wildcards_")[1] for j in jobs if rule_of(j["comment"]) == "train"}
    assert trained == single  # each single run was its own SLURM job
    # resources from the profile's set-resources, threads from the rules
    by_rule = {rule_of(j["comment"]): j for j in jobs}
    assert by_rule["train_fig08_batch000"]["mem"] == "12000M" and by_rule["train"]["mem"] == "8000M"
    assert by_rule["train_fig08_batch000"]["cpus"] == "1"
    # the SLURM job logs of the Fig 8 batches (kept with --slurm-keep-successful-logs)
    for batch in sorted(batches):
        logs = list((on_slurm / ".snakemake" / "slurm_logs" / f"rule_train_{batch}").rglob("*.log"))
        assert logs and f"rule train_{batch}" in logs[0].read_text(), batch
    # the batches checkpointed (every 100 of 300 iterations) inside their SLURM jobs
    for batch in sorted(batches):
        assert (out / "checkpoints" / f"{batch}.pt").stat().st_size > 0
        assert f"[{batch}] finished: 300 iterations" in (out / "logs" / "train" / f"{batch}.log").read_text()

    # --- the same results as the local run ---
    here = local / "results" / "ci"
    local_runs = {name for fig in TARGETS for name in (Path(d).name for d, _ in json.loads((here / "reads" / f"{fig}.json").read_text()))}
    assert local_runs == set(infos)  # the same runs as the local build's for these figures
    for name, info in infos.items():
        assert info["history_sha256"] == json.loads((here / "runs" / name / "run.json").read_text())["history_sha256"], name
    for fig in TARGETS:
        for path in (f"stats/{fig}.csv", f"claims/{fig}.json", f"compare/{fig}.csv"):
            assert (out / path).read_bytes() == (here / path).read_bytes(), path
