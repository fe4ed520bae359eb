"""The end-of-step stocks, counted incrementally: a person is re-counted only when something about them changes.

Visiting every living person every step to count them cost about four fifths of a large
area's run. Instead each person carries what they are counted as (`counted_*` columns: state,
age band, DOMES band, provider, modality, on a waiting list) and is re-counted (`recount`: out of the old cells,
into the new) only when touched: at an event, an admission or hand-off, or at the step their
end-of-step age band or DOMES band changes or their TOP review falls (`recount_step`, part of
`next_check`). The work
per step is then proportional to the people something happens to, not to the people alive.

Each block of rows writes the changes of its step into its own slice of the tallies
(`Tallies`: block c, step n); `carry` then turns step n into levels in block 0
(level[n] = level[n-1] + the changes of every block) and zeroes the other blocks, so block 0
holds the stocks every later reader sums over blocks. The providers, acting after the
journeys of a step, re-count the people they admit or hand on straight into block 0's levels.
The summed elapsed episode time of the caseload (`tx_elapsed`) follows from the count in
treatment and the summed episode starts (`tx_start_sum`), in `close_step`.
"""

import numpy as np
from numba import njit

from sim.domain.states import AGE_BAND_EDGES
from sim.model.kernel.codes import DEAD, NEVER_STEP, NOT_YET, TOP_REVIEW_YEARS, TX_START, TX_STOP, WAITING
from sim.model.kernel.people import AGE_BAND_OF_YEAR, DOMES_BAND_OF_YEAR, age_band, domes_band

NOT_COUNTED = -1  # counted_state of someone not in the stocks (not yet using, or dead)


def _next_change(band_of_year: np.ndarray) -> np.ndarray:
    """For each whole year y (the table's index), the next whole year at which the band changes (a large
    number if it never does)."""
    out = np.full(band_of_year.shape[0], 10_000.0)
    for y in range(band_of_year.shape[0]):
        later = np.flatnonzero(band_of_year[y + 1:] != band_of_year[y])
        if later.size:
            out[y] = y + 1 + later[0]
    return out


NEXT_AGE_EDGE = _next_change(AGE_BAND_OF_YEAR)  # float64[year of age]: next reporting age-band edge
NEXT_DOMES_EDGE = _next_change(DOMES_BAND_OF_YEAR)  # float64[whole years elapsed, capped at 7]
assert NEXT_AGE_EDGE[int(AGE_BAND_EDGES[-1])] > 1000  # the top band never ends


@njit(inline="always")
def _steps_to(edge, now, dt):
    """Steps until `now` (growing by dt a step) reaches `edge`, less one (at least 1): a re-count scheduled
    a step early finds no change and is scheduled again, so rounding can never make it late."""
    return max(1, int(np.ceil((edge - now) / dt)) - 1)


