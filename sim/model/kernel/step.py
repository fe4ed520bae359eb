"""One step of every person's journey, compiled (numba) and run over the person columns.

Each person carries the step of their next event, sampled whenever their hazards change
("refresh"): with total hazard H constant, the number of whole steps until the next event
is geometric with P(event in a step) = 1 - exp(-H dt), drawn exactly as floor(-ln u / (H dt)).
Hazards change only at a state or attribute change, a year of age, a duration-band edge or
the end of a raised-risk window, so most person-steps cost one comparison.

For each person in step n (`step_rows`; the phases of a whole step are in `sim.model.model`):
  1. a new user whose onset time has come joins, using and never treated;
  2. if n is their refresh step, hazards are re-evaluated and the next event re-drawn (`refresh`);
  3. if n is their event step, one of the competing events happens, chosen in proportion
     to its hazard (`event`): death (drug-related or other cause), a transition out of the
     current state, or, in treatment, abstinence from illicit use (TOP) or a housing need
     resolved; else if n is the step a scheduled move falls due (engagement ends after a fixed
     number of weeks), it happens; either way the person's hazards are refreshed from step
     n + 1 (one move per step) (`due`);
  4. the person is re-counted in the end-of-step stocks (age = clock - birth time) if anything
     about them changed, or their age band or DOMES band did (`sim.model.kernel.counts`).
Steps 2-4 visit only people whose `next_check` has come: one comparison for everyone else.
Flows are counted by drug group and age band at the middle of the step.

Hazards are evaluated at the middle of the step (age and time in state), which keeps
results stable when the time step changes. Draws are keyed by (stream, person, k-th draw
of that person) (`sim.model.rng`): a lever changes only the journeys it touches.
"""

import numpy as np
from numba import njit, prange

from sim.model.kernel.codes import (
    CURRENT_INJECTOR,
    DEAD,
    E_ABSTINENT,
    E_DEATH,
    E_DEATH_TX,
    E_DRD,
    E_HOUSED,
    E_NEW,
    E_TOP_ABSTINENT,
    E_TOP_REVIEW,
    EXIT_PLANNED,
    EXIT_UNPLANNED,
    GP_SHARED_CARE,
    HANDOFF_READY,
    NEVER_STEP,
    NO_MODALITY,
    NO_PROVIDER,
    NO_SCHEDULE,
    NOT_YET,
    PREVIOUS_INJECTOR,
    RECOVERY_SUPPORT,
    TO_HANDOFF,
    TO_READY,
    TO_STEP_DOWN,
    TO_STEP_UP,
    TO_USING,
    TOP_REVIEW_YEARS,
    TX_START,
    TX_STOP,
    USING_NAIVE,
    WAITING,
)
from sim.model.kernel.counts import carry, recount
from sim.model.kernel.hazards import (
    abstinence_hazard,
    age_index,
    housing_hazard,
    mortality_hazards,
    next_window_edge,
    transition_hazards,
)
from sim.model.kernel.moves import move, using_state
from sim.model.kernel.people import (
    age_band,
    count_substitution,
    count_treated,
    draw,
    in_treatment,
    leave_treatment,
    log_move,
    log_note,
)
from sim.model.kernel.records import Records, Tables, TraceNote, TracePhase

NOTE_STEPPED_DOWN, JOURNEYS = int(TraceNote.STEPPED_DOWN), int(TracePhase.JOURNEYS)

MAX_COMPETING = 8  # most transitions out of one state (the hazard buffer of a block)


# Which competing event a drawn event is (`People.event_kind`): a transition's index among those out of
# the state (0..MAX_COMPETING-1), or one of these.
KIND_DRUG_RELATED_DEATH, KIND_OTHER_DEATH, KIND_ABSTINENT, KIND_HOUSED = -4, -3, -2, -1


@njit(inline="always")
def _which(x, h_drd, h_other, total, h_abs, n_transitions, hbuf):
    """The event a uniform x on [0, total hazard) falls in: each in proportion to its hazard."""
    if x < h_drd:
        return KIND_DRUG_RELATED_DEATH
    x -= h_drd
    if x < h_other:
        return KIND_OTHER_DEATH
    x -= h_other
    if x < total:
        k = 0
        acc = hbuf[0]
        while acc <= x and k < n_transitions - 1:
            k += 1
            acc += hbuf[k]
        return k
    return KIND_ABSTINENT if x - total < h_abs else KIND_HOUSED


