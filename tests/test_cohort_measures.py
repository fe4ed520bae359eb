"""Cohort measures (followed from the period of the event they follow) agree with the analytic chain, and
the money split between kinds of service moves money without making or losing any."""

import numpy as np
import pytest

from sim import JourneysModel, resolve
from sim.config.errors import ConfigError
from sim.domain.states import N_STATES, DrugGroup, State
from sim.model.hazards import NO_SCHEDULE
from sim.model.markov import cohort_index, expm, generator
from sim.model.providers import funded_shares
from sim.outputs.measures import wide
from sim.projection.simulate import tables
from tests.helpers import compose, markov_config

YEARS = 8


@pytest.fixture(scope="module")
def chain():
    """A Markov chain run (constant hazards, one kind of person) with its table and generator."""
    cfg = markov_config(n_users=40_000, years=YEARS, seed=5)
    model = JourneysModel(cfg).run()
    rates = model.hazards._replace(scheduled_target=np.full(N_STATES, NO_SCHEDULE))  # the hazards alone (the
    # fixed 12 weeks are what the retention measures: the chain gives the chance of no exit before them)
    q = generator(rates, model.mortality, DrugGroup.OPIATE_ONLY, mask=0, age=30.5, pickup=model.system.pickup)
    return wide(tables(model)), q


def _pooled(w, numerator: str, denominator: str, years: int) -> tuple[float, float]:
    """The share over the first `years` periods (those whose follow-up the run completes) and its sd."""
    num, den = w[numerator].iloc[:years].sum(), w[denominator].iloc[:years].sum()
    p = num / den
    return p, np.sqrt(p * (1 - p) / den)


def test_retention_of_a_start_cohort_is_survival_through_the_twelve_weeks(chain):
    w, q = chain
    simulated, sd = _pooled(w, "retained_12_weeks_of_starts", "treatment_starts", YEARS - 1)
    start, stop = cohort_index(State.TX_START), cohort_index(State.TX_STOP)

    def retained(out, planned):  # the first move out of the start phase, if any in 12 weeks, is a planned exit
        return 1.0 - (out - planned) / out * (1.0 - np.exp(-out * 12 / 52))

    out, planned = -q[start, start], q[start, stop]
    assert planned > 0  # a planned exit may begin within the 12 weeks
    expected = retained(out, planned)
    assert abs(simulated - expected) < 4 * sd + 0.004, (simulated, expected)
    wrong = retained(out + 0.2 * (out - planned), planned)  # power: other exits 20% more frequent would show
    assert abs(simulated - wrong) > 4 * sd + 0.004
    # each engagement counted once, at its start's period: never more than that period's starts
    assert (w["retained_12_weeks_of_starts"] <= w["treatment_starts"]).all()
    assert w["retained_12_weeks_share"].iloc[:-1].between(0.5, 1.0).all()


def test_drop_outs_returning_within_three_years_follow_the_chain(chain):
    w, q = chain
    simulated, sd = _pooled(w, "returned_within_3y_of_dropout", "exits_unplanned", YEARS - 3)
    using, waiting = cohort_index(State.USING_PREVIOUS), cohort_index(State.WAITING)
    absorbing = q.copy()
    absorbing[waiting] = 0.0  # the first presentation ends the follow-up
    expected = expm(absorbing * 3.0)[using, waiting]
    assert abs(simulated - expected) < 4 * sd + 0.01, (simulated, expected)
    assert 0.2 < expected < 0.9  # neither nearly all nor nearly none: the comparison has something to test
    assert (w["dropouts_returned_within_3y_share"].iloc[:YEARS - 3] > w["dropouts_returned_within_3y_share"]
            .iloc[-1]).all()  # the last year's follow-up is incomplete


def _leavers_back(q, state: int, k: int, same_year_too: bool = False) -> float:
    """The chain's share of a year's leavers (left from `state` at a time spread evenly over the year, not
    referred again by its end) referred again within k whole years after it."""
    absorbing = q.copy()
    start = cohort_index(State.WAITING)
    absorbing[start] = 0.0  # the first presentation ends the follow-up
    left = np.linspace(0.0, 1.0, 53)[:-1] + 0.5 / 52  # mid-week exit times
    by_year_end = np.array([expm(absorbing * (1.0 - s))[state, start] for s in left])
    by_follow_up = np.array([expm(absorbing * (1.0 + k - s))[state, start] for s in left])
    if same_year_too:
        return by_follow_up.mean()
    return (by_follow_up - by_year_end).mean() / (1.0 - by_year_end).mean()


@pytest.mark.parametrize("reason, state", [("dropped_out", State.USING_PREVIOUS), ("completed", State.SUSTAIN)])
def test_the_years_leavers_return_as_the_chain_says(chain, reason, state):
    """The NTA's leaver cohorts (sim.outputs.leaver_cohorts): people, not discharges; only those not back by the
    year's end; returns (new referrals) by whole years after it."""
    w, q = chain
    exits = {"dropped_out": "exits_unplanned", "completed": "exits_successful"}[reason]
    assert (w[f"leavers_{reason}"] <= w[exits]).all()  # a person leaves once a year at most
    assert (w[f"leavers_{reason}"].iloc[:-1] > 0.6 * w[exits].iloc[:-1]).all()
    cohorts = slice(2, YEARS - 3)  # settled years whose three follow-up years the run completes
    for k in (1, 2, 3):
        share = w[f"{reason}_leavers_returned_within_{k}y_share"].iloc[cohorts]
        n = w[f"leavers_{reason}"].iloc[cohorts]
        simulated = float((share * n).sum() / n.sum())
        sd = np.sqrt(simulated * (1 - simulated) / n.sum())
        expected = _leavers_back(q, cohort_index(state), k)
        assert abs(simulated - expected) < 4 * sd + 0.01, (k, simulated, expected)
        wrong = _leavers_back(q, cohort_index(state), k, same_year_too=True)  # the same year's returners kept
        assert abs(simulated - wrong) > 4 * sd + 0.01, (k, simulated, wrong)
    assert w[f"{reason}_leavers_returned_within_3y_share"].isna().iloc[-3:].all()  # follow-up incomplete: no row


def test_capacity_weights_move_money_between_kinds_of_service_and_keep_the_total():
    cfg = resolve(compose("system=tiered"))
    base = funded_shares(cfg.system, cfg.params)
    assert base == pytest.approx([p.budget_share for p in cfg.system.providers])  # weights 1: the shares
    cfg.params.capacity.criminal_justice = 2.0
    moved = funded_shares(cfg.system, cfg.params)
    assert sum(moved) == pytest.approx(sum(base))  # money is neither made nor lost
    names = [p.name for p in cfg.system.providers]
    dip = names.index("dip")
    assert moved[dip] > base[dip]
    others = [j for j in range(len(names)) if j != dip]
    np.testing.assert_allclose([moved[j] / base[j] for j in others], moved[others[0]] / base[others[0]])


def test_an_unknown_kind_of_service_is_refused_with_the_allowed_ones():
    with pytest.raises(ConfigError, match="crimnal_justice.*allowed: open_access, criminal_justice, gp_shared_care"):
        resolve(compose("system.providers.1.capacity=crimnal_justice"))
