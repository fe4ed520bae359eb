"""Domain vocabulary: recovery-step states, drug groups, events, modalities, routes and their codes.

Integer codes are what the person columns hold; the names are what outputs show.
Everything that counts people by state or event uses these tables, so a new state
or event is added here once. Nothing here imports the rest of `sim`.
"""

from enum import IntEnum


class State(IntEnum):
    """Where a person is on their journey (NTA recovery steps: start, stay, stop, sustain)."""

    NOT_YET = 0  # a future new user, created ahead so that row numbers never change
    USING_NAIVE = 1  # dependent use, never treated ("not known to treatment")
    USING_PREVIOUS = 2  # dependent use, treated before (dropped out or relapsed)
    WAITING = 3  # presented, waiting for a first intervention
    TX_START = 4  # in treatment: engagement, the first weeks
    TX_STAY = 5  # in treatment: retention in a modality
    TX_STOP = 6  # in treatment: planned exit under way (detox, reduction, completion)
    SUSTAIN = 7  # left treatment successfully, in recovery
    REMISSION = 8  # stopped without treatment ("grew out" of dependency)
    PRISON = 9
    DEAD = 10


N_STATES = len(State)
IN_TREATMENT = (State.TX_START, State.TX_STAY, State.TX_STOP)
USING = (State.USING_NAIVE, State.USING_PREVIOUS)
IN_RECOVERY = (State.SUSTAIN, State.REMISSION)
LIVING = tuple(s for s in State if s not in (State.NOT_YET, State.DEAD))


class DrugGroup(IntEnum):
    """NDTMS-style drug groups; the first three together are opiate and/or crack users (OCU). NDTMS's and DOMES's
    "non-opiate" clients are the last two: crack without opiates, and other drugs (the `non_opiate` aggregate)."""

    OPIATE_ONLY = 0
    OPIATE_CRACK = 1
    CRACK_ONLY = 2
    OTHER_DRUGS = 3  # cocaine, cannabis, other drugs (not opiates or crack); the hr_non_opiate_* parameters act on it


N_DRUG_GROUPS = len(DrugGroup)


class Injecting(IntEnum):
    NEVER = 0
    PREVIOUS = 1
    CURRENT = 2


class Parental(IntEnum):
    """Parental status as NDTMS records it at presentation."""

    NOT_A_PARENT = 0
    PARENT_NOT_LIVING_WITH_CHILDREN = 1
    LIVING_WITH_CHILDREN = 2


class Event(IntEnum):
    """Flows counted during each step (several may fire for one person in one step)."""

    NEW_USER = 0
    PRESENTATION = 1
    RE_PRESENTATION_6M = 2  # presentation within 6 months of a successful completion (PHOF)
    TREATMENT_START = 3
    ENGAGED = 4  # start -> stay
    PLANNED_EXIT_BEGUN = 5  # stay -> stop
    EXIT_SUCCESSFUL = 6
    EXIT_UNPLANNED = 7
    EXIT_TRANSFERRED = 8  # left community treatment for custody
    WAITING_DROPOUT = 9
    RELAPSE = 10
    NATURAL_REMISSION = 11
    IMPRISONMENT = 12
    RELEASE = 13
    DEATH = 14
    DEATH_DRUG_RELATED = 15
    DEATH_IN_TREATMENT = 16
    ABSTINENT_IN_TREATMENT = 17  # TOP: stopped illicit use while in treatment
    REFERRAL_NOT_PICKED_UP = 18  # a referral that never reached treatment (attrition)
    TRANSFER = 19  # hand-off to another provider picked up
    TRANSFER_FAILED = 20  # hand-off not picked up: the person returns to using
    WAITED_OVER_3_WEEKS = 21  # treatment starts after more than 3 weeks on the waiting list
    IN_TREATMENT_THIS_YEAR = 22  # first time a person is counted in treatment in a calendar year (NDTMS)
    RE_PRESENTED_OF_COMPLETION = 23  # re-presentation within 6 months, counted at the step of the completion
    TOP_REVIEW = 24  # reached the 6-month TOP review still in treatment
    TOP_REVIEW_ABSTINENT = 25  # ... and abstinent from illicit use at it
    HOUSING_RESOLVED = 26  # housing need resolved while in treatment
    EXIT_SUCCESSFUL_NO_HOUSING_NEED = 27  # successful exit with no housing need
    # First re-presentation after a successful completion within 1, 2 and 3 years, counted at the
    # step of the completion (the NTA follow-up of the 2005-06 completer cohort)
    RE_PRESENTED_1Y_OF_COMPLETION = 28
    RE_PRESENTED_2Y_OF_COMPLETION = 29
    RE_PRESENTED_3Y_OF_COMPLETION = 30
    FIRST_TREATMENT_START = 31  # a treatment start of someone never treated before (NDTMS first-time entrants)
    RETAINED_OF_START = 32  # stayed 12 weeks or began a planned exit within them, counted at the start's step
    # First presentation within 3 years of an unplanned exit, counted at the step of that exit (the NTA
    # follow-up of the 2005-06 drop-outs)
    RETURNED_3Y_OF_DROPOUT = 33
    # A treatment start referred through the criminal justice system: arrest referral, DIP, DRR, or from prison
    # (the routes CRIMINAL_JUSTICE and PRISON_RELEASE)
    CRIMINAL_JUSTICE_START = 34
    # First time a person is prescribed opiate substitutes (specialist prescribing or GP shared care) in a calendar
    # year (NDTMS: adults prescribed opiate substitutes in the year)
    ON_OPIOID_SUBSTITUTION_THIS_YEAR = 35
    # First re-presentation after a successful completion, in the calendar year of that completion, counted at
    # its step (DOMES: "successfully completed and re-presented during the year", a follow-up to the year's end)
    RE_PRESENTED_SAME_YEAR_OF_COMPLETION = 36
    # A treatment start of someone with no treatment in NDTMS's records: not in treatment at any time since the
    # records began (`history.ndtms_records_from`). NDTMS can only call someone new to treatment against its own
    # records, so early on everyone last treated before them counts (the NTA's "very first time" entrants)
    NEW_TO_NDTMS_START = 37


