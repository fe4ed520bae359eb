"""Every person is accounted for at every step: alive = previous + new users - deaths."""

import numpy as np
import pytest

from sim import JourneysModel, resolve, run
from sim.domain.states import (
    IN_TREATMENT,
    LIVING,
    N_STATES,
    NO_MODALITY,
    TREATMENT_MODALITIES,
    Event,
    Modality,
    State,
)
from sim.model.kernel.records import TraceNote, TracePhase
from sim.outputs.measures import wide
from tests.helpers import compose


def test_alive_balances_new_users_and_deaths_every_step():
    cfg = compose("area=southampton", "end_year=2015", "population_scale=2")
    model = JourneysModel(resolve(cfg)).run()
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
        for group in ("all", "opiate_only", "opiate_and_crack", "crack_only", "other_drugs", "opiate", "non_opiate",
                      "ocu"):
            w = wide(ts, group)
            balance = w["alive"].shift(1) + w["new_users"] - w["deaths"]
            np.testing.assert_array_equal(w["alive"].iloc[1:], balance.iloc[1:])


def test_flows_nest_and_everyone_is_in_one_place():
    """Deaths and exits to custody nest as they should; each person is in one state with at most one
    provider and one modality, and everyone assessed and waiting is on their provider's list, once."""
    model = JourneysModel(resolve(compose("area=southampton", "end_year=2010", "policy_year=2005",
                                                 "system.budget_multiplier=0.6"))).run()
    flows = model.tallies.flows.sum(axis=(0, 1, 3, 4))
    assert flows[Event.DEATH_IN_TREATMENT] <= flows[Event.DEATH]
    assert flows[Event.DEATH_DRUG_RELATED] <= flows[Event.DEATH]
    assert flows[Event.EXIT_TRANSFERRED] <= flows[Event.IMPRISONMENT]  # every exit to custody is an imprisonment
    people, a = model.people, model.n_active
    state, provider, modality = people.state[:a], people.provider[:a], people.modality[:a]
    in_tx = np.isin(state, [int(s) for s in IN_TREATMENT])
    waiting = state == State.WAITING
    assert in_tx.sum() > 100 and waiting.sum() > 10  # places bind: people wait
    # in treatment: one provider and one treatment modality
    assert (provider[in_tx] >= 0).all() and np.isin(modality[in_tx], [int(m) for m in TREATMENT_MODALITIES]).all()
    # waiting: on one provider's list, in no modality; anyone else: no provider
    assert (provider[waiting] >= 0).all() and (modality[waiting] == NO_MODALITY).all()
    assert (provider[~(in_tx | waiting)] == -1).all()
    # recovery support is aftercare: only people in sustained recovery
    assert (state[modality == Modality.RECOVERY_SUPPORT] == State.SUSTAIN).all()
    # everyone assessed and waiting is on the list of the provider they were referred to
    assessed = np.flatnonzero(waiting & (people.ready[:a] == 1))
    assert len(assessed) > 10
    for j, service in enumerate(model.services):
        mine = assessed[provider[assessed] == j]
        assert np.isin(mine, service.waiting).all(), service.name
        # ... and a list holds nobody else: no one twice, no one who left it (and no old entry of someone back on it)
        w = service.waiting
        assert len(np.unique(w)) == len(w) == len(mine), service.name
        assert (people.wait_start[w] == service.joined).all()
    # the waiting-list measure counts people waiting, not entries
    per_provider = np.bincount(provider[assessed], minlength=len(model.services))
    np.testing.assert_array_equal(model.waiting_list[-1], per_provider)


