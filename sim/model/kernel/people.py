"""Small compiled helpers on one person's row, shared by the step and the providers' admissions.

All are inlined into their callers (`inline="always"`): reading a person's age band, drawing
their next uniform, taking them off a modality, logging a traced journey.
"""

import numpy as np
from numba import njit

from sim.domain.states import AGE_BAND_EDGES
from sim.model.kernel.codes import (
    E_IN_TX_YEAR,
    E_OST_YEAR,
    E_UNPLANNED,
    EXIT_UNPLANNED,
    GP_SHARED_CARE,
    HANDOFF_NONE,
    INPATIENT_DETOX,
    NO_MODALITY,
    NO_PROVIDER,
    SPECIALIST_PRESCRIBING,
    TX_START,
    TX_STOP,
)
from sim.model.rng import uniform

AGE_BAND_OF_YEAR = np.searchsorted(np.array(AGE_BAND_EDGES), np.arange(0, 130), side="right").clip(1) - 1
# DOMES time-in-treatment bands (<1, 1-2, 2-4, 4-6, 6+ years) by whole years elapsed (capped at 7)
DOMES_BAND_OF_YEAR = np.array([0, 1, 2, 2, 3, 3, 4, 4], dtype=np.int64)


@njit(inline="always")
def age_band(age):
    """Reporting age band (index into AGE_BAND_NAMES) by table lookup: no data-dependent branches."""
    return AGE_BAND_OF_YEAR[min(max(int(age), 0), 129)]


@njit(inline="always")
def domes_band(elapsed_years):
    """DOMES band of an episode's elapsed time."""
    return DOMES_BAND_OF_YEAR[min(int(elapsed_years), 7)]


@njit(inline="always")
def in_treatment(s):
    return TX_START <= s <= TX_STOP


@njit(inline="always")
def draw(people, i, key):
    """The person's next uniform on the journey stream (never exactly 0)."""
    u = uniform(key, i, people.draws[i])
    people.draws[i] += 1
    return max(u, 1.1102230246251565e-16)


@njit(inline="always")
def count_substitution(people, i, year, f_n, g, band):
    """NDTMS counts the adults prescribed opiate substitutes in a year once each: the first time in the year they
    are on specialist prescribing or GP shared care (at the year's start, an admission or a change of modality)."""
    m = people.modality[i]
    if (m == SPECIALIST_PRESCRIBING or m == GP_SHARED_CARE) and people.ost_counted_year[i] != year:
        people.ost_counted_year[i] = year
        f_n[E_OST_YEAR, g, band] += 1


@njit(inline="always")
def count_treated(people, i, year, f_n, g, band):
    """NDTMS counts everyone in treatment at any point in a year once each (at the year's start or their
    admission), and among them those prescribed opiate substitutes (`count_substitution`)."""
    if people.counted_year[i] != year:
        people.counted_year[i] = year
        f_n[E_IN_TX_YEAR, g, band] += 1
    count_substitution(people, i, year, f_n, g, band)


@njit(inline="always")
def leave_treatment(people, i, reason, n, tallies, c, t):
    """Off their modality and provider at time t, counting a modality exit for `reason` (an ExitReason code) and
    the episode's end with its length (`Tallies.tx_ends`)."""
    g = people.drug[i]
    tallies.tx_ends[c, n, g, 0] += 1.0
    tallies.tx_ends[c, n, g, 1] += t - people.episode_start[i]
    m = people.modality[i]
    if m >= 0:
        tallies.modality_exits[c, n, reason, m] += 1
    # leaving opioid substitution or detox, tolerance falls: raised overdose risk for four weeks (mortality_hazards)
    people.left_tolerance[i] = m == SPECIALIST_PRESCRIBING or m == GP_SHARED_CARE or m == INPATIENT_DETOX
    people.modality[i] = NO_MODALITY
    people.provider[i] = NO_PROVIDER
    people.handoff[i] = HANDOFF_NONE


@njit(inline="always")
def step_of(t, t_end, n, dt):
    """The step that ended at time t, counted back from step n (which ends at t_end): where a cohort measure
    counts an outcome, against the earlier event it follows (negative: before the run)."""
    return n - int(np.round((t_end - t) / dt))


@njit(inline="always")
def drop_out(people, i, n, g, band, f, tallies, c, t):
    """An unplanned exit at time t (step n, block c): counted, off modality and provider, and followed up for a
    return to treatment (`last_dropout`: the NTA's drop-out cohort)."""
    f[n, E_UNPLANNED, g, band] += 1
    people.last_exit[i] = t
    people.last_dropout[i] = t
    leave_treatment(people, i, EXIT_UNPLANNED, n, tallies, c, t)


@njit(inline="always")
def log_note(log, c, traced, step, person, source, target, note, phase):
    """One row of the journey log for a traced person (a TraceNote code in `note`, a TracePhase in `phase`)."""
    if traced:
        j = log.count[c]
        if j < log.step.shape[1]:
            log.step[c, j] = step
            log.person[c, j] = person
            log.source[c, j] = source
            log.target[c, j] = target
            log.note[c, j] = note
            log.phase[c, j] = phase
        log.count[c] = j + 1


@njit(inline="always")
def log_move(log, c, traced, step, person, source, target):
    """A state change in the journeys of a step (block c)."""
    log_note(log, c, traced, step, person, source, target, 0, 0)
