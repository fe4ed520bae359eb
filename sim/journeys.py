"""One step of every person's journey, compiled (numba) and run over the person columns.

Each person carries the step of their next event, sampled whenever their hazards change
("refresh"): with total hazard H constant, the number of whole steps until the next event
is geometric with P(event in a step) = 1 - exp(-H dt), drawn exactly as floor(-ln u / (H dt)).
Hazards change only at a state or attribute change, a year of age, a duration-band edge or
the end of a raised-risk window, so most person-steps cost one comparison.

For each person in step n (the step order of the model is in `sim.model`):
  1. a new user whose onset time has come joins, using and never treated;
  2. if n is their refresh step, hazards are re-evaluated and the next event re-drawn;
  3. if n is their event step, one of the competing events happens, chosen in proportion
     to its hazard: death (drug-related or other cause), a transition out of the current
     state, or, in treatment, abstinence from illicit use (TOP); else if n is the step a
     scheduled move falls due (engagement ends after a fixed number of weeks), it happens;
     either way the person's hazards are refreshed from step n + 1 (one move per step);
  4. the person is counted into the end-of-step stocks (age = clock - birth time).
Flows are counted by drug group and age band at the middle of the step.

Hazards are evaluated at the middle of the step (age and time in state), which keeps
results stable when the time step changes. Draws are keyed by (stream, person, k-th draw
of that person) (`sim.rng`): a lever changes only the journeys it touches.
"""

from typing import NamedTuple

import numpy as np
from numba import njit, prange

from sim.hazards import HANDOFF, NO_SCHEDULE, READY, STEP_DOWN, STEP_UP, USING
from sim.rng import uniform
from sim.states import AGE_BAND_EDGES, Event, Injecting, Modality, State

# Module constants as plain ints (numba freezes globals at compile time).
NOT_YET, USING_NAIVE, USING_PREVIOUS = int(State.NOT_YET), int(State.USING_NAIVE), int(State.USING_PREVIOUS)
WAITING, TX_START, TX_STAY, TX_STOP = int(State.WAITING), int(State.TX_START), int(State.TX_STAY), int(State.TX_STOP)
SUSTAIN, REMISSION, PRISON, DEAD = int(State.SUSTAIN), int(State.REMISSION), int(State.PRISON), int(State.DEAD)
E_NEW, E_PRESENT, E_REP6 = int(Event.NEW_USER), int(Event.PRESENTATION), int(Event.RE_PRESENTATION_6M)
E_ENGAGED, E_STOP = int(Event.ENGAGED), int(Event.PLANNED_EXIT_BEGUN)
E_SUCCESS, E_UNPLANNED, E_TRANSFER = int(Event.EXIT_SUCCESSFUL), int(Event.EXIT_UNPLANNED), int(Event.EXIT_TRANSFERRED)
E_DROPOUT, E_RELAPSE, E_REMIT = int(Event.WAITING_DROPOUT), int(Event.RELAPSE), int(Event.NATURAL_REMISSION)
E_PRISON, E_RELEASE = int(Event.IMPRISONMENT), int(Event.RELEASE)
E_DEATH, E_DRD, E_DEATH_TX = int(Event.DEATH), int(Event.DEATH_DRUG_RELATED), int(Event.DEATH_IN_TREATMENT)
E_ABSTINENT = int(Event.ABSTINENT_IN_TREATMENT)
E_NOT_PICKED_UP = int(Event.REFERRAL_NOT_PICKED_UP)
E_IN_TX_YEAR, E_REP6_OF_COMPLETION = int(Event.IN_TREATMENT_THIS_YEAR), int(Event.RE_PRESENTED_OF_COMPLETION)
E_TOP_REVIEW, E_TOP_ABSTINENT = int(Event.TOP_REVIEW), int(Event.TOP_REVIEW_ABSTINENT)
E_HOUSED, E_SUCCESS_HOUSED = int(Event.HOUSING_RESOLVED), int(Event.EXIT_SUCCESSFUL_NO_HOUSING_NEED)
E_REP1Y_OF_COMPLETION = int(Event.RE_PRESENTED_1Y_OF_COMPLETION)  # then 2y and 3y: consecutive events
TOP_REVIEW_YEARS = 0.5  # the Treatment Outcomes Profile review about 6 months into an episode
RECOVERY_SUPPORT = int(Modality.RECOVERY_SUPPORT)
GP_SHARED_CARE, INPATIENT_DETOX = int(Modality.GP_SHARED_CARE), int(Modality.INPATIENT_DETOX)
EXIT_PLANNED, EXIT_UNPLANNED, EXIT_TRANSFERRED = 0, 1, 2  # modality exit reasons
CURRENT_INJECTOR, PREVIOUS_INJECTOR = int(Injecting.CURRENT), int(Injecting.PREVIOUS)
RE_PRESENTATION_WINDOW_YEARS = 0.5  # PHOF: re-presentation within 6 months of completion
# DOMES time-in-treatment bands (<1, 1-2, 2-4, 4-6, 6+ years) by whole years elapsed (capped at 7)
DOMES_BAND_OF_YEAR = np.array([0, 1, 2, 2, 3, 3, 4, 4], dtype=np.int64)
MAX_COMPETING = 8
NEVER_STEP = 2**62  # "no such step"


