"""What the providers do each step, compiled: queue the people the journeys made ready, take over
handed-off clients, admit from the waiting lists while money is free.

`provider_phase` runs after the journeys of a step (`sim.model.kernel.step`), for every
commissioned service in turn (the order of `sim.model.providers.build_providers`). The queues
live in `Services` arrays, one row per service: entries [start, end) of its row, oldest
first. An entry stands only while its person is still on that list for the referral it was
made with; entries of people who left are skipped when reached and dropped whenever the row
is compacted, so a step costs work in proportion to the people admitted, not to the list.
The length of each list (people waiting, not entries) is a counted stock (`Tallies.waiting`).
Admissions and hand-offs re-count their people in step n's levels (block 0).
"""

from numba import njit

from sim.domain.states import DrugGroup
from sim.model.kernel.codes import (
    E_CJ_START,
    E_FIRST_START,
    E_HANDOFF,
    E_HANDOFF_FAILED,
    E_NEW_TO_NDTMS,
    E_OVER_3_WEEKS,
    E_START,
    EXIT_PLANNED,
    GP_SHARED_CARE,
    HANDOFF_DUE,
    HANDOFF_NONE,
    HANDOFF_READY,
    INPATIENT_DETOX,
    ROUTE_CJ,
    ROUTE_PRISON_RELEASE,
    SPECIALIST_PRESCRIBING,
    THREE_WEEKS_YEARS,
    TX_START,
    TX_STAY,
    USING_PREVIOUS,
    WAITING,
)
from sim.model.kernel.counts import recount
from sim.model.kernel.people import age_band, count_substitution, count_treated, draw, drop_out, in_treatment, log_note
from sim.model.kernel.records import TraceNote, TracePhase

NOTE_HANDOFF_FAILED, NOTE_HANDED_OFF = int(TraceNote.HANDOFF_FAILED), int(TraceNote.HANDED_OFF)
NOTE_STEPPED_UP = int(TraceNote.STEPPED_UP)
PROVIDERS = int(TracePhase.PROVIDERS)  # the journey log's rows of this phase follow the step's journeys
OPIATE_ONLY, OPIATE_CRACK = int(DrugGroup.OPIATE_ONLY), int(DrugGroup.OPIATE_CRACK)
SLACK_ENTRIES = 1024  # a list is compacted once its stale entries outnumber its people and this


@njit(inline="always")
def _clock(ctx):
    """The end of step ctx.n as the providers read it (start time + (n + 1) steps: the times admissions
    record), and the clock ages are read at. Their counts use the journeys' reading (`recount`)."""
    t_end = ctx.origin + (ctx.n + 1) * ctx.dt
    return t_end, (t_end if ctx.ageing else ctx.age_clock)


@njit(inline="always")
def on_list(people, i, p, joined):
    """Is person i still on service p's waiting list for the referral they joined it with?"""
    return (people.state[i] == WAITING and people.ready[i] == 1 and people.provider[i] == p
            and people.wait_start[i] == joined)


@njit(inline="always")
def in_handoff(people, i):
    """Is person i still in treatment and ready to be handed off?"""
    return people.handoff[i] == HANDOFF_READY and in_treatment(people.state[i])


@njit(inline="always")
def _compact_waiting(people, services, p):
    """Service p's waiting list without its stale entries, moved to the front of its row."""
    rows, joined = services.waiting[p], services.joined[p]
    k = 0
    for j in range(services.waiting_start[p], services.waiting_end[p]):
        if on_list(people, rows[j], p, joined[j]):
            rows[k] = rows[j]
            joined[k] = joined[j]
            k += 1
    services.waiting_start[p] = 0
    services.waiting_end[p] = k


@njit(inline="always")
def _compact_handoffs(people, services, p):
    rows = services.handoffs[p]
    k = 0
    for j in range(services.handoffs_start[p], services.handoffs_end[p]):
        if in_handoff(people, rows[j]):
            rows[k] = rows[j]
            k += 1
    services.handoffs_start[p] = 0
    services.handoffs_end[p] = k


@njit(inline="always")
def join_waiting_list(people, services, i, listed):
    """Person i, assessed this step, at the back of their provider's list (`listed`: people on it now)."""
    p = people.provider[i]
    end = services.waiting_end[p]
    if end == services.waiting.shape[1] or end - services.waiting_start[p] > 2 * listed + SLACK_ENTRIES:
        _compact_waiting(people, services, p)
        end = services.waiting_end[p]
    services.waiting[p, end] = i
    services.joined[p, end] = people.wait_start[i]
    services.waiting_end[p] = end + 1


