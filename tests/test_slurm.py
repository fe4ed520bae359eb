"""A sweep through the shipped `slurm` launcher on a real Slurm cluster (the README's cluster path).

`.ci/run` starts a single-node cluster on the CI machine (scripts/slurm_local.sh: Debian's slurm-wlm,
no accounting, partition `debug`) and sets TJ_REQUIRE_SLURM, so in CI these tests run or fail;
elsewhere, without a cluster, they are skipped with the command that starts one. The jobs activate
the venv of the Python running the tests and import this checkout (setup lines, as the README tells
a cluster's users to set); TJ_SLURM_PARTITION names another partition.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.config.paths import PROJECT_ROOT
from sim.sweeps.collect import collect

PARTITION = os.environ.get("TJ_SLURM_PARTITION", "debug")
SWEEP = ["+experiment=scenarios", "scenario=baseline,budget_cut_10", "seed=1,2", "end_year=2008", "policy_year=2006"]
RUNS = {f"end_year=2008,policy_year=2006,scenario={s},seed={k}" for s in ("baseline", "budget_cut_10") for k in (1, 2)}
ACTIVATE = Path(sys.prefix) / "bin" / "activate"
SKIPPED = "already holds this finished run; skipped"


def _no_cluster() -> str | None:
    """Why no sweep can be sent to a cluster from here, or None."""
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return "no Slurm client here (sbatch, sinfo)"
    conf = os.environ.get("SLURM_CONF", "/etc/slurm/slurm.conf")
    if not Path(conf).is_file():  # (sinfo would look for a controller in the DNS)
        return f"no Slurm configuration ({conf})"
    shown = subprocess.run(["sinfo", "--noheader", f"--partition={PARTITION}", "--format=%a %T"],
                           capture_output=True, text=True, timeout=30)
    if shown.returncode != 0:
        return f"sinfo cannot reach a controller ({(shown.stderr.strip().splitlines() or ['no message'])[-1]})"
    if not any(line.split()[:1] == ["up"] and line.split()[1].rstrip("*~#") in ("idle", "mixed", "allocated")
               for line in shown.stdout.splitlines() if len(line.split()) == 2):
        return f"partition {PARTITION!r} has no node up and ready (sinfo: {shown.stdout.strip() or 'nothing'})"
    if not ACTIVATE.is_file():
        return f"the jobs activate the venv of the Python running the tests, and {sys.prefix} is not a venv"
    return None


@pytest.fixture(scope="module")
def cluster():
    problem = _no_cluster()
    if problem:
        if os.environ.get("TJ_REQUIRE_SLURM"):
            pytest.fail(f"TJ_REQUIRE_SLURM is set but {problem}")
        pytest.skip(f"{problem}; `sudo scripts/slurm_local.sh start` starts a cluster on this machine")
    return PARTITION


def on_slurm(sweep_dir: Path, setup: list[str] | None = None) -> list[str]:
    """The shipped launcher, with what a user sets: the partition and the setup lines that run the project's Python."""
    if setup is None:
        setup = ["set -e", f". {ACTIVATE}", f"export PYTHONPATH={PROJECT_ROOT}", "export OMP_NUM_THREADS=1"]
    assert not any('"' in line for line in setup)
    return ["hydra/launcher=slurm", f"hydra.launcher.partition={PARTITION}", "hydra.launcher.cpus_per_task=1",
            "hydra.launcher.mem_gb=1", "hydra.launcher.timeout_min=10",
            "hydra.launcher.setup=[" + ",".join(f'"{line}"' for line in setup) + "]", f"hydra.sweep.dir={sweep_dir}"]


def journeys(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from sim.cli import journeys; journeys()", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT)


def array_of(sweep_dir: Path, known: set[str] = frozenset()) -> str:
    """The Slurm job id of the sweep's array: submitit's folders are named by job id (`<array>_<task>`, or the job's
    own for a sweep of one run)."""
    arrays = {p.name.split("_")[0] for p in (sweep_dir / ".submitit").iterdir() if p.is_dir()} - known
    assert len(arrays) == 1, arrays
    return arrays.pop()


def job_states(array: str) -> dict[str, tuple[str, str]]:
    """{task (or job, for a single one): (state, exit code)} of an array once its jobs have ended, from the
    controller (which keeps ended jobs for MinJobAge, 300 s). A sweep returns when every result file is written,
    a moment before the jobs exit."""
    deadline = time.monotonic() + 60
    while True:
        shown = subprocess.run(["scontrol", "--oneliner", "show", "job", array], capture_output=True, text=True,
                               timeout=30, check=True).stdout
        fields = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in shown.splitlines() if line.strip()]
        states = {f.get("ArrayTaskId", f["JobId"]): (f["JobState"], f["ExitCode"]) for f in fields}
        if not any(state in ("PENDING", "RUNNING", "COMPLETING") for state, _ in states.values()):
            return states
        assert time.monotonic() < deadline, f"array {array} has not ended 60 s after its results: {states}"
        time.sleep(0.5)


