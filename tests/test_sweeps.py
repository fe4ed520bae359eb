"""Sweeps: launchers give identical results, interrupted sweeps complete, experiments and designs compose."""

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim import resolve
from sim.config.designs import DesignConfig, latin_hypercube, n_points, point_values
from sim.config.errors import ConfigError
from sim.config.paths import PROJECT_ROOT
from sim.sweeps.cli import compare
from sim.sweeps.collect import collect
from tests.helpers import compose

SWEEP = ["+experiment=scenarios", "scenario=baseline,budget_cut_10", "seed=1,2", "end_year=2008", "policy_year=2006"]


def journeys(*args: str, timeout: int = 400) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from sim.cli import journeys; journeys()", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The same small sweep run serially, with joblib (2 processes) and with submitit's local executor."""
    root = tmp_path_factory.mktemp("sweeps")
    journeys(*SWEEP, f"hydra.sweep.dir={root / 'serial'}")
    journeys(*SWEEP, f"hydra.sweep.dir={root / 'joblib'}", "hydra/launcher=local", "hydra.launcher.n_jobs=2")
    journeys(*SWEEP, f"hydra.sweep.dir={root / 'submitit'}", "hydra/launcher=local_submitit")
    return root


@pytest.mark.slow
def test_serial_and_parallel_launchers_give_identical_collected_tables(sweeps):
    tables = {name: collect(sweeps / name, progress=False) for name in ("serial", "joblib", "submitit")}
    serial = tables["serial"]
    runs = serial.groupby("run").size()
    assert len(runs) == 4 and runs.max() < 1.01 * runs.min()  # one row set per run (a rate needs a denominator)
    stocks = serial[(serial["measure"] == "in_treatment") & (serial["group"] == "all")]
    assert stocks.groupby("run")["period"].apply(list).map(tuple).nunique() == 1  # every run, every year, once
    assert len(stocks) == 4 * 3
    assert set(serial["run"]) == {f"end_year=2008,policy_year=2006,scenario={s},seed={k}"
                                  for s in ("baseline", "budget_cut_10")
                                  for k in (1, 2)}
    labels = serial[["scenario", "seed"]].drop_duplicates()
    assert len(labels) == 4  # no run missing or duplicated
    for name in ("joblib", "submitit"):
        pd.testing.assert_frame_equal(tables[name], serial)


@pytest.mark.slow
def test_compare_writes_a_report_naming_every_scenario(sweeps):
    result = compare(sweeps / "joblib", progress=False)
    text = (sweeps / "joblib" / "report.html").read_text()
    for scenario in ("baseline", "budget_cut_10"):
        assert scenario in text
    assert ((sweeps / "joblib" / "collected.parquet").exists()
            and (sweeps / "joblib" / "figures" / "fan_charts.png").exists())
    diff = result.summary[(result.summary["kind"] == "difference") & (result.summary["headline"] == "cost")]
    # 10% less money: the commissioner pays less in every paired run
    assert len(diff) == 1 and diff["high"].iloc[0] < 0


@pytest.mark.slow
def test_an_interrupted_sweep_completes_without_redoing_finished_runs(tmp_path):
    out = tmp_path / "sweep"
    args = ["+experiment=scenarios", "scenario=baseline", "seed=1,2,3,4", "end_year=2008", f"hydra.sweep.dir={out}"]
    cmd = [sys.executable, "-c", "from sim.cli import journeys; journeys()", *args]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 300
    while time.time() < deadline and not list(out.glob("*/run_info.json")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # interrupted part-way
    proc.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/timeseries.csv")
                if (p.parent / "run_info.json").exists()}
    assert 1 <= len(finished) < 4
    done = journeys(*args)
    assert done.stdout.count("already holds this finished run; skipped") == len(finished)
    after = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/timeseries.csv")}
    assert len(after) == 4 and all((out / name / "run_info.json").exists() for name in after)
    assert all(after[name] == mtime for name, mtime in finished.items())  # finished runs untouched


@pytest.mark.slow
def test_a_changed_configuration_is_not_mistaken_for_a_finished_run(tmp_path):
    out = tmp_path / "sweep"
    journeys("+experiment=scenarios", "scenario=baseline", "seed=1", "end_year=2007", f"hydra.sweep.dir={out}")
    folder = next(out.glob("*/run_info.json")).parent
    (folder / "config.yaml").unlink()  # same folder, but say the config had changed:
    import json

    info = json.loads((folder / "run_info.json").read_text())
    info["config_sha256"] = "something else"
    (folder / "run_info.json").write_text(json.dumps(info))
    done = journeys("+experiment=scenarios", "scenario=baseline", "seed=1", "end_year=2007", f"hydra.sweep.dir={out}")
    assert "skipped" not in done.stdout and (folder / "config.yaml").exists()


def test_named_experiments_compose():
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from sim.config.schema import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(PROJECT_ROOT / "configs"), version_base="1.3"):
        for name, swept in (("scenarios", "scenario"), ("compare_systems", "system"), ("sensitivity", "design.point"),
                            ("sensitivity_global", "design.point")):
            cfg = hydra_compose(config_name="journeys", overrides=[f"+experiment={name}"], return_hydra_config=True)
            assert cfg.experiment.name == name
            assert swept in cfg.hydra.sweeper.params and "seed" in cfg.hydra.sweeper.params
            assert str(cfg.hydra.mode) == "RunMode.MULTIRUN"
    from sim.config.schema import as_config
    from sim.config.validation import validate

    for name in ("sensitivity", "sensitivity_global"):
        base = compose(f"+experiment={name}")
        for k in range(n_points(base.design)):
            base.design.point = k
            validate(as_config(base))


def test_designs_one_at_a_time_and_latin_hypercube():
    oat = DesignConfig(kind="one_at_a_time", factors={"levers.planned_exit": [0.8, 1.2], "params.treatment.x": [1, 2]})
    assert n_points(oat) == 5
    assert [point_values(DesignConfig(**{**oat.__dict__, "point": k})) for k in range(5)] == [
        {}, {"levers.planned_exit": 0.8}, {"levers.planned_exit": 1.2}, {"params.treatment.x": 1.0},
        {"params.treatment.x": 2.0}]
    u = latin_hypercube(10, 3, seed=4)
    for column in u.T:  # one point in each of the 10 strata of every factor
        assert sorted((column * 10).astype(int)) == list(range(10))
    assert (latin_hypercube(10, 3, seed=4) == u).all() and not (latin_hypercube(10, 3, seed=5) == u).all()


def test_design_points_apply_their_factor_values_and_bad_designs_are_refused():
    cfg = compose("design.kind=one_at_a_time", "+design.factors={levers.planned_exit:[0.5,2.0]}", "design.point=2",
                  "end_year=2006")
    assert resolve(cfg).levers["planned_exit"] == 2.0
    with pytest.raises(ConfigError, match="design.point = 3: this one_at_a_time design has points 0..2"):
        resolve(compose("design.kind=one_at_a_time", "+design.factors={levers.planned_exit:[0.5,2.0]}",
                              "design.point=3"))
    with pytest.raises(ConfigError, match="design.factors.levers.nonesuch: unknown lever"):
        resolve(compose("design.kind=one_at_a_time", "+design.factors={levers.nonesuch:[0.5,2.0]}"))
    with pytest.raises(ConfigError, match="design.kind = 'random': allowed values are none, one_at_a_time"):
        resolve(compose("design.kind=random"))
