"""The engine against the per-agent mesa reference (experiments/reference): same journeys, same occupancy.

The reference steps every person as a `mesa.Agent` under the step matrix expm(q dt) of the
generator the engine's hazard tables imply; at the end of each of 5 years both must hold every
state's share within Monte Carlo error of each other and of the analytic p0 expm(q t).
"""

import numpy as np

from experiments.reference.mesa_agents import CoreJourneys
from experiments.reference.numpy_columns import CoreColumns
from sim.domain.states import N_STATES, DrugGroup
from sim.model.hazards import NO_SCHEDULE
from sim.model.markov import COHORT_STATES, cohort_index, generator, occupancy
from sim.model.model import JourneysModel
from tests.helpers import markov_config

YEARS = 5


def _lumped(counts_by_state: np.ndarray) -> np.ndarray:
    out = np.zeros(len(COHORT_STATES))
    for s, c in enumerate(counts_by_state):
        if s:  # NOT_YET is no state of the chain
            out[cohort_index(s)] += c
    return out


def test_the_engine_and_the_per_agent_reference_agree_on_occupancy():
    cfg = markov_config(n_users=20_000, years=YEARS)
    model = JourneysModel(cfg)
    model.tables = model.tables._replace(  # the fixed 12-week engagement is not Markov
        hazards=model.hazards._replace(scheduled_target=np.full(N_STATES, NO_SCHEDULE)))
    start = np.bincount(model.people.state, minlength=N_STATES)
    n = int(start.sum())
    p0 = _lumped(start) / n
    q = generator(model.hazards, model.mortality, DrugGroup.OPIATE_ONLY, mask=0, age=30.5, pickup=model.system.pickup)
    model.run()
    spy = cfg.steps_per_year
    year_ends = np.arange(1, YEARS + 1) * spy - 1  # the step ending each whole year
    stocks = model.tallies.stocks.sum(axis=(0, 3, 4))[year_ends]  # [year, state]; the dead are the rest
    engine = np.array([_lumped(np.append(row[:-1], n - row.sum())) for row in stocks]) / n

    reference = CoreJourneys(q, p0, n=n, steps_per_year=spy, seed=7)
    columns = CoreColumns(q, p0, n=n, steps_per_year=spy, seed=7)
    for _ in range(YEARS * spy):
        reference.step()
        columns.step()
    mesa_shares = reference.occupancy()[year_ends]  # the series each records at every step's end
    column_shares = columns.occupancy()[year_ends]

    expected = occupancy(q, p0, np.arange(1.0, YEARS + 1))
    se = np.sqrt(expected * (1 - expected) / n)
    assert (np.abs(mesa_shares - expected) <= 4 * se + 1e-3).all(), (mesa_shares, expected)  # exact steps
    assert (np.abs(column_shares - expected) <= 4 * se + 1e-3).all(), (column_shares, expected)
    assert (np.abs(engine - mesa_shares) <= 4 * np.sqrt(2) * se + 0.002).all(), (engine, mesa_shares)
    assert np.abs(expected[-1] - p0).max() > 0.1  # people move: the agreement is not trivial