@njit(inline="always")
def recount(people, i, ctx, c, tallies):
    """Move person i's counts in step ctx.n (block c) from what they were counted as to what they are now,
    and schedule the step their age band or DOMES band next changes or their TOP review falls (`recount_step`).

    Ages and elapsed times are read at the end of the step (ages at ctx.age_clock without ageing);
    episode starts are summed from ctx.origin (`tx_start_sum`).
    """
    n, dt, origin = ctx.n, ctx.dt, ctx.origin
    t_end = ctx.t_start + dt
    age_clock = t_end if ctx.ageing else ctx.age_clock
    g = people.drug[i]
    cs = people.counted_state[i]
    if cs != NOT_COUNTED:  # out of the old cells
        tallies.stocks[c, n, cs, g, people.counted_band[i]] -= 1
        cm = people.counted_modality[i]
        if cm >= 0:
            tallies.modalities[c, n, cm] -= 1
        if people.counted_listed[i]:
            tallies.waiting[c, n, people.counted_provider[i]] -= 1
        if TX_START <= cs <= TX_STOP:
            tallies.tx_duration[c, n, g, people.counted_domes[i]] -= 1
            tallies.tx_start_sum[c, n, g] -= people.episode_start[i] - origin
            tallies.providers[c, n, people.counted_provider[i], cm] -= 1
    s = people.state[i]
    if s == DEAD or s == NOT_YET:
        people.counted_state[i] = NOT_COUNTED
        people.counted_modality[i] = -1
        people.counted_listed[i] = 0
        people.recount_step[i] = NEVER_STEP
        people.next_check[i] = NEVER_STEP
        return
    age = age_clock - people.birth_time[i]
    band = age_band(age)
    tallies.stocks[c, n, s, g, band] += 1
    m = people.modality[i]
    if m >= 0:
        tallies.modalities[c, n, m] += 1
    listed = s == WAITING and people.ready[i] == 1
    if listed:
        tallies.waiting[c, n, people.provider[i]] += 1
    people.counted_listed[i] = listed
    nxt = NEVER_STEP
    if ctx.ageing:
        edge = NEXT_AGE_EDGE[min(max(int(age), 0), NEXT_AGE_EDGE.shape[0] - 1)]
        if edge < 1000.0:
            nxt = n + _steps_to(edge, age, dt)
    if TX_START <= s <= TX_STOP:
        elapsed = t_end - people.episode_start[i]
        tallies.tx_duration[c, n, g, domes_band(elapsed)] += 1
        tallies.tx_start_sum[c, n, g] += people.episode_start[i] - origin
        tallies.providers[c, n, people.provider[i], m] += 1
        people.counted_domes[i] = domes_band(elapsed)
        edge = NEXT_DOMES_EDGE[min(max(int(elapsed), 0), NEXT_DOMES_EDGE.shape[0] - 1)]
        if edge < 1000.0:
            nxt = min(nxt, n + _steps_to(edge, elapsed, dt))
        if people.reviewed[i] == 0:  # the TOP review: the first step whose middle is past it
            review_at = people.episode_start[i] + TOP_REVIEW_YEARS
            nxt = min(nxt, n + max(1, int(np.ceil((review_at - (t_end - 0.5 * dt)) / dt - 1e-7))))
    people.counted_state[i] = s
    people.counted_band[i] = band
    people.counted_modality[i] = m
    people.counted_provider[i] = people.provider[i]
    people.recount_step[i] = nxt
    people.next_check[i] = min(min(people.refresh_step[i], people.event_step[i]),
                               min(people.sched_step[i], nxt))


# inlined into the step: a call passing every tally cost a small area's step more than the work (measured 5%);
# allocates nothing: no reference counting (sim.model.kernel.step.step_rows)
@njit(cache=True, _nrt=False, inline="always")
def carry(tallies, n):
    """Step n's changes (every block) onto the levels of step n - 1, into block 0; other blocks zeroed."""
    _carry(tallies.stocks, n)
    _carry(tallies.tx_duration, n)
    _carry(tallies.providers, n)
    _carry(tallies.modalities, n)
    _carry(tallies.tx_start_sum, n)
    _carry(tallies.waiting, n)


@njit(inline="always")
def _carry(x, n):
    for cell in np.ndindex(x.shape[2:]):
        level = x[(0, n) + cell]
        for c in range(1, x.shape[0]):
            level += x[(c, n) + cell]
            x[(c, n) + cell] = 0
        if n > 0:
            level += x[(0, n - 1) + cell]
        x[(0, n) + cell] = level


@njit(cache=True, _nrt=False, inline="always")
def close_step(tallies, n, t_end, origin):
    """After the providers: the caseload's summed elapsed episode time, from its count and summed starts."""
    stocks = tallies.stocks[0, n]
    for g in range(stocks.shape[1]):
        count = 0
        for s in range(TX_START, TX_STOP + 1):
            for a in range(stocks.shape[2]):
                count += stocks[s, g, a]
        tallies.tx_elapsed[0, n, g] = count * (t_end - origin) - tallies.tx_start_sum[0, n, g]
