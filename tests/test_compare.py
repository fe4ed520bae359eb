"""journeys-compare on a small real sweep: 2 scenarios x 2 seeds, Southampton, 2005-2009."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import load_config, run
from sim.sweeps.cli import main
from sim.sweeps.collect import COLUMNS, CompareError, collect, list_runs
from sim.sweeps.summary import headline, parse_years

SCENARIOS = ("baseline", "harm_reduction_plus")
SEEDS = (1, 2)
RUN_FILES = ("timeseries.csv", "config.yaml", "run_info.json")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    """A multirun folder laid out as Hydra does (0/, 1/, ...), made once for the module."""
    return _sweep(tmp_path_factory.mktemp("multirun"), SEEDS)


@pytest.fixture(scope="module")
def paired_sweep(tmp_path_factory) -> Path:
    """The same with six seeds: enough for a spread across seeds to mean something (with four, one narrow draw of
    the levels, 508-533 completions, made the ratio 1.05 though eight seeds give 0.68)."""
    return _sweep(tmp_path_factory.mktemp("paired"), (1, 2, 3, 4, 5, 6))


def _sweep(root: Path, seeds) -> Path:
    for i, (scenario, seed) in enumerate((s, n) for s in SCENARIOS for n in seeds):
        cfg = load_config([f"scenario={scenario}", f"seed={seed}", "end_year=2010", "policy_year=2006",
                           "output.figures=false",
                           "output.trace_people=0"])
        run(cfg, root / str(i))
    return root


def _copy_runs(sweep: Path, dest: Path, folders=None) -> Path:
    """A light copy of the sweep (only the files journeys-compare reads)."""
    for folder in folders or [p.name for p in sweep.iterdir() if (p / "config.yaml").is_file()]:
        (dest / folder).mkdir(parents=True)
        for name in RUN_FILES:
            shutil.copy(sweep / folder / name, dest / folder / name)
    return dest


def _rename_scenario(run_dir: Path, name: str) -> None:
    cfg = yaml.safe_load((run_dir / "config.yaml").read_text())
    cfg["scenario"]["name"] = name
    (run_dir / "config.yaml").write_text(yaml.safe_dump(cfg))


def test_collect_one_row_set_per_run(sweep):
    collected = collect(sweep, progress=False)
    assert list(collected.columns) == COLUMNS
    per_run = collected.groupby("run").size()
    assert sorted(per_run.index) == ["0", "1", "2", "3"]
    for folder, n in per_run.items():  # each run's rows exactly once: none missing, none twice
        assert n == len(pd.read_csv(sweep / folder / "timeseries.csv"))
    labels = collected.drop_duplicates("run").set_index("run")
    assert sorted(zip(labels["scenario"], labels["seed"])) == sorted((s, n) for s in SCENARIOS for n in SEEDS)
    assert labels["area"].unique().tolist() == ["southampton"]
    assert labels["parameter_set"].isna().all()  # calibrated point estimate
    assert not collected.duplicated(["run", "period", "measure", "group"]).any()
    assert set(collected["period"]) == {str(y) for y in range(2005, 2010)}


def test_collect_does_not_depend_on_folder_names(sweep, tmp_path):
    """The same runs in other folders (read in another order) give the same table apart from `run`."""
    dest = tmp_path / "renamed"
    for src, new in zip(["0", "1", "2", "3"], ["z", "y/deep", "b", "a"]):
        (dest / new).mkdir(parents=True)
        for name in RUN_FILES:
            shutil.copy(sweep / src / name, dest / new / name)
    a = collect(sweep, progress=False).drop(columns="run")
    b = collect(dest, progress=False).drop(columns="run")
    pd.testing.assert_frame_equal(a, b)


def test_compare_writes_everything(sweep, capsys):
    assert main([str(sweep), "--years", "2007-2009", "--age-years", "2005,2009", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "report.html" in printed and "difference from baseline" in printed
    collected = pd.read_parquet(sweep / "collected.parquet")
    collected = collected.astype({c: str for c in ("run", "area", "system", "scenario", "period", "measure", "group")})
    assert list(collected.columns) == COLUMNS and collected["run"].nunique() == 4
    summary = pd.read_csv(sweep / "summary.csv")
    diff = summary[summary["kind"] == "difference"]
    assert set(diff["scenario"]) == {"harm_reduction_plus"}
    assert {"drug_related_deaths", "drug_related_deaths_averted", "in_treatment_end", "cost"} <= set(diff["headline"])
    assert (diff["n"] == len(SEEDS)).all()
    assert (summary.loc[summary["kind"] == "level", "n"] == len(SEEDS)).all()
    assert set(summary["years"]) == {"2007-2009"}
    for name in ("fan_charts", "differences", "age_profile", "time_in_treatment"):
        assert (sweep / "figures" / f"{name}.png").stat().st_size > 10_000
    report = (sweep / "report.html").read_text()
    for scenario in SCENARIOS:
        assert scenario in report
    assert "data:image/png;base64," in report and 'src="http' not in report and "<link" not in report
    assert "Southampton" in report and "2007-2009" in report  # the area by name, capitalised
    assert "naloxone" in report.lower()  # the scenario's listed assumptions


def test_paired_difference_of_identical_runs_is_exactly_zero(sweep, tmp_path):
    """A copy of the baseline under another name: every paired difference is 0, with no width."""
    dest = _copy_runs(sweep, tmp_path / "sweep", ["0", "1"])  # baseline, seeds 1 and 2
    for folder in ("0", "1"):
        shutil.copytree(dest / folder, dest / f"copy_{folder}")
        _rename_scenario(dest / f"copy_{folder}", "baseline_copy")
    summary = headline(collect(dest, progress=False), "baseline", "2006-2009")
    diff = summary[summary["kind"] == "difference"]
    assert len(diff) and set(diff["scenario"]) == {"baseline_copy"}
    assert (diff[["median", "low", "high"]].to_numpy() == 0).all()
    assert (diff["width_ratio"].dropna() == 0).all()
    level = summary[summary["kind"] == "level"]
    assert (level["high"] > level["low"]).any()  # while each scenario's own interval is not


def test_paired_differences_narrower_than_own_spread(paired_sweep):
    """Common random numbers: the scenario-minus-baseline interval of people counts is far narrower than
    the scenario's own interval across six seeds (unpaired, the ratio would be about 1.4). Checked on the
    counts the scenario acts on: presentations and starts (0.43 and 0.46 with Southampton's fit of
    2026-12-02, fourth session). Completions are left out: harm reduction's extra presentations reorder the
    queue from 2006, so who is treated, and so who completes, drifts between the pairs (1.21 with six seeds
    on that fit, 385 completions in 2005-2009; the fit before had 520 and 0.59); people in treatment: the
    money binds, so their number barely varies between seeds; cost is the budget; a few seeds' interval of
    rare events (deaths) is too ragged to compare."""
    summary = headline(collect(paired_sweep, progress=False), "baseline", "2005-2009")
    harm = summary[summary["scenario"] == "harm_reduction_plus"].set_index(["kind", "headline"])
    for name in ("presentations", "treatment_starts"):
        level, diff = harm.loc[("level", name)], harm.loc[("difference", name)]
        assert level["low"] <= level["median"] <= level["high"] and level["high"] > level["low"], name
        assert diff["width_ratio"] < 0.75, (name, diff["width_ratio"])
        assert diff["high"] - diff["low"] < 0.75 * (level["high"] - level["low"]), name


def test_duplicate_runs_refused(sweep, tmp_path):
    dest = _copy_runs(sweep, tmp_path / "sweep")
    shutil.copytree(dest / "2", dest / "rerun")
    with pytest.raises(CompareError, match="duplicate runs") as e:
        list_runs(dest)
    assert "harm_reduction_plus, seed 1" in str(e.value) and "rerun" in str(e.value)


def test_parameter_sets_are_different_runs(sweep, tmp_path):
    """Same seed, another posterior draw: not a duplicate, and paired with the baseline of that draw."""
    dest = _copy_runs(sweep, tmp_path / "sweep")
    for folder in ("0", "2"):
        shutil.copytree(dest / folder, dest / f"draw3_{folder}")
        info = json.loads((dest / f"draw3_{folder}" / "run_info.json").read_text())
        (dest / f"draw3_{folder}" / "run_info.json").write_text(json.dumps({**info, "parameter_set": 3}))
    collected = collect(dest, progress=False)
    assert collected.drop_duplicates("run")["parameter_set"].isna().sum() == 4
    summary = headline(collected, "baseline", "2009")
    assert (summary.loc[summary["kind"] == "difference", "n"] == 3).all()


def test_empty_folder_refused(tmp_path, capsys):
    with pytest.raises(CompareError, match="no finished runs in"):
        collect(tmp_path)
    assert main([str(tmp_path)]) == 2
    assert "no finished runs in" in capsys.readouterr().err


def test_an_unfinished_run_is_left_out_and_named(sweep, tmp_path, capsys):
    """A run cut short (no run_info.json, written last; here also a truncated timeseries.csv) is not a seed of
    the comparison; a finished run whose config.yaml is cut short is refused with its file named."""
    dest = _copy_runs(sweep, tmp_path / "sweep")
    (dest / "1" / "run_info.json").unlink()
    text = (dest / "1" / "timeseries.csv").read_text()
    (dest / "1" / "timeseries.csv").write_text(text[: len(text) // 3])
    collected = collect(dest, progress=False)
    assert "1" not in set(collected["run"]) and len(set(collected["run"])) == 3
    assert "left out 1 unfinished run(s)" in capsys.readouterr().err
    (dest / "2" / "config.yaml").write_text("area: {name: southampton\nsystem: [")
    with pytest.raises(CompareError, match="2/config.yaml cannot be read"):
        collect(dest, progress=False)


def test_missing_baseline_is_a_note_not_a_crash(sweep, tmp_path, capsys):
    dest = _copy_runs(sweep, tmp_path / "sweep", ["2", "3"])  # harm_reduction_plus only
    assert main([str(dest), "--no-progress"]) == 0
    assert "no runs of the baseline scenario" in capsys.readouterr().out
    summary = pd.read_csv(dest / "summary.csv")
    assert set(summary["kind"]) == {"level"}
    assert (dest / "report.html").is_file() and not (dest / "figures" / "differences.png").exists()


def test_years():
    assert parse_years("2025-2027") == ["2025", "2026", "2027"]
    assert parse_years("2015,2025") == ["2015", "2025"]
    with pytest.raises(CompareError):
        parse_years("2030-2025")


def test_headlines_cover_the_years_since_the_policy_started(sweep, tmp_path, capsys):
    dest = _copy_runs(sweep, tmp_path / "sweep")
    assert main([str(dest), "--no-progress"]) == 0
    assert "the scenarios act from 2006" in capsys.readouterr().out
    assert set(pd.read_csv(dest / "summary.csv")["years"]) == {"2006-2009"}
    assert "Policy from</th><td>1 January 2006" in (dest / "report.html").read_text()


def test_differences_by_year_add_up_to_the_headline_difference(sweep, tmp_path):
    dest = _copy_runs(sweep, tmp_path / "sweep")
    assert main([str(dest), "--no-progress"]) == 0
    by_year = pd.read_csv(dest / "differences_by_year.csv", dtype={"period": str})
    summary = pd.read_csv(dest / "summary.csv")
    assert set(by_year["period"]) == {"2006", "2007", "2008", "2009"} and set(by_year["arm"]) == {"harm_reduction_plus"}
    deaths = by_year[by_year["headline"] == "drug_related_deaths"].sort_values("period")
    # the cumulated yearly differences of each pair end at the pair's difference over all the years
    headline_diff = summary[(summary["kind"] == "difference") & (summary["headline"] == "drug_related_deaths")]
    assert deaths["cumulative_median"].iloc[-1] == pytest.approx(headline_diff["median"].iloc[0])
    rates = by_year[by_year["headline"] == "completion_rate_opiate"]
    assert rates["cumulative_median"].isna().all() and rates["median"].notna().all()  # rates are not cumulated