@njit(inline="always")
def refresh(people, i, s, g, m, ctx, tables, records, c, hbuf):
    """Re-evaluate person i's hazards at step m (ctx.n or the next) and draw the step of their next event.

    Also sets the step at which the hazards next change (refresh) and the step a scheduled
    move falls due. Exact: between refreshes the hazards are constant, so an event that will
    come before the next refresh is also chosen now among the competing ones, in proportion to
    their hazards (`event_kind`; the time and the kind of a competing event are independent).
    """
    n, dt, t_start = ctx.n, ctx.dt, ctx.t_start
    haz, mort = tables.hazards, tables.mortality
    t_mid = t_start + (m - n + 0.5) * dt
    aftercare_end = people.last_completion[i] + tables.system.aftercare_years
    if people.modality[i] == RECOVERY_SUPPORT and t_mid >= aftercare_end:
        people.modality[i] = NO_MODALITY
    age_mid = (t_mid if ctx.ageing else ctx.age_clock) - people.birth_time[i]
    a = age_index(age_mid, mort)
    h_drd, h_other = mortality_hazards(people, i, s, g, t_mid, a, mort)
    total, until = transition_hazards(people, i, s, g, t_mid, haz, hbuf)
    h_abs = abstinence_hazard(people, i, s, tables.outcomes)
    h_all = h_drd + h_other + total + h_abs + housing_hazard(people, i, s, tables.outcomes)
    if ctx.ageing and a < mort.other_cause_age.shape[0] - 1:
        until = min(until, t_mid + (a + 1) / mort.per_age_step - age_mid)  # the next mortality age band
    if people.modality[i] == RECOVERY_SUPPORT:
        until = min(until, aftercare_end)
    if people.left_tolerance[i] == 1 and not in_treatment(s):  # the raised risk after leaving falls in steps
        until = min(until, next_window_edge(t_mid - people.last_exit[i], people.last_exit[i], mort.hr_after_treatment))
    until = min(until, next_window_edge(t_mid - people.last_release[i], people.last_release[i], mort.hr_after_release))

    next_refresh = NEVER_STEP
    if until < np.inf:
        next_refresh = min(NEVER_STEP, m + max(1, int(min(np.ceil((until - t_mid) / dt - 1e-7), 1e9))))
    next_event = NEVER_STEP
    if h_all > 0.0:
        k = -np.log(draw(people, i, ctx.journey_key)) / (h_all * dt)
        if k < NEVER_STEP - m:
            next_event = m + int(k)
    scheduled = NEVER_STEP
    if haz.scheduled_target[s] != NO_SCHEDULE:
        due_at = (people.since[i] + haz.scheduled_after_years[s] - 1e-9 - t_start) / dt + n - 1
        scheduled = min(NEVER_STEP, max(m, int(min(np.ceil(due_at), 1e9))))
    if next_event < next_refresh and next_event <= scheduled:  # it will happen: which event, decided now
        people.event_kind[i] = _which(draw(people, i, ctx.journey_key) * h_all, h_drd, h_other, total, h_abs,
                                      haz.ptr[s + 1] - haz.ptr[s], hbuf)
    people.refresh_step[i] = next_refresh
    people.event_step[i] = next_event
    people.sched_step[i] = scheduled
    people.next_check[i] = min(next_refresh, min(next_event, scheduled))