def test_first_time_entrants_are_the_people_whose_first_episode_began():
    """`first_treatment_starts` (NDTMS first-time entrants) counts exactly the people never treated before
    the run who started an episode in it, and no more than all starts."""
    model = JourneysModel(resolve(compose("area=southampton", "end_year=2010", "seed=9")))
    before = model.people.episodes.copy()
    model.run()
    flows = model.tallies.flows.sum(axis=(0, 3, 4))
    first = int(flows[:, Event.FIRST_TREATMENT_START].sum())
    assert first == int(((before == 0) & (model.people.episodes >= 1)).sum()) > 50
    assert (flows[:, Event.FIRST_TREATMENT_START] <= flows[:, Event.TREATMENT_START]).all()
    assert first < flows[:, Event.TREATMENT_START].sum()  # people come back: not every start is a first


def test_criminal_justice_starts_are_the_starts_referred_through_criminal_justice():
    """`criminal_justice_starts` counts admissions whose referral came by arrest referral/DIP/DRR or from prison:
    none when neither route refers anyone, and a larger share of starts when more presentations come that way."""
    def share(cj: float, from_prison: float) -> tuple[float, int]:
        flows = _flows(compose("area=southampton", "end_year=2010", "seed=4",
                               f"params.referral.criminal_justice_share={cj}",
                               f"params.prison.release_to_treatment_share={from_prison}"))
        cj, all_starts = flows[:, Event.CRIMINAL_JUSTICE_START], flows[:, Event.TREATMENT_START]
        assert (cj <= all_starts).all()
        cj_starts, starts = int(cj.sum()), int(all_starts.sum())
        return cj_starts / starts, cj_starts

    assert share(0.0, 0.0)[1] == 0
    low, high = share(0.1, 0.3)[0], share(0.4, 0.3)[0]
    assert 0.05 < low < high < 0.8


def test_people_on_opioid_substitution_in_a_year_lie_between_its_year_end_count_and_all_treated():
    """`on_opioid_substitution_during_year` counts each person prescribed opiate substitutes in the year once: at
    least everyone on specialist prescribing or GP shared care at the year's end, at most everyone treated in it."""
    ts = run(compose("area=southampton", "end_year=2012", "seed=5")).timeseries
    w = wide(ts).iloc[1:]  # whole years after the first
    modality = ts[ts["measure"] == "in_modality"].pivot(index="period", columns="group", values="value")
    modality.index = modality.index.astype(w.index.dtype)
    at_end = modality.loc[w.index, ["specialist_prescribing", "gp_shared_care"]].sum(axis=1)
    during = w["on_opioid_substitution_during_year"]
    assert (at_end <= during).all() and (during <= w["in_treatment_during_year"]).all()
    assert (during > 1.1 * at_end).any()  # people come onto and off substitutes within a year
    share = ts[(ts["measure"] == "opioid_substitution_share") & (ts["group"] == "all")]["value"]
    assert share.between(0.2, 0.9).all()


def _flows(cfg) -> np.ndarray:
    model = JourneysModel(resolve(cfg))
    model.run()
    return model.tallies.flows.sum(axis=(0, 3, 4))


def test_every_episode_end_is_counted_once_with_its_length():
    """`tx_ends` (behind `time_in_treatment_treated_mean_years`) counts the episodes that end: completions,
    unplanned exits (failed hand-offs among them), transfers to prison and deaths in treatment, each once;
    their summed length lies between nothing and every ended episode's whole time since the run began."""
    model = JourneysModel(resolve(compose("area=southampton", "end_year=2010", "seed=4")))
    model.run()
    flows = model.tallies.flows.sum(axis=(0, 3, 4))
    ends = model.tallies.tx_ends.sum(axis=(0, 2))  # [step, (count, summed length)]
    exits = (flows[:, Event.EXIT_SUCCESSFUL] + flows[:, Event.EXIT_UNPLANNED] + flows[:, Event.EXIT_TRANSFERRED]
             + flows[:, Event.DEATH_IN_TREATMENT])
    assert np.array_equal(ends[:, 0], exits) and exits.sum() > 300
    assert 0 < ends[:, 1].sum() and (ends[:, 1] >= 0).all()
    mean_length = ends[:, 1].sum() / ends[:, 0].sum()
    assert 0.2 < mean_length < 6.0