def assert_quiet_and_followed(done: subprocess.CompletedProcess) -> None:
    said = done.stdout + done.stderr
    followed = [line for line in said.splitlines() if "following the jobs with squeue" in line]
    assert len(followed) == 1, said[-3000:]  # said once; no warning per poll about sacct
    assert not [line for line in said.splitlines() if "sacct" in line and line not in followed], said[-3000:]
    assert "WARNING" not in said, said[-3000:]


@pytest.mark.slow
def test_a_slurm_sweep_gives_the_serial_sweeps_runs_and_a_resubmitted_one_skips_them(cluster, tmp_path):
    serial, slurm = tmp_path / "serial", tmp_path / "slurm"
    done = journeys(*SWEEP, f"hydra.sweep.dir={serial}")
    assert done.returncode == 0, done.stderr[-3000:]

    start = time.monotonic()
    done = journeys(*SWEEP, *on_slurm(slurm))
    wall = time.monotonic() - start
    assert done.returncode == 0, done.stderr[-3000:]
    assert_quiet_and_followed(done)
    first = array_of(slurm)
    states = job_states(first)
    print(f"\nSlurm sweep: array job {first}, tasks {sorted(states)}, {wall:.1f} s from submission to the last result")
    assert states == {str(k): ("COMPLETED", "0:0") for k in range(4)}, states  # every job ran and ended well

    # folders named by each run's overrides, as a local sweep names them, each holding a finished run
    folders = {p.name for p in slurm.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert folders == RUNS == {p.name for p in serial.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert all((slurm / name / "run_info.json").is_file() for name in RUNS)
    # the collected table is the serial sweep's, to the last digit
    table = collect(slurm, progress=False)
    assert set(table["run"]) == RUNS
    pd.testing.assert_frame_equal(table, collect(serial, progress=False))
    print("Slurm sweep: collected table identical to the serial sweep's "
          f"({len(table)} rows, {table['run'].nunique()} runs)")

    # the same sweep submitted again: a new array whose every job finds its run finished and leaves it
    written = {name: (slurm / name / "timeseries.csv").stat().st_mtime_ns for name in RUNS}
    done = journeys(*SWEEP, *on_slurm(slurm))
    assert done.returncode == 0, done.stderr[-3000:]
    assert_quiet_and_followed(done)
    again = array_of(slurm, known={first})
    assert job_states(again) == {str(k): ("COMPLETED", "0:0") for k in range(4)}
    logs = sorted((slurm / ".submitit").glob(f"{again}_*/{again}_*_0_log.out"))
    assert len(logs) == 4 and all(log.read_text().count(SKIPPED) == 1 for log in logs), logs
    assert {name: (slurm / name / "timeseries.csv").stat().st_mtime_ns for name in RUNS} == written
    print(f"Slurm sweep: resubmitted as array job {again}, all 4 runs skipped")


@pytest.mark.slow
def test_a_job_that_dies_before_its_run_fails_the_sweep_with_its_log(cluster, tmp_path):
    """Without accounting submitit cannot ask sacct how a job ended: a job that left no result (here a setup
    line that fails, as a wrong venv path would) must end the sweep with an error, not leave it waiting."""
    sweep = tmp_path / "sweep"
    start = time.monotonic()
    done = journeys("+experiment=scenarios", "scenario=baseline", "seed=1", "end_year=2007",
                    *on_slurm(sweep, setup=["set -e", f". {tmp_path}/no-venv/bin/activate"]), timeout=300)
    assert done.returncode != 0
    assert time.monotonic() - start < 120  # squeue's answer, then submitit's 15 s wait for a result file
    assert "has not produced any output (state: FAILED)" in done.stderr, done.stderr[-3000:]
    assert f"{tmp_path}/no-venv/bin/activate: No such file or directory" in done.stderr  # the job's own log
    assert_quiet_and_followed(done)
    assert list(job_states(array_of(sweep)).values()) == [("FAILED", "1:0")]  # one run: a single job, no array


def test_squeue_is_read_as_submitit_reads_sacct():
    """The watcher's reading of squeue (no cluster needed): array tasks one a line or as a range, a state that
    has not ended though submitit does not know it, and a job gone from the queue, which has ended."""
    from sim.sweeps.slurm_queue import LEFT_THE_QUEUE, QueueWatcher

    watcher = QueueWatcher(no_accounting=True)
    jobs = ("7_0", "7_1", "7_2", "7_3", "7_4", "8", "9")
    for job in jobs:
        watcher.register_job(job)
    assert watcher._make_command()[0] == "squeue"
    info = watcher.read_info(b"7_0|COMPLETED\n7_1|RUNNING\n7_[2-3%2]|PENDING\n8|CONFIGURING\n9|OUT_OF_MEMORY\n")
    assert {job: info[job]["State"] for job in jobs} == {
        "7_0": "COMPLETED", "7_1": "RUNNING", "7_2": "PENDING", "7_3": "PENDING", "7_4": LEFT_THE_QUEUE,
        "8": "RUNNING", "9": "OUT_OF_MEMORY"}
    watcher._info_dict.update(info)  # what submitit's update() does with it
    assert {job for job in jobs if watcher.is_done(job, mode="cache")} == {"7_0", "7_4", "9"}