@njit(inline="always")
def event(people, i, s, g, ctx, tables, records, c):
    """One competing event in step ctx.n, the one chosen when it was drawn (`refresh`): death, a
    transition, abstinence or housing."""
    n = ctx.n
    haz = tables.hazards
    tallies, queues = records.tallies, records.queues
    flows = tallies.flows[c]
    t_mid = ctx.t_start + 0.5 * ctx.dt
    age_mid = (t_mid if ctx.ageing else ctx.age_clock) - people.birth_time[i]
    band = age_band(age_mid)
    kind = people.event_kind[i]
    if kind == KIND_DRUG_RELATED_DEATH or kind == KIND_OTHER_DEATH:
        people.state[i] = DEAD
        people.death_time[i] = t_mid
        flows[n, E_DEATH, g, band] += 1
        if kind == KIND_DRUG_RELATED_DEATH:
            people.drug_related_death[i] = 1
            flows[n, E_DRD, g, band] += 1
        if in_treatment(s):
            flows[n, E_DEATH_TX, g, band] += 1
            leave_treatment(people, i, EXIT_UNPLANNED, n, tallies, c, ctx.t_start + ctx.dt)
        elif s == WAITING:  # off the waiting list (providers skip the dead; this keeps the columns true)
            people.ready[i] = 0
            people.provider[i] = NO_PROVIDER
        people.modality[i] = NO_MODALITY
        log_move(records.log, c, people.traced[i], n, i, s, DEAD)
        return
    if kind >= 0:  # a transition
        k = haz.ptr[s] + kind
        new = haz.target[k]
        if new == TO_READY:  # assessed: joins the provider's waiting list
            people.ready[i] = 1
            queues.ready[c, queues.ready_count[c]] = i
            queues.ready_count[c] += 1
            return
        if new == TO_STEP_DOWN:  # a change of modality within treatment: a planned modality exit
            tallies.modality_exits[c, n, EXIT_PLANNED, people.modality[i]] += 1
            people.modality[i] = GP_SHARED_CARE
            count_substitution(people, i, ctx.year, flows[n], g, band)
            log_note(records.log, c, people.traced[i], n, i, s, s, NOTE_STEPPED_DOWN, JOURNEYS)
            return
        if new == TO_STEP_UP:  # referred for an inpatient detox placement: the provider buys it if its money allows
            queues.step_up[c, queues.step_up_count[c]] = i
            queues.step_up_count[c] += 1
            return
        if new == TO_HANDOFF:  # ready to pass to the prescribing service
            people.handoff[i] = HANDOFF_READY
            queues.handoff[c, queues.handoff_count[c]] = i
            queues.handoff_count[c] += 1
            return
        if new == TO_USING:
            new = using_state(people, i)
        move(people, i, s, new, haz.route[k], g, band, ctx, tables, records, c)
        return
    if kind == KIND_ABSTINENT:
        people.still_using[i] = 0  # TOP: abstinent from illicit use while in treatment
        flows[n, E_ABSTINENT, g, band] += 1
        if people.injecting[i] == CURRENT_INJECTOR:
            people.injecting[i] = PREVIOUS_INJECTOR
    else:
        people.housing_need[i] = 0
        flows[n, E_HOUSED, g, band] += 1


@njit(inline="always")
def top_review(people, i, ctx, flows_n):
    """The Treatment Outcomes Profile review about 6 months into an episode, counted in the step whose middle
    is past it (before the step's event; `sim.model.kernel.counts.recount` schedules the visit)."""
    t_mid = ctx.t_start + 0.5 * ctx.dt
    if t_mid >= people.episode_start[i] + TOP_REVIEW_YEARS:
        people.reviewed[i] = 1
        g = people.drug[i]
        band = age_band((t_mid if ctx.ageing else ctx.age_clock) - people.birth_time[i])
        flows_n[E_TOP_REVIEW, g, band] += 1
        if people.still_using[i] == 0:
            flows_n[E_TOP_ABSTINENT, g, band] += 1


@njit(inline="always")
def due(people, i, s, g, ctx, tables, records, c, hbuf):
    """Refresh, event or scheduled move of person i in step ctx.n; returns whether an event or move happened
    (what they are counted as may have changed)."""
    n = ctx.n
    if n >= people.refresh_step[i]:  # hazards change from this step on
        refresh(people, i, s, g, n, ctx, tables, records, c, hbuf)
    moved = False
    if n == people.event_step[i]:  # a competing event
        event(people, i, s, g, ctx, tables, records, c)
        moved = True
    elif n >= people.sched_step[i]:  # or the scheduled move
        age_mid = (ctx.t_start + 0.5 * ctx.dt if ctx.ageing else ctx.age_clock) - people.birth_time[i]
        move(people, i, s, tables.hazards.scheduled_target[s], -1, g, age_band(age_mid), ctx, tables, records, c)
        moved = True
    s = people.state[i]
    if moved and s != DEAD:
        refresh(people, i, s, g, n + 1, ctx, tables, records, c, hbuf)
    return moved