@njit(inline="always")
def join_handoffs(people, services, i):
    """Client i, ready to be handed off, in the queue of the service their provider hands off to."""
    p = services.handoff_to[people.provider[i]]
    end = services.handoffs_end[p]
    if end == services.handoffs.shape[1]:
        _compact_handoffs(people, services, p)
        end = services.handoffs_end[p]
    services.handoffs[p, end] = i
    services.handoffs_end[p] = end + 1


@njit(inline="always")
def weekly_spend(services, p, caseload):
    """What service p's clients' care costs a week (GBP): its caseload by modality x unit costs."""
    spend = 0.0
    for m in range(caseload.shape[0]):
        spend += caseload[m] * services.weekly_cost[p, m]
    return spend


@njit(inline="always")
def admit(people, services, p, free, ctx, outcomes, tallies, log):
    """Admit from service p's waiting list (longest-waiting first) while it has money free this week
    (`free`, GBP: its weekly budget less the care its clients cost); return the money left. Each
    admission takes the weekly cost of the modality it gets, so the last one admitted may take the
    service just over its budget.

    Someone who left the list (dropped out, died, imprisoned) and was referred again later is behind
    everyone who joined meanwhile, whatever their old entry said.
    """
    n, year, key = ctx.n, ctx.year, ctx.journey_key
    t_end, age_clock = _clock(ctx)
    rows, joined = services.waiting[p], services.joined[p]
    j = services.waiting_start[p]
    end = services.waiting_end[p]
    f = tallies.flows[0]
    while j < end and free > 0:
        i = rows[j]
        if not on_list(people, i, p, joined[j]):
            j += 1
            continue
        j += 1
        g = people.drug[i]
        band = age_band(age_clock - people.birth_time[i])
        opiate = g == OPIATE_ONLY or g == OPIATE_CRACK
        u = draw(people, i, key)
        m = 0
        while m < services.opiate_cdf.shape[1] - 1 and u >= (services.opiate_cdf[p, m] if opiate
                                                            else services.other_cdf[p, m]):
            m += 1
        free -= services.weekly_cost[p, m]
        people.state[i] = TX_START
        log_note(log, 0, people.traced[i], n, i, WAITING, TX_START, 0, PROVIDERS)  # the admission
        people.since[i] = t_end
        people.ready[i] = 0
        people.modality[i] = m
        people.handoff[i] = HANDOFF_DUE if (services.hands_off[p] and opiate) else HANDOFF_NONE
        people.episodes[i] += 1
        people.episode_start[i] = t_end
        people.still_using[i] = 1
        people.reviewed[i] = 0
        people.maintenance[i] = 1 if draw(people, i, key) < outcomes.maintenance_share[g] else 0
        people.refresh_step[i] = n + 1
        f[n, E_START, g, band] += 1
        if people.episodes[i] == 1:  # never treated before: a first-time entrant
            f[n, E_FIRST_START, g, band] += 1
        # new to NDTMS: not counted in treatment in any year of its records (before count_treated counts this one)
        if (people.counted_year[i] < outcomes.ndtms_records_from if outcomes.ndtms_records_from > 0
                else people.episodes[i] == 1):
            f[n, E_NEW_TO_NDTMS, g, band] += 1
        if people.route[i] == ROUTE_CJ or people.route[i] == ROUTE_PRISON_RELEASE:  # through criminal justice
            f[n, E_CJ_START, g, band] += 1
        if t_end - people.wait_start[i] > THREE_WEEKS_YEARS + 1e-9:
            f[n, E_OVER_3_WEEKS, g, band] += 1
        count_treated(people, i, year, f[n], g, band)
        recount(people, i, ctx, 0, tallies)
    services.waiting_start[p] = j
    return free


@njit(inline="always")
def take_handoffs(people, services, p, free, ctx, tallies, log):
    """Take over clients handed off to service p by tier 2 services while money is free (GBP a week,
    as `admit`); failed hand-offs return to using. Returns the money left."""
    n, key = ctx.n, ctx.journey_key
    t_end, age_clock = _clock(ctx)
    rows = services.handoffs[p]
    j = services.handoffs_start[p]
    end = services.handoffs_end[p]
    f = tallies.flows[0]
    after = services.after_handoff_modality[p]
    while j < end and free > 0:
        i = rows[j]
        j += 1
        s = people.state[i]
        if not in_handoff(people, i):
            continue  # left treatment meanwhile
        sender = people.provider[i]
        g = people.drug[i]
        band = age_band(age_clock - people.birth_time[i])
        old_modality = people.modality[i]
        if draw(people, i, key) < services.handoff_success[sender]:
            free -= services.weekly_cost[p, after]
            tallies.modality_exits[0, n, EXIT_PLANNED, old_modality] += 1  # a hand-off is a planned modality exit
            people.provider[i] = p
            people.modality[i] = after
            people.handoff[i] = HANDOFF_NONE
            people.refresh_step[i] = n + 1  # a new modality: hazards change
            f[n, E_HANDOFF, g, band] += 1
            count_substitution(people, i, ctx.year, f[n], g, band)
            log_note(log, 0, people.traced[i], n, i, s, s, NOTE_HANDED_OFF, PROVIDERS)
        else:  # not picked up: back to using, an unplanned exit from the system
            f[n, E_HANDOFF_FAILED, g, band] += 1
            drop_out(people, i, n, g, band, f, tallies, 0, t_end)
            people.state[i] = USING_PREVIOUS
            people.since[i] = t_end
            log_note(log, 0, people.traced[i], n, i, s, USING_PREVIOUS, NOTE_HANDOFF_FAILED, PROVIDERS)
            people.refresh_step[i] = n + 1
        recount(people, i, ctx, 0, tallies)
    services.handoffs_start[p] = j
    return free