class Keys(NamedTuple):
    journey: np.uint64  # every per-person draw of the run: (person, that person's k-th draw)


class Tallies(NamedTuple):
    """Counts per block of rows (summed over the first axis for output), so blocks run in parallel."""

    stocks: np.ndarray  # int32[block, step, state, drug group, age band], end of step
    flows: np.ndarray  # int32[block, step, event, drug group, age band], during step
    tx_duration: np.ndarray  # int32[block, step, drug group, DOMES band]: in treatment by elapsed episode time
    providers: np.ndarray  # int32[block, step, provider]: caseload at the end of the step
    modalities: np.ndarray  # int32[block, step, modality]: people in each modality at the end of the step
    modality_exits: np.ndarray  # int32[block, step, reason (planned/unplanned/transferred), modality]
    tx_elapsed: np.ndarray  # float64[block, step, drug group]: summed elapsed years of the caseload


class SystemTables(NamedTuple):
    """The commissioned system as the compiled step sees it."""

    dt: float  # the time step (years), for counting back to the step of an event
    pickup: np.ndarray  # float64[route]: chance a referral is picked up
    route_provider_cdf: np.ndarray  # float64[route, provider]: which provider a referral goes to
    aftercare_share: float
    aftercare_years: float


class Queues(NamedTuple):
    """People who became ready this step, per block, for the providers to act on."""

    ready: np.ndarray  # int64[block, row]: assessed, waiting for a place
    ready_count: np.ndarray  # int64[block]
    handoff: np.ndarray  # int64[block, row]: ready to be handed off
    handoff_count: np.ndarray  # int64[block]


class TraceLog(NamedTuple):
    """State changes of traced people, one buffer per block of rows."""

    step: np.ndarray  # int32[block, row]
    person: np.ndarray  # int64[block, row]
    source: np.ndarray  # int8[block, row]
    target: np.ndarray  # int8[block, row]
    note: np.ndarray  # int8[block, row]: 0 a state change, else a NOTES code
    count: np.ndarray  # int64[block]: rows used (may exceed capacity: overflow)


NOTES = ("", "handoff_failed")
NOTE_HANDOFF_FAILED = 1


AGE_BAND_OF_YEAR = np.searchsorted(np.array(AGE_BAND_EDGES), np.arange(0, 130), side="right").clip(1) - 1


@njit(inline="always")
def _age_band(age):
    """Reporting age band (index into AGE_BAND_NAMES) by table lookup: no data-dependent branches."""
    return AGE_BAND_OF_YEAR[min(max(int(age), 0), 129)]


@njit(inline="always")
def _in_treatment(s):
    return s == TX_START or s == TX_STAY or s == TX_STOP


@njit(inline="always")
def _log_note(log, c, traced, step, person, source, target, note):
    if traced:
        j = log.count[c]
        if j < log.step.shape[1]:
            log.step[c, j] = step
            log.person[c, j] = person
            log.source[c, j] = source
            log.target[c, j] = target
            log.note[c, j] = note
        log.count[c] = j + 1


@njit(inline="always")
def _log(log, c, traced, step, person, source, target):
    _log_note(log, c, traced, step, person, source, target, 0)


@njit(inline="always")
def _refer(people, i, route, t_end, n, g, band, keys, system, flows):
    """A referral by `route`: picked up (to a provider's waiting list) or not (returns False)."""
    if _draw(people, i, keys) >= system.pickup[route]:
        flows[n, E_NOT_PICKED_UP, g, band] += 1
        return False
    u = _draw(people, i, keys)
    p = 0
    while p < system.route_provider_cdf.shape[1] - 1 and u >= system.route_provider_cdf[route, p]:
        p += 1
    people.provider[i] = p
    people.route[i] = route
    people.ready[i] = 0
    people.wait_start[i] = t_end
    return True


