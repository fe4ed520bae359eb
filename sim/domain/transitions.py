"""The transition table: every move between states is a named annual hazard with lever families.

A row of `TRANSITIONS` says which state a move leaves, where it goes and which levers reach
it. Its hazard for person i is

    base[hazard, drug group] x product of hazard ratios for i's attributes
                             x duration multiplier (time in the current state)
                             x lever multiplier (commissioning scenario)

where the base rates, ratios and duration bands come from the parameters
(`sim.model.hazards.build_hazards`) and the compiled step evaluates and applies them
(`sim.model.kernel`: its docstring maps each family to the lines that apply it). Levers are
multipliers keyed by a hazard's name or by a family name (e.g. `unplanned_exit` touches the
exits from all three treatment phases).
"""

import difflib
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sim.domain.states import Route, State


class Destination(IntEnum):
    """Targets of a transition that are not a plain state: resolved per person by the step."""

    USING = -1  # USING_NAIVE if never treated, else USING_PREVIOUS
    NO_SCHEDULE = -2  # (scheduled moves) none from this state
    READY = -3  # assessed, on the provider's waiting list (state stays WAITING)
    HANDOFF = -4  # ready to be handed off to another provider (state unchanged)
    STEP_DOWN = -5  # stable on prescribing: moves to GP shared care (a planned modality exit)
    STEP_UP = -6  # struggling in community treatment: moves to an inpatient detox (a planned modality exit)


class Covariate(IntEnum):
    """Person attributes that enter hazard ratios (bit a of a person's attribute pattern)."""

    CRIMINAL_JUSTICE = 0
    HOUSING_NEED = 1
    MENTAL_HEALTH = 2
    STILL_USING = 3  # illicit use while in treatment (TOP)
    MAINTENANCE = 4  # long-term opioid substitution class
    INJECTING = 5  # currently injecting
    FEMALE = 6
    READY = 7  # on a waiting list, assessed (gates the assessment hazard off)
    NEEDS_HANDOFF = 8  # at a tier 2 service, to be handed off for prescribing (gates the hand-off hazard on)
    RELUCTANT = 9  # once treated, rarely presents again (presentation.reluctant_share: a trait)


N_COVARIATES = len(Covariate)


@dataclass(frozen=True)
class Transition:
    name: str
    families: tuple[str, ...]  # lever names that reach this hazard besides its own name
    source: State
    target: int  # a State or a Destination
    route: int = -1  # referral route of a presentation (Route), else -1


def _presentations(source: State, suffix: str) -> tuple[Transition, ...]:
    return tuple(Transition(f"presentation_{r.name.lower()}_{suffix}",
                            ("presentation", f"presentation_{r.name.lower()}", f"presentation_{suffix}"),
                            source, State.WAITING, int(r))
                 for r in Route if r != Route.PRISON_RELEASE)


USING, READY, HANDOFF = Destination.USING, Destination.READY, Destination.HANDOFF

# Grouped by source state, in state order: the compiled step reads the rows out of state s as one slice.
TRANSITIONS: tuple[Transition, ...] = (
    *_presentations(State.USING_NAIVE, "naive"),
    Transition("natural_remission_naive", ("natural_remission",), State.USING_NAIVE, State.REMISSION),
    Transition("imprisonment_naive", ("imprisonment",), State.USING_NAIVE, State.PRISON),
    *_presentations(State.USING_PREVIOUS, "previous"),
    Transition("natural_remission_previous", ("natural_remission",), State.USING_PREVIOUS, State.REMISSION),
    Transition("imprisonment_previous", ("imprisonment",), State.USING_PREVIOUS, State.PRISON),
    Transition("treatment_start", ("assessment",), State.WAITING, READY),
    Transition("waiting_dropout", ("waiting_dropout",), State.WAITING, USING),
    Transition("imprisonment_waiting", ("imprisonment",), State.WAITING, State.PRISON),
    Transition("unplanned_exit_engagement", ("unplanned_exit",), State.TX_START, USING),
    Transition("imprisonment_engagement", ("imprisonment",), State.TX_START, State.PRISON),
    Transition("planned_exit_engagement", ("planned_exit",), State.TX_START, State.TX_STOP),
    Transition("planned_exit", ("planned_exit",), State.TX_STAY, State.TX_STOP),
    Transition("unplanned_exit_stay", ("unplanned_exit",), State.TX_STAY, USING),
    Transition("imprisonment_stay", ("imprisonment",), State.TX_STAY, State.PRISON),
    Transition("handoff", ("handoff",), State.TX_STAY, HANDOFF),
    Transition("step_down", ("modality_change",), State.TX_STAY, Destination.STEP_DOWN),
    Transition("step_up", ("modality_change",), State.TX_STAY, Destination.STEP_UP),
    Transition("completion", ("completion",), State.TX_STOP, State.SUSTAIN),
    Transition("unplanned_exit_stop", ("unplanned_exit",), State.TX_STOP, USING),
    Transition("imprisonment_stop", ("imprisonment",), State.TX_STOP, State.PRISON),
    Transition("represent_from_recovery", ("represent_from_recovery",), State.SUSTAIN, State.WAITING, int(Route.SELF)),
    Transition("relapse_from_recovery", ("relapse",), State.SUSTAIN, State.USING_PREVIOUS),
    Transition("imprisonment_recovery", ("imprisonment",), State.SUSTAIN, State.PRISON),
    Transition("relapse_from_remission", ("relapse",), State.REMISSION, USING),
    Transition("imprisonment_remission", ("imprisonment",), State.REMISSION, State.PRISON),
    Transition("release", ("release",), State.PRISON, USING),
    Transition("release_to_treatment", ("release", "prison_continuity"), State.PRISON, State.WAITING,
               int(Route.PRISON_RELEASE)),
)
HAZARD_INDEX = {t.name: k for k, t in enumerate(TRANSITIONS)}
# Mortality hazards are not state transitions in the table but are lever targets too.
MORTALITY_HAZARDS = ("drug_related_death", "other_cause_death")
LEVER_TARGETS = tuple(sorted({t.name for t in TRANSITIONS} | {f for t in TRANSITIONS for f in t.families}
                             | set(MORTALITY_HAZARDS)))


def check_levers(levers: dict[str, float]) -> dict[str, float]:
    """Validate lever names and values; return them as floats (ValueError names the bad one)."""
    out = {}
    for name, value in levers.items():
        if name not in LEVER_TARGETS:
            close = difflib.get_close_matches(str(name), LEVER_TARGETS, n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(close)}? " if close else ""
            raise ValueError(f"levers.{name}: unknown hazard or family; {hint}allowed: {', '.join(LEVER_TARGETS)}")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"levers.{name} = {value!r}: a hazard multiplier must be a number") from None
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"levers.{name} = {value}: a hazard multiplier must be a finite number >= 0")
        out[name] = value
    return out


def lever(levers: dict[str, float], name: str, families: tuple[str, ...] = ()) -> float:
    """The multiplier a hazard gets from its own lever and its families' levers, each lever once
    (several hazards are their own family, e.g. `planned_exit`)."""
    m = levers.get(name, 1.0)
    for family in dict.fromkeys(families):
        if family != name:
            m *= levers.get(family, 1.0)
    return m
