"""Shared fixtures: small problems registered for the engine tests, the repository root and the
offline data copy (``ADAMDYN_SHARED_DATA`` overrides where it is looked for).

Without the data copy the data, workflow and SLURM tests skip, and ``-rs`` lists them; under CI
(``CI=true``) a missing copy stops the whole run instead, so that CI cannot pass with them unrun.
"""
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import yaml

from adamdyn import problems
from adamdyn.config import load_config, settings_files
from adamdyn.problems.base import Objective

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ADAMDYN_SHARED_DATA", ROOT.parent / "shared" / "data"))
CONFIG = load_config(ROOT)  # config.yaml with workflow/config/<id>.yaml merged in
WORKFLOW_FILES = ("Snakefile", "config.yaml", "workflow", "scripts", "profiles", "environment.yml", "README.md")


def copy_workflow(dest: Path) -> Path:
    """The workflow (Snakefile, config, rules, scripts) copied into ``dest``: a test's results never
    touch the repository's own results/."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / name)
    return dest


def write_config(workdir: Path, config: dict) -> None:
    """Write ``config`` (a whole, merged configuration) as the workflow copy's only config file: its
    config.yaml, with the per-figure files removed (the same configuration in one file)."""
    for path in settings_files(workdir):
        path.unlink()
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))  # key order makes column order


class CiBuild:
    """The session's one ci-scale build, started in the background in a workflow copy: every figure,
    study, variant, the claims table and the book, in one `snakemake --cores 2` (its output in
    ``build.log`` there). The SLURM test runs its cluster run meanwhile; the workflow tests wait."""

    def __init__(self, path: Path):
        self.path, self.log = path, path / "build.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2", "--config", "scale=ci",
                                          f"data_local={SHARED_DATA}"], cwd=path, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def stop(self) -> None:
        """Stop the build and its jobs (its own process group), if it still runs."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)

    def wait(self) -> Path:
        rc = self.proc.wait(timeout=1800)
        assert rc == 0, f"the ci-scale build failed:\n{self.log.read_text()[-20000:]}"
        return self.path


_STARTED: list[CiBuild] = []


def pytest_collection_finish(session):
    """Start the ci build as soon as the tests are collected, when any of them needs it: it runs while
    the unit tests do, filling the cores' idle time (job start-ups, Snakemake's scheduling)."""
    if SHARED_DATA.is_dir() and any("ci_build" in getattr(item, "fixturenames", ()) for item in session.items):
        _STARTED.append(CiBuild(copy_workflow(session.config._tmp_path_factory.mktemp("ci"))))


def pytest_collection_modifyitems(session, config, items):
    """Run the tests that need no ci build first, while it runs: the unit tests and the workflow tests
    on their own copies (each a Snakemake subprocess, mostly on one core) fill the cores beside the
    build; then the SLURM test, whose cluster jobs run beside the build too; then the tests that assert
    the finished build. Otherwise in collection order."""
    def phase(item):
        names = getattr(item, "fixturenames", ())
        return 2 if "ci_dir" in names else 1 if "ci_build" in names else 0
    items.sort(key=phase)  # stable: collection order within each phase


def pytest_sessionfinish(session, exitstatus):
    for build in _STARTED:  # a run stopped early (-x, Ctrl-C) leaves no build behind
        build.stop()


@pytest.fixture(scope="session")
def ci_build(tmp_path_factory):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"no offline data copy at {SHARED_DATA}")
    build = _STARTED[0] if _STARTED else CiBuild(copy_workflow(tmp_path_factory.mktemp("ci")))
    yield build
    build.stop()


@pytest.fixture(scope="session")
def ci_dir(ci_build):
    """The finished ci-scale build (the workflow copy it ran in)."""
    return ci_build.wait()


def runaway(dtype, device):
    """f(x) = -exp(x): signGD climbs to overflow, a loss of -inf (a divergence)."""
    x = torch.zeros(1, dtype=dtype, device=device, requires_grad=True)
    return Objective(parameters=[x], loss=lambda batch=None: -torch.exp(x).sum())


def least_squares(n, dtype, device):
    """A small linear regression with mini-batch support and a held-out metric."""
    gen = torch.Generator().manual_seed(123)
    X = torch.randn(n, 4, generator=gen, dtype=torch.float64).to(device, dtype)
    y = X @ torch.tensor([1.0, -2.0, 0.5, 3.0], dtype=dtype, device=device)
    w = torch.nn.Linear(4, 1).to(device, dtype)

    def loss(batch=None):
        idx = slice(None) if batch is None else batch
        return ((w(X[idx]).squeeze(-1) - y[idx]) ** 2).mean()

    def test_metrics():
        with torch.no_grad():
            return {"test_loss": float(loss())}

    return Objective(parameters=list(w.parameters()), loss=loss, module=w, n_samples=n,
                     test_metrics=test_metrics, test_keys=("test_loss",))


@pytest.fixture
def test_problems(monkeypatch):
    monkeypatch.setitem(problems.REGISTRY, "runaway", (runaway, lambda p: "runaway"))
    monkeypatch.setitem(problems.REGISTRY, "least_squares", (least_squares, lambda p: f"lsq{p['n']}"))


def pytest_sessionstart(session):
    if os.environ.get("CI") == "true" and not SHARED_DATA.is_dir():
        raise pytest.UsageError(
            f"CI=true but the offline data copy {SHARED_DATA} is missing: the data, workflow and SLURM tests would "
            "all skip. Lay the copy beside the repository (shared/data) or point ADAMDYN_SHARED_DATA at it.")
