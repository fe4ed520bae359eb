"""`journeys-validate`: fitted up to a cut-off year, scored on what it forecasts and on local areas it never saw."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.backtest import forecast_sample, known_at, score, split_at, summary_lines
from sim.calibration.targets import classify
from sim.config.errors import ConfigError
from tests.helpers import compose

VALIDATE = [sys.executable, "-m", "sim.calibration.validate_cli"]


def _targets(values, sd):
    rows = [{"id": f"t{k}", "area": "x", "period": str(2010 + k % 3), "measure": "time_in_treatment_mean_years",
             "group": "all", "value": v, "lower": v - 1.96 * sd, "upper": v + 1.96 * sd, "source": "test"}
            for k, v in enumerate(values)]
    return classify(pd.DataFrame(rows))


def test_a_correct_model_forecasts_nine_in_ten_figures_within_their_90_percent_interval():
    """The truth is as uncertain as the runs say (sd 0.2 around the model's expectation) and is published with
    its own noise (sd 0.3): the forecast interval (runs plus the figure's own uncertainty) holds about 90% of
    the figures; the runs' interval alone fewer."""
    rng = np.random.default_rng(5)
    expected = rng.uniform(2, 4, size=400)
    published = expected + rng.normal(0, 0.2, size=expected.size) + rng.normal(0, 0.3, size=expected.size)
    targets = _targets(published, 0.3)
    draws = pd.DataFrame(expected[:, None] + rng.normal(0, 0.2, size=(expected.size, 200)), index=targets["id"])
    scored = score(targets, draws, "forecast", seed=1)
    assert 0.86 < scored["within"].mean() < 0.94
    assert scored["within_model_interval"].mean() < 0.8
    assert np.abs(scored["sim_median"] - expected).max() < 0.1
    wrong = score(targets, draws + 1.0, "forecast", seed=1)  # a biased model: a whole unit off
    assert wrong["within"].mean() < 0.3
    assert summary_lines(scored, 2009)[-1] == f"{int(scored['within'].sum())} of {len(scored)} within"


def test_figures_split_at_the_cutoff_year():
    targets = _targets([1.0, 2.0, 3.0], 0.1)  # periods 2010, 2011, 2012
    fit, later = split_at(targets, 2010)
    assert list(fit["id"]) == ["t0"] and list(later["id"]) == ["t1", "t2"]


def test_the_history_a_forecast_knows_ends_at_the_cutoff_year():
    """Fitted up to 2009, the 2010 Drug Strategy period is not yet known: the 2007-2009 period runs on (its
    ratio then sets the forecast's planned exits too). Up to 2011 it is known. A free parameter of a period
    after the cut-off would change nothing: refused, naming it."""
    cfg = compose("area=england")
    free = ["history.hr_planned_exit_2007_to_2009", "treatment.planned_exit_per_year"]
    assert [p.from_year for p in cfg.history.periods] == [1990, 2001, 2007, 2010]
    assert [p.from_year for p in known_at(cfg, 2009, free).history.periods] == [1990, 2001, 2007]
    assert [p.from_year for p in known_at(cfg, 2011, free).history.periods] == [1990, 2001, 2007, 2010]
    assert [p.from_year for p in cfg.history.periods] == [1990, 2001, 2007, 2010]  # the config left alone
    with pytest.raises(ConfigError, match=r"history.hr_planned_exit_2007_to_2009 act only from 2007"):
        known_at(cfg, 2006, free)


@pytest.mark.slow
def test_journeys_validate_writes_its_report_and_a_last_line(tmp_path: Path):
    out = tmp_path / "v"
    done = subprocess.run(VALIDATE + ["area=southampton", "n_trials=4", "seeds_per_trial=1", "forecast_sets=3",
                                      "min_accepted=3", "workers=1", "ensemble_rounds=1", "transfer=[bedford]",
                                      f"hydra.run.dir={out}",
                                      f"storage={tmp_path}/study.db"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = pd.read_csv(out / "validation.csv")
    assert set(table["role"]) == {"fit", "forecast", "transfer"}
    assert set(table.loc[table["role"] == "transfer", "area"]) == {"bedford"}
    assert (table.loc[table["role"] == "forecast", "period"].astype(str).str[:4].astype(int) > 2009).all()
    assert (table["runs"] == 3).all() and (table["forecast_q05"] <= table["forecast_q95"]).all()
    scored = table[table["role"] != "fit"]
    last = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ of \d+ within", last) and last == f"{int(scored['within'].sum())} of {len(scored)} within"
    assert (out / "validation.png").stat().st_size > 10_000 and (out / "run_info.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("override, message", [("cutoff_year=2011", "need some of each"),
                                               ("cutoff_year=2012", "cutoff_year = 2012: fitted up to it"),
                                               ("transfer=[narnia]", "allowed: bedford")])
def test_journeys_validate_refuses_what_it_cannot_do(tmp_path: Path, override, message):
    done = subprocess.run(VALIDATE + ["area=southampton", "n_trials=1", override, f"hydra.run.dir={tmp_path}/v",
                                      f"storage={tmp_path}/study.db"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and message in done.stderr, done.stderr[-2000:]


def test_forecasts_draw_from_the_whole_ensemble_not_its_best():
    """The forecast sets are a random draw from every accepted set (the posterior), reproducible by seed."""
    accepted = pd.DataFrame({"loss": np.arange(1000.0), "x": np.arange(1000.0) * 0.01})
    a, b = forecast_sample(accepted, 100, seed=1), forecast_sample(accepted, 100, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 100 and a["loss"].is_unique and a["loss"].is_monotonic_increasing
    assert a["loss"].max() > 500  # not the 100 best (losses 0-99): spread over the ensemble
    assert not a.equals(forecast_sample(accepted, 100, seed=2))
    assert len(forecast_sample(accepted.head(40), 100, seed=1)) == 40
