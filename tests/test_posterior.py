"""The uncertainty ensemble: ABC rejection on trials, and runs drawing their parameters from it."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import resolve
from sim.calibration.ensemble import accept, chi2_95, posterior_table, predictive
from sim.calibration.objective import FreeParameter
from sim.config.errors import ConfigError
from sim.projection.parameter_sets import with_parameter_set
from tests.helpers import compose


def _trials(losses, xs):
    return pd.DataFrame({"a": xs, "loss": losses, "trial": np.arange(len(losses))})


@pytest.mark.parametrize("k", [1, 2, 5, 8, 12, 20, 40])
def test_chi2_quantile(k):
    assert chi2_95(k) == pytest.approx(stats.chi2.ppf(0.95, k), rel=2e-3)


def test_accepts_the_likelihood_ratio_region_or_widens_to_the_minimum():
    losses = np.array([10.0, 11.0, 13.0, 13.8, 14.0, 30.0, 50.0])
    e = accept(_trials(losses, np.arange(7.0)), ["a"], min_accepted=3)
    assert not e.widened and e.tolerance == pytest.approx(10 + 3.841)
    assert list(e.accepted["trial"]) == [0, 1, 2, 3]  # 14.0 is outside 13.841
    assert type(e.tolerance) is float and type(e.widened) is bool  # written into a YAML record
    e = accept(_trials(losses, np.arange(7.0)), ["a"], min_accepted=6)
    assert e.widened and len(e.accepted) == 6 and e.accepted["loss"].max() == 30.0
    with pytest.raises(ValueError, match="no finished trials"):
        accept(_trials([], []), ["a"])


def test_posterior_table_and_predictive_intervals():
    e = accept(_trials(np.linspace(1, 2, 101), np.linspace(0.2, 0.4, 101)), ["a"], min_accepted=100)
    table = posterior_table(e, [FreeParameter("a", 0.0, 1.0, False)])
    row = table.iloc[0]
    assert row["best"] == pytest.approx(0.2) and row["q05"] < row["median"] < row["q95"]
    assert row["share_of_prior_range"] == pytest.approx(row["q95"] - row["q05"])
    pred = predictive({0: {"x": [1.0, 2.0]}, 1: {"x": [3.0, None]}, 2: {"x": [100.0, 100.0]}}, [0, 1])
    assert pred.loc["x", "sim_median"] == 2.0 and pred.loc["x", "sim_q95"] <= 3.0


def _with_ensemble(tmp_path, *overrides):
    cfg = compose("area=southampton", "calibration=none", *overrides)
    rows = pd.DataFrame({"presentation.naive_per_year": [0.18, 0.31, 0.32, 0.33],  # row 0: the calibrated point
                         "treatment.planned_exit_per_year": [0.35, 0.2, 0.21, 0.22],
                         "loss": [1.0, 2.0, 3.0, 4.0], "trial": [7, 3, 9, 1]})
    rows.to_csv(tmp_path / "ensemble.csv", index=False)
    cfg.calibration.name, cfg.calibration.ensemble = "test", str(tmp_path / "ensemble.csv")
    return cfg


def test_a_posterior_run_takes_one_parameter_set_chosen_by_the_seed_or_by_name(tmp_path):
    cfg = _with_ensemble(tmp_path)
    same, k = with_parameter_set(cfg)
    assert same is cfg and k is None  # uncertainty=none: the calibrated point
    cfg.uncertainty = "posterior"
    chosen = set()
    for seed in range(12):
        cfg.seed = seed
        drawn, k = with_parameter_set(cfg)
        assert drawn.parameter_set == k and with_parameter_set(cfg)[1] == k  # reproducible from the seed
        assert drawn.params.presentation.naive_per_year == [0.18, 0.31, 0.32, 0.33][k]
        chosen.add(k)
    assert len(chosen) >= 3  # seeds spread over the ensemble
    cfg.parameter_set = 2
    drawn, k = with_parameter_set(cfg)
    assert k == 2 and drawn.params.treatment.planned_exit_per_year == 0.21
    cfg.parameter_set = 4
    with pytest.raises(ConfigError, match="parameter_set = 4: .* rows 0..3"):
        with_parameter_set(cfg)


def test_a_parameter_a_scenario_changed_keeps_its_change(tmp_path):
    cfg = _with_ensemble(tmp_path, "params.presentation.naive_per_year=0.5", "uncertainty=posterior",
                         "parameter_set=1")
    drawn, _ = with_parameter_set(cfg)
    assert drawn.params.presentation.naive_per_year == 0.5  # changed on the command line: kept
    assert drawn.params.treatment.planned_exit_per_year == 0.2  # still the calibrated point: drawn


def test_a_moved_ensemble_without_the_calibrated_point_as_a_row_is_still_drawn(tmp_path):
    """After the ensemble's moves (sim.calibration.explore) its best row need not be the best trial: the calibrated
    point is the record's, and a run still at it takes the drawn set."""
    cfg = _with_ensemble(tmp_path, "uncertainty=posterior", "parameter_set=2", "params.presentation.naive_per_year=0.5")
    moved = pd.read_csv(tmp_path / "ensemble.csv").iloc[1:]  # no row at the calibrated point
    moved.to_csv(tmp_path / "ensemble.csv", index=False)
    point = cfg.params.treatment.planned_exit_per_year
    (tmp_path / "calibrated_params.yaml").write_text(
        f"params:\n  treatment:\n    planned_exit_per_year: {point}\n  presentation:\n    naive_per_year: 0.18\n")
    cfg.calibration.record = str(tmp_path)
    drawn, k = with_parameter_set(cfg)
    assert k == 2 and drawn.params.treatment.planned_exit_per_year == 0.22  # at the calibrated point: drawn
    assert drawn.params.presentation.naive_per_year == 0.5  # changed on the command line: kept
    cfg.calibration.record = None  # no record: the ensemble's best row (0.2) is taken for the point, so no draw
    assert with_parameter_set(cfg)[0].params.treatment.planned_exit_per_year == point


