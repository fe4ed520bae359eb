"""Calibration: known parameters are recovered from synthetic targets; studies resume and share."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.ensemble import accept, posterior_table
from sim.calibration.objective import free_parameters, objective_value, with_values
from sim.calibration.record import ship
from sim.calibration.study import calibrate, finished, study, trials_table
from sim.config.paths import PROJECT_ROOT
from tests.helpers import compose

FREE = ["presentation.naive_per_year", "treatment.planned_exit_per_year"]
TRUE = {"presentation.naive_per_year": 0.3, "treatment.planned_exit_per_year": 0.45}


def _base():
    # money to spare: with services at their budget the caseload is set by the money and says little
    # about how many present (a real limit of what counts identify, not of the machinery tested here)
    return compose("area=southampton", "end_year=2012", "population_scale=6", "policy_year=2005",
                   "system.budget_multiplier=3")


def _synthetic_targets():
    """Targets simulated from known parameters (mean of 3 seeds, 6 simulated people a person), with +-6% intervals."""
    cfg = with_values(_base(), TRUE)
    rows = []
    for year in ("2008", "2009", "2010", "2011"):
        for measure in ("treatment_starts", "exits_successful", "in_treatment"):
            rows.append({"id": f"{measure}_{year}", "area": "southampton", "period": year, "measure": measure,
                         "group": "all", "value": 0.0, "lower": 0.0, "upper": 0.0, "source": "synthetic"})
    targets = pd.DataFrame(rows)
    _, frame = objective_value(cfg, targets.assign(lower=0.0, upper=1e9), seeds=[101, 102, 103])
    truth = frame.mean(axis=1).to_numpy()
    return targets.assign(value=truth, lower=truth * 0.94, upper=truth * 1.06)


def test_free_parameters_come_with_their_documented_ranges():
    free = free_parameters(_base(), FREE)
    assert [(p.low, p.high) for p in free] == [(0.05, 0.8), (0.05, 0.6)]
    with pytest.raises(ValueError, match="not a parameter"):
        free_parameters(_base(), ["presentation.nonesuch"])
    with pytest.raises(ValueError, match="fixed"):
        free_parameters(_base(), ["treatment.engagement_weeks"])


@pytest.mark.slow
def test_a_figure_a_run_cannot_give_costs_a_misfit_and_one_never_reported_is_refused():
    """A share of nothing (crack-only clients are never handed off) is undefined in every run: it costs
    UNDEFINED_Z squared a seed rather than failing the trial or costing nothing; a measure the
    projection never reports is a definition error."""
    from sim.calibration.objective import UNDEFINED_Z

    cfg = compose("area=southampton", "end_year=2008", "system=tiered", "policy_year=2005")
    row = {"area": "southampton", "period": "2007", "value": 0.8, "lower": 0.7, "upper": 0.9, "source": "test"}
    defined = {**row, "id": "starts", "measure": "treatment_starts", "group": "all", "value": 1.0, "lower": 0.0,
               "upper": 1e6}
    undefined = {**row, "id": "pickup", "measure": "transfer_pickup_share", "group": "crack_only"}
    loss, frame = objective_value(cfg, pd.DataFrame([defined, undefined]), seeds=[1, 2])
    assert frame.loc["pickup"].isna().all() and frame.loc["starts"].notna().all()
    alone, _ = objective_value(cfg, pd.DataFrame([defined]), seeds=[1, 2])
    assert loss == pytest.approx(alone + UNDEFINED_Z**2)
    with pytest.raises(ValueError, match="not produced by it: typo"):
        objective_value(cfg, pd.DataFrame([{**row, "id": "typo", "measure": "treatment_strats", "group": "all"}]),
                        seeds=[1])


def test_an_ndtms_extract_without_intervals_calibrates_to_a_finite_loss(tmp_path):
    """Counts and rates as a researcher brings them (no intervals): each is scored by its kind (a count as a
    negative binomial, a share with its denominator as a beta-binomial, another figure with the stated
    relative error) and reported against the 95% range its kind implies, never of zero width, so every
    target weighs by its own uncertainty and counts do not swamp rates."""
    from sim.calibration.likelihood import RELATIVE_ERROR
    from sim.calibration.targets import read_targets

    rows = ["area,period,drug_group,measure,value,denominator"]
    for year, (in_tx, starts, exits, rate) in {2008: (1250, 760, 300, 38), 2009: (1270, 740, 310, 40),
                                               2010: (1240, 730, 320, 41), 2011: (1210, 700, 330, 42)}.items():
        rows += [f"southampton,{year}/{(year + 1) % 100:02d},all,in_treatment,{in_tx},",
                 f"southampton,{year},all,treatment_starts,{starts},",
                 f"southampton,{year},all,exits_successful,{exits},",
                 f"southampton,{year},opiate,successful_completion_rate,{rate / 5:.1f},"]
    rows += ["southampton,2011,all,waiting_over_3_weeks_share,0.03,700", "southampton,2011,crack_only,deaths,<3,",
             "southampton,2014,all,in_treatment,1100,"]  # the last: after the years calibrated
    path = tmp_path / "extract.csv"
    path.write_text("\n".join(rows) + "\n")
    targets = read_targets(path, "southampton", 2005, 2013)
    assert len(targets) == 18 and targets.attrs["left_out"] == ["extract_20"]
    point = targets[targets["value"].notna()]
    assert (point["upper"] > point["lower"]).all()  # never zero width
    in_tx = point[point["measure"] == "in_treatment"].iloc[0]
    sd = (in_tx["upper"] - in_tx["lower"]) / 3.92
    assert sd == pytest.approx(np.sqrt(in_tx["value"] + (RELATIVE_ERROR * in_tx["value"]) ** 2))
    assert in_tx["kind"] == "count"
    share = point[point["measure"] == "waiting_over_3_weeks_share"].iloc[0]
    assert share["kind"] == "share" and 0 <= share["lower"] < 0.03 < share["upper"] <= 1
    assert set(point.loc[point["measure"] == "successful_completion_rate", "kind"]) == {"value"}  # no denominator
    censored = targets[targets["value"].isna()].iloc[0]
    assert (censored["lower"], censored["upper"]) == (0.0, 2.0)  # a suppressed count keeps its interval
    assert censored["kind"] == "censored"
    loss, frame = objective_value(_base(), targets, seeds=[1])
    assert np.isfinite(loss) and loss < 1e5 and frame.notna().all().all()
    from sim.calibration.targets import discrepancy
    z2 = discrepancy(frame[1], targets)
    assert np.isfinite(z2).all()
    # one mis-simulated count costs about as much as one mis-simulated rate: each is in its own sd units
    assert z2[(targets["measure"] == "in_treatment").to_numpy()].max() < 1e3


def test_known_parameters_are_recovered_from_synthetic_targets(tmp_path):
    targets = _synthetic_targets()
    s = calibrate(_base(), targets, free_parameters(_base(), FREE), n_trials=40, storage=tmp_path / "study.db",
                  name="recovery", seeds=[1, 2])
    best = trials_table(s).iloc[0]
    for name, truth in TRUE.items():  # the prior spans 16x (naive presentation) and 12x (planned exit)
        assert abs(best[name] / truth - 1) < 0.35, (name, best[name], truth)
    # the truth lies within the ensemble's range (ABC rejection on the trials), which is narrower than the prior
    ensemble = accept(trials_table(s), FREE, min_accepted=8)
    for p in posterior_table(ensemble, free_parameters(_base(), FREE)).itertuples():
        truth = TRUE[p.parameter]
        accepted = ensemble.accepted[p.parameter]
        assert accepted.min() <= truth <= accepted.max(), (p.parameter, truth, accepted.describe())
        assert p.share_of_prior_range < 0.5, p


@pytest.mark.slow
def test_an_interrupted_calibration_resumes_without_losing_or_repeating_trials(tmp_path):
    targets = _synthetic_targets().head(3)
    free = free_parameters(_base(), FREE)
    storage = tmp_path / "study.db"
    calibrate(_base(), targets, free, n_trials=3, storage=storage, name="resume", seeds=[1])
    first = trials_table(study(storage, "resume", 1))
    calibrate(_base(), targets, free, n_trials=5, storage=storage, name="resume", seeds=[1])
    both = trials_table(study(storage, "resume", 1))
    assert len(both) == 5 and both["trial"].is_unique
    kept = both.set_index("trial").loc[first["trial"], "loss"].to_numpy()
    np.testing.assert_array_equal(np.sort(kept), np.sort(first["loss"].to_numpy()))
    # the resumed sampler proposes new points, not the first ones again (a sampler seeded as before would)
    points = both[FREE].round(12)
    assert len(points.drop_duplicates()) == len(points)


def test_cma_es_starts_from_the_previous_fit_and_an_unknown_search_is_refused(tmp_path):
    """CMA-ES (for many free parameters) tries the shipped values first too; a typo is not TPE by default."""
    from sim.calibration.study import make_sampler

    targets = _synthetic_targets().head(3)
    free = free_parameters(_base(), FREE)
    start = {"presentation.naive_per_year": 0.25, "treatment.planned_exit_per_year": 0.5}
    s = calibrate(_base(), targets, free, n_trials=4, storage=tmp_path / "cma.db", name="cma", seeds=[1],
                  start_from=start, sampler="cmaes")
    table = trials_table(s).sort_values("trial")
    assert len(table) == 4 and table["trial"].is_unique
    assert table.iloc[0][FREE].to_dict() == pytest.approx(start)  # the previous fit is tried first
    assert table[FREE].round(12).drop_duplicates().shape[0] == 4  # then points of its own
    with pytest.raises(ValueError, match="sampler = 'cma': allowed: tpe, cmaes"):
        make_sampler("cma", 1)


def test_cma_es_warm_started_from_earlier_trials_searches_where_they_were_best():
    """Given an earlier calibration's trials (best at a tenth of each range, as the search sees it), CMA-ES's
    first proposals gather there; from cold they spread about the middle. Trials outside the ranges or missing
    a parameter give no warm start."""
    import optuna

    from sim.calibration.study import make_sampler, source_trials

    free = free_parameters(_base(), FREE)
    scale = [(np.log, p) if p.log else (lambda x: x, p) for p in free]

    def unit(values) -> np.ndarray:  # where a point lies in each range, as the search sees it (log or linear)
        return np.array([(f(v) - f(p.low)) / (f(p.high) - f(p.low)) for v, (f, p) in zip(values, scale)])

    rng = np.random.default_rng(3)
    u = rng.uniform(size=(300, len(free)))
    earlier = pd.DataFrame({p.name: (np.exp(np.log(p.low) + u[:, k] * np.log(p.high / p.low)) if p.log
                                     else p.low + u[:, k] * (p.high - p.low)) for k, p in enumerate(free)})
    earlier["loss"] = ((u - 0.1) ** 2).sum(axis=1)
    source = source_trials(earlier, free)
    assert len(source) == 300

    def first_proposals(src) -> np.ndarray:  # a flat loss: where the search starts, not where it goes
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        s = optuna.create_study(sampler=make_sampler("cmaes", 5, src))
        s.optimize(lambda t: 0.0 * sum(t.suggest_float(p.name, p.low, p.high, log=p.log) for p in free), n_trials=13)
        return np.array([unit([t.params[p.name] for p in free]) for t in s.trials[1:]])  # the first: at random

    warm, cold = first_proposals(source), first_proposals(None)
    assert (warm.mean(axis=0) < 0.3).all()
    assert (np.abs(cold.mean(axis=0) - 0.5) < 0.2).all()
    assert source_trials(earlier.drop(columns=[FREE[0]]), free) == []
    held = source_trials(earlier.drop(columns=[FREE[0]]), free, {FREE[0]: free[0].low})  # a parameter added since
    assert len(held) == 300 and {t.params[FREE[0]] for t in held} == {free[0].low}
    assert source_trials(earlier.assign(**{FREE[0]: free[0].high * 2}), free) == []


@pytest.mark.slow
def test_calibrate_with_two_workers_fills_one_study_without_repeats(tmp_path):
    targets = _synthetic_targets().head(3)
    free = free_parameters(_base(), FREE)
    s = calibrate(_base(), targets, free, n_trials=6, storage=tmp_path / "two.db", name="two", seeds=[1], workers=2)
    table = trials_table(s)
    assert 6 <= len(table) <= 7 and table["trial"].is_unique  # a worker may finish one trial past the target
    points = table[FREE].round(12).drop_duplicates()
    assert len(points) == len(table)  # each worker samples with its own seed: no point proposed twice
    assert len(trials_table(calibrate(_base(), targets, free, n_trials=6, storage=tmp_path / "two.db", name="two",
                                      seeds=[1], workers=2))) == len(table)  # nothing left to do: nothing run


@pytest.mark.slow
def test_two_worker_processes_share_one_study(tmp_path):
    storage = tmp_path / "shared.db"
    code = (
        "import sys; sys.path.insert(0, {tests!r}); from tests.helpers import compose; "
        "from tests.test_calibrate import _base, FREE, _synthetic_targets; "
        "from sim.calibration.study import study; "
        "from sim.calibration.objective import free_parameters, objective_value, with_values; "
        "t = _synthetic_targets().head(3); cfg = _base(); free = free_parameters(cfg, FREE); "
        "s = study({storage!r}, 'shared', int(sys.argv[1])); "
        "s.optimize(lambda tr: objective_value(with_values(cfg, {{p.name: tr.suggest_float(p.name, p.low, p.high) "
        "for p in free}}), t, [1])[0], n_trials=3)"
    ).format(tests=str(PROJECT_ROOT / "tests"), storage=str(storage))
    study(storage, "shared", 0)  # create it first, as a coordinator would
    workers = [subprocess.Popen([sys.executable, "-c", code, str(k)], cwd=PROJECT_ROOT) for k in (1, 2)]
    assert [w.wait(timeout=300) for w in workers] == [0, 0]
    table = trials_table(study(storage, "shared", 0))
    assert len(table) == 6 and table["trial"].is_unique


@pytest.mark.slow
def test_a_killed_calibration_is_continued_without_losing_or_repeating_a_trial(tmp_path, monkeypatch):
    """kill -9 in the middle of a trial: re-running keeps every finished trial, marks the one left running as
    failed once its heartbeat is stale (it is not re-run), and proposes no point twice."""
    import signal
    import sqlite3
    import time

    import optuna

    from sim.calibration import study as study_module

    storage = tmp_path / "killed.db"
    code = (
        "import sys; sys.path.insert(0, {tests!r}); "
        "from tests.test_calibrate import _base, FREE, _synthetic_targets; "
        "from sim.calibration.study import calibrate; from sim.calibration.objective import free_parameters; "
        "calibrate(_base(), _synthetic_targets().head(3), free_parameters(_base(), FREE), n_trials=200, "
        "storage={storage!r}, name='killed', seeds=[1])"
    ).format(tests=str(PROJECT_ROOT / "tests"), storage=str(storage))
    def count(state: str) -> int:  # straight from the database: quick enough to catch a trial running
        if not storage.exists():
            return 0
        with sqlite3.connect(storage) as db:
            try:
                return db.execute("SELECT count(*) FROM trials WHERE state = ?", (state,)).fetchone()[0]
            except sqlite3.OperationalError:  # the tables are not made yet
                return 0

    def running_with_heartbeat() -> bool:
        with sqlite3.connect(storage) as db:
            try:
                return db.execute("SELECT count(*) FROM trials t JOIN trial_heartbeats h ON h.trial_id = t.trial_id "
                                  "WHERE t.state = 'RUNNING'").fetchone()[0] > 0
            except sqlite3.OperationalError:
                return False

    for _ in range(5):  # a trial lasts a fraction of a second: the kill may fall between two, then again
        worker = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not (count("COMPLETE") >= 3 and count("RUNNING")):
            time.sleep(0.01)
        # past the running trial's first heartbeat: a trial killed before it has none and stays "running" (on a
        # busy machine the heartbeat thread can take a while to write it)
        beat = time.monotonic() + 30
        while time.monotonic() < beat and not running_with_heartbeat():
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        if count("RUNNING"):
            break
    before = trials_table(study(storage, "killed", 0))
    left = study(storage, "killed", 0).get_trials(states=(optuna.trial.TrialState.RUNNING,))
    assert len(before) >= 3 and len(left) == 1  # killed in the middle of a trial
    monkeypatch.setattr(study_module, "GRACE_SECONDS", 1)  # the silent trial is stale a second after the kill
    time.sleep(2.5)
    s = calibrate(_base(), _synthetic_targets().head(3), free_parameters(_base(), FREE), n_trials=len(before) + 2,
                  storage=storage, name="killed", seeds=[1])
    after = trials_table(s)
    assert len(after) == len(before) + 2 and after["trial"].is_unique
    kept = after.set_index("trial").loc[before["trial"]]
    np.testing.assert_array_equal(kept["loss"].to_numpy(), before.set_index("trial")["loss"].to_numpy())
    states = {t.number: t.state for t in s.get_trials()}
    assert states[left[0].number] == optuna.trial.TrialState.FAIL  # marked failed ...
    assert left[0].number not in set(after["trial"])  # ... and not re-run
    assert not s.get_trials(states=(optuna.trial.TrialState.RUNNING,))
    assert len(after[FREE].round(12).drop_duplicates()) == len(after)


@pytest.mark.slow
def test_journeys_calibrate_command_writes_trials_fit_and_parameters(tmp_path):
    out = tmp_path / "cal"
    cmd = [sys.executable, "-c", "from sim.calibration.cli import journeys_calibrate; journeys_calibrate()"]
    done = subprocess.run(cmd + ["n_trials=3", "seeds_per_trial=1", "ensemble_rounds=2", f"hydra.run.dir={out}"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    first = pd.read_csv(out / "trials.csv")
    moves = first[first["move"].notna()]  # the ensemble's moves: 3 particles, 2 rounds, each a trial of the study
    assert len(first) == 3 + 6 and sorted(moves["move"]) == sorted(f"3:{r}:{k}" for r in (1, 2) for k in range(3))
    assert json.loads((out / "run_info.json").read_text())["ensemble"]["move_rounds"] == 2
    first = first[first["move"].isna()]
    studies = list((tmp_path / "outputs" / "calibrate" / "southampton" / "studies").glob("*.db"))
    assert len(studies) == 1  # the default study: one per area and question, under the working directory
    fit = pd.read_csv(out / "fit.csv")
    assert {"id", "value", "lower", "upper", "best", "deviance", "sim_median", "sim_q05", "sim_q95",
            "within_interval"} <= set(fit.columns) and len(fit) >= 5
    assert (fit["sim_q05"] <= fit["sim_median"]).all() and (fit["sim_median"] <= fit["sim_q95"]).all()
    assert len(pd.read_csv(out / "ensemble.csv")) == 3  # fewer trials than min_accepted: all of them
    posterior = pd.read_csv(out / "posterior.csv")
    assert set(posterior["parameter"]) == set(pd.read_csv(out / "ensemble.csv").columns) - {"loss", "trial"}
    assert (out / "fit.png").stat().st_size > 10_000
    text = (out / "calibrated_params.yaml").read_text()
    assert "targets_sha256" in text and "planned_exit_per_year" in text and "# @package _global_" in text
    # shipping installs it as the area's calibration, which a projection then composes by default
    root = tmp_path / "project"
    (root / "configs" / "calibration").mkdir(parents=True)
    ship(out, "southampton", root=root)
    installed = (root / "configs" / "calibration" / "southampton.yaml").read_text()
    assert installed == text and (root / "calibration" / "southampton" / "ensemble.csv").exists()
    # the same command again, asking for more trials, continues that study: none lost, none repeated
    again = subprocess.run(cmd + ["n_trials=4", "seeds_per_trial=1", "ensemble_rounds=0",
                                  f"hydra.run.dir={tmp_path / 'again'}"], capture_output=True, text=True, timeout=600,
                           cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    more = pd.read_csv(tmp_path / "again" / "trials.csv")
    more = more[more["move"].isna()]
    assert len(more) == 4 and more["trial"].is_unique and set(first["trial"]) < set(more["trial"])
    assert list((tmp_path / "outputs" / "calibrate" / "southampton" / "studies").glob("*.db")) == studies
    # a bad extract is refused with its problems listed, nothing run
    bad = tmp_path / "bad.csv"
    bad.write_text("area,period,drug_group,measure,value\nsouthampton,2011/12,all,happiness,3\n")
    done = subprocess.run(cmd + [f"targets_file={bad}", f"hydra.run.dir={tmp_path / 'bad'}"], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 2 and "row 2: measure 'happiness' is unknown" in done.stderr


def test_a_study_continues_only_for_the_same_model():
    """Re-running with more trials or workers continues the study; a changed parameter that is not free (or
    changed code) is another model, whose losses must not be mixed with the finished ones: a study of its own."""
    from pathlib import Path

    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from sim.calibration.cli import default_storage
    from sim.config.paths import CONFIG_DIR
    from sim.config.schema import as_config, register_configs
    from sim.config.validation import validate

    register_configs()
    targets = Path(PROJECT_ROOT / "calibration" / "targets" / "documented.csv")

    def where(*overrides):
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            cfg = validate(as_config(hydra_compose("calibrate", overrides=["area=southampton", *overrides])))
        return default_storage(cfg, targets, free_parameters(cfg, list(cfg.free))).name

    same = where()
    assert where("n_trials=7", "workers=1", "min_accepted=5") == same
    assert where(f"params.treatment.planned_exit_per_year={0.11}") == same  # a free one: the trials set it
    assert where("params.modality.hr_planned_exit_psychosocial=0.8") != same
    assert where("seeds_per_trial=3") != same


@pytest.mark.slow
def test_a_full_disk_ends_a_calibration_with_one_line_and_keeps_its_trials(tmp_path):
    """Writing the records fails as on a full disk: exit 1, one line, and the study keeps every finished trial."""
    db = tmp_path / "study.db"
    code = ("import errno, sys, pandas\n"
            "def full(*a, **k):\n"
            "    raise OSError(errno.ENOSPC, 'No space left on device', 'trials.csv')\n"
            "pandas.DataFrame.to_csv = full\n"
            "from sim.calibration.cli import journeys_calibrate\n"
            "sys.argv = ['journeys-calibrate', 'area=southampton', 'n_trials=3', 'min_accepted=1', 'workers=1',\n"
            "            'ensemble_rounds=0',\n"
            f"            'storage=sqlite:///{db}', 'hydra.run.dir={tmp_path / 'out'}']\n"
            "journeys_calibrate()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=PROJECT_ROOT)
    assert done.returncode == 1, done.stderr[-2000:]
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("journeys-calibrate: cannot write to trials.csv: No space")
    assert "Traceback" not in done.stderr
    assert len(trials_table(study(f"sqlite:///{db}", "southampton", seed=1))) == 3


def _running(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie awaiting its reaper has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
def test_workers_of_a_killed_calibration_stop_instead_of_running_on(tmp_path):
    """SIGKILL (or SIGTERM) of journeys-calibrate cannot reach its worker processes; each stops after its trial in
    hand once its parent is gone (they had run on unseen, each taking a core), and that trial is kept."""
    import signal
    import time

    db = tmp_path / "study.db"
    command = [sys.executable, "-m", "sim.calibration.cli", "area=southampton", "n_trials=5000", "min_accepted=1",
               "workers=2", f"storage=sqlite:///{db}", f"hydra.run.dir={tmp_path / 'out'}"]
    parent = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        def trials_done() -> int:
            try:
                return len(finished(study(f"sqlite:///{db}", "southampton", 1))) if db.exists() else 0
            except Exception:  # the study being created, or the file busy: ask again
                return 0

        while time.time() < deadline and not (_children(parent.pid) and trials_done() >= 4):
            time.sleep(2)
        workers = _children(parent.pid)
        assert workers, "the calibration started no worker process"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.time() + 120
        while time.time() < deadline and any(_running(w) for w in workers):
            time.sleep(1)
        assert not any(_running(w) for w in workers), "a worker ran on after its command was killed"
    finally:
        if parent.poll() is None:
            parent.kill()
        for w in _children(parent.pid):
            os.kill(w, signal.SIGKILL)
