"""Money is money: budgets in pounds, services that admit only while money is free, a cut that saves money.

The commissioner pays each service its share of the area's budget (`cost`); the care delivered at
unit costs (`cost_of_care`) can be less (idle money) but a service only admits while its clients'
care costs less than its money, so it exceeds it only by the last admission or a client's step up.
"""

import numpy as np
import pandas as pd
import pytest

from sim import run
from sim.config.errors import ConfigError
from sim.config.policy import national_budget_share
from sim.outputs.measures import final_before, wide
from sim.projection.resolve import resolve
from tests.helpers import compose

SHORT = ("area=southampton", "seed=4", "end_year=2013", "policy_year=2010")


@pytest.fixture(scope="module")
def baseline_table():
    return run(compose(*SHORT)).timeseries


@pytest.fixture(scope="module")
def baseline(baseline_table):
    return wide(baseline_table)


def test_the_documented_budget_is_paid_in_its_year_and_the_history_scales_the_others(baseline):
    cfg = resolve(compose(*SHORT))
    documented = cfg.area.budget_per_year  # Southampton 2011/12
    assert cfg.area.budget_year == 2011
    assert baseline["cost"].loc["2011"] == pytest.approx(documented)
    assert baseline["cost"].loc["2008"] == pytest.approx(documented)  # the same national period
    early = [national_budget_share(cfg, cfg.params, year) for year in (2005, 2006, 2007)]  # growing to 2008's
    assert early[0] < early[1] < early[2] < 1
    for year, share in zip(("2005", "2006", "2007"), early):
        assert baseline["cost"].loc[year] == pytest.approx(documented * share)
    grown = cfg.params.history.budget_share_2001
    assert early[0] == pytest.approx(grown + (1 - grown) * 4 / 7)  # linear from 2001 to 2008
    assert baseline["cost"].loc["2012"] == pytest.approx(documented * 0.978)  # the 2012 formula change


def test_care_stays_within_the_money_but_uses_most_of_it(baseline):
    """The caseload placed at the start is in treatment whatever the money (admitted before the run);
    where the history's smaller budget before 2007 leaves services over it, they admit no one until
    their care costs less than their money: within it (bar the last admission) from then on."""
    used = baseline["cost_of_care"] / baseline["cost"]
    within = used.index[used <= 1.0]
    assert len(within), used.round(3).to_dict()
    first = within[0]  # how long the coming down takes depends on how fast clients leave: a parameter
    coming_down = used.loc[:first]
    assert (coming_down.diff().dropna() < 0).all(), used.round(3).to_dict()  # over the money: admitting no one
    # most of it: after 2007 waits were a week (the documented present), so places need not all be full
    assert (used.loc[first:] < 1.05).all() and (used.loc[first:] > 0.6).all(), used.round(3).to_dict()


def test_a_budget_cut_pays_less_and_buys_less_care_from_the_policy_year(baseline_table, baseline):
    table = run(compose(*SHORT, "scenario=budget_cut_10")).timeseries
    pd.testing.assert_frame_equal(final_before(table, 2010), final_before(baseline_table, 2010))
    cut, after = wide(table), ["2010", "2011", "2012"]
    np.testing.assert_allclose(cut.loc[after, "cost"], 0.9 * baseline.loc[after, "cost"])
    assert (cut.loc[after, "cost_of_care"] <= cut.loc[after, "cost"] * 1.05).all()


@pytest.mark.slow
def test_a_budget_cut_shows_as_fewer_starts_and_longer_waits_over_paired_seeds():
    """The mechanism: services over their money admit no one, so fewer start and more wait (5 seeds, 2 years)."""
    diffs = []
    for seed in range(1, 6):
        runs = [wide(run(compose("area=southampton", f"seed={seed}", "policy_year=2011", "end_year=2013",
                                 f"scenario={sc}")).timeseries).loc[["2011", "2012"]]
                for sc in ("baseline", "budget_cut_10")]
        diffs.append((runs[1] - runs[0])[["treatment_starts", "starts_waited_over_3_weeks", "cost"]].sum())
    diffs = pd.DataFrame(diffs)
    assert (diffs["treatment_starts"] < 0).sum() >= 4 and diffs["treatment_starts"].sum() < 0, diffs
    assert diffs["starts_waited_over_3_weeks"].sum() > 0, diffs
    assert (diffs["cost"] < 0).all()


def test_every_system_is_paid_the_same_budget():
    costs = {}
    for system in ("tiered", "integrated", "framework"):
        ts = wide(run(compose(*SHORT, f"system={system}")).timeseries)
        costs[system] = ts.loc[["2010", "2011", "2012"], "cost"].sum()
    assert max(costs.values()) == pytest.approx(min(costs.values())), costs


@pytest.mark.parametrize("override, message", [
    ("area.budget_per_year=0", "area.budget_per_year = 0.0: area southampton needs its annual treatment budget"),
    ("system.providers.0.budget_share=0.5", r"system.providers budget_share \(tiered\): shares sum to 1.4400"),
    ("system.providers.0.budget_share=1.5", r"system.providers\[open_access_tier2\].budget_share = 1.5"),
    ("scenario.budget_multiplier=-1", "scenario.budget_multiplier = -1.0: must be >= 0"),
    ("history.periods.0.budget_share=budget_share_2066", "not a params.history parameter; allowed: "),
    ("+history.periods.1.levers.planed_exit=hr_planned_exit_2007_to_2009", "planed_exit"),
])
def test_money_and_history_mistakes_are_refused_by_name(override, message):
    with pytest.raises(ConfigError, match=message):
        resolve(compose(*SHORT, override))


def test_a_step_up_to_inpatient_detox_is_bought_with_money_free():
    """A referral from prescribing to inpatient detox (GBP 1,500 a week) is a placement the service buys: with
    no money from the policy year none is bought, so the detox caseload only shrinks; with money it is renewed."""
    detox = {}
    for scenario in ("baseline", "no_treatment"):
        ts = run(compose(*SHORT, "params.modality.step_up_per_year=0.3", f"scenario={scenario}")).timeseries
        sel = ts[(ts["measure"] == "in_modality") & (ts["group"] == "inpatient_detox")]
        detox[scenario] = sel.set_index("period")["value"]
    none, base = detox["no_treatment"], detox["baseline"]
    assert none.loc["2009"] == base.loc["2009"]
    assert none.loc["2009"] > none.loc["2010"] >= none.loc["2011"] >= none.loc["2012"], none.to_dict()
    assert none.loc["2012"] < 0.5 * base.loc["2012"], (none.to_dict(), base.to_dict())
