"""A policy acts from its year: before it, every run follows the documented history, identically.

`system=` and `scenario=` take effect on Jan 1 of `policy_year`. Same seed, same draws: every
row before the policy year is the same, byte for byte, in every scenario and system, apart
from cohort measures whose follow-up reaches into the policy years (`FOLLOW_UP_YEARS`).
"""

import numpy as np
import pandas as pd
import pytest

from sim import JourneysModel, resolve, run
from sim.config.errors import ConfigError
from sim.domain.transitions import HAZARD_INDEX
from sim.outputs.measures import FOLLOW_UP_YEARS, final_before, wide
from tests.helpers import compose

SHORT = ("area=southampton", "seed=3", "start_year=2005", "policy_year=2009", "end_year=2012", "history=none")


@pytest.fixture(scope="module")
def baseline():
    return run(compose(*SHORT)).timeseries


@pytest.mark.parametrize("change", [("scenario=budget_cut_10",), ("system=integrated",),
                                    ("system=framework", "scenario=residential_expansion"),
                                    ("scenario=recovery_orientated",), ("scenario=payment_by_results",)])
def test_every_row_before_the_policy_year_is_the_baselines(baseline, change):
    ts = run(compose(*SHORT, *change)).timeseries
    before = final_before(ts, 2009)
    pd.testing.assert_frame_equal(before, final_before(baseline, 2009))
    assert before["period"].astype(str).isin(["2005", "2006", "2007", "2008"]).all()
    assert len(before) > 0.9 * (ts["period"].astype(str) < "2009").sum()  # cohort rows are the exception
    # ... and the policy did act from its year
    a, b = wide(baseline), wide(ts)
    assert (a.loc[["2009", "2010", "2011"]] != b.loc[["2009", "2010", "2011"]]).any(axis=None)


def test_a_budget_cut_spends_less_from_the_policy_year_only(baseline):
    cut = run(compose(*SHORT, "scenario=budget_cut_10")).timeseries
    history, policy = ["2005", "2006", "2007", "2008"], ["2009", "2010", "2011"]
    cut_cost, base_cost = wide(cut)["cost"], wide(baseline)["cost"]
    assert (cut_cost.loc[history] == base_cost.loc[history]).all()
    assert cut_cost.loc[policy].sum() < base_cost.loc[policy].sum()


def test_a_new_system_takes_over_the_clients_and_reports_its_own_providers():
    cfg = resolve(compose(*SHORT, "system=integrated"))
    model = JourneysModel(cfg).run()
    assert [p.name for p in model.services] == ["prime_provider"]
    assert model.provider_names[-1] == "prime_provider" and len(model.provider_names) > 1
    caseload = model.tallies.providers.sum(axis=(0, 3))  # [step, provider]
    n = model.policy_step
    assert caseload[n - 1, -1] == 0 and caseload[n:, :-1].sum() == 0  # nobody with the old services after
    assert caseload[n, -1] > 0.9 * caseload[n - 1].sum()  # the caseload passed to the prime provider
    ts = run(cfg).timeseries
    providers = ts[ts["measure"] == "in_treatment_provider"]
    by_year = providers.groupby("period")["group"].apply(set)
    assert by_year["2008"] == {"all", *model.provider_names[:-1]} and by_year["2009"] == {"all", "prime_provider"}


def test_a_policy_from_the_start_acts_from_the_first_year(baseline):
    ts = run(compose(*SHORT[:-2], "policy_year=2005", "end_year=2012", "scenario=recovery_orientated")).timeseries
    assert (wide(ts)["exits_successful"].loc["2005"] != wide(baseline)["exits_successful"].loc["2005"])


def test_cohort_measures_name_their_follow_up():
    assert FOLLOW_UP_YEARS["entrants_in_recovery_after_5y_share"] == 5
    assert all(k >= 1 for k in FOLLOW_UP_YEARS.values())


