"""Named hazards: the transition table, and the parameters turned into packed arrays.

Every transition between states is a row of `TRANSITIONS`: a named annual hazard with a
lever family. A hazard for person i is

    base[hazard, drug group] x product of hazard ratios for i's attributes
                             x duration multiplier (time in the current state)
                             x lever multiplier (commissioning scenario)

Competing hazards out of one state are resolved with the exact competing-risks step
probability (`sim.journeys`). Levers are multipliers keyed by a hazard name or by a
family name (e.g. `unplanned_exit` touches the exits from all three treatment phases).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sim.config import Parameters
from sim.states import N_DRUG_GROUPS, N_MODALITIES, N_ROUTES, N_STATES, DrugGroup, Modality, Route, State

# Destinations resolved per person, not states:
USING = -1  # USING_NAIVE if never treated, else USING_PREVIOUS
READY = -3  # assessed, on the provider's waiting list (state stays WAITING)
HANDOFF = -4  # ready to be handed off to another provider (state unchanged)
STEP_DOWN = -5  # stable on prescribing: moves to GP shared care (a planned modality exit)
STEP_UP = -6  # struggling in community treatment: moves to an inpatient detox (a planned modality exit)


class Covariate:
    """Person attributes that enter hazard ratios (column index in the HR matrix)."""

    CRIMINAL_JUSTICE = 0
    HOUSING_NEED = 1
    MENTAL_HEALTH = 2
    STILL_USING = 3  # illicit use while in treatment (TOP)
    MAINTENANCE = 4  # long-term opioid substitution class
    INJECTING = 5  # currently injecting
    FEMALE = 6
    READY = 7  # on a waiting list, assessed (gates the assessment hazard off)
    NEEDS_HANDOFF = 8  # at a tier 2 service, to be handed off for prescribing (gates the hand-off hazard on)
    N = 9


@dataclass(frozen=True)
class Transition:
    name: str
    families: tuple[str, ...]  # lever names that reach this hazard besides its own name
    source: State
    target: int  # a State, or USING / READY / HANDOFF
    route: int = -1  # referral route of a presentation (Route), else -1


def _presentations(source: State, suffix: str) -> tuple[Transition, ...]:
    return tuple(Transition(f"presentation_{r.name.lower()}_{suffix}", ("presentation", f"presentation_{r.name.lower()}"),
                            source, State.WAITING, int(r))
                 for r in Route if r != Route.PRISON_RELEASE)


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
    Transition("planned_exit", ("planned_exit",), State.TX_STAY, State.TX_STOP),
    Transition("unplanned_exit_stay", ("unplanned_exit",), State.TX_STAY, USING),
    Transition("imprisonment_stay", ("imprisonment",), State.TX_STAY, State.PRISON),
    Transition("handoff", ("handoff",), State.TX_STAY, HANDOFF),
    Transition("step_down", ("modality_change",), State.TX_STAY, STEP_DOWN),
    Transition("step_up", ("modality_change",), State.TX_STAY, STEP_UP),
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

N_DURATION_BANDS = 5


class HazardTables(NamedTuple):
    """What the compiled step reads. Built once per run from parameters and levers."""

    ptr: np.ndarray  # int64[N_STATES+1]: transitions out of state s are rows ptr[s]..ptr[s+1]
    target: np.ndarray  # int64[H]
    base: np.ndarray  # float64[H, drug groups], annual, levers folded in
    hr: np.ndarray  # float64[H, Covariate.N]
    hr_table: np.ndarray  # float64[H, 2**Covariate.N]: product of the ratios for each attribute pattern
    modality_hr: np.ndarray  # float64[H, modalities + 1]: ratio for the current modality (column 0: none)
    route: np.ndarray  # int64[H]: referral route of a presentation, -1 otherwise
    dur_edges: np.ndarray  # float64[H, bands]: lower edge of each duration band (years)
    dur_mult: np.ndarray  # float64[H, bands]
    scheduled_target: np.ndarray  # int64[N_STATES]: deterministic move after a fixed time (-2 none)
    scheduled_after_years: np.ndarray  # float64[N_STATES]


class MortalityTables(NamedTuple):
    drug_related_base: np.ndarray  # float64[drug groups], per year, before state and age
    drug_related_state: np.ndarray  # float64[N_STATES]
    age_step_years: float
    drug_related_age: np.ndarray  # multiplier by age (index = age / age_step_years)
    other_cause_age: np.ndarray  # per-year hazard by age (includes SMR and lever)
    hr_injecting: float
    hr_female_other: float
    post_exit_years: float
    hr_post_exit: float
    post_release_years: float
    hr_post_release: float


class OutcomeTables(NamedTuple):
    abstinence_per_year: float
    housing_resolution_per_year: float
    maintenance_share: np.ndarray  # float64[drug groups]: chance a new episode is maintenance-class


NO_SCHEDULE = -2


def lever_multipliers(levers: dict[str, float]) -> dict[str, float]:
    """Validate lever names and values; return them as floats."""
    out = {}
    for name, value in levers.items():
        if name not in LEVER_TARGETS:
            raise ValueError(f"levers.{name}: unknown hazard or family; allowed: {', '.join(LEVER_TARGETS)}")
        value = float(value)
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"levers.{name} = {value}: a hazard multiplier must be a finite number >= 0")
        out[name] = value
    return out


def _lever(levers: dict[str, float], name: str, families: tuple[str, ...] = ()) -> float:
    m = levers.get(name, 1.0)
    for family in families:
        m *= levers.get(family, 1.0)
    return m


def route_shares(p: Parameters) -> np.ndarray:
    """Share of community presentations by referral route (normalised to sum to 1)."""
    ref = p.referral
    shares = np.zeros(N_ROUTES)
    shares[Route.SELF], shares[Route.GP] = ref.self_share, ref.gp_share
    shares[Route.CRIMINAL_JUSTICE], shares[Route.OUTREACH] = ref.criminal_justice_share, ref.outreach_share
    shares[Route.HOSPITAL] = ref.hospital_share
    return shares / shares.sum()


def pickup_shares(p: Parameters) -> np.ndarray:
    ref = p.referral
    return np.array([ref.pickup_self_share, ref.pickup_gp_share, ref.pickup_criminal_justice_share,
                     ref.pickup_outreach_share, ref.pickup_hospital_share, ref.pickup_prison_release_share])


def modality_ratios(p: Parameters) -> np.ndarray:
    """Hazard ratios by current modality (column m + 1; column 0 = no modality) for each hazard."""
    ratios = np.ones((len(TRANSITIONS), N_MODALITIES + 1))
    mp = p.modality
    for m in Modality:
        if m == Modality.RECOVERY_SUPPORT:
            continue
        name = m.name.lower()
        planned = getattr(mp, f"hr_planned_exit_{name}")
        unplanned = getattr(mp, f"hr_unplanned_exit_{name}")
        ratios[HAZARD_INDEX["planned_exit"], m + 1] = planned
        for k in ("unplanned_exit_stay", "unplanned_exit_engagement"):
            ratios[HAZARD_INDEX[k], m + 1] = unplanned
    for k in ("represent_from_recovery", "relapse_from_recovery"):
        ratios[HAZARD_INDEX[k], Modality.RECOVERY_SUPPORT + 1] = mp.hr_represent_in_aftercare
    # modality changes start from prescribing only (column 0: no modality; m + 1 otherwise)
    for k in ("step_down", "step_up"):
        ratios[HAZARD_INDEX[k], :] = 0.0
        ratios[HAZARD_INDEX[k], Modality.SPECIALIST_PRESCRIBING + 1] = 1.0
    ratios[HAZARD_INDEX["step_up"], Modality.GP_SHARED_CARE + 1] = 1.0
    return ratios


def build_hazards(p: Parameters, levers: dict[str, float], handoff_per_year: float = 0.0) -> HazardTables:
    """Pack the parameters into the arrays the compiled step reads."""
    levers = lever_multipliers(levers)
    n = len(TRANSITIONS)
    base = np.zeros((n, N_DRUG_GROUPS))
    hr = np.ones((n, Covariate.N))
    edges = np.zeros((n, N_DURATION_BANDS))
    edges[:, 1:] = np.inf
    mult = np.ones((n, N_DURATION_BANDS))
    g = DrugGroup
    C = Covariate

    def set_rate(name, per_year, by_group=None):
        k = HAZARD_INDEX[name]
        base[k, :] = per_year
        for group, ratio in (by_group or {}).items():
            base[k, group] *= ratio

    pr, w, tx, rc, pz, ref = p.presentation, p.waiting, p.treatment, p.recovery, p.prison, p.referral
    non_opiate = {g.NON_OPIATE: pr.hr_non_opiate}
    shares = route_shares(p)
    for r in Route:
        if r == Route.PRISON_RELEASE:
            continue
        for suffix, rate in (("naive", pr.naive_per_year), ("previous", pr.previous_per_year)):
            name = f"presentation_{r.name.lower()}_{suffix}"
            set_rate(name, rate * shares[r], non_opiate)
            hr[HAZARD_INDEX[name], C.CRIMINAL_JUSTICE] = (
                ref.hr_criminal_justice_route if r == Route.CRIMINAL_JUSTICE else 1.0)

    remission = {g.NON_OPIATE: rc.hr_non_opiate_remission}
    set_rate("natural_remission_naive", rc.natural_remission_per_year, remission)
    set_rate("natural_remission_previous", rc.natural_remission_per_year, remission)

    set_rate("treatment_start", w.start_per_year)
    set_rate("handoff", 1.0)  # the system's hand-off rate is applied below
    set_rate("step_down", p.modality.step_down_per_year, {g.NON_OPIATE: 0.0, g.CRACK_ONLY: 0.0})
    hr[HAZARD_INDEX["step_down"], C.STILL_USING] = 0.0  # only clients abstinent from illicit use
    set_rate("step_up", p.modality.step_up_per_year, {g.NON_OPIATE: 0.0, g.CRACK_ONLY: 0.0})
    set_rate("waiting_dropout", w.dropout_per_year)

    unplanned_groups = {g.NON_OPIATE: tx.hr_non_opiate_unplanned_exit, g.OPIATE_CRACK: tx.hr_opiate_crack_unplanned_exit}
    set_rate("unplanned_exit_engagement", tx.unplanned_exit_engagement_per_year)
    set_rate("unplanned_exit_stay", tx.unplanned_exit_per_year, unplanned_groups)
    set_rate("unplanned_exit_stop", tx.unplanned_exit_stop_per_year)
    set_rate("planned_exit", tx.planned_exit_per_year,
             {g.NON_OPIATE: tx.hr_non_opiate_planned_exit, g.CRACK_ONLY: tx.hr_crack_only_planned_exit})
    set_rate("completion", tx.completion_per_year)
    for name in ("unplanned_exit_engagement", "unplanned_exit_stay", "unplanned_exit_stop"):
        k = HAZARD_INDEX[name]
        hr[k, C.CRIMINAL_JUSTICE] = tx.hr_criminal_justice_unplanned_exit
        hr[k, C.HOUSING_NEED] = tx.hr_housing_need_unplanned_exit
        hr[k, C.MENTAL_HEALTH] = tx.hr_mental_health_unplanned_exit
        if name != "unplanned_exit_engagement":  # everyone still uses early on: it is in the base rate
            hr[k, C.STILL_USING] = tx.hr_still_using_unplanned_exit
    hr[HAZARD_INDEX["planned_exit"], C.STILL_USING] = tx.hr_still_using_planned_exit
    for name in ("planned_exit", "unplanned_exit_stay"):
        hr[HAZARD_INDEX[name], C.MAINTENANCE] = tx.hr_maintenance_exit

    # Re-presentation after a successful completion falls with years in recovery.
    set_rate("represent_from_recovery", 1.0, {g.NON_OPIATE: rc.hr_non_opiate_represent})
    k = HAZARD_INDEX["represent_from_recovery"]
    edges[k] = [0.0, 0.5, 1.0, 2.0, 3.0]
    mult[k] = [rc.represent_first_6m_per_year, rc.represent_6_to_12m_per_year, rc.represent_year2_per_year,
               rc.represent_year3_per_year, rc.represent_later_per_year]
    set_rate("relapse_from_recovery", rc.relapse_per_year)
    set_rate("relapse_from_remission", rc.relapse_from_remission_per_year)

    state_ratio = {
        "imprisonment_naive": 1.0, "imprisonment_previous": 1.0, "imprisonment_waiting": 1.0,
        "imprisonment_engagement": pz.hr_in_treatment_imprisonment,
        "imprisonment_stay": pz.hr_in_treatment_imprisonment,
        "imprisonment_stop": pz.hr_in_treatment_imprisonment,
        "imprisonment_recovery": pz.hr_recovery_imprisonment,
        "imprisonment_remission": pz.hr_recovery_imprisonment,
    }
    for name, ratio in state_ratio.items():
        set_rate(name, pz.imprisonment_per_year * ratio)
        hr[HAZARD_INDEX[name], C.CRIMINAL_JUSTICE] = pz.hr_criminal_justice_imprisonment
    set_rate("release", pz.release_per_year * (1.0 - pz.release_to_treatment_share))
    set_rate("release_to_treatment", pz.release_per_year * pz.release_to_treatment_share)

    for k, t in enumerate(TRANSITIONS):
        base[k] *= _lever(levers, t.name, t.families)

    order = np.argsort([int(t.source) for t in TRANSITIONS], kind="stable")
    if not np.array_equal(order, np.arange(n)):
        raise AssertionError("TRANSITIONS must be listed grouped by source state, in state order")
    ptr = np.zeros(N_STATES + 1, dtype=np.int64)
    for t in TRANSITIONS:
        ptr[int(t.source) + 1] += 1
    ptr = np.cumsum(ptr)

    scheduled_target = np.full(N_STATES, NO_SCHEDULE, dtype=np.int64)
    scheduled_after = np.full(N_STATES, np.inf)
    scheduled_target[State.TX_START] = State.TX_STAY  # engagement ends after a fixed number of weeks
    scheduled_after[State.TX_START] = tx.engagement_weeks / 52.0

    base[HAZARD_INDEX["handoff"]] *= handoff_per_year
    table = hr_products(hr)
    masks = np.arange(table.shape[1])
    ready = (masks >> C.READY) & 1 == 1
    table[HAZARD_INDEX["treatment_start"], ready] = 0.0  # assessed people wait for a place, not for assessment
    table[HAZARD_INDEX["handoff"], (masks >> C.NEEDS_HANDOFF) & 1 == 0] = 0.0  # only tier 2 opiate clients
    return HazardTables(
        ptr=ptr,
        target=np.array([int(t.target) for t in TRANSITIONS], dtype=np.int64),
        base=base,
        hr=hr,
        hr_table=table,
        modality_hr=modality_ratios(p),
        route=np.array([t.route for t in TRANSITIONS], dtype=np.int64),
        dur_edges=edges,
        dur_mult=mult,
        scheduled_target=scheduled_target,
        scheduled_after_years=scheduled_after,
    )


def hr_products(hr: np.ndarray) -> np.ndarray:
    """For every attribute pattern (bit a set = covariate a present), the product of hazard ratios."""
    masks = np.arange(2 ** hr.shape[1])
    present = (masks[:, None] >> np.arange(hr.shape[1])[None, :]) & 1  # [mask, covariate]
    return np.prod(np.where(present[None, :, :] == 1, hr[:, None, :], 1.0), axis=2)


AGE_STEP_YEARS = 5.0  # mortality by 5-year age band (an abridged life table), valued at the band's middle:
# a person's hazards are re-evaluated when they change band; single years cost 15% more run time
MAX_AGE_YEARS = 120.0


def build_mortality(p: Parameters, levers: dict[str, float]) -> MortalityTables:
    m = p.mortality
    levers = lever_multipliers(levers)
    drd_lever = _lever(levers, "drug_related_death")
    other_lever = _lever(levers, "other_cause_death")
    g = DrugGroup
    base = np.full(N_DRUG_GROUPS, m.drug_related_per_year * drd_lever)
    base[g.CRACK_ONLY] *= m.hr_crack_only_drug_related
    base[g.NON_OPIATE] *= m.hr_non_opiate_drug_related
    state = np.ones(N_STATES)
    for s in (State.TX_START, State.TX_STAY, State.TX_STOP):
        state[s] = m.hr_in_treatment_drug_related
    for s in (State.SUSTAIN, State.REMISSION):
        state[s] = m.hr_recovery_drug_related
    state[State.PRISON] = m.hr_prison_drug_related
    state[State.NOT_YET] = 0.0
    state[State.DEAD] = 0.0
    ages = np.arange(0.0, MAX_AGE_YEARS + AGE_STEP_YEARS, AGE_STEP_YEARS) + AGE_STEP_YEARS / 2
    drd_age = m.hr_drug_related_per_decade_over_30 ** (np.maximum(ages - 30.0, 0.0) / 10.0)
    other = (m.other_cause_at_40_per_year * np.exp(m.other_cause_gompertz_slope_per_year * (ages - 40.0))
             * m.smr_other_cause * other_lever)
    return MortalityTables(
        drug_related_base=base,
        drug_related_state=state,
        age_step_years=AGE_STEP_YEARS,
        drug_related_age=drd_age,
        other_cause_age=other,
        hr_injecting=m.hr_injecting_drug_related,
        hr_female_other=m.hr_female_other_cause,
        post_exit_years=m.post_treatment_exit_weeks / 52.0,
        hr_post_exit=m.hr_post_treatment_exit,
        post_release_years=m.post_release_weeks / 52.0,
        hr_post_release=m.hr_post_release,
    )


def build_outcomes(p: Parameters) -> OutcomeTables:
    share = np.zeros(N_DRUG_GROUPS)
    share[DrugGroup.OPIATE_ONLY] = p.treatment.maintenance_share_opiate
    share[DrugGroup.OPIATE_CRACK] = p.treatment.maintenance_share_opiate
    return OutcomeTables(abstinence_per_year=p.treatment.abstinence_per_year,
                         housing_resolution_per_year=p.treatment.housing_resolution_per_year, maintenance_share=share)