@njit(inline="always")
def _leave_treatment(people, i, reason, n, tallies, c):
    m = people.modality[i]
    if m >= 0:
        tallies.modality_exits[c, n, reason, m] += 1
    people.modality[i] = -1
    people.provider[i] = -1
    people.handoff[i] = 0


@njit(inline="always")
def _move(people, i, s, new, t_end, n, g, band, keys, flows, log, c, system, route, tallies):
    """Apply a transition s -> new at the end of step n, with its events and bookkeeping."""
    f = flows
    was_tx = _in_treatment(s)
    if s == SUSTAIN:
        people.modality[i] = -1  # aftercare ends with recovery
    elif s == WAITING:  # off the waiting list (treatment starts are admissions: sim.providers.admit)
        people.ready[i] = 0
        people.provider[i] = -1
    if new == WAITING:
        if route >= 0 and not _refer(people, i, route, t_end, n, g, band, keys, system, flows):
            if s != PRISON:
                return  # not picked up: the person carries on as before
            new = USING_NAIVE if people.episodes[i] == 0 else USING_PREVIOUS
        else:
            f[n, E_PRESENT, g, band] += 1
            since = t_end - people.last_completion[i]
            if since <= 3.0:  # the first re-presentation after a successful completion ...
                n_c = n - int(np.round(since / system.dt))  # ... also counted at the step of that completion
                if since <= RE_PRESENTATION_WINDOW_YEARS:
                    f[n, E_REP6, g, band] += 1
                    if n_c >= 0:
                        f[n_c, E_REP6_OF_COMPLETION, g, band] += 1
                if n_c >= 0:
                    for k in range(3):  # within 1, 2, 3 years
                        if since <= k + 1.0:
                            f[n_c, E_REP1Y_OF_COMPLETION + k, g, band] += 1
                people.last_completion[i] = -np.inf  # later presentations are not re-presentations of it
    if new == TX_STAY:
        f[n, E_ENGAGED, g, band] += 1
    elif new == TX_STOP:
        f[n, E_STOP, g, band] += 1
    elif new == REMISSION:
        f[n, E_REMIT, g, band] += 1
    if was_tx and not _in_treatment(new):
        people.last_exit[i] = t_end
        if new == SUSTAIN:
            f[n, E_SUCCESS, g, band] += 1
            if people.housing_need[i] == 0:
                f[n, E_SUCCESS_HOUSED, g, band] += 1
            people.last_completion[i] = t_end
            _leave_treatment(people, i, EXIT_PLANNED, n, tallies, c)
            if _draw(people, i, keys) < system.aftercare_share:
                people.modality[i] = RECOVERY_SUPPORT
        elif new == PRISON:
            f[n, E_TRANSFER, g, band] += 1
            _leave_treatment(people, i, EXIT_TRANSFERRED, n, tallies, c)
        else:
            f[n, E_UNPLANNED, g, band] += 1
            _leave_treatment(people, i, EXIT_UNPLANNED, n, tallies, c)
    if new == PRISON:
        f[n, E_PRISON, g, band] += 1
    if s == PRISON:
        f[n, E_RELEASE, g, band] += 1
        people.last_release[i] = t_end
    if s == WAITING and (new == USING_NAIVE or new == USING_PREVIOUS):
        f[n, E_DROPOUT, g, band] += 1
    if (s == SUSTAIN or s == REMISSION) and (new == USING_NAIVE or new == USING_PREVIOUS or new == WAITING):
        f[n, E_RELAPSE, g, band] += 1
    people.state[i] = new
    people.since[i] = t_end
    _log(log, c, people.traced[i], n, i, s, new)


@njit(cache=True, parallel=True)
def step_people(people, n_before, n_active, n, year, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system,
                tallies, queues, log):
    """Advance rows [0, n_active) by one step n covering [t_start, t_start + dt).

    Rows are cut into fixed blocks (as many as the tallies have) that run in parallel;
    results do not depend on the number of threads.
    """
    n_blocks = tallies.stocks.shape[0]
    hbufs = np.empty((n_blocks, MAX_COMPETING))
    for c in prange(n_blocks):
        lo = c * n_active // n_blocks
        hi = (c + 1) * n_active // n_blocks
        _step_rows(people, lo, hi, c, n_before, n, year, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes,
                   system, tallies, queues, log, hbufs[c])


