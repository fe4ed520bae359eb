"""What a provider does each step, compiled: take over handed-off clients, admit from its waiting list.

Called by each provider (`sim.model.providers.Provider.step`) after the journeys of the step.
Both keep the end-of-step stocks right: a person admitted or handed on in step n is re-counted
in step n's levels (block 0, after `sim.model.kernel.counts.carry`).
"""

import numpy as np
from numba import njit

from sim.domain.states import DrugGroup
from sim.model.kernel.codes import (
    E_HANDOFF,
    E_HANDOFF_FAILED,
    E_IN_TX_YEAR,
    E_OVER_3_WEEKS,
    E_START,
    E_UNPLANNED,
    EXIT_PLANNED,
    EXIT_UNPLANNED,
    HANDOFF_DUE,
    HANDOFF_NONE,
    HANDOFF_READY,
    THREE_WEEKS_YEARS,
    TX_START,
    USING_PREVIOUS,
    WAITING,
)
from sim.model.kernel.counts import recount
from sim.model.kernel.people import age_band, draw, in_treatment, leave_treatment, log_note
from sim.model.kernel.records import TraceNote

NOTE_HANDOFF_FAILED = int(TraceNote.HANDOFF_FAILED)
OPIATE_ONLY, OPIATE_CRACK = int(DrugGroup.OPIATE_ONLY), int(DrugGroup.OPIATE_CRACK)


@njit(cache=True)
def admit(people, waiting, joined, free, service, ctx, outcomes, tallies):
    """Admit from the waiting list (longest-waiting first) while the service has money free this week
    (`free[0]`, GBP: its weekly budget less the care its clients cost); return who still waits (rows,
    and the referral time each joined with). Each admission takes the weekly cost of the modality
    it gets, so the last one admitted may take the service just over its budget.

    An entry stands only while its person is still waiting on this list for the referral they joined
    with: someone who left (dropped out, died, imprisoned) and was referred again later is behind
    everyone who joined meanwhile, whatever their old entry said.
    """
    n, year, key = ctx.n, ctx.year, ctx.journey_key
    t_end = ctx.origin + (n + 1) * ctx.dt
    age_clock = t_end if ctx.ageing else ctx.age_clock
    t_count = ctx.t_start + ctx.dt  # counted as the journeys of the step count: at the same clock reading
    count_clock = t_count if ctx.ageing else ctx.age_clock
    keep = np.empty_like(waiting)
    keep_joined = np.empty_like(joined)
    kept = 0
    for j in range(waiting.shape[0]):
        i = waiting[j]
        if (people.state[i] != WAITING or people.ready[i] == 0 or people.provider[i] != service.index
                or people.wait_start[i] != joined[j]):
            continue  # left the list: dropped out, died, imprisoned (and maybe back on it, further down)
        if free[0] <= 0:
            keep[kept] = i
            keep_joined[kept] = joined[j]
            kept += 1
            continue
        g = people.drug[i]
        band = age_band(age_clock - people.birth_time[i])
        opiate = g == OPIATE_ONLY or g == OPIATE_CRACK
        cdf = service.opiate_cdf if opiate else service.other_cdf
        u = draw(people, i, key)
        m = 0
        while m < cdf.shape[0] - 1 and u >= cdf[m]:
            m += 1
        free[0] -= service.weekly_cost[m]
        people.state[i] = TX_START
        people.since[i] = t_end
        people.ready[i] = 0
        people.modality[i] = m
        people.handoff[i] = HANDOFF_DUE if (service.hands_off and opiate) else HANDOFF_NONE
        people.episodes[i] += 1
        people.episode_start[i] = t_end
        people.still_using[i] = 1
        people.reviewed[i] = 0
        people.maintenance[i] = 1 if draw(people, i, key) < outcomes.maintenance_share[g] else 0
        people.refresh_step[i] = n + 1
        f = tallies.flows[0]
        f[n, E_START, g, band] += 1
        if t_end - people.wait_start[i] > THREE_WEEKS_YEARS + 1e-9:
            f[n, E_OVER_3_WEEKS, g, band] += 1
        if people.counted_year[i] != year:
            people.counted_year[i] = year
            f[n, E_IN_TX_YEAR, g, band] += 1
        recount(people, i, n, 0, t_count, count_clock, ctx.ageing, ctx.dt, ctx.origin, tallies)
    return keep[:kept].copy(), keep_joined[:kept].copy()


@njit(cache=True)
def take_handoffs(people, queue, free, handoff_success, service, ctx, tallies, log):
    """Take over clients handed off by tier 2 services while money is free (GBP a week, as `admit`);
    failed hand-offs return to using."""
    n, key = ctx.n, ctx.journey_key
    t_end = ctx.origin + (n + 1) * ctx.dt
    age_clock = t_end if ctx.ageing else ctx.age_clock
    t_count = ctx.t_start + ctx.dt  # counted as the journeys of the step count: at the same clock reading
    count_clock = t_count if ctx.ageing else ctx.age_clock
    keep = np.empty_like(queue)
    kept = 0
    for j in range(queue.shape[0]):
        i = queue[j]
        s = people.state[i]
        if people.handoff[i] != HANDOFF_READY or not in_treatment(s):
            continue  # left treatment meanwhile
        if free[0] <= 0:
            keep[kept] = i
            kept += 1
            continue
        sender = people.provider[i]
        g = people.drug[i]
        band = age_band(age_clock - people.birth_time[i])
        old_modality = people.modality[i]
        f = tallies.flows[0]
        if draw(people, i, key) < handoff_success[sender]:
            free[0] -= service.weekly_cost[service.after_handoff_modality]
            tallies.modality_exits[0, n, EXIT_PLANNED, old_modality] += 1  # a hand-off is a planned modality exit
            people.provider[i] = service.index
            people.modality[i] = service.after_handoff_modality
            people.handoff[i] = HANDOFF_NONE
            f[n, E_HANDOFF, g, band] += 1
        else:  # not picked up: back to using, an unplanned exit from the system
            f[n, E_HANDOFF_FAILED, g, band] += 1
            f[n, E_UNPLANNED, g, band] += 1
            leave_treatment(people, i, EXIT_UNPLANNED, n, tallies, 0)
            people.state[i] = USING_PREVIOUS
            people.since[i] = t_end
            log_note(log, 0, people.traced[i], n, i, s, USING_PREVIOUS, NOTE_HANDOFF_FAILED)
            people.last_exit[i] = t_end
            people.refresh_step[i] = n + 1
        recount(people, i, n, 0, t_count, count_clock, ctx.ageing, ctx.dt, ctx.origin, tallies)
    return keep[:kept].copy()