@njit(cache=True)
def step_people(people, n_before, n_active, ctx, tables, records, hbufs):
    """Advance rows [0, n_active) by one step (ctx). Rows [n_before, n_active) start using in it.

    Rows are cut into fixed blocks (as many as the tallies have) that run in parallel;
    results do not depend on the number of threads. `hbufs`: float64[block, MAX_COMPETING],
    scratch for each block's hazards (allocated once a run: an allocation costs more than a
    small area's step).
    """
    # numba's parallel loop takes tuples only as they came in as arguments: pass it the inner ones
    _step_blocks_in_parallel(people, n_before, n_active, ctx, tables.hazards, tables.mortality, tables.outcomes,
                             tables.system, records.tallies, records.queues, records.log, hbufs)
    carry(records.tallies, ctx.n)


@njit(cache=True, parallel=True)
def _step_blocks_in_parallel(people, n_before, n_active, ctx, hazards, mortality, outcomes, system, tallies, queues,
                             log, hbufs):
    n_blocks = tallies.stocks.shape[0]
    for c in prange(n_blocks):
        lo = c * n_active // n_blocks
        hi = (c + 1) * n_active // n_blocks
        step_rows(people, lo, hi, c, n_before, ctx, Tables(hazards, mortality, outcomes, system),
                  Records(tallies, queues, log), hbufs[c])


# `_nrt=False` (numba's internal switch for reference counting): this function allocates
# nothing, and without it every helper call increfs/decrefs each array of the person, hazard
# and mortality tuples, which measured 5x slower. If numba drops the switch, delete it:
# results are identical, only slower.
@njit(cache=True, error_model="numpy", _nrt=False)
def step_rows(people, lo_row, hi_row, c, n_before, ctx, tables, records, hbuf):
    """Step rows [lo_row, hi_row) (block c): only people something happens to are visited beyond one
    comparison (`next_check`); their counts move in this block's changes (`sim.model.kernel.counts`)."""
    n = ctx.n
    tallies = records.tallies
    flows = tallies.flows[c]
    age_end_clock = ctx.t_start + ctx.dt if ctx.ageing else ctx.age_clock
    for i in range(lo_row, min(hi_row, n_before)):
        if n >= people.next_check[i]:  # 2-3. something happens to this person in this step
            s = people.state[i]
            if in_treatment(s) and people.reviewed[i] == 0:
                top_review(people, i, ctx, flows[n])
            moved = s != DEAD and due(people, i, s, people.drug[i], ctx, tables, records, c, hbuf)
            if (moved or n >= people.recount_step[i] or people.state[i] != people.counted_state[i]
                    or people.modality[i] != people.counted_modality[i]
                    or people.provider[i] != people.counted_provider[i]):
                recount(people, i, ctx, c, tallies)  # 4.
            else:  # only hazards re-drawn: nothing counted changed (first counts, a refresh ending aftercare and a
                # re-commissioning's new provider are caught by the tests above)
                people.next_check[i] = min(min(people.refresh_step[i], people.event_step[i]),
                                           min(people.sched_step[i], people.recount_step[i]))
    for i in range(max(lo_row, n_before), hi_row):  # 1. onset: joins during this step, hazards from the next
        g = people.drug[i]
        people.state[i] = USING_NAIVE
        people.refresh_step[i] = n + 1
        age_mid = (ctx.t_start + 0.5 * ctx.dt if ctx.ageing else ctx.age_clock) - people.birth_time[i]
        flows[n, E_NEW, g, age_band(age_mid)] += 1
        log_move(records.log, c, people.traced[i], n, i, NOT_YET, USING_NAIVE)
        recount(people, i, ctx, c, tallies)
    if ctx.year_start:  # NDTMS: anyone in treatment (on substitutes) at any point in the year (later: `admit`)
        for i in range(lo_row, hi_row):
            s = people.state[i]
            if TX_START <= s <= TX_STOP and people.counted_year[i] != ctx.year:
                count_treated(people, i, ctx.year, flows[n], people.drug[i],
                              age_band(age_end_clock - people.birth_time[i]))
