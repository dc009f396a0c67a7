"""The Snakemake workflow end to end at the ci scale (every figure, study and variant asserted on
the session's one build), the results book, config errors, a damaged run output, and a SIGKILLed
training job.

Each test works in a temporary copy of the workflow (Snakefile, config, rules, scripts), so the
repository's own results/ are never touched. The ci-scale tests share the session's one build
(``ci_dir``, tests/conftest.py: one `snakemake --cores 2` of the whole scale, started by the SLURM
test or by the first test that needs it).
"""
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest
import torch

from adamdyn.config import load_config
from adamdyn.registry import FIGURES, STUDIES, is_study, title
from adamdyn.workflow import plan
from conftest import CONFIG, ROOT, SHARED_DATA, copy_workflow, write_config

pytestmark = pytest.mark.workflow


@pytest.fixture
def workdir(tmp_path):
    return copy_workflow(tmp_path)


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


FIGS = list(FIGURES)


@needs_data
def test_ci_scale_dry_run_lists_the_jobs_and_writes_nothing(workdir):
    dry = snakemake(workdir, "-n", "--config", "scale=ci", LOCAL)
    assert "Scale: ci" in dry.stdout and not (workdir / "results").exists()
    assert "train_fig08_batch000" in dry.stdout and "train_fig08_batch001" in dry.stdout


@needs_data
def test_ci_scale_prepares_every_data_set(ci_dir):
    out = ci_dir / "results" / "ci"
    for name in ("cifar2", "cifar10", "fashion_mnist", "sine", "poisson_cube", "poisson_disk"):
        meta = json.loads((out / "data" / f"{name}.json").read_text())
        assert len(meta["sha256"]) == 64 and (out / "data" / f"{name}.pt").stat().st_size > 0
    assert json.loads((ci_dir / "results/raw/cifar10.json").read_text())["how"] == "local copy"