@njit(cache=True)
def step_people_serial(people, n_before, n_active, n, year, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes,
                       system, tallies, queues, log):
    """Same as `step_people`, blocks one after another (small areas: no thread start-up cost)."""
    n_blocks = tallies.stocks.shape[0]
    hbuf = np.empty(MAX_COMPETING)
    for c in range(n_blocks):
        lo = c * n_active // n_blocks
        hi = (c + 1) * n_active // n_blocks
        _step_rows(people, lo, hi, c, n_before, n, year, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes,
                   system, tallies, queues, log, hbuf)


@njit(inline="always")
def _mortality_hazards(people, i, s, g, t_mid, a, mort):
    """(drug-related, other-cause) annual death hazards of person i at time t_mid."""
    h_drd = mort.drug_related_base[g] * mort.drug_related_state[s] * mort.drug_related_age[a]
    if people.injecting[i] == CURRENT_INJECTOR:
        h_drd *= mort.hr_injecting
    if not _in_treatment(s) and t_mid - people.last_exit[i] < mort.post_exit_years:
        h_drd *= mort.hr_post_exit
    if t_mid - people.last_release[i] < mort.post_release_years:
        h_drd *= mort.hr_post_release
    h_other = mort.other_cause_age[a]
    if people.female[i] == 1:
        h_other *= mort.hr_female_other
    return h_drd, h_other


@njit(inline="always")
def _transition_hazards(people, i, s, g, t_mid, haz, hbuf):
    """Fill hbuf with the hazards out of state s; return their sum and the next duration-band edge."""
    lo = haz.ptr[s]
    hi = haz.ptr[s + 1]
    mask = (people.criminal_justice[i] | (people.housing_need[i] << 1) | (people.mental_health[i] << 2)
            | (people.still_using[i] << 3) | (people.maintenance[i] << 4)
            | ((people.injecting[i] == CURRENT_INJECTOR) << 5) | (people.female[i] << 6)
            | (people.ready[i] << 7) | ((people.handoff[i] == 1) << 8))
    modality = people.modality[i] + 1
    tis = t_mid - people.since[i]
    n_bands = haz.dur_edges.shape[1]
    total = 0.0
    next_edge = np.inf
    for k in range(lo, hi):
        h = haz.base[k, g]
        if h > 0.0:
            h *= haz.hr_table[k, mask] * haz.modality_hr[k, modality]
            b = 0
            while b + 1 < n_bands and tis >= haz.dur_edges[k, b + 1]:
                b += 1
            h *= haz.dur_mult[k, b]
            if b + 1 < n_bands:
                next_edge = min(next_edge, people.since[i] + haz.dur_edges[k, b + 1])
        hbuf[k - lo] = h
        total += h
    return total, next_edge


@njit(inline="always")
def _abstinence_hazard(people, i, s, outcomes):
    if _in_treatment(s) and people.still_using[i] == 1:
        return outcomes.abstinence_per_year
    return 0.0


@njit(inline="always")
def _housing_hazard(people, i, s, outcomes):
    if _in_treatment(s) and people.housing_need[i] == 1:
        return outcomes.housing_resolution_per_year
    return 0.0


@njit(inline="always")
def _age_index(age, per_age_step, n_age):
    return min(max(int(age * per_age_step), 0), n_age - 1)


@njit(inline="always")
def _draw(people, i, keys):
    """The person's next uniform on the journey stream (never exactly 0)."""
    u = uniform(keys.journey, i, people.draws[i])
    people.draws[i] += 1
    return max(u, 1.1102230246251565e-16)