@njit(inline="always")
def step_ups_for(people, queues, p):
    """How many of this step's referrals for an inpatient detox placement are service p's clients."""
    k = 0
    for c in range(queues.step_up_count.shape[0]):
        for j in range(queues.step_up_count[c]):
            if people.provider[queues.step_up[c, j]] == p:
                k += 1
    return k


@njit(inline="always")
def buy_step_ups(people, services, queues, p, free, ctx, tallies, log):
    """Move service p's clients referred this step from prescribing or shared care to inpatient detox while money
    is free (GBP a week: the placement's weekly cost less that of the modality left); a referral the money does
    not cover lapses (the client stays, and may be referred again). Returns the money left."""
    n = ctx.n
    for c in range(queues.step_up_count.shape[0]):
        for j in range(queues.step_up_count[c]):
            i = queues.step_up[c, j]
            old = people.modality[i]
            if (people.provider[i] != p or people.state[i] != TX_STAY
                    or not (old == SPECIALIST_PRESCRIBING or old == GP_SHARED_CARE)):
                continue  # another service's client, or left meanwhile
            if free <= 0:
                return free
            free -= services.weekly_cost[p, INPATIENT_DETOX] - services.weekly_cost[p, old]
            tallies.modality_exits[0, n, EXIT_PLANNED, old] += 1  # a step-up is a planned modality exit
            people.modality[i] = INPATIENT_DETOX
            people.refresh_step[i] = n + 1  # a new modality: hazards change
            log_note(log, 0, people.traced[i], n, i, TX_STAY, TX_STAY, NOTE_STEPPED_UP, PROVIDERS)
            recount(people, i, ctx, 0, tallies)
    return free


# `_nrt=False`: allocates nothing (as `sim.model.kernel.step.step_rows`); with reference counting on, every
# inlined helper increfs and decrefs the arrays of the person and service tuples, several times slower.
@njit(cache=True, error_model="numpy", _nrt=False, inline="always")  # inlined: no call passing every column
def provider_phase(people, services, queues, ctx, outcomes, tallies, log):
    """3. The people the step made ready join their provider's queues (in block and row order); then each
    commissioned service in turn takes over hand-offs, buys the inpatient detox placements its clients were
    referred for, and admits from its list, while money is free.
    Records each service's weekly spend as its turn began and ended (`Services.spend`)."""
    n = ctx.n
    listed = tallies.waiting[0, n]  # people on each list after this step's journeys (levels: after carry)
    for c in range(queues.ready_count.shape[0]):
        for k in range(queues.ready_count[c]):
            join_waiting_list(people, services, queues.ready[c, k], listed[people.provider[queues.ready[c, k]]])
        for k in range(queues.handoff_count[c]):
            join_handoffs(people, services, queues.handoff[c, k])
    caseload = tallies.providers[0, n]
    for p in range(services.commissioned.shape[0]):
        if not services.commissioned[p]:
            continue
        has_handoffs = services.handoffs_end[p] > services.handoffs_start[p]
        step_ups = step_ups_for(people, queues, p)
        if not has_handoffs and listed[p] == 0 and step_ups == 0:
            continue  # nobody to take in: no need to add up what its clients cost
        spend = weekly_spend(services, p, caseload[p])
        free = services.weekly_budget[p] - spend
        services.spend[n, p, 0] = spend
        if has_handoffs and free > 0:
            free = take_handoffs(people, services, p, free, ctx, tallies, log)
        if step_ups > 0 and free > 0:
            free = buy_step_ups(people, services, queues, p, free, ctx, tallies, log)
        if listed[p] > 0 and free > 0:
            free = admit(people, services, p, free, ctx, outcomes, tallies, log)
        services.spend[n, p, 1] = weekly_spend(services, p, caseload[p])
    for p in range(services.commissioned.shape[0]):  # a list with more stale entries than people is compacted
        if services.waiting_end[p] - services.waiting_start[p] > 2 * listed[p] + SLACK_ENTRIES:
            _compact_waiting(people, services, p)
