"""Every person is accounted for at every step: alive = previous + new users - deaths."""

import numpy as np

from sim import run
from sim.model import JourneysModel
from sim.outputs import wide
from sim.states import LIVING, N_STATES, DrugGroup, Event, State

from conftest import compose


def test_alive_balances_new_users_and_deaths_every_step():
    cfg = compose("area=southampton", "end_year=2015", "population_scale=2")
    model = JourneysModel(cfg).run()
    stocks = model.tallies.stocks.sum(axis=0)  # [step, state, drug, band]
    flows = model.tallies.flows.sum(axis=0)
    alive = stocks[:, list(LIVING)].sum(axis=(1, 3))  # [step, drug group]: drug group never changes
    new = flows[:, Event.NEW_USER].sum(axis=2)
    deaths = flows[:, Event.DEATH].sum(axis=2)
    initial = np.bincount(model.people.drug[: model.n_initial], minlength=4)
    previous = np.vstack([initial, alive[:-1]])
    np.testing.assert_array_equal(alive, previous + new - deaths)
    assert new.sum() > 0 and deaths.sum() > 0  # both flows are exercised
    # the end-of-run stocks are the people columns themselves
    final = np.bincount(model.people.state[: model.n_active], minlength=N_STATES)
    np.testing.assert_array_equal(stocks[-1].sum(axis=(1, 2))[list(LIVING)], final[list(LIVING)])
    assert final[State.DEAD] == deaths.sum()
    assert (model.people.state[model.n_active:] == State.NOT_YET).all()


def test_timeseries_balance_by_year_quarter_and_drug_group():
    for period in ("year", "quarter"):
        ts = run(compose("area=bedford", "end_year=2012", f"output.period={period}")).timeseries
        for group in ("all", "opiate_only", "opiate_and_crack", "crack_only", "non_opiate", "opiate", "ocu"):
            w = wide(ts, group)
            balance = w["alive"].shift(1) + w["new_users"] - w["deaths"]
            np.testing.assert_array_equal(w["alive"].iloc[1:], balance.iloc[1:])


def test_no_one_is_in_two_places_transfers_and_deaths_by_state():
    cfg = compose("area=southampton", "end_year=2010")
    model = JourneysModel(cfg).run()
    flows = model.tallies.flows.sum(axis=(0, 1, 3, 4))
    # deaths in treatment are a subset of deaths; drug-related likewise
    assert flows[Event.DEATH_IN_TREATMENT] <= flows[Event.DEATH]
    assert flows[Event.DEATH_DRUG_RELATED] <= flows[Event.DEATH]
    # every exit to custody is also an imprisonment
    assert flows[Event.EXIT_TRANSFERRED] <= flows[Event.IMPRISONMENT]
    assert DrugGroup.NON_OPIATE in model.people.drug