@njit(inline="always")
def _refresh(people, i, s, g, m, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies, c,
             hbuf, per_age_step, n_age):
    """Re-evaluate person i's hazards at step m and draw the step of their next event.

    Also sets the step at which the hazards next change (refresh) and the step a scheduled
    move falls due. Exact: between refreshes the hazards are constant.
    """
    t_mid = t_start + (m - n + 0.5) * dt
    aftercare_end = people.last_completion[i] + system.aftercare_years
    if people.modality[i] == RECOVERY_SUPPORT and t_mid >= aftercare_end:
        people.modality[i] = -1
    age_mid = (t_mid if ageing else age_clock) - people.birth_time[i]
    a = _age_index(age_mid, per_age_step, n_age)
    h_drd, h_other = _mortality_hazards(people, i, s, g, t_mid, a, mort)
    total, until = _transition_hazards(people, i, s, g, t_mid, haz, hbuf)
    h_all = h_drd + h_other + total + _abstinence_hazard(people, i, s, outcomes) + _housing_hazard(people, i, s, outcomes)
    review_at = people.episode_start[i] + TOP_REVIEW_YEARS
    review_pending = _in_treatment(s) and people.reviewed[i] == 0
    if review_pending and t_mid >= review_at:
        if m == n:  # the 6-month TOP review falls in this step
            people.reviewed[i] = 1
            review_pending = False
            band = _age_band(age_mid)
            tallies.flows[c, n, E_TOP_REVIEW, g, band] += 1
            if people.still_using[i] == 0:
                tallies.flows[c, n, E_TOP_ABSTINENT, g, band] += 1
    if ageing and a < n_age - 1:
        until = min(until, t_mid + (a + 1) / per_age_step - age_mid)
    if people.modality[i] == RECOVERY_SUPPORT:
        until = min(until, aftercare_end)
    end = people.last_exit[i] + mort.post_exit_years
    if t_mid < end:
        until = min(until, end)
    end = people.last_release[i] + mort.post_release_years
    if t_mid < end:
        until = min(until, end)

    if review_pending:
        until = min(until, review_at)
    refresh = NEVER_STEP
    if review_pending and t_mid >= review_at:  # due in step m, after this step's move: look again then
        refresh = m
    elif until < np.inf:
        refresh = m + max(1, int(np.ceil((until - t_mid) / dt - 1e-7)))
    event = NEVER_STEP
    if h_all > 0.0:
        k = -np.log(_draw(people, i, keys)) / (h_all * dt)
        if k < NEVER_STEP - m:
            event = m + int(k)
    scheduled = NEVER_STEP
    if haz.scheduled_target[s] != NO_SCHEDULE:
        due = (people.since[i] + haz.scheduled_after_years[s] - 1e-9 - t_start) / dt + n - 1
        scheduled = max(m, int(np.ceil(due)))
    people.refresh_step[i] = refresh
    people.event_step[i] = event
    people.sched_step[i] = scheduled
    people.next_check[i] = min(refresh, min(event, scheduled))


@njit(inline="always")
def _event(people, i, s, g, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies, queues,
           log, c, hbuf, per_age_step, n_age):
    """One competing event in step n: death, a transition or abstinence, in proportion to the hazards."""
    flows = tallies.flows[c]
    t_mid = t_start + 0.5 * dt
    t_end = t_start + dt
    age_mid = (t_mid if ageing else age_clock) - people.birth_time[i]
    band = _age_band(age_mid)
    h_drd, h_other = _mortality_hazards(people, i, s, g, t_mid, _age_index(age_mid, per_age_step, n_age), mort)
    total, _ = _transition_hazards(people, i, s, g, t_mid, haz, hbuf)
    h_abs = _abstinence_hazard(people, i, s, outcomes)
    h_house = _housing_hazard(people, i, s, outcomes)
    x = _draw(people, i, keys) * (h_drd + h_other + total + h_abs + h_house)
    if x < h_drd + h_other:
        people.state[i] = DEAD
        people.death_time[i] = t_mid
        flows[n, E_DEATH, g, band] += 1
        if x < h_drd:
            people.drug_related_death[i] = 1
            flows[n, E_DRD, g, band] += 1
        if _in_treatment(s):
            flows[n, E_DEATH_TX, g, band] += 1
            _leave_treatment(people, i, EXIT_UNPLANNED, n, tallies, c)
        people.modality[i] = -1
        _log(log, c, people.traced[i], n, i, s, DEAD)
        return
    x -= h_drd + h_other
    if x < total:
        lo = haz.ptr[s]
        hi = haz.ptr[s + 1]
        k = lo
        acc = hbuf[0]
        while acc <= x and k < hi - 1:
            k += 1
            acc += hbuf[k - lo]
        new = haz.target[k]
        if new == READY:  # assessed: joins the provider's waiting list
            people.ready[i] = 1
            queues.ready[c, queues.ready_count[c]] = i
            queues.ready_count[c] += 1
            return
        if new == STEP_DOWN or new == STEP_UP:  # a change of modality within treatment: a planned modality exit
            tallies.modality_exits[c, n, EXIT_PLANNED, people.modality[i]] += 1
            people.modality[i] = GP_SHARED_CARE if new == STEP_DOWN else INPATIENT_DETOX
            return
        if new == HANDOFF:  # ready to pass to the prescribing service
            people.handoff[i] = 2
            queues.handoff[c, queues.handoff_count[c]] = i
            queues.handoff_count[c] += 1
            return
        if new == USING:
            new = USING_NAIVE if people.episodes[i] == 0 else USING_PREVIOUS
        _move(people, i, s, new, t_end, n, g, band, keys, flows, log, c, system, haz.route[k], tallies)
        return
    if x - total < h_abs:
        people.still_using[i] = 0  # TOP: abstinent from illicit use while in treatment
        flows[n, E_ABSTINENT, g, band] += 1
        if people.injecting[i] == CURRENT_INJECTOR:
            people.injecting[i] = PREVIOUS_INJECTOR
    else:
        people.housing_need[i] = 0
        flows[n, E_HOUSED, g, band] += 1