def test_a_policy_after_the_run_or_an_unknown_change_is_refused():
    with pytest.raises(ConfigError, match="policy_year = 2027: .*budget_cut_10.*run ends before it"):
        resolve(compose("scenario=budget_cut_10", "end_year=2020"))
    resolve(compose("end_year=2020"))  # nothing to act: the baseline runs
    with pytest.raises(ConfigError, match="scenario.params.treatment.planed_exit_per_year: not a parameter"):
        resolve(compose(*SHORT, "+scenario.params.treatment.planed_exit_per_year=0.4"))
    with pytest.raises(ConfigError, match="scenario.levers.nonesuch: unknown hazard"):
        resolve(compose(*SHORT, "+scenario.levers.nonesuch=2"))
    with pytest.raises(ConfigError, match="scenario.modality_mix_multipliers.yoga: unknown modality"):
        resolve(compose(*SHORT, "+scenario.modality_mix_multipliers.yoga=2"))


@pytest.mark.slow
def test_england_before_the_policy_year_is_the_baselines():
    common = ("area=england", "population_scale=0.1", "seed=3", "policy_year=2008", "end_year=2010")
    base = run(compose(*common)).timeseries
    for change in ("scenario=budget_cut_10", "system=integrated"):
        pd.testing.assert_frame_equal(final_before(run(compose(*common, change)).timeseries, 2008),
                                      final_before(base, 2008))


def test_a_phased_change_reaches_full_effect_after_its_ramp_years():
    cfg = resolve(compose(*SHORT, "+scenario.levers.planned_exit=8", "scenario.ramp_years=3"))
    model = JourneysModel(cfg)
    rate = {}
    while model.running:
        model.step()
        rate[model.steps - 1] = model.hazards.base[HAZARD_INDEX["planned_exit"], 0]
    year = lambda y: rate[(y - int(model.start_time)) * 52]  # noqa: E731 (the run starts with its warm-up)
    assert year(2008) == rate[0]  # the history
    np.testing.assert_allclose([year(2009) / rate[0], year(2010) / rate[0], year(2011) / rate[0]], [2.0, 4.0, 8.0])
    with pytest.raises(ConfigError, match="scenario.ramp_years = -1"):
        resolve(compose(*SHORT, "scenario.ramp_years=-1"))


def test_a_documented_change_acts_from_its_year_in_every_scenario(baseline):
    change = "area.timeline=[{year:2007,note:test,sources:[assumption],budget_multiplier:0.5,"
    change += "params:{treatment:{planned_exit_per_year:0.9}}}]"
    # the budget documented for 2005, so the 2007 cut leaves the years before it alone
    model = JourneysModel(resolve(compose(*SHORT, change, "area.budget_year=2005")))
    money = {}
    while model.running:
        model.step()
        money[model.steps - 1] = sum(p.weekly_budget for p in model.services)
    rate = model.hazards.base[HAZARD_INDEX["planned_exit"], 0]
    first = (2007 - int(model.start_time)) * 52
    assert rate == pytest.approx(0.9) and money[first] == pytest.approx(0.5 * money[first - 1])
    ts = run(compose(*SHORT, change, "area.budget_year=2005")).timeseries
    pd.testing.assert_frame_equal(final_before(ts, 2007), final_before(baseline, 2007))
    assert not final_before(ts, 2009).equals(final_before(baseline, 2009))
    for bad, message in (("area.timeline=[{year:2007,sources:[assumption],params:{treatment:{fast:1.0}}}]",
                          r"area.timeline\[0\] \(2007\).params.treatment.fast: not a parameter"),
                         ("area.timeline=[{year:2007,budget_multiplier:0.5}]", "name the seed figures"),
                         ("area.timeline=[{year:2007,sources:[a]},{year:2007,sources:[a]}]", "one entry a year")):
        with pytest.raises(ConfigError, match=message):
            resolve(compose(*SHORT, bad))
