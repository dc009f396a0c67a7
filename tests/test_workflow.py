"""The Snakemake workflow end to end at the ci scale, config errors, and a SIGKILLed training job.

Each test works in a temporary copy of the workflow (Snakefile, config, rules, scripts), so the
repository's own results/ are never touched.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
import yaml

from conftest import ROOT, SHARED_DATA

pytestmark = pytest.mark.workflow
WORKFLOW_FILES = ("Snakefile", "config.yaml", "workflow", "scripts", "profiles", "environment.yml")


@pytest.fixture
def workdir(tmp_path):
    for name in WORKFLOW_FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    return tmp_path


def snakemake(workdir, *args, check=True, **popen):
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    if popen:
        return subprocess.Popen(cmd, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proc = subprocess.run(cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout}")
    return proc


LOCAL = f"data_local={SHARED_DATA}"
needs_data = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"no offline data copy at {SHARED_DATA}")


@needs_data
def test_ci_scale_builds_data_figures_stats_and_claims(workdir):
    dry = snakemake(workdir, "-n", "--config", "scale=ci", LOCAL)
    assert "Scale: ci" in dry.stdout and not (workdir / "results").exists()
    snakemake(workdir, "--config", "scale=ci", LOCAL)
    out = workdir / "results" / "ci"
    for name in ("cifar2", "cifar10", "fashion_mnist", "sine", "poisson_cube", "poisson_disk"):
        meta = json.loads((out / "data" / f"{name}.json").read_text())
        assert len(meta["sha256"]) == 64 and (out / "data" / f"{name}.pt").stat().st_size > 0
    assert json.loads((workdir / "results/raw/cifar10.json").read_text())["how"] == "local copy"
    for fig in ("fig01", "fig02", "fig03", "fig04", "fig05", "fig06", "fig07", "fig08", "fig09", "fig10"):
        for path in (f"figures/{fig}.png", f"figures/{fig}.pdf", f"stats/{fig}.csv", f"claims/{fig}.json"):
            assert (out / path).stat().st_size > 0, path
        claims = json.loads((out / "claims" / f"{fig}.json").read_text())
        assert claims and all(set(c) == {"id", "statement", "measured", "threshold", "passed"} for c in claims)
        stats = pd.read_csv(out / "stats" / f"{fig}.csv")
        assert {"run", "final_loss", "tail_mean_loss", "min_loss", "diverged"} <= set(stats.columns)
    phase = pd.read_csv(out / "stats" / "fig08.csv")  # Fig 8: one row per (a, b) cell, each a run
    assert len(phase) == 16 and phase["on_grid"].all()
    assert {"a", "b", "regime", "spikes_in_window", "diverged", "regime_height=0.5"} <= set(phase.columns)
    jobs = [json.loads((out / "runs" / r / "run.json").read_text())["job"] for r in phase["run"]]
    assert {j["name"] for j in jobs} == {"fig08_batch000", "fig08_batch001"}  # trained 8 at a time
    assert all(j["executor"] == "batched" and j["runs"] == 8 for j in jobs)
    assert "claims hold" in (out / "claims.md").read_text()
    runs = sorted((out / "runs").iterdir())
    assert len(runs) == 35 + 16  # 36 asked for by Figs 1-7, 9, 10 (Fig 3's a = b = 10 run is Fig 7's); 16 cells
    info = json.loads((runs[0] / "run.json").read_text())
    for key in ("spec", "seed", "dtype", "device", "versions", "wall_time_s", "diverged"):
        assert key in info
    hist = pd.read_parquet(runs[0] / "history.parquet")
    assert hist["step"].tolist() == list(range(len(hist)))
    prov = json.loads((out / "provenance" / "fig07.json").read_text())
    assert prov["runs"] and prov["data"][0]["name"] == "cifar2" and len(prov["data"][0]["sha256"]) == 64
    snakemake(workdir, "--report", "report.html", "--config", "scale=ci", LOCAL)
    html = (workdir / "report.html").read_text()
    assert "Figure 7: Adam with eta" in html and "Figure 10: the deep Galerkin" in html
    assert "Figure 8: the (a, b) phase diagram" in html and "Figure 9: per-epoch mean" in html
    # a second run has nothing to do
    assert "Nothing to be done" in snakemake(workdir, "--config", "scale=ci", LOCAL).stdout


def test_no_data_source_stops_before_training_with_a_clear_error(workdir):
    proc = snakemake(workdir, "data", "--config", "scale=ci", "data_download=false", check=False)
    assert proc.returncode != 0
    assert "no source configured" in proc.stdout and "data_local=" in proc.stdout
    assert not (workdir / "results" / "ci" / "data" / "cifar2.pt").exists()


@pytest.mark.parametrize("edit, message", [
    (lambda c: c.update(checkpoint_evry=5), "unknown key 'checkpoint_evry'"),
    (lambda c: c["scales"]["ci"]["fig05"].update(iteration=5), "scales.ci.fig05: unknown key 'iteration'"),
    (lambda c: c["scales"]["ci"]["fig06"].update(iterations="many"), "scales.ci.fig06.iterations: 'many' is not of type 'integer'"),
    (lambda c: c["scales"]["ci"]["fig05"]["problem"].update(dims=3), "unexpected keyword argument 'dims'"),
])
def test_bad_config_gives_one_clear_error_and_removes_nothing(workdir, edit, message):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    edit(config)
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    done = workdir / "results" / "ci" / "stats" / "fig05.csv"
    done.parent.mkdir(parents=True)
    done.write_text("already computed\n")
    proc = snakemake(workdir, "--config", "scale=ci", check=False)
    assert proc.returncode != 0
    assert message in proc.stdout
    assert done.read_text() == "already computed\n"


def test_unknown_scale_is_rejected(workdir):
    proc = snakemake(workdir, "-n", "--config", "scale=gpu", check=False)
    assert proc.returncode != 0 and "scale: 'gpu' is not one of" in proc.stdout


def _train_processes(parent):
    return [p for p in parent.children(recursive=True) if "scripts/train.py" in " ".join(p.cmdline())]


def test_sigkilled_training_job_resumes_to_the_identical_history(workdir):
    config = yaml.safe_load((workdir / "config.yaml").read_text())
    config["checkpoint_every"] = 5000
    fig = config["scales"]["ci"]["fig05"]
    fig.update(iterations=120000, runs=[{"optimiser": "signgd", "eta": 1e-3}])
    (workdir / "config.yaml").write_text(yaml.safe_dump(config))
    name = "quad10-s0-f12_signgd_eta1e-3_seed0_f64"
    target = f"results/ci/runs/{name}/history.parquet"
    checkpoint = workdir / "results" / "ci" / "checkpoints" / f"{name}.pt"

    proc = snakemake(workdir, target, "--config", "scale=ci", popen=True)
    parent = psutil.Process(proc.pid)
    deadline = time.time() + 120
    while not checkpoint.exists():
        assert time.time() < deadline and proc.poll() is None, "no checkpoint was written"
        time.sleep(0.05)
    killed = _train_processes(parent)
    assert killed, "training job not found"
    for p in killed:
        os.kill(p.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) != 0
    assert not (workdir / target).exists()  # the failed job left no finished-looking output

    snakemake(workdir, target, "--config", "scale=ci")
    info = json.loads((workdir / target).with_name("run.json").read_text())
    assert info["resumed_from_iterations"] and info["resumed_from_iterations"][0] % 5000 == 0

    fresh = workdir / "fresh"
    job = {"name": name, "executor": "single", "runs": [info["plan"]]}
    subprocess.run([sys.executable, "scripts/train.py", "--job", json.dumps(job), "--runs-dir", str(fresh),
                    "--checkpoint", str(fresh / "ckpt.pt"), "--threads", "1", "--checkpoint-every", "1000000"],
                   cwd=workdir, check=True, capture_output=True)
    pd.testing.assert_frame_equal(pd.read_parquet(workdir / target), pd.read_parquet(fresh / name / "history.parquet"))


def test_lint_is_clean(workdir):
    proc = snakemake(workdir, "--lint", "--config", "scale=ci")
    assert "Congratulations, your workflow is in a good condition!" in proc.stdout