@njit(inline="always")
def _due(people, i, s, g, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies, queues, log,
         c, hbuf, per_age_step, n_age):
    """Refresh, event or scheduled move of person i in step n; returns their state after it."""
    t_end = t_start + dt
    if n >= people.refresh_step[i]:  # hazards change from this step on
        _refresh(people, i, s, g, n, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies, c,
                 hbuf, per_age_step, n_age)
    moved = False
    if n == people.event_step[i]:  # a competing event
        _event(people, i, s, g, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies,
               queues, log, c, hbuf, per_age_step, n_age)
        moved = True
    elif n >= people.sched_step[i]:  # or the scheduled move
        age_mid = (t_start + 0.5 * dt if ageing else age_clock) - people.birth_time[i]
        _move(people, i, s, haz.scheduled_target[s], t_end, n, g, _age_band(age_mid), keys,
              tallies.flows[c], log, c, system, -1, tallies)
        moved = True
    s = people.state[i]
    if moved and s != DEAD:
        _refresh(people, i, s, g, n + 1, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies,
                 c, hbuf, per_age_step, n_age)
    return s


# `_nrt=False` (numba's internal switch for reference counting): this function allocates
# nothing, and without it every helper call increfs/decrefs each array of the person, hazard
# and mortality tuples, which measured 5x slower. If numba drops the switch, delete it:
# results are identical, only slower.
@njit(cache=True, error_model="numpy", _nrt=False)
def _step_rows(people, lo_row, hi_row, c, n_before, n, year, t_start, dt, ageing, age_clock, keys, haz, mort,
               outcomes, system, tallies, queues, log, hbuf):
    """Step rows [lo_row, hi_row) (block c). Ages are clock - birth_time (the clock stops without ageing)."""
    stocks, flows, txd = tallies.stocks[c], tallies.flows[c], tallies.tx_duration[c]
    stocks_n, txd_n, elapsed_n = stocks[n], txd[n], tallies.tx_elapsed[c, n]  # this step's slices, hoisted
    providers_n, modalities_n = tallies.providers[c, n], tallies.modalities[c, n]
    t_end = t_start + dt
    age_end_clock = t_end if ageing else age_clock
    n_age = mort.other_cause_age.shape[0]
    per_age_step = 1.0 / mort.age_step_years
    for i in range(lo_row, hi_row):
        s = people.state[i]
        if s == DEAD:
            continue
        g = people.drug[i]
        if i >= n_before:  # 1. onset: joins during this step, hazards from the next
            people.state[i] = USING_NAIVE
            people.refresh_step[i] = n + 1
            people.next_check[i] = n + 1
            age_mid = (t_start + 0.5 * dt if ageing else age_clock) - people.birth_time[i]
            flows[n, E_NEW, g, _age_band(age_mid)] += 1
            _log(log, c, people.traced[i], n, i, NOT_YET, USING_NAIVE)
            stocks[n, USING_NAIVE, g, _age_band(age_end_clock - people.birth_time[i])] += 1
            continue
        if n >= people.next_check[i]:  # 2-3. something happens to this person in this step
            s = _due(people, i, s, g, n, t_start, dt, ageing, age_clock, keys, haz, mort, outcomes, system, tallies,
                     queues, log, c, hbuf, per_age_step, n_age)
            if s == DEAD:
                continue
        # 4. end-of-step stocks
        band = _age_band(age_end_clock - people.birth_time[i])
        stocks_n[s, g, band] += 1
        if TX_START <= s <= TX_STOP:
            d = t_end - people.episode_start[i]
            txd_n[g, DOMES_BAND_OF_YEAR[min(int(d), 7)]] += 1
            elapsed_n[g] += d
            providers_n[people.provider[i]] += 1
            if people.counted_year[i] != year:  # NDTMS: anyone in treatment at any point in the year
                people.counted_year[i] = year
                flows[n, E_IN_TX_YEAR, g, band] += 1
        m = people.modality[i]
        if m >= 0:
            modalities_n[m] += 1
