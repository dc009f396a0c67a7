"""How failures read: a script's log states the cause in one line, Ctrl-C in one line, and the end
of Snakemake's output names each failed job's cause."""
import subprocess
import sys

from adamdyn.workflow import failure_causes

from conftest import ROOT

SCRIPT = """
import sys
sys.path.insert(0, {scripts!r})
from _cli import entry
from adamdyn.data import DataError

def main():
    raise {error}

entry(main)
"""


def _run(error):
    code = SCRIPT.format(scripts=str(ROOT / "scripts"), error=error)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def test_an_explained_failure_is_one_line_without_traceback():
    proc = _run('DataError("/data/x.idx is truncated: re-download it")')
    assert proc.returncode == 1
    assert proc.stderr.strip() == "ERROR: /data/x.idx is truncated: re-download it"


def test_an_unexpected_failure_states_its_cause_first_then_the_traceback():
    proc = _run('ZeroDivisionError("boom")')
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1 and lines[0] == "ERROR: ZeroDivisionError: boom" and "Traceback" in lines[1]


def test_ctrl_c_is_one_line():
    proc = _run("KeyboardInterrupt()")
    assert proc.returncode == 130 and len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith("interrupted (Ctrl-C)")


def test_failure_causes_read_each_failed_jobs_log(tmp_path):
    job_log = tmp_path / "fetch.log"
    job_log.write_text("fetching\nERROR: /x holds no CIFAR-10 training set\n")
    main_log = tmp_path / "snakemake.log"
    main_log.write_text(f"Error in rule fetch:\n    jobid: 3\n    wildcards: dataset=cifar10\n"
                        f"    log: {job_log} (check log file(s) for error details)\n\nShutting down\n")
    assert failure_causes([str(main_log)]) == [
        f"fetch (dataset=cifar10): ERROR: /x holds no CIFAR-10 training set  [log: {job_log}]"]
    assert failure_causes(str(tmp_path / "missing.log")) == []


def test_ci_fails_instead_of_skipping_when_the_data_copy_is_missing(tmp_path):
    """Under CI=true a missing offline data copy stops pytest (tests/conftest.py), so that CI cannot
    pass with the data, workflow and SLURM tests skipped; outside CI they skip and -rs lists them."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    env = {**os.environ, "CI": "true", "ADAMDYN_SHARED_DATA": str(tmp_path / "absent")}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_stats_claims.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "offline data copy" in proc.stdout + proc.stderr
    env["CI"] = "false"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/test_data_prepare.py::test_cifar2_small_definition"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and "SKIPPED" in proc.stdout and "offline data copy not found" in proc.stdout
