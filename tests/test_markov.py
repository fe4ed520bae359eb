"""With constant hazards the simulation must agree with the analytic Markov cohort solution."""

import numpy as np

from sim import JourneysModel
from sim.domain.states import N_STATES, DrugGroup, State
from sim.model.hazards import NO_SCHEDULE
from sim.model.markov import COHORT_STATES, cohort_index, expm, generator, occupancy
from tests.helpers import markov_config


def _lumped(counts_by_state: np.ndarray) -> np.ndarray:
    out = np.zeros(len(COHORT_STATES))
    for s in State:
        if s != State.NOT_YET:
            out[cohort_index(s)] += counts_by_state[s]
    return out


def test_expm_matches_scipy():
    from scipy.linalg import expm as scipy_expm

    rng = np.random.default_rng(0)
    q = rng.random((9, 9)) * 3
    np.fill_diagonal(q, 0)
    np.fill_diagonal(q, -q.sum(axis=1))
    for t in (0.1, 1.0, 7.5):
        np.testing.assert_allclose(expm(q * t), scipy_expm(q * t), atol=1e-10)


def test_state_occupancy_matches_matrix_exponential():
    cfg = markov_config(n_users=100_000)
    model = JourneysModel(cfg)
    # The fixed 12-week engagement is not Markov: switch it off (start -> stay then never happens).
    model.tables = model.tables._replace(
        hazards=model.hazards._replace(scheduled_target=np.full(N_STATES, NO_SCHEDULE)))
    start = np.bincount(model.people.state, minlength=N_STATES)
    n = start.sum()
    p0 = _lumped(start) / n
    model.run()
    years = np.arange(1, cfg.end_year - cfg.start_year + 1)
    last_steps = years * cfg.steps_per_year - 1
    stocks = model.tallies.stocks.sum(axis=(0, 3, 4))[last_steps]  # [year, state]
    dead = n - stocks.sum(axis=1)
    simulated = np.array([_lumped(np.append(row[:-1], d)) for row, d in zip(stocks, dead)]) / n
    pickup = model.system.pickup
    q = generator(model.hazards, model.mortality, DrugGroup.OPIATE_ONLY, mask=0, age=30.5, pickup=pickup)
    expected = occupancy(q, p0, years.astype(float))
    se = np.sqrt(expected * (1 - expected) / n)
    # Monte Carlo error, plus the O(dt) error of weekly steps (at most one event per person-step).
    tolerance = 4 * se + 0.002
    worst = np.abs(simulated - expected) - tolerance
    assert (worst <= 0).all(), (
        f"occupancy differs from expm(Qt) beyond MC error: state {COHORT_STATES[np.argmax(worst.max(axis=0))]}\n"
        f"simulated\n{simulated.round(4)}\nexpected\n{expected.round(4)}")
    # The comparison is not trivial: people move between states a lot over the years ...
    assert np.abs(expected[-1] - p0).max() > 0.1
    # ... and it has power: hazards 10% higher would be detected.
    wrong = generator(model.hazards._replace(base=model.hazards.base * 1.1), model.mortality, DrugGroup.OPIATE_ONLY,
                      mask=0, age=30.5, pickup=pickup)
    assert (np.abs(simulated - occupancy(wrong, p0, years.astype(float))) > tolerance).any()
