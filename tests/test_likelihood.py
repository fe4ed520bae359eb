"""Scoring a simulated value against a documented figure by the kind of figure (sim.calibration.likelihood)."""

import numpy as np
import pandas as pd
import pytest

from sim.calibration.targets import classify, discrepancy


def _targets(rows):
    frame = pd.DataFrame([{"id": f"t{k}", "area": "x", "period": "2010", "group": "all", "source": "test",
                           "lower": r["value"], "upper": r["value"], **r} for k, r in enumerate(rows)])
    return classify(frame)


def _score(targets, values):
    return discrepancy(pd.Series(values, index=targets["id"]), targets).to_numpy()


def test_a_perfect_fit_scores_nothing_whatever_the_kind():
    t = _targets([{"measure": "in_treatment", "value": 2000.0},
                  {"measure": "waiting_over_3_weeks_share", "value": 0.1, "denominator": 400},
                  {"measure": "time_in_treatment_mean_years", "value": 2.9},
                  {"measure": "deaths", "value": 10.0, "lower": 5.0, "upper": 15.0}])
    assert list(t["kind"]) == ["count", "share", "value", "interval"]
    assert _score(t, t["value"].to_numpy()) == pytest.approx(np.zeros(4), abs=1e-6)


def test_a_count_one_standard_error_off_scores_about_one():
    """Negative binomial: variance mean + (relative error x mean)^2, so one sd off is a deviance near 1."""
    y = 4000.0
    sd = np.sqrt(y + (0.05 * y) ** 2)
    t = _targets([{"measure": "in_treatment", "value": y}] * 2)
    low, high = _score(t, [y - sd, y + sd])
    assert 0.8 < low < 1.25 and 0.8 < high < 1.25
    assert _score(t, [0.0, 2 * y]).min() > 50  # nothing simulated, or double: far off, but finite
    assert np.isfinite(_score(t, [0.0, 0.0])).all()


def test_a_share_of_few_people_tolerates_more_than_a_share_of_many():
    """Beta-binomial: the documented share of a small denominator is itself uncertain."""
    t = _targets([{"measure": "waiting_over_3_weeks_share", "value": 0.3, "denominator": 40},
                  {"measure": "waiting_over_3_weeks_share", "value": 0.3, "denominator": 4000}])
    few, many = _score(t, [0.4, 0.4])
    assert few < 2 < many
    assert t["upper"].iloc[0] - t["lower"].iloc[0] > 3 * (t["upper"].iloc[1] - t["lower"].iloc[1])


def test_a_suppressed_cell_costs_nothing_inside_its_range():
    t = _targets([{"measure": "deaths", "value": np.nan, "lower": 0.0, "upper": 2.0}])
    assert t["kind"].iloc[0] == "censored"
    assert _score(t, [1.5])[0] == 0.0 and _score(t, [8.0])[0] > 1


def test_a_stated_relative_error_widens_the_range_and_softens_the_score():
    tight = _targets([{"measure": "time_in_treatment_mean_years", "value": 3.0, "relative_error": 0.02}])
    loose = _targets([{"measure": "time_in_treatment_mean_years", "value": 3.0, "relative_error": 0.2}])
    assert _score(tight, [3.3])[0] == pytest.approx(25.0) and _score(loose, [3.3])[0] == pytest.approx(0.25)
    assert loose["upper"].iloc[0] > tight["upper"].iloc[0]