@needs_data
@pytest.mark.parametrize("fig", FIGS)
def test_ci_scale_builds_a_figure_with_its_statistics_and_claims(ci_dir, fig):
    out = ci_dir / "results" / "ci"
    for path in (f"figures/{fig}.png", f"figures/{fig}.pdf", f"stats/{fig}.csv", f"claims/{fig}.json",
                 f"provenance/{fig}.json", f"compare/{fig}.csv"):
        assert (out / path).stat().st_size > 0, path
    compare = pd.read_csv(out / "compare" / f"{fig}.csv")
    assert {"id", "panel", "curve", "kind", "published", "uncertainty", "measured", "difference", "agrees",
            "comparable", "why_not"} <= set(compare.columns)
    if not is_study(fig):  # a figure of the paper: every reading has a row; one that is not comparable says why
        assert len(compare) >= 5 and compare["id"].str.startswith(f"{fig}.").all()
        assert compare["comparable"].dtype == bool
        assert compare.loc[~compare["comparable"], "why_not"].notna().all()
    else:  # beyond the paper: nothing published to compare with
        assert compare.empty
    claims = json.loads((out / "claims" / f"{fig}.json").read_text())
    keys = {"id", "statement", "measured", "threshold", "passed", "verdict", "why", "caveat"}
    assert claims and all(set(c) == keys for c in claims)
    for c in claims:  # three verdicts; an inconclusive one says why
        assert c["verdict"] == {True: "holds", False: "does not hold", None: "inconclusive"}[c["passed"]]
        assert bool(c["why"]) == (c["passed"] is None), c
    stats = pd.read_csv(out / "stats" / f"{fig}.csv")
    assert {"run", "final_loss", "tail_mean_loss", "min_loss", "diverged"} <= set(stats.columns)
    reads = json.loads((out / "reads" / f"{fig}.json").read_text())
    assert set(stats["run"]) == {Path(d).name for d, _ in reads}  # a row for every run read (the Fig 8 reduction study: per length)
    finite = stats.loc[~stats["diverged"].astype(bool)]
    assert (finite["tail_mean_loss"] > 0).all() and finite[["final_loss", "min_loss"]].map(math.isfinite).all().all()
    folders = {Path(d).name: ci_dir / d for d, _ in reads}
    for run in stats["run"]:
        info = json.loads((folders[run] / "run.json").read_text())
        for key in ("spec", "seed", "dtype", "device", "versions", "wall_time_s", "diverged", "job", "history_sha256"):
            assert key in info
        hist = pd.read_parquet(folders[run] / "history.parquet")
        assert hist["step"].tolist() == list(range(len(hist)))
    if fig == "fig07":
        prov = json.loads((out / "provenance" / "fig07.json").read_text())
        assert prov["runs"] and prov["data"][0]["name"] == "cifar2" and len(prov["data"][0]["sha256"]) == 64
    if fig == "spike_mechanism":  # Fig 7's and Fig 1's runs log the signals; the eps control does not
        probed = stats[stats["probed"]]
        assert len(probed) == 4 and probed["R_late_median"].gt(0).all() and len(stats) == 5
        hist = pd.read_parquet(out / "runs" / probed["run"].iloc[0] / "history.parquet")
        assert hist["sharpness_ratio"].notna().sum() == 59 and hist["decoupling"].iloc[1:].notna().all()
    if fig == "divergence_edge":  # 2 rows x 2 seeds x 2 etas x 2 bisection steps and an anchor per row, in 2 shards
        assert len(stats) == 18 and all(str(d).startswith(str(out / "bisect" / "divergence_edge")) for d in folders.values())
        assert sorted(stats.groupby("eta")["iterations"].first().tolist()) == [300, 600]  # t = 3
        jobs = {json.loads((d / "run.json").read_text())["job"]["name"] for d in folders.values()}
        assert {j.split("_step")[0] for j in jobs} == {"divergence_edge_shard0", "divergence_edge_shard1"}
        assert stats["update_max"].gt(0).all() and {"bracket_low", "row_b", "update_bound"} <= set(stats.columns)
    if fig == "lr_decay":  # (1, 100): 2 schedules x 3 arms and the reference; eta_k logged, the arms equal before the decay
        assert sorted(stats["arm"].value_counts().to_dict().items()) == [
            ("beta_square", 2), ("fixed_factors", 2), ("fixed_rates", 2), ("reference", 1)]
        arms = [pd.read_parquet(out / "runs" / r / "history.parquet") for r in stats.loc[stats["b"] > 50, "run"]]
        scheduled = [h for h in arms if "eta" in h]
        assert len(scheduled) == 6 and all(h["loss"][:50].equals(scheduled[0]["loss"][:50]) for h in scheduled)
    if fig == "batch_size":  # per (a, b): batch N, N/4, N/8 and both rules at N/8; an epoch = N/batch iterations
        assert sorted(stats["batch_size"].unique()) == [25, 50, 200] and set(stats["rule"]) == {"none", "sqrt", "halflife"}
        assert (stats["epochs"] == 20).all()
    if fig == "fig08":  # one row per (a, b) cell, each a run, trained 8 at a time
        assert len(stats) == 16 and stats["on_grid"].all()
        assert {"a", "b", "regime", "spikes_in_window", "regime_height=0.5"} <= set(stats.columns)
        jobs = [json.loads((out / "runs" / r / "run.json").read_text())["job"] for r in stats["run"]]
        assert {j["name"] for j in jobs} == {"fig08_batch000", "fig08_batch001"}
        assert all(j["executor"] == "batched" and j["runs"] == 8 for j in jobs)
    if fig == "fig08_reduction":  # Fig 8's transect study: candidates x cells x lengths, one batch per candidate
        assert len(stats) == 2 * 6 * 2 and set(stats["length"]) == {150, 300}
        assert stats.groupby("candidate")["run"].nunique().to_dict() == {"w16": 6, "w8": 6}
        jobs = {json.loads((out / "runs" / r / "run.json").read_text())["job"]["name"] for r in stats["run"]}
        assert jobs == {"fig08_reduction_batch000", "fig08_reduction_batch001"}
        assert stats.loc[stats["ja"] == stats["jb"], "published_says"].str.contains("oscillation").all()