def test_posterior_needs_an_ensemble_and_valid_names():
    with pytest.raises(ConfigError, match="has no ensemble"):
        with_parameter_set(compose("area=bedford", "uncertainty=posterior"))
    with pytest.raises(ConfigError, match="uncertainty = 'sometimes': allowed values are none, posterior"):
        resolve(compose("uncertainty=sometimes"))
    with pytest.raises(ConfigError, match="parameter_set = 3: needs uncertainty=posterior"):
        resolve(compose("parameter_set=3"))


def test_a_posterior_run_draws_the_value_for_money_rates_too_and_keeps_a_set_one():
    ensemble = pd.read_csv("calibration/value_for_money/ensemble.csv")
    drawn = [with_parameter_set(compose("uncertainty=posterior", f"seed={s}"))[0].params.value_for_money
             for s in range(6)]
    crimes = {round(v.crimes_per_year_using, 9) for v in drawn}
    assert len(crimes) >= 3 and crimes <= {round(x, 9) for x in ensemble["value_for_money.crimes_per_year_using"]}
    again = with_parameter_set(compose("uncertainty=posterior", "seed=2"))[0].params.value_for_money
    assert again == drawn[2]  # the seed chooses: the same seed, the same rates (scenarios stay paired)
    kept = with_parameter_set(compose("uncertainty=posterior", "seed=2",
                                      "params.value_for_money.crimes_per_year_using=100"))[0].params.value_for_money
    assert kept.crimes_per_year_using == 100.0
    assert kept.recovery_years_per_completion == drawn[2].recovery_years_per_completion
    point = compose("seed=2").params.value_for_money  # uncertainty=none: the fitted point
    assert point.crimes_per_year_using == 122.8
