"""Every code the compiled step compares against, as a plain int (numba freezes globals at compile time).

The names mirror the domain enums (`sim.domain.states`, `sim.domain.transitions`); this module
only turns them into constants the kernel can use without enum objects.
"""

from sim.domain.states import CRIMINAL_JUSTICE_ROUTES, Event, ExitReason, Handoff, Injecting, Modality, State
from sim.domain.transitions import Destination

# states (person column `state`)
NOT_YET, DEAD = int(State.NOT_YET), int(State.DEAD)
USING_NAIVE, USING_PREVIOUS, WAITING = int(State.USING_NAIVE), int(State.USING_PREVIOUS), int(State.WAITING)
TX_START, TX_STAY, TX_STOP = int(State.TX_START), int(State.TX_STAY), int(State.TX_STOP)
SUSTAIN, REMISSION, PRISON = int(State.SUSTAIN), int(State.REMISSION), int(State.PRISON)

# destinations of a transition that are not a plain state (hazard table column `target`)
TO_USING = int(Destination.USING)
TO_READY = int(Destination.READY)
TO_HANDOFF = int(Destination.HANDOFF)
TO_STEP_DOWN, TO_STEP_UP = int(Destination.STEP_DOWN), int(Destination.STEP_UP)
NO_SCHEDULE = int(Destination.NO_SCHEDULE)

# events (the flow tallies)
E_NEW, E_PRESENT, E_REP6 = int(Event.NEW_USER), int(Event.PRESENTATION), int(Event.RE_PRESENTATION_6M)
E_START, E_ENGAGED, E_STOP = int(Event.TREATMENT_START), int(Event.ENGAGED), int(Event.PLANNED_EXIT_BEGUN)
E_SUCCESS, E_UNPLANNED, E_TRANSFER = int(Event.EXIT_SUCCESSFUL), int(Event.EXIT_UNPLANNED), int(Event.EXIT_TRANSFERRED)
E_DROPOUT, E_RELAPSE, E_REMIT = int(Event.WAITING_DROPOUT), int(Event.RELAPSE), int(Event.NATURAL_REMISSION)
E_PRISON, E_RELEASE = int(Event.IMPRISONMENT), int(Event.RELEASE)
E_DEATH, E_DRD, E_DEATH_TX = int(Event.DEATH), int(Event.DEATH_DRUG_RELATED), int(Event.DEATH_IN_TREATMENT)
E_ABSTINENT = int(Event.ABSTINENT_IN_TREATMENT)
E_NOT_PICKED_UP = int(Event.REFERRAL_NOT_PICKED_UP)
E_HANDOFF, E_HANDOFF_FAILED = int(Event.TRANSFER), int(Event.TRANSFER_FAILED)
E_OVER_3_WEEKS = int(Event.WAITED_OVER_3_WEEKS)
E_IN_TX_YEAR, E_REP6_OF_COMPLETION = int(Event.IN_TREATMENT_THIS_YEAR), int(Event.RE_PRESENTED_OF_COMPLETION)
E_TOP_REVIEW, E_TOP_ABSTINENT = int(Event.TOP_REVIEW), int(Event.TOP_REVIEW_ABSTINENT)
E_HOUSED, E_SUCCESS_HOUSED = int(Event.HOUSING_RESOLVED), int(Event.EXIT_SUCCESSFUL_NO_HOUSING_NEED)
E_REP_SAME_YEAR_OF_COMPLETION = int(Event.RE_PRESENTED_SAME_YEAR_OF_COMPLETION)
E_REP1Y_OF_COMPLETION = int(Event.RE_PRESENTED_1Y_OF_COMPLETION)  # then 2y and 3y: consecutive events
E_FIRST_START = int(Event.FIRST_TREATMENT_START)
E_NEW_TO_NDTMS = int(Event.NEW_TO_NDTMS_START)
E_RETAINED_OF_START = int(Event.RETAINED_OF_START)
E_RETURN_OF_DROPOUT = int(Event.RETURNED_3Y_OF_DROPOUT)
E_CJ_START = int(Event.CRIMINAL_JUSTICE_START)
E_OST_YEAR = int(Event.ON_OPIOID_SUBSTITUTION_THIS_YEAR)
ROUTE_CJ, ROUTE_PRISON_RELEASE = (int(r) for r in CRIMINAL_JUSTICE_ROUTES)
DROPOUT_FOLLOW_UP_YEARS = 3.0

# modalities (person column `modality`; NO_MODALITY = none) and modality exit reasons
NO_MODALITY = -1
RECOVERY_SUPPORT = int(Modality.RECOVERY_SUPPORT)
GP_SHARED_CARE, INPATIENT_DETOX = int(Modality.GP_SHARED_CARE), int(Modality.INPATIENT_DETOX)
SPECIALIST_PRESCRIBING = int(Modality.SPECIALIST_PRESCRIBING)
EXIT_PLANNED, EXIT_UNPLANNED, EXIT_TRANSFERRED = (int(ExitReason.PLANNED), int(ExitReason.UNPLANNED),
                                                  int(ExitReason.TRANSFERRED))

# hand-off to prescribing (person column `handoff`)
HANDOFF_NONE, HANDOFF_DUE, HANDOFF_READY = int(Handoff.NONE), int(Handoff.DUE), int(Handoff.READY)

CURRENT_INJECTOR, PREVIOUS_INJECTOR = int(Injecting.CURRENT), int(Injecting.PREVIOUS)

NO_PROVIDER = -1
NEVER_STEP = 2**31 - 1  # "no such step" (step columns are int32: half the memory a step scans)

# fixed definitions of the measures (not parameters)
TOP_REVIEW_YEARS = 0.5  # the Treatment Outcomes Profile review about 6 months into an episode
RE_PRESENTATION_WINDOW_YEARS = 0.5  # PHOF 2.15: re-presentation within 6 months of completion
COMPLETER_FOLLOW_UP_YEARS = 3  # first re-presentation of completers counted within 1, 2 and 3 years
THREE_WEEKS_YEARS = 3.0 / 52.0  # NDTMS waiting-time standard
TWO_WEEKS_YEARS, FOUR_WEEKS_YEARS = 2.0 / 52.0, 4.0 / 52.0  # the steps of raised risk after treatment or prison