@needs_data
def test_ci_scale_builds_a_variant_by_the_same_rules_sharing_the_runs_it_can(ci_dir):
    """fig10-disk_points (workflow/config/fig10.yaml, scales.ci.fig10.variants): a swapped data set,
    derived by the data rule from its source, the cube's runs shared with fig10; fig05-seed1 (a problem
    setting) another U and x0."""
    out = ci_dir / "results" / "ci"
    for fig in ("fig05-seed1", "fig10-disk_points"):
        for path in (f"figures/{fig}.png", f"stats/{fig}.csv", f"claims/{fig}.json", f"compare/{fig}.csv",
                     f"provenance/{fig}.json"):
            assert (out / path).stat().st_size > 0, path
    meta = json.loads((out / "data" / "poisson_disk_400.json").read_text())
    assert meta["name"] == "poisson_disk" and meta["source"]["n_interior"] == 400
    stats = pd.read_csv(out / "stats" / "fig10-disk_points.csv")
    main = pd.read_csv(out / "stats" / "fig10.csv")
    assert set(stats["problem"]) == {"poisson_cube", "poisson_disk"}
    cube = stats["problem"] == "poisson_cube"
    assert set(stats.loc[cube, "run"]) == set(main.loc[main["problem"] == "poisson_cube", "run"])  # trained once
    assert not set(stats.loc[~cube, "run"]) & set(main["run"])
    compare = pd.read_csv(out / "compare" / "fig10-disk_points.csv")
    assert compare["id"].str.startswith("fig10.").all() and compare["run"].notna().any()
    disk = compare[compare["panel"].str.startswith("disk")]
    assert disk["why_not"].str.contains("n_train 400 vs the paper's 2000").all()  # measured, said not comparable
    main, variant = (set(pd.read_csv(out / "stats" / f"{f}.csv")["run"]) for f in ("fig05", "fig05-seed1"))
    assert not main & variant and all("quad10-s1-" in r for r in variant)


@needs_data
def test_ci_scale_claims_table_report_and_nothing_left_to_do(ci_dir):
    # the banner once in the whole build, though every job that runs Python parses the Snakefile again
    assert (ci_dir / "build.log").read_text().count("Scale: ci (") == 1
    out = ci_dir / "results" / "ci"
    # the tally of claims.md is that of the main figures' claim files
    main = [c for f in FIGURES for c in json.loads((out / "claims" / f"{f}.json").read_text())]
    counts = [sum(c["verdict"] == v for c in main) for v in ("holds", "does not hold", "inconclusive")]
    assert (f"**Claims: {counts[0]} hold, {counts[1]} do not hold, {counts[2]} inconclusive (of {len(main)}).**"
            in (out / "claims.md").read_text())
    assert "## Against the published figures" in (out / "claims.md").read_text()
    # exactly the runs the plan asks for (each distinct setting once, shared between figures and
    # variants; the divergence-edge study's bisection writes its own runs elsewhere), none missing or stray
    planned, _, _ = plan("ci", CONFIG["scales"]["ci"])
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(planned)
    text = (out / "claims.md").read_text()
    assert "## Variants: settings the paper leaves open" in text and "`fig10-disk_points`" in text
    assert text.count("| fig05-seed1 |") == 0  # the variants stay out of the main claims table
    snakemake(ci_dir, "--report", "report.html", "--config", "scale=ci", LOCAL)
    html = (ci_dir / "report.html").read_text()
    for fig in FIGURES:
        assert title(fig) in html
    assert "Against the published figures" in html
    assert "Nothing to be done" in snakemake(ci_dir, "--config", "scale=ci", LOCAL).stdout


