"""Whole steps, compiled: onset, journeys, providers, the caseload's elapsed time, for a stretch of steps.

`sim.model.model.JourneysModel` calls `advance_steps` once per stretch in which nothing changes from
outside the compiled code (a change of what is in force, or a year end, where the caseload
profile is taken, ends a stretch): the phases of a step (written out in `sim.model.model`) run
here without a return to Python in between, so a step of a small area costs microseconds.
"""

import numpy as np
from numba import njit

from sim.model.kernel.admission import provider_phase
from sim.model.kernel.counts import carry, close_step
from sim.model.kernel.records import StepContext
from sim.model.kernel.step import step_people, step_rows


# `_nrt=False`: allocates nothing, so no reference counting of the many arrays it passes on (measured: half
# a small area's step); see sim.model.kernel.step.step_rows.
@njit(cache=True, _nrt=False)
def advance_steps(people, n_from, n_to, n_initial, n_active, onsets, start_time, dt, steps_per_year, ageing, key,
                  tables, records, services, parallel_from, hbufs):
    """Steps [n_from, n_to) of a run that began at `start_time` (rows [0, n_initial) at the start, then
    rows switched on by their `onsets` times); returns the rows active at the end. `hbufs`: float64[block,
    MAX_COMPETING], scratch for each block's hazards."""
    queues = records.queues
    for n in range(n_from, n_to):
        t = start_time + n * dt
        # 1. onset: rows whose onset time is before the end of the step switch on
        n_before = n_active
        n_active = n_initial + np.searchsorted(onsets, t + dt, side="left")
        ctx = StepContext(np.int64(n), np.int64(n // steps_per_year), t, dt, ageing, t if ageing else start_time,
                          key, start_time, n % steps_per_year == 0)
        # 2. journeys
        queues.ready_count[:] = 0
        queues.handoff_count[:] = 0
        queues.step_up_count[:] = 0
        if n_active >= parallel_from:
            step_people(people, n_before, n_active, ctx, tables, records, hbufs)
        else:  # the blocks one after another, called from here: each level of call passes every column
            n_blocks = hbufs.shape[0]
            for c in range(n_blocks):
                step_rows(people, c * n_active // n_blocks, (c + 1) * n_active // n_blocks, c, n_before, ctx, tables,
                          records, hbufs[c])
            carry(records.tallies, n)
        # 3. providers
        provider_phase(people, services, queues, ctx, tables.outcomes, records.tallies, records.log)
        # the caseload's summed elapsed episode time, once the providers have acted
        close_step(records.tallies, n, t + dt, start_time)
    return n_active
