"""The incrementally counted stocks equal a full census of the person columns at the end of every step.

The step re-counts a person only when something about them changes (`sim.model.kernel.counts`);
this recounts everyone from scratch after each step and compares every stock the outputs read:
people by state, drug group and age band; the caseload by DOMES band, by provider and modality;
people in each modality; the caseload's summed elapsed episode time.
"""

import numpy as np
import pytest

from sim import JourneysModel, resolve
from sim.domain.states import IN_TREATMENT, LIVING, State
from sim.model.kernel.people import AGE_BAND_OF_YEAR, DOMES_BAND_OF_YEAR
from tests.helpers import compose

TX = [int(s) for s in IN_TREATMENT]


def census(model: JourneysModel, n: int) -> dict[str, np.ndarray]:
    """Every stock of step n counted from the person columns (ages and elapsed times at the step's end,
    read off the clock the step uses)."""
    pp, a = model.people, model.n_active
    t_end = (model.start_time + n * model.dt) + model.dt
    clock = t_end if model.cfg.ageing else model.start_time
    state, drug = pp.state[:a], pp.drug[:a]
    alive = np.flatnonzero(np.isin(state, [int(s) for s in LIVING]))
    band = AGE_BAND_OF_YEAR[np.clip((clock - pp.birth_time[alive]).astype(int), 0, 129)]
    stocks = np.zeros_like(model.tallies.stocks[0, n])
    np.add.at(stocks, (state[alive], drug[alive], band), 1)
    tx = np.flatnonzero(np.isin(state, TX))
    elapsed = t_end - pp.episode_start[tx]
    tx_duration = np.zeros_like(model.tallies.tx_duration[0, n])
    np.add.at(tx_duration, (drug[tx], DOMES_BAND_OF_YEAR[np.minimum(elapsed.astype(int), 7)]), 1)
    tx_elapsed = np.zeros(tx_duration.shape[0])
    np.add.at(tx_elapsed, drug[tx], elapsed)
    providers = np.zeros_like(model.tallies.providers[0, n])
    np.add.at(providers, (pp.provider[tx], pp.modality[tx]), 1)
    with_modality = alive[pp.modality[alive] >= 0]
    modalities = np.bincount(pp.modality[with_modality], minlength=model.tallies.modalities.shape[2])
    return {"stocks": stocks, "tx_duration": tx_duration, "tx_elapsed": tx_elapsed, "providers": providers,
            "modalities": modalities}


@pytest.mark.parametrize("overrides", [
    ("area=southampton", "end_year=2012"),  # tiered: hand-offs from tier 2, DIP, GP shared care
    ("area=southampton", "end_year=2012", "steps_per_year=12", "ageing=false"),
    ("area=southampton", "end_year=2012", "system=integrated", "policy_year=2009", "scenario=budget_cut_10"),
], ids=["tiered", "monthly-no-ageing", "recommissioned"])
def test_counted_stocks_equal_a_census_every_step(overrides):
    model = JourneysModel(resolve(compose(*overrides, "seed=11")))
    changed = 0
    while model.running:
        model.step()
        n = model.steps - 1
        if n >= model.n_steps:
            break
        counted = {k: getattr(model.tallies, k).sum(axis=0)[n] for k in ("stocks", "tx_duration", "tx_elapsed",
                                                                           "providers", "modalities")}
        for k, v in census(model, n).items():
            if k == "tx_elapsed":
                np.testing.assert_allclose(counted[k], v, rtol=1e-9, atol=1e-6, err_msg=f"{k} at step {n}")
            else:
                np.testing.assert_array_equal(counted[k], v, err_msg=f"{k} at step {n}")
        if n:
            changed += int((model.tallies.stocks.sum(axis=0)[n] != model.tallies.stocks.sum(axis=0)[n - 1]).any())
    assert changed > model.n_steps // 2  # the stocks move: the comparison is not of empty tables
    assert model.tallies.stocks.sum(axis=0)[-1][State.TX_STAY].sum() > 0