@pytest.mark.parametrize("threaded", [False, True], ids=["one_block", "eight_blocks"])
def test_every_traced_journey_chains_from_state_to_state(monkeypatch, threaded):
    """The journey log (events.csv) has every state change of a traced person, admissions included: each row
    starts where the one before ended, and the first starts where the person began. With everyone traced, the
    log's moves are the counted flows, one for one; the threaded kernel logs a person's journeys and their
    provider's turn in different blocks of the log, and the rows still come out in order."""
    import sim.model.model

    if threaded:
        monkeypatch.setattr(sim.model.model, "PARALLEL_FROM_ROWS", 0)
    model = JourneysModel(resolve(compose("area=southampton", "end_year=2010", "seed=6",
                                          "output.trace_people=100000")))
    assert model.row_blocks == (sim.model.model.ROW_BLOCKS if threaded else 1)
    began = dict(zip(model.people_traced_rows, model.initial_people["state"]))
    assert len(began) == model.people.size
    model.run()
    log = model.event_log()
    names = np.array([s.name.lower() for s in State])
    broken = 0
    for person, rows in log.groupby("person", sort=False):
        states = [names[began[person]], *rows["to_state"]]
        broken += int((rows["from_state"].to_numpy() != np.array(states[:-1])).sum())
    assert broken == 0
    flows = model.tallies.flows.sum(axis=(0, 1, 3, 4))  # [event], warm-up included as in the log
    moves = log[log["from_state"] != log["to_state"]]
    logged = {
        Event.NEW_USER: (moves["from_state"] == "not_yet").sum(),
        Event.TREATMENT_START: (moves["to_state"] == "tx_start").sum(),
        Event.EXIT_SUCCESSFUL: (moves["to_state"] == "sustain").sum(),
        Event.IMPRISONMENT: (moves["to_state"] == "prison").sum(),
        Event.RELEASE: ((moves["from_state"] == "prison") & (moves["to_state"] != "dead")).sum(),  # not a death
        Event.DEATH: (moves["to_state"] == "dead").sum(),
        Event.TRANSFER: (log["note"] == "handed_off").sum(),
        Event.TRANSFER_FAILED: (log["note"] == "handoff_failed").sum(),
    }
    for event, n in logged.items():
        assert n == flows[event] > 0, event.name
    assert (log["note"] == "stepped_up").any() and (log["note"] == "stepped_down").any()
    kept = log[log["note"].isin(["handed_off", "stepped_up", "stepped_down"])]
    # a service change within treatment, in any of its phases (a step-up to detox may come in the stop phase)
    assert (kept["from_state"] == kept["to_state"]).all() and kept["to_state"].isin(
        ["tx_start", "tx_stay", "tx_stop"]).all()


def test_a_steps_journey_rows_come_before_its_provider_rows_whatever_the_block():
    """Within a step the journeys come first, then the providers' turn; a person's journey row may sit in a later
    block of the log than their provider's row (block 0), and event_log puts it first."""
    model = JourneysModel(resolve(compose("area=southampton", "end_year=2006")))
    log = model.trace._replace(
        step=np.array([[10, 0], [10, 0]], np.int32), person=np.array([[7, 0], [7, 0]], np.int64),
        source=np.array([[State.TX_STAY, 0], [State.TX_START, 0]], np.int8),
        target=np.array([[State.USING_PREVIOUS, 0], [State.TX_STAY, 0]], np.int8),
        note=np.array([[TraceNote.HANDOFF_FAILED, 0], [TraceNote.NONE, 0]], np.int8),
        phase=np.array([[TracePhase.PROVIDERS, 0], [TracePhase.JOURNEYS, 0]], np.int8),
        count=np.array([1, 1], np.int64))
    model.trace = log
    rows = model.event_log()
    assert list(rows["from_state"]) == ["tx_start", "tx_stay"]
    assert list(rows["to_state"]) == ["tx_stay", "using_previous"] and list(rows["note"]) == ["", "handoff_failed"]
