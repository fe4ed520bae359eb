"""The `journeys` command: one projection into its Hydra output folder, overrides on the command line."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hydra._internal.hydra import Hydra

JOURNEYS = [sys.executable, "-m", "sim.cli"]


@pytest.mark.slow
def test_journeys_writes_tidy_timeseries_figures_and_summary(tmp_path: Path):
    out = tmp_path / "run"
    done = subprocess.run(JOURNEYS + ["area=bedford", "seed=7", "end_year=2009", f"hydra.run.dir={out}"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ts = pd.read_csv(out / "timeseries.csv")
    assert list(ts.columns) == ["period", "measure", "group", "value"]
    assert sorted(ts["period"].unique()) == [2005, 2006, 2007, 2008]
    required = {"alive", "using_not_in_treatment", "waiting", "in_treatment", "in_recovery", "in_prison", "new_users",
                "presentations", "treatment_starts", "exits_successful", "exits_unplanned", "exits_transferred",
                "deaths", "deaths_in_treatment", "re_presentations_within_6m", "in_treatment_during_year",
                "successful_completion_rate", "phof_non_representation_6m", "waiting_over_3_weeks_share",
                "time_in_treatment_band", "cost", "in_treatment_provider", "in_modality", "transfers_failed"}
    assert required <= set(ts["measure"])
    assert {"all", "opiate_only", "opiate_and_crack", "crack_only", "other_drugs", "non_opiate", "18-29", "30-39",
            "40-49", "50+"} <= set(ts["group"])
    from PIL import Image

    for png in ("in_treatment_by_drug", "completions", "deaths", "age_profile"):
        assert (out / "figures" / f"{png}.png").stat().st_size > 5000
        described = Image.open(out / "figures" / f"{png}.png").text["Description"]  # what the figure's footer says
        assert "bedford, scenario baseline" in described and "seed 7: one stochastic run" in described
    assert (out / "events.csv").exists() and (out / ".hydra" / "config.yaml").exists()
    assert "in_treatment" in done.stdout and "bedford" in done.stdout


def test_journeys_quarterly_periods(tmp_path: Path):
    out = tmp_path / "q"
    done = subprocess.run(JOURNEYS + ["end_year=2007", "output.period=quarter", "output.figures=false",
                                      f"hydra.run.dir={out}"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    periods = pd.read_csv(out / "timeseries.csv")["period"].unique()
    assert list(periods[:5]) == ["2005-Q1", "2005-Q2", "2005-Q3", "2005-Q4", "2006-Q1"]


def test_journeys_refuses_bad_input_with_a_clear_message(tmp_path: Path):
    done = subprocess.run(JOURNEYS + ["area=atlantis", f"hydra.run.dir={tmp_path}"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode != 0
    assert "southampton" in done.stderr and "atlantis" in done.stderr
    done = subprocess.run(JOURNEYS + ["params.waiting.dropout_per_year=-1", f"hydra.run.dir={tmp_path}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "params.waiting.dropout_per_year" in done.stderr


@pytest.mark.parametrize("typo, named, suggested", [
    ("+seeed=3", "seeed", "seed"),
    ("+params.treatment.planed_exit_per_year=0.4", "params.treatment.planed_exit_per_year", "planned_exit_per_year"),
    ("+lever.unplanned_exit=0.8", "lever", "levers"),
    ("+area.male_shar=0.5", "area.male_shar", "male_share"),
    ("+system.providers.0.budgetshare=0.2", "system.providers[0].budgetshare", "budget_share"),
])
def test_a_typo_added_with_plus_is_refused_not_run_as_the_default(tmp_path: Path, typo, named, suggested):
    """Hydra's hint for an unknown key suggests `+key=value`, which adds the key and runs the default: the
    composed config is checked against the schema, and the key is named with the closest real ones."""
    done = subprocess.run(JOURNEYS + [typo, "output.figures=false", f"hydra.run.dir={tmp_path}"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    line = done.stderr.strip().splitlines()[-1]
    assert named in line and suggested in line and "unknown key" in line
    assert not (tmp_path / "timeseries.csv").exists()


def test_skipping_hydras_mode_probe_gives_hydras_answer():
    """`journeys` skips Hydra's extra composition when no override can choose the run mode: the mode it
    assumes (none: a single run) is the one the composition gives, and a sweep config still sweeps."""
    from hydra._internal.utils import create_config_search_path
    from hydra.core.global_hydra import GlobalHydra
    from hydra.types import RunMode

    from sim.cli import _get_mode, _probe_mode
    from sim.config.paths import CONFIG_DIR

    GlobalHydra.instance().clear()
    hydra = Hydra.create_main_hydra2("journeys", create_config_search_path(str(CONFIG_DIR)))
    try:
        for overrides in ([], ["area=england", "seed=3"], ["scenario=budget_cut_10", "population_scale=0.5"],
                          ["+experiment=scenarios"], ["hydra.mode=MULTIRUN"]):
            assert _get_mode(hydra, "journeys", overrides) == _probe_mode(hydra, "journeys", overrides), overrides
        assert _get_mode(hydra, "journeys", ["+experiment=scenarios"]) == RunMode.MULTIRUN
        assert _get_mode(hydra, "journeys", ["area=england"]) is None
    finally:
        GlobalHydra.instance().clear()


def test_a_full_disk_is_one_line_and_leaves_no_finished_run(tmp_path: Path):
    """Writing the tables fails as on a full disk: one line naming the folder, exit 1, and no run_info.json, so a
    re-run sweep does not skip the run and journeys-compare leaves it out."""
    code = ("import errno, sys, pandas\n"
            "def full(*a, **k):\n"
            "    raise OSError(errno.ENOSPC, 'No space left on device', 'events.csv')\n"
            "pandas.DataFrame.to_csv = full\n"
            "import sim.cli\n"
            f"sys.argv = ['journeys', 'output.figures=false', 'hydra.run.dir={tmp_path}']\n"
            "sim.cli.main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(f"journeys: cannot write the run to {tmp_path}: No space")
    assert "Traceback" not in done.stderr and not (tmp_path / "run_info.json").exists()


def test_the_default_runs_events_chain_person_by_person(tmp_path: Path):
    """Issue 14's acceptance: in events.csv of the default run, each traced person's rows chain, every from_state
    the previous row's to_state, the first the state people.csv gives them at the start; entries to treatment
    included. (Figures off: they take no part in the journeys.)"""
    out = tmp_path / "default"
    done = subprocess.run(JOURNEYS + ["output.figures=false", f"hydra.run.dir={out}"], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    events = pd.read_csv(out / "events.csv", keep_default_na=False)
    people = pd.read_csv(out / "people.csv").set_index("person")
    assert len(people) == 200 and set(events["person"]) <= set(people.index)
    assert (events["to_state"] == "tx_start").any()
    for person, rows in events.groupby("person", sort=False):
        assert rows["step"].is_monotonic_increasing
        before = [people.at[person, "state"], *rows["to_state"].iloc[:-1]]
        assert list(rows["from_state"]) == before, f"person {person}"


def test_help_opens_with_the_command_its_groups_and_ten_overrides_that_work():
    """`journeys --help` (issue 14): what the command does, the config groups, the ten overrides most used (each is
    composed and validated here, so the list cannot go stale), then Hydra's flags; not the 300-line config."""
    from sim import load_config, resolve

    done = subprocess.run(JOURNEYS + ["--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("journeys: project drug treatment journeys in an area of England")
    heads = ["== Config groups", "== The ten most used overrides ==", "== Hydra =="]
    assert [text.index(h) for h in heads] == sorted(text.index(h) for h in heads)
    assert "scenario: baseline, budget_cut_10" in text and "--hydra-help : Hydra's help" in text
    assert "budget_per_year" not in text and len(text.splitlines()) < 80  # no config dump
    listed = text[text.index(heads[1]):text.index("Every field can be overridden")].splitlines()[1:]
    overrides = [line.split()[0] for line in listed if line.strip()]
    assert len(overrides) == 10 and len({o.split("=")[0] for o in overrides}) == 10
    resolve(load_config(["output.figures=false", *overrides]))  # all at once: refused (ConfigError) if one is stale
