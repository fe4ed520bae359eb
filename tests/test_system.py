"""The commissioned system: places, waiting lists, hand-offs, systems and scenarios."""


import numpy as np
import pytest

from sim import JourneysModel, resolve, run
from sim.config.paths import PROJECT_ROOT
from sim.config.provenance import seed_figure_ids
from sim.domain.states import IN_TREATMENT, Event, ExitReason
from sim.outputs.measures import wide
from tests.helpers import compose

SYSTEMS = sorted(p.stem for p in (PROJECT_ROOT / "configs" / "system").glob("*.yaml"))
SCENARIOS = sorted(p.stem for p in (PROJECT_ROOT / "configs" / "scenario").glob("*.yaml"))


def test_shipped_systems_and_scenarios():
    assert {"tiered", "integrated", "framework"} <= set(SYSTEMS)
    assert {"baseline", "recovery_orientated", "harm_reduction_plus", "cj_continuity", "residential_expansion",
            "budget_cut_10", "payment_by_results"} <= set(SCENARIOS)


@pytest.mark.parametrize("system", SYSTEMS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_system_and_scenario_runs(system, scenario):
    cfg = compose(f"system={system}", f"scenario={scenario}", "end_year=2008", "policy_year=2006")
    assert cfg.scenario.name == scenario and cfg.system.name == system
    assert set(cfg.scenario.sources) <= seed_figure_ids()
    ts = run(cfg).timeseries
    assert ts["value"].notna().all()
    assert (wide(ts)["in_treatment"] > 0).all()


def test_unknown_system_or_scenario_lists_the_valid_names():
    from hydra.errors import MissingConfigException

    for group, names in (("system", SYSTEMS), ("scenario", SCENARIOS)):
        with pytest.raises(MissingConfigException) as err:
            compose(f"{group}=nonesuch")
        assert all(name in str(err.value) for name in names)


def _tiered_from_2005(capacity: float) -> JourneysModel:
    """The tiered system with its budget times `capacity`, in force from the start, 2005-2011."""
    cfg = compose("system=tiered", "end_year=2012", "policy_year=2005", f"system.budget_multiplier={capacity}")
    return JourneysModel(resolve(cfg)).run()


def _caseloads(model):
    return model.tallies.providers.sum(axis=(0, 3))  # [step, provider]


def test_providers_admit_only_while_money_is_free_and_people_wait_instead():
    model = _tiered_from_2005(capacity=0.6)
    # every provider's turn: its weekly spend as the turn began and ended (no row: nobody to take in)
    spend = model.service_arrays.spend  # [step, provider, before/after]
    turn = ~np.isnan(spend[:, :, 0])
    budget = np.broadcast_to([p.weekly_budget for p in model.services], turn.shape)[turn]
    dearest = np.broadcast_to([p.tables.weekly_cost.max() for p in model.services], turn.shape)[turn]
    before, after = spend[:, :, 0][turn], spend[:, :, 1][turn]
    assert turn.sum() > 100
    # the spend recorded is the care of the clients counted at the end of the step (for a service that hands
    # no one on: a sender's clients may be taken over after its turn)
    costs = np.array([p.tables.weekly_cost for p in model.services])  # [provider, modality]
    end_of_step = np.einsum("spm,pm->sp", model.tallies.providers.sum(axis=0), costs)
    keeps = turn & np.array([p.handoff_to < 0 for p in model.services])
    np.testing.assert_allclose(spend[:, :, 1][keeps], end_of_step[keeps])
    assert (after <= np.maximum(before, budget + dearest) + 1e-6).all()  # the last admission may overshoot
    full = before >= budget
    assert full.any() and (after[full] <= before[full] + 1e-6).all()  # a service over its budget admits no one
    assert (after > before).any()  # and one with money free does
    assert model.waiting_list.sum() > 0  # the money binds: people wait
    # every client is with exactly one provider: caseloads add up to the people in treatment
    in_tx = model.tallies.stocks.sum(axis=(0, 3, 4))[:, [int(s) for s in IN_TREATMENT]].sum(axis=1)
    np.testing.assert_array_equal(_caseloads(model).sum(axis=1), in_tx)
    people = model.people
    treated = np.isin(people.state, [int(s) for s in IN_TREATMENT])
    assert (people.provider[treated] >= 0).all() and (people.modality[treated] >= 0).all()
    counts = np.bincount(people.provider[treated], minlength=len(model.services))
    np.testing.assert_array_equal(counts, _caseloads(model)[-1])
    by_modality = np.zeros((len(model.services), model.tallies.providers.shape[3]), dtype=int)
    np.add.at(by_modality, (people.provider[treated], people.modality[treated]), 1)
    np.testing.assert_array_equal(by_modality, model.tallies.providers.sum(axis=0)[-1])


def test_unlimited_places_mean_an_empty_waiting_list():
    model = _tiered_from_2005(capacity=1000)
    assert model.waiting_list.sum() == 0
    tight = _tiered_from_2005(capacity=0.8)
    assert tight.waiting_list.sum() > 0


def test_a_failed_hand_off_returns_the_person_to_using():
    cfg = compose("system=tiered", "end_year=2010", "policy_year=2005", "output.trace_people=100000")
    cfg.system.providers[0].handoff_success_share = 0.0  # open access tier 2 never gets clients picked up
    model = JourneysModel(resolve(cfg)).run()
    flows = model.tallies.flows.sum(axis=(0, 1, 3, 4))
    assert flows[Event.TRANSFER] == 0 and flows[Event.TRANSFER_FAILED] > 20
    events = model.event_log()
    failed = events[(events["note"] == "handoff_failed")]
    assert len(failed) == flows[Event.TRANSFER_FAILED]
    assert set(failed["to_state"]) == {"using_previous"}
    # a failed hand-off is an unplanned modality exit; "transferred" modality exits are exits to custody only
    exits = model.tallies.modality_exits.sum(axis=(0, 1, 3))  # [reason]
    assert exits[ExitReason.TRANSFERRED] == flows[Event.EXIT_TRANSFERRED]
    assert exits[ExitReason.UNPLANNED] >= flows[Event.TRANSFER_FAILED]
    # and with perfect hand-offs none fail
    cfg.system.providers[0].handoff_success_share = 1.0
    model = JourneysModel(resolve(cfg)).run()
    flows = model.tallies.flows.sum(axis=(0, 1, 3, 4))
    assert flows[Event.TRANSFER_FAILED] == 0 and flows[Event.TRANSFER] > 20


def _paired(scenario: str, measure: str, seeds=range(1, 6), **kw) -> np.ndarray:
    """scenario - baseline for each seed (common random numbers), summed over 2005-2019."""
    out = []
    for seed in seeds:
        totals = []
        for sc in ("baseline", scenario):
            ts = run(compose(f"scenario={sc}", f"seed={seed}", "end_year=2020", "policy_year=2005",
                             "population_scale=2")).timeseries
            totals.append(wide(ts, kw.get("group", "all"))[measure].sum())
        out.append(totals[1] - totals[0])
    return np.array(out)


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "measure", "direction"), [
    ("harm_reduction_plus", "deaths_drug_related", -1),
    ("recovery_orientated", "exits_successful", +1),
    ("cj_continuity", "presentations", +1),
    ("budget_cut_10", "waiting_list", +1),
    ("residential_expansion", "cost", +1),
])
def test_scenarios_move_outcomes_in_the_documented_direction(scenario, measure, direction):
    diff = _paired(scenario, measure)
    assert (np.sign(diff) == direction).mean() >= 0.8, diff
    assert np.sign(diff.sum()) == direction, diff
