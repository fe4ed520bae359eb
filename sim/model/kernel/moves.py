"""Applying a move: a person's state changes at the end of step n, with its flows and bookkeeping.

`move` is the one place a transition (or a scheduled move) becomes a change of state: it
counts the events the move implies (a presentation, a successful or unplanned exit, a relapse,
an imprisonment, ...), ends a modality or an aftercare spell, and logs traced journeys.
"""

import numpy as np
from numba import njit

from sim.model.kernel.codes import (
    COMPLETER_FOLLOW_UP_YEARS,
    DROPOUT_FOLLOW_UP_YEARS,
    E_DROPOUT,
    E_ENGAGED,
    E_NOT_PICKED_UP,
    E_PRESENT,
    E_PRISON,
    E_RELAPSE,
    E_RELEASE,
    E_REMIT,
    E_REP1Y_OF_COMPLETION,
    E_REP6,
    E_REP6_OF_COMPLETION,
    E_REP_SAME_YEAR_OF_COMPLETION,
    E_RETAINED_OF_START,
    E_RETURN_OF_DROPOUT,
    E_STOP,
    E_SUCCESS,
    E_SUCCESS_HOUSED,
    E_TRANSFER,
    EXIT_PLANNED,
    EXIT_TRANSFERRED,
    NO_MODALITY,
    NO_PROVIDER,
    PRISON,
    RE_PRESENTATION_WINDOW_YEARS,
    RECOVERY_SUPPORT,
    REMISSION,
    SUSTAIN,
    TX_START,
    TX_STAY,
    TX_STOP,
    USING_NAIVE,
    USING_PREVIOUS,
    WAITING,
)
from sim.model.kernel.people import draw, drop_out, in_treatment, leave_treatment, log_move, step_of


@njit(inline="always")
def using_state(people, i):
    """Where someone who goes back to using lands: never treated, or treated before."""
    return USING_NAIVE if people.episodes[i] == 0 else USING_PREVIOUS


@njit(inline="always")
def refer(people, i, route, t_end, g, band, ctx, system, flows):
    """A referral by `route`: picked up (onto a provider's waiting list: True) or not (False)."""
    if draw(people, i, ctx.journey_key) >= system.pickup[route]:
        flows[ctx.n, E_NOT_PICKED_UP, g, band] += 1
        return False
    u = draw(people, i, ctx.journey_key)
    p = 0
    while p < system.route_provider_cdf.shape[1] - 1 and u >= system.route_provider_cdf[route, p]:
        p += 1
    people.provider[i] = system.provider_offset + p
    people.route[i] = route
    people.ready[i] = 0
    people.wait_start[i] = t_end
    return True


@njit(inline="always")
def _count_re_presentation(people, i, t_end, g, band, ctx, f):
    """A presentation after a successful completion: PHOF within 6 months, DOMES within the completion's
    calendar year, and the completer follow-up (within 1, 2, 3 years), all but the first counted at the step of
    that completion; the first presentation within 3 years of an unplanned exit, counted at the step of that
    exit."""
    n = ctx.n
    if t_end - people.last_dropout[i] <= DROPOUT_FOLLOW_UP_YEARS:
        n_d = step_of(people.last_dropout[i], t_end, n, ctx.dt)
        if n_d >= 0:
            f[n_d, E_RETURN_OF_DROPOUT, g, band] += 1
    people.last_dropout[i] = -np.inf  # later presentations are not returns after it
    since = t_end - people.last_completion[i]
    if since <= COMPLETER_FOLLOW_UP_YEARS:  # the first re-presentation after a successful completion ...
        n_c = step_of(people.last_completion[i], t_end, n, ctx.dt)  # ... also counted at that completion's step
        if since <= RE_PRESENTATION_WINDOW_YEARS:
            f[n, E_REP6, g, band] += 1
            if n_c >= 0:
                f[n_c, E_REP6_OF_COMPLETION, g, band] += 1
        if n_c >= ctx.year * int(np.round(1.0 / ctx.dt)):  # completed this calendar year
            f[n_c, E_REP_SAME_YEAR_OF_COMPLETION, g, band] += 1
        if n_c >= 0:
            for k in range(COMPLETER_FOLLOW_UP_YEARS):  # within 1, 2, 3 years
                if since <= k + 1.0:
                    f[n_c, E_REP1Y_OF_COMPLETION + k, g, band] += 1
        people.last_completion[i] = -np.inf  # later presentations are not re-presentations of it


@njit(inline="always")
def move(people, i, s, new, route, g, band, ctx, tables, records, c):
    """Apply a transition s -> new at the end of step ctx.n, with its events and bookkeeping.

    `route` >= 0 makes the move to WAITING a referral by that route, which may not be picked up:
    the person then stays where they were (or, leaving prison, returns to using).
    """
    n = ctx.n
    t_end = ctx.t_start + ctx.dt
    system = tables.system
    tallies = records.tallies
    f = tallies.flows[c]
    was_tx = in_treatment(s)
    if s == SUSTAIN:
        people.modality[i] = NO_MODALITY  # aftercare ends with recovery
    elif s == WAITING:  # off the waiting list (treatment starts are admissions: kernel.admission.admit)
        people.ready[i] = 0
        people.provider[i] = NO_PROVIDER
    if new == WAITING:
        if route >= 0 and not refer(people, i, route, t_end, g, band, ctx, system, f):
            if s != PRISON:
                return  # not picked up: the person carries on as before
            new = using_state(people, i)
        else:
            f[n, E_PRESENT, g, band] += 1
            _count_re_presentation(people, i, t_end, g, band, ctx, f)
    if s == TX_START and (new == TX_STAY or new == TX_STOP):  # retained 12 weeks, or completing within them
        n_s = step_of(people.episode_start[i], t_end, n, ctx.dt)  # the step this episode began
        if n_s >= 0:  # (the caseload at the start began before the run)
            f[n_s, E_RETAINED_OF_START, g, band] += 1
    if new == TX_STAY:
        f[n, E_ENGAGED, g, band] += 1
    elif new == TX_STOP:
        f[n, E_STOP, g, band] += 1
    elif new == REMISSION:
        f[n, E_REMIT, g, band] += 1
    if was_tx and not in_treatment(new):
        people.last_exit[i] = t_end
        if new == SUSTAIN:
            f[n, E_SUCCESS, g, band] += 1
            if people.housing_need[i] == 0:
                f[n, E_SUCCESS_HOUSED, g, band] += 1
            people.last_completion[i] = t_end
            leave_treatment(people, i, EXIT_PLANNED, n, tallies, c, t_end)
            if draw(people, i, ctx.journey_key) < system.aftercare_share:
                people.modality[i] = RECOVERY_SUPPORT
        elif new == PRISON:
            f[n, E_TRANSFER, g, band] += 1
            leave_treatment(people, i, EXIT_TRANSFERRED, n, tallies, c, t_end)
        else:
            drop_out(people, i, n, g, band, f, tallies, c, t_end)
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
    log_move(records.log, c, people.traced[i], n, i, s, new)