N_EVENTS = len(Event)

# DOMES bands of elapsed time in the current treatment episode (<1, 1-2, 2-4, 4-6, 6+ years)
DOMES_BAND_NAMES = ("under_1y", "1_to_2y", "2_to_4y", "4_to_6y", "6y_plus")
N_DOMES_BANDS = len(DOMES_BAND_NAMES)

# Age bands used for reporting (lower bounds, years). People are tracked from age 15.
AGE_BAND_EDGES = (15.0, 18.0, 30.0, 40.0, 50.0)
AGE_BAND_NAMES = ("15-17", "18-29", "30-39", "40-49", "50+")
N_AGE_BANDS = len(AGE_BAND_NAMES)

DRUG_GROUP_NAMES = {
    DrugGroup.OPIATE_ONLY: "opiate_only",
    DrugGroup.OPIATE_CRACK: "opiate_and_crack",
    DrugGroup.CRACK_ONLY: "crack_only",
    DrugGroup.OTHER_DRUGS: "other_drugs",
}
# NDTMS reporting aggregates: "opiate" clients are anyone using opiates, "non_opiate" everyone else (DOMES's split:
# the NTA's non-opiate clients are "dependent on non-opiate drugs (crack, cocaine, stimulants, cannabis)",
# eng_non_opiate_share_in_tx_c2008_frac); OCU adds crack-only to the opiate clients.
DRUG_GROUP_AGGREGATES = {
    "opiate": (DrugGroup.OPIATE_ONLY, DrugGroup.OPIATE_CRACK),
    "non_opiate": (DrugGroup.CRACK_ONLY, DrugGroup.OTHER_DRUGS),
    "ocu": (DrugGroup.OPIATE_ONLY, DrugGroup.OPIATE_CRACK, DrugGroup.CRACK_ONLY),
    "crack": (DrugGroup.OPIATE_CRACK, DrugGroup.CRACK_ONLY),  # any crack use (the prevalence estimates' "crack users")
}


class Modality(IntEnum):
    """NDTMS treatment modalities (a person's current one; -1 in the column = none)."""

    SPECIALIST_PRESCRIBING = 0  # opioid substitution: methadone/buprenorphine, maintenance or reducing
    GP_SHARED_CARE = 1
    PSYCHOSOCIAL = 2  # other formal psychosocial therapy
    STRUCTURED_DAY = 3  # structured day programme
    OTHER_STRUCTURED = 4  # other structured treatment (incl. tier 2 open-access structured work)
    INPATIENT_DETOX = 5
    RESIDENTIAL_REHAB = 6
    RECOVERY_SUPPORT = 7  # aftercare after a successful exit (people in sustain)


N_MODALITIES = len(Modality)
MODALITY_NAMES = {m: m.name.lower() for m in Modality}
NO_MODALITY = -1
TREATMENT_MODALITIES = tuple(m for m in Modality if m != Modality.RECOVERY_SUPPORT)


class ExitReason(IntEnum):
    """Why a person left a modality (the reason axis of the modality-exit tallies)."""

    PLANNED = 0  # incl. step-down/step-up and hand-offs picked up
    UNPLANNED = 1
    TRANSFERRED = 2  # to custody


EXIT_REASON_NAMES = tuple(r.name.lower() for r in ExitReason)


class Handoff(IntEnum):
    """Where a client of a tier 2 service stands with their hand-off for prescribing (person column `handoff`)."""

    NONE = 0  # not to be handed off
    DUE = 1  # admitted by a service that hands opiate clients on: the hand-off hazard applies
    READY = 2  # ready to pass: queued for the receiving service


class Route(IntEnum):
    """Referral routes into treatment."""

    SELF = 0
    GP = 1
    CRIMINAL_JUSTICE = 2  # arrest referral / DIP / DRR
    OUTREACH = 3  # needle exchange and outreach
    HOSPITAL = 4
    PRISON_RELEASE = 5  # prison-to-community continuity of care


# Routes "through the criminal justice system" (NDTMS criminal-justice referral sources: the DOMES criminal
# justice clients, the NTA's entrants picked up through the criminal justice system)
CRIMINAL_JUSTICE_ROUTES = (Route.CRIMINAL_JUSTICE, Route.PRISON_RELEASE)


N_ROUTES = len(Route)
