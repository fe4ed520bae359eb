"""The named tuples the compiled step takes: its context, the tables it reads, the records it writes.

Every compiled function gets the same few bundles instead of a long list of positional
arguments:
- `StepContext`: which step this is and where it lies in calendar time;
- `Tables`: the hazard, mortality and outcome tables (`sim.model.hazards`) and the commissioned
  system as the step sees it (`SystemTables`), all read-only during a run;
- `Records`: what the step writes besides the person columns: tallies, the queues handed to
  the providers and the trace of logged journeys.
Tallies and queues have one slice per block of rows, so blocks can run in parallel.
"""

from enum import IntEnum
from typing import NamedTuple

import numpy as np

from sim.model.hazards import HazardTables, MortalityTables, OutcomeTables


class StepContext(NamedTuple):
    """Step n covers calendar time [t_start, t_start + dt)."""

    n: int  # index of the step
    year: int  # index of its calendar year (n // steps_per_year): NDTMS counts people once a year
    t_start: float
    dt: float  # years
    ageing: bool  # False: ages stay as at the start (age_clock)
    age_clock: float  # the time ages are read at when ageing is off
    journey_key: np.uint64  # the run's journey stream (sim.model.rng): every per-person draw
    origin: float  # the time summed episode starts are measured from (Tallies.tx_start_sum): the run's start
    year_start: bool  # the first step of a calendar year: everyone in treatment is counted for the year


class SystemTables(NamedTuple):
    """The commissioned system as the compiled step sees it."""

    pickup: np.ndarray  # float64[route]: chance a referral is picked up
    route_provider_cdf: np.ndarray  # float64[route, provider]: which provider a referral goes to
    provider_offset: int  # index of the system's first provider (> 0 once a new system is commissioned)
    aftercare_share: float
    aftercare_years: float


class Tables(NamedTuple):
    hazards: HazardTables
    mortality: MortalityTables
    outcomes: OutcomeTables
    system: SystemTables


class Tallies(NamedTuple):
    """Counts per block of rows (summed over the first axis for output), so blocks run in parallel.

    Stocks (all but flows and modality exits) are levels in block 0 once a step is over; during
    the journeys of a step each block writes its changes (`sim.model.kernel.counts.carry`).
    """

    stocks: np.ndarray  # int32[block, step, state, drug group, age band], end of step
    flows: np.ndarray  # int32[block, step, event, drug group, age band], during step
    tx_duration: np.ndarray  # int32[block, step, drug group, DOMES band]: in treatment by elapsed episode time
    providers: np.ndarray  # int32[block, step, provider, modality]: caseload at the end of the step
    modalities: np.ndarray  # int32[block, step, modality]: people in each modality at the end of the step
    modality_exits: np.ndarray  # int32[block, step, ExitReason, modality]
    tx_elapsed: np.ndarray  # float64[block, step, drug group]: summed elapsed years of the caseload
    tx_start_sum: np.ndarray  # float64[block, step, drug group]: the caseload's summed episode starts - origin
    waiting: np.ndarray  # int32[block, step, provider]: people assessed and on each provider's waiting list
    tx_ends: np.ndarray  # float64[block, step, drug group, 2]: episodes ended in the step, and their summed length


class Queues(NamedTuple):
    """People who became ready this step, per block, for the providers to act on."""

    ready: np.ndarray  # int64[block, row]: assessed, waiting for a place
    ready_count: np.ndarray  # int64[block]
    handoff: np.ndarray  # int64[block, row]: ready to be handed off
    handoff_count: np.ndarray  # int64[block]
    step_up: np.ndarray  # int64[block, row]: referred for an inpatient detox placement (bought with money free)
    step_up_count: np.ndarray  # int64[block]


class Services(NamedTuple):
    """The commissioned services as the compiled provider phase sees them (`sim.model.kernel.admission`),
    one row per provider (global number): their terms, set from Python whenever a contract changes
    (`sim.model.providers.Provider.contract`), and their queues."""

    commissioned: np.ndarray  # int8[provider]: takes its turn each step
    weekly_budget: np.ndarray  # float64[provider]: GBP a week (simulated people's share; inf: unfunded)
    weekly_cost: np.ndarray  # float64[provider, modality]: GBP per client-week
    opiate_cdf: np.ndarray  # float64[provider, modality]: cumulative modality mix for opiate clients
    other_cdf: np.ndarray  # float64[provider, modality]: for crack-only and non-opiate clients
    hands_off: np.ndarray  # int8[provider]: opiate clients admitted are to be handed off for prescribing
    handoff_to: np.ndarray  # int64[provider]: the service it hands off to (-1: none)
    handoff_success: np.ndarray  # float64[provider]: chance its hand-offs are picked up
    after_handoff_modality: np.ndarray  # int64[provider]: modality of a client taken over
    waiting: np.ndarray  # int32[provider, entry]: waiting list, entries [waiting_start, waiting_end), oldest first
    joined: np.ndarray  # float64[provider, entry]: the referral time each entry joined with (people.wait_start)
    waiting_start: np.ndarray  # int64[provider]
    waiting_end: np.ndarray  # int64[provider]
    handoffs: np.ndarray  # int32[provider, entry]: clients to be taken over from tier 2
    handoffs_start: np.ndarray  # int64[provider]
    handoffs_end: np.ndarray  # int64[provider]
    spend: np.ndarray  # float64[step, provider, 2]: weekly spend as its turn began and ended (NaN: no turn)


class TraceNote(IntEnum):
    """What a row of the journey log records besides the change of state."""

    NONE = 0  # a state change
    HANDOFF_FAILED = 1  # a hand-off not picked up: the person returned to using
    # Changes within treatment that keep the state (from_state = to_state): a new service or modality
    HANDED_OFF = 2  # a hand-off picked up: the client passed to the service it was handed to
    STEPPED_UP = 3  # an inpatient detox placement bought for a client on prescribing or shared care
    STEPPED_DOWN = 4  # from specialist prescribing to GP shared care


class TracePhase(IntEnum):
    """Which phase of a step logged a row: a step's rows are in this order (a person's journeys and their
    provider's turn may both log one in the same step, in different blocks of the log)."""

    JOURNEYS = 0
    PROVIDERS = 1


TRACE_NOTES = tuple("" if n == TraceNote.NONE else n.name.lower() for n in TraceNote)


class TraceLog(NamedTuple):
    """State changes of traced people, one buffer per block of rows."""

    step: np.ndarray  # int32[block, row]
    person: np.ndarray  # int64[block, row]
    source: np.ndarray  # int8[block, row]
    target: np.ndarray  # int8[block, row]
    note: np.ndarray  # int8[block, row]: a TraceNote
    phase: np.ndarray  # int8[block, row]: a TracePhase
    count: np.ndarray  # int64[block]: rows used (may exceed capacity: overflow)


class Records(NamedTuple):
    tallies: Tallies
    queues: Queues
    log: TraceLog