@needs_data
def test_ci_scale_book_has_every_number_from_the_results_and_docs_copies_it(ci_dir):
    """The results book (rule book, in the default target) at the ci scale: a page per figure and
    study whose tallies and agreement counts are those of the claim and comparison files; the docs
    rule copies it into docs/book/ (removing what this build did not make) and writes the README's table
    between its markers."""
    from adamdyn.book import README_BEGIN, README_END
    from adamdyn.claims import tally_text

    out = ci_dir / "results" / "ci"
    bases = [f for f in FIGURES]
    for fig in bases:
        page = (out / "book" / f"{fig}.md").read_text()
        claims = json.loads((out / "claims" / f"{fig}.json").read_text())
        assert f"**Claims: {tally_text(claims)}.**" in page and f"../figures/{fig}.png" in page
        compare = pd.read_csv(out / "compare" / f"{fig}.csv")
        if len(compare):
            comp = compare[compare["comparable"]]
            assert f"{int(comp['agrees'].sum())} of {len(comp)} comparable readings agree" in page
    index = (out / "book" / "index.md").read_text()
    assert all(f"({f}.md)" in index for f in bases) and "## Cost of the build" in index
    assert "| train |" in index  # job times from the benchmark files
    stale = ci_dir / "docs" / "figures" / "fig01-gone.png"  # a variant no longer built: docs/ holds only this build
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"")
    snakemake(ci_dir, "docs", "--config", "scale=ci", LOCAL)
    assert (ci_dir / "docs" / "book" / "index.md").read_text() == index
    assert not stale.exists() and (ci_dir / "docs" / "figures" / "fig07.png").exists()
    readme = (ci_dir / "README.md").read_text()
    block = readme.split(README_BEGIN)[1].split(README_END)[0]
    assert block.strip() == (out / "book" / "readme.md").read_text().strip() and "(docs/book/fig07.md)" in block


