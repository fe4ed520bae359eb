"""Progress a reader sees: the compile notice, a long run's years, a sweep's finished runs."""

import subprocess
import sys
from pathlib import Path

import pytest
from numba import njit

from sim import JourneysModel, resolve
from sim.model.compile_notice import announce_compiling
from sim.projection.progress import RunProgress
from tests.helpers import compose


def test_compiling_is_announced_and_loading_compiled_code_is_not(capsys):
    @njit
    def doubled(x):
        return 2 * x

    with announce_compiling("the test kernel"):
        assert doubled(21) == 42  # compiled here
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("compiling the test kernel (first run only") and len(err) == 2
    assert err[1].startswith("compiled the test kernel in")
    with announce_compiling("the test kernel"):
        assert doubled(4) == 8  # already compiled: nothing to say
    assert capsys.readouterr().err == ""


def test_a_run_reports_each_year_end_and_a_quick_one_prints_nothing(capsys):
    years = []
    JourneysModel(resolve(compose("area=southampton", "end_year=2007"))).run(
        on_year_end=lambda *a: years.append(a))
    assert years == [(2003, 1, 4), (2004, 2, 4), (2005, 3, 4), (2006, 4, 4)]  # two warm-up years first

    quick = RunProgress("journeys")  # reports only once a run has taken 3 s
    for year, done, total in years:
        quick.year_end(year, done, total)
    quick.stage("writing the outputs")
    assert capsys.readouterr().err == ""
    slow = RunProgress("journeys", after=0.0, every=0.0)
    for year, done, total in years:
        slow.year_end(year, done, total)
    slow.stage("writing the outputs")
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("journeys: simulated to the end of 2003 (1 of 4 years, ")
    assert err[3].startswith("journeys: simulated to the end of 2006 (4 of 4 years, ")
    assert err[4].startswith("journeys: writing the outputs (") and len(err) == 5


@pytest.mark.slow
def test_a_sweep_prints_a_line_per_finished_run_with_the_count(tmp_path: Path):
    done = subprocess.run([sys.executable, "-m", "sim.cli", "-m", "seed=1,2,3", "end_year=2006", "area=bedford",
                           "output.figures=false", "output.print_summary=false", f"hydra.sweep.dir={tmp_path}"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("run ")]
    assert [line.split(" (")[0] for line in lines] == [f"run {k} of 3 done" for k in (1, 2, 3)]
    assert "(seed=1, " in lines[0] and "(seed=3, " in lines[2]  # what varies, not what every run shares
    assert "to go" in lines[1] and "to go" not in lines[2]