@needs_data
def test_a_damaged_or_missing_history_stops_the_workflow_and_its_printed_remedy_rebuilds_it(ci_dir):
    """One run's history truncated, another's deleted under up-to-date statistics (Snakemake alone
    would say "Nothing to be done"): both are named and nothing runs. The remedy is run exactly as
    printed, by the shell, for the README's command form (targets before --config): both histories
    come back byte-identical and nothing is left to do. Every command here is the `snakemake` a user
    types, as the remedy is: its interpreter path (.venv/bin/python3) is a parameter of the rules, so
    mixing it with `python -m snakemake` (.venv/bin/python) would rerun every job."""
    exe = Path(sys.executable).parent / "snakemake"

    def cli(*args, check=True):
        proc = subprocess.run([str(exe), "--cores", "2", *args], cwd=ci_dir, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        assert not check or proc.returncode == 0, proc.stdout[-3000:]
        return proc

    out = ci_dir / "results" / "ci"  # the finished build: Fig 8 is up to date
    truncated, deleted = pd.read_csv(out / "stats" / "fig08.csv")["run"].iloc[[3, 12]]  # runs of the two batches
    histories = {run: out / "runs" / run / "history.parquet" for run in (truncated, deleted)}
    good = {run: h.read_bytes() for run, h in histories.items()}
    stats_before = (out / "stats" / "fig08.csv").read_bytes()
    histories[truncated].write_bytes(good[truncated][: len(good[truncated]) // 2])  # truncated after the run
    histories[deleted].unlink()
    proc = cli("fig08", "--config", "scale=ci", LOCAL, check=False)
    assert proc.returncode != 0
    assert f"results/ci/runs/{truncated}: its history.parquet differs" in proc.stdout
    assert f"results/ci/runs/{deleted}: its history.parquet is missing" in proc.stdout
    fix = next(line.strip() for line in proc.stdout.splitlines() if line.strip().startswith("rm "))
    assert (out / "stats" / "fig08.csv").read_bytes() == stats_before  # nothing computed is lost
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(fix, shell=True, cwd=ci_dir, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    for run, history in histories.items():
        assert history.read_bytes() == good[run], run  # resumed from the final checkpoint to the identical history
    after = cli("fig08", "--config", "scale=ci", LOCAL).stdout
    assert "Nothing to be done" in after, after[:3000]


def test_a_data_error_ends_the_output_with_its_cause_and_no_traceback(workdir, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = snakemake(workdir, "fig05", "fig07", "--config", "scale=ci", f"data_local={empty}", check=False)
    assert proc.returncode != 0 and "Traceback" not in proc.stdout
    tail = proc.stdout[proc.stdout.index("The cause of the failure:"):]
    assert f"fetch: ERROR: {empty} holds no CIFAR-10 training set" in tail


def test_no_data_source_stops_before_training_with_a_clear_error(workdir):
    proc = snakemake(workdir, "data", "--config", "scale=ci", "data_download=false", check=False)
    assert proc.returncode != 0
    assert "no source configured" in proc.stdout and "data_local=" in proc.stdout
    assert not (workdir / "results" / "ci" / "data" / "cifar2.pt").exists()


CONFIG_ERRORS = [
    (lambda c: c.update(checkpoint_evry=5), "unknown key 'checkpoint_evry' (did you mean 'checkpoint_every'?"),
    (lambda c: c["scales"]["ci"]["fig05"].update(iteration=5), "scales.ci.fig05: unknown key 'iteration'"),
    (lambda c: c["scales"]["ci"]["fig06"].update(iterations="many"), "scales.ci.fig06.iterations: 'many' is not of type 'integer'"),
    (lambda c: c["scales"]["ci"]["fig05"]["problem"].update(dims=3),
     "config: scales.ci.fig05.problem (wishart_quadratic): got an unexpected keyword argument 'dims'"),
    (lambda c: c["scales"]["ci"]["fig07"]["runs"][0].update(a=0),
     "config: scales.ci.fig07.runs[0] (adam, eta: 0.001, a: 0, b: 100): Invalid a = 0: alpha = 1 - a eta = 1"),
    (lambda c: c["scales"]["ci"]["spike_mechanism"]["runs"][4].update(log={"sharpnes_every": 0}),
     "scales.ci.spike_mechanism.runs.4.log: unknown key 'sharpnes_every'"),
    (lambda c: c["scales"]["ci"]["divergence_edge"].update(bracket=[1.0, 1000.0]),
     "divergence_edge: at row j = 7 (b = 0.346) and eta = 0.005 the bracket's high end a/b = 1000 gives a = 346"),
    (lambda c: c["scales"]["ci"]["fig08"].update(chosen_on_results={"cells": [[3, 3]]}),
     "scales.ci.fig08.chosen_on_results: 'why' is a required property"),
    # a calibration candidate's loss on the DGM (an MLP option: its `problems` must leave the DGM out)
    (lambda c: c["scales"]["ci"]["calibration"].update(
        candidates={"half": {"why": "x", "set": {"problem": {"loss": "half"}}}}, figures={"fig10": {}}),
     "config: scales.ci.fig10.variants.cal_half.problem (dgm_poisson): got an unexpected keyword argument 'loss'"),
    (lambda c: c["scales"]["ci"]["calibration"]["held_out"].update(map={"figure": "fig08_reduction-x", "reference": "w"}),
     "config: scales.ci.calibration.held_out.map.figure: 'fig08_reduction-x' is not a declared variant"),
]


@pytest.mark.parametrize("edit, message", CONFIG_ERRORS)
def test_bad_config_is_refused_before_any_job_naming_the_key(edit, message):
    """In-process, what the Snakefile checks before any job: the schema, then the plan of every figure
    (adamdyn.config.check_config, adamdyn.workflow.plan); the same calls, without a Snakemake process."""
    from adamdyn.config import check_config, fold_shorthands
    from adamdyn.workflow import plan

    config = load_config(ROOT)
    config["scale"] = "ci"
    edit(config)
    with pytest.raises(ValueError) as err:
        fold_shorthands(config)
        check_config(config, ROOT / "workflow" / "schemas" / "config.schema.yaml")
        plan("ci", config["scales"]["ci"])
    assert message in str(err.value)


@pytest.mark.parametrize("edit, message", [
    CONFIG_ERRORS[1],  # the schema, through Snakemake
    CONFIG_ERRORS[6],  # the plan, through Snakemake
    (lambda c: c.update(device="cuda") if not torch.cuda.is_available() else pytest.skip("a GPU is visible"),
     "config: device = cuda, but torch sees no CUDA GPU on this machine; nothing was run"),
])
def test_bad_config_gives_one_clear_error_and_removes_nothing(workdir, edit, message):
    config = load_config(workdir)
    edit(config)
    write_config(workdir, config)
    done = workdir / "results" / "ci" / "stats" / "fig05.csv"
    done.parent.mkdir(parents=True)
    done.write_text("already computed\n")
    proc = snakemake(workdir, "--config", "scale=ci", check=False)
    assert proc.returncode != 0
    assert message in proc.stdout
    assert done.read_text() == "already computed\n"


def test_targets_lists_what_can_be_built_by_name_and_a_misspelt_one_gets_the_nearest(workdir):
    out = snakemake(workdir, "targets", "--config", "scale=ci").stdout
    assert "Targets at the ci scale" in out and "Building DAG" not in out  # the list, plainly
    for name in ("all", "data", "book", "docs", *(f"fig{n:02d}" for n in range(1, 11)), *STUDIES):
        assert f"\n  {name} " in out, name
    proc = snakemake(workdir, "fig7", "lr_decays", "--config", "scale=ci", check=False)  # a figure's, a study's
    assert proc.returncode != 0
    assert "unknown target 'fig7' (did you mean 'fig07'?); 'lr_decays' (did you mean 'lr_decay'?)" in proc.stdout
    assert "snakemake --cores 1 targets --config scale=ci" in proc.stdout


def test_unknown_scale_is_rejected(workdir):
    proc = snakemake(workdir, "-n", "--config", "scale=gpu", check=False)
    assert proc.returncode != 0 and "scale: 'gpu' is not one of" in proc.stdout


def _train_processes(parent):
    return [p for p in parent.children(recursive=True) if "scripts/train.py" in " ".join(p.cmdline())]


def test_sigkilled_training_job_resumes_to_the_identical_history(workdir):
    config = load_config(workdir)
    config["checkpoint_every"] = 2000
    fig = config["scales"]["ci"]["fig05"]
    fig.update(iterations=20000, runs=[{"optimiser": "signgd", "eta": 1e-3}])  # killed after its first checkpoint
    write_config(workdir, config)
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
    resumed = info["resumed_from_iterations"]
    assert resumed and resumed[0] % 2000 == 0 and 0 < resumed[0] < 20000  # killed mid-run, resumed there

    fresh = workdir / "fresh"
    job = {"name": name, "executor": "single", "runs": [info["plan"]]}
    subprocess.run([sys.executable, "scripts/train.py", "--job", json.dumps(job), "--runs-dir", str(fresh),
                    "--checkpoint", str(fresh / "ckpt.pt"), "--threads", "1", "--checkpoint-every", "1000000"],
                   cwd=workdir, check=True, capture_output=True)
    pd.testing.assert_frame_equal(pd.read_parquet(workdir / target), pd.read_parquet(fresh / name / "history.parquet"))


def test_lint_is_clean_but_for_the_software_environment(workdir):
    """The rules deliberately carry no conda: or container: (they run in the environment Snakemake
    runs in, README "Design"): that is the one lint left."""
    out = snakemake(workdir, "--lint", "--config", "scale=ci", check=False).stdout
    lints = [line.strip() for line in out.splitlines() if line.strip().startswith("* ")]
    assert lints and set(lints) == {"* Specify a conda environment or container for each rule.:"}, out
