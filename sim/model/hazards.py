"""The parameters turned into the packed tables the compiled step reads: hazards, mortality, outcomes.

Every transition is a row of `sim.domain.transitions.TRANSITIONS`. `build_hazards` fills, for
each row, the annual base rate by drug group, the hazard ratio of each person attribute, the
ratio of each modality and the duration bands, one transition family at a time (the
`_presentations`, `_waiting`, `_treatment_exits`, ... functions below), then folds in the levers.
Where each family is applied in the step: `sim.model.kernel` (its docstring has the map).
"""

from typing import NamedTuple

import numpy as np

from sim.config.parameters import Parameters
from sim.domain.states import N_DRUG_GROUPS, N_MODALITIES, N_ROUTES, N_STATES, DrugGroup, Modality, Route, State
from sim.domain.transitions import (
    HAZARD_INDEX,
    N_COVARIATES,
    TRANSITIONS,
    Covariate,
    Destination,
    check_levers,
    lever,
)

N_DURATION_BANDS = 5


class HazardTables(NamedTuple):
    """What the compiled step reads. Built once per run from parameters and levers."""

    ptr: np.ndarray  # int64[N_STATES+1]: transitions out of state s are rows ptr[s]..ptr[s+1]
    target: np.ndarray  # int64[H]: a State or a Destination
    base: np.ndarray  # float64[H, drug groups], annual, levers folded in
    hr_table: np.ndarray  # float64[H, 2**N_COVARIATES]: product of the ratios for each attribute pattern
    modality_hr: np.ndarray  # float64[H, modalities + 1]: ratio for the current modality (column 0: none)
    route: np.ndarray  # int64[H]: referral route of a presentation, -1 otherwise
    dur_edges: np.ndarray  # float64[H, bands]: lower edge of each duration band (years)
    dur_mult: np.ndarray  # float64[H, bands]
    scheduled_target: np.ndarray  # int64[N_STATES]: deterministic move after a fixed time (NO_SCHEDULE: none)
    scheduled_after_years: np.ndarray  # float64[N_STATES]


class MortalityTables(NamedTuple):
    drug_related_base: np.ndarray  # float64[drug groups], per year, before state and age
    drug_related_state: np.ndarray  # float64[N_STATES]
    age_step_years: float  # width of a mortality age band
    per_age_step: float  # 1 / age_step_years: age band index = int(age * per_age_step)
    drug_related_age: np.ndarray  # multiplier by age band
    other_cause_age: np.ndarray  # per-year hazard by age band (includes SMR and lever)
    hr_injecting: float
    hr_female_other: float
    hr_opioid_substitution: float  # in treatment on specialist prescribing or GP shared care
    hr_after_treatment: np.ndarray  # float64[2]: weeks 1-2 and 3-4 after leaving substitution or detox
    hr_after_release: np.ndarray  # float64[2]: weeks 1-2 and 3-4 after release from prison


class OutcomeTables(NamedTuple):
    abstinence_per_year: float
    housing_resolution_per_year: float
    maintenance_share: np.ndarray  # float64[drug groups]: chance a new episode is maintenance-class
    # year index (from the run's first year) from which NDTMS holds records: a start is new to them when the
    # person was not counted in treatment in any year since; 0 or less: the records predate the run, and only
    # someone never treated is new to them
    ndtms_records_from: int


NO_SCHEDULE = int(Destination.NO_SCHEDULE)


def route_shares(p: Parameters) -> np.ndarray:
    """Share of community presentations by referral route (normalised to sum to 1)."""
    ref = p.referral
    shares = np.zeros(N_ROUTES)
    shares[Route.SELF], shares[Route.GP] = ref.self_share, ref.gp_share
    shares[Route.CRIMINAL_JUSTICE], shares[Route.OUTREACH] = ref.criminal_justice_share, ref.outreach_share
    shares[Route.HOSPITAL] = ref.hospital_share
    return shares / shares.sum()


def route_weights(p: Parameters, involved_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Each route's presentation rate relative to a person's whole rate, for people without and with
    criminal-justice involvement (`involved_share` of the area's people have it).

    People with involvement take the criminal-justice route `hr_criminal_justice_route` times as often as
    the rest; the route's rates are scaled so that over everyone it carries `criminal_justice_share` of
    presentations, as that parameter says. The ratio decides who comes that way, not how many: without the
    scaling the route's share was its parameter times 1 - c + c x ratio (1.7 at England's 0.24 and x4), and
    the share could be fitted only together with the assumed ratio."""
    ref = p.referral
    shares = route_shares(p)
    ratio = np.ones(N_ROUTES)
    ratio[Route.CRIMINAL_JUSTICE] = ref.hr_criminal_justice_route
    uninvolved = shares.copy()
    uninvolved[Route.CRIMINAL_JUSTICE] /= 1.0 - involved_share + involved_share * ref.hr_criminal_justice_route
    return uninvolved, uninvolved * ratio


def pickup_shares(p: Parameters) -> np.ndarray:
    """Chance a referral by each route (Route order) is picked up by a service."""
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
        for k in ("planned_exit", "planned_exit_engagement"):
            ratios[HAZARD_INDEX[k], m + 1] = planned
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


class _Table:
    """The arrays of the hazard table while the transition families fill them in."""

    def __init__(self, involved_share: float):
        self.involved_share = involved_share  # people with criminal-justice involvement (the area's share)
        n = len(TRANSITIONS)
        self.base = np.zeros((n, N_DRUG_GROUPS))
        self.hr = np.ones((n, N_COVARIATES))
        self.edges = np.zeros((n, N_DURATION_BANDS))
        self.edges[:, 1:] = np.inf
        self.mult = np.ones((n, N_DURATION_BANDS))

    def rate(self, name: str, per_year: float, by_group: dict | None = None) -> int:
        """Set hazard `name` to `per_year` for every drug group, times a ratio for some; return its row."""
        k = HAZARD_INDEX[name]
        self.base[k, :] = per_year
        for group, ratio in (by_group or {}).items():
            self.base[k, group] *= ratio
        return k

    def ratio(self, name: str, covariate: Covariate, value: float) -> None:
        self.hr[HAZARD_INDEX[name], covariate] = value


def _presentations(t: _Table, p: Parameters) -> None:
    """Using -> waiting: one hazard per referral route (community routes; release referrals are prison's)."""
    pr, ref = p.presentation, p.referral
    uninvolved, _ = route_weights(p, t.involved_share)
    for r in Route:
        if r == Route.PRISON_RELEASE:
            continue
        for suffix, rate in (("naive", pr.naive_per_year), ("previous", pr.previous_per_year)):
            name = f"presentation_{r.name.lower()}_{suffix}"
            t.rate(name, rate * uninvolved[r], {DrugGroup.OTHER_DRUGS: pr.hr_non_opiate,
                                                DrugGroup.CRACK_ONLY: pr.hr_crack_only})
            t.ratio(name, Covariate.CRIMINAL_JUSTICE,
                    ref.hr_criminal_justice_route if r == Route.CRIMINAL_JUSTICE else 1.0)
            if suffix == "previous":
                t.ratio(name, Covariate.RELUCTANT, pr.hr_reluctant)


def _natural_remission(t: _Table, p: Parameters) -> None:
    remission = {DrugGroup.OTHER_DRUGS: p.recovery.hr_non_opiate_remission}
    t.rate("natural_remission_naive", p.recovery.natural_remission_per_year, remission)
    t.rate("natural_remission_previous", p.recovery.natural_remission_per_year, remission)


def _waiting(t: _Table, p: Parameters) -> None:
    """Assessment (then a place: sim.model.providers) or drop-out from the waiting list."""
    t.rate("treatment_start", p.waiting.start_per_year)
    t.rate("waiting_dropout", p.waiting.dropout_per_year)


def _modality_changes(t: _Table, p: Parameters) -> None:
    """Tier 2 -> tier 3 hand-off (its rate is the system's), step-down to GP shared care, step-up to detox."""
    no_opiate = {DrugGroup.OTHER_DRUGS: 0.0, DrugGroup.CRACK_ONLY: 0.0}
    t.rate("handoff", 1.0)  # times the system's hand-off rate in build_hazards
    t.rate("step_down", p.modality.step_down_per_year, no_opiate)
    t.ratio("step_down", Covariate.STILL_USING, 0.0)  # only clients abstinent from illicit use
    t.rate("step_up", p.modality.step_up_per_year, no_opiate)


def _treatment_exits(t: _Table, p: Parameters) -> None:
    """Start, stay and stop: unplanned exits from each phase, the planned exit, completion."""
    tx, g = p.treatment, DrugGroup
    unplanned_groups = {g.OTHER_DRUGS: tx.hr_non_opiate_unplanned_exit,
                        g.OPIATE_CRACK: tx.hr_opiate_crack_unplanned_exit}
    t.rate("unplanned_exit_engagement", tx.unplanned_exit_engagement_per_year)
    t.rate("unplanned_exit_stay", tx.unplanned_exit_per_year, unplanned_groups)
    t.rate("unplanned_exit_stop", tx.unplanned_exit_stop_per_year)
    planned_groups = {g.OTHER_DRUGS: tx.hr_non_opiate_planned_exit, g.CRACK_ONLY: tx.hr_crack_only_planned_exit}
    # a planned exit may begin within the first 12 weeks too (brief interventions: "completed or retained 12 weeks")
    for name in ("planned_exit", "planned_exit_engagement"):
        t.rate(name, tx.planned_exit_per_year, planned_groups)
        t.ratio(name, Covariate.STILL_USING, tx.hr_still_using_planned_exit)
    t.rate("completion", tx.completion_per_year)
    for name in ("unplanned_exit_engagement", "unplanned_exit_stay", "unplanned_exit_stop"):
        t.ratio(name, Covariate.CRIMINAL_JUSTICE, tx.hr_criminal_justice_unplanned_exit)
        t.ratio(name, Covariate.HOUSING_NEED, tx.hr_housing_need_unplanned_exit)
        t.ratio(name, Covariate.MENTAL_HEALTH, tx.hr_mental_health_unplanned_exit)
        if name != "unplanned_exit_engagement":  # everyone still uses early on: it is in the base rate
            t.ratio(name, Covariate.STILL_USING, tx.hr_still_using_unplanned_exit)
    for name in ("planned_exit", "planned_exit_engagement", "unplanned_exit_stay"):
        t.ratio(name, Covariate.MAINTENANCE, tx.hr_maintenance_exit)


def _recovery(t: _Table, p: Parameters) -> None:
    """Sustain: re-presentation (falling with years since completion) and relapse; relapse after remission."""
    rc = p.recovery
    k = t.rate("represent_from_recovery", 1.0, {DrugGroup.OTHER_DRUGS: rc.hr_non_opiate_represent})
    t.edges[k] = [0.0, 0.5, 1.0, 2.0, 3.0]
    t.mult[k] = [rc.represent_first_6m_per_year, rc.represent_6_to_12m_per_year, rc.represent_year2_per_year,
                 rc.represent_year3_per_year, rc.represent_later_per_year]
    t.rate("relapse_from_recovery", rc.relapse_per_year)
    t.rate("relapse_from_remission", rc.relapse_from_remission_per_year)


def _prison(t: _Table, p: Parameters) -> None:
    """Imprisonment from every living state outside prison; release, to using or referred to treatment."""
    pz = p.prison
    state_ratio = {
        "imprisonment_naive": 1.0, "imprisonment_previous": 1.0, "imprisonment_waiting": 1.0,
        "imprisonment_engagement": pz.hr_in_treatment_imprisonment,
        "imprisonment_stay": pz.hr_in_treatment_imprisonment,
        "imprisonment_stop": pz.hr_in_treatment_imprisonment,
        "imprisonment_recovery": pz.hr_recovery_imprisonment,
        "imprisonment_remission": pz.hr_recovery_imprisonment,
    }
    for name, ratio in state_ratio.items():
        t.rate(name, pz.imprisonment_per_year * ratio)
        t.ratio(name, Covariate.CRIMINAL_JUSTICE, pz.hr_criminal_justice_imprisonment)
    t.rate("release", pz.release_per_year * (1.0 - pz.release_to_treatment_share))
    t.rate("release_to_treatment", pz.release_per_year * pz.release_to_treatment_share)


FAMILIES = (_presentations, _natural_remission, _waiting, _modality_changes, _treatment_exits, _recovery, _prison)


def build_hazards(p: Parameters, levers: dict[str, float], *, handoff_per_year: float,
                  criminal_justice_share: float) -> HazardTables:
    """Pack the parameters into the arrays the compiled step reads (`criminal_justice_share`: the area's share
    of people with criminal-justice involvement, `route_weights`)."""
    levers = check_levers(levers)
    t = _Table(criminal_justice_share)
    for family in FAMILIES:
        family(t, p)
    for k, tr in enumerate(TRANSITIONS):
        t.base[k] *= lever(levers, tr.name, tr.families)

    n = len(TRANSITIONS)
    order = np.argsort([int(tr.source) for tr in TRANSITIONS], kind="stable")
    if not np.array_equal(order, np.arange(n)):
        raise AssertionError("TRANSITIONS must be listed grouped by source state, in state order")
    ptr = np.zeros(N_STATES + 1, dtype=np.int64)
    for tr in TRANSITIONS:
        ptr[int(tr.source) + 1] += 1
    ptr = np.cumsum(ptr)

    scheduled_target = np.full(N_STATES, NO_SCHEDULE, dtype=np.int64)
    scheduled_after = np.full(N_STATES, np.inf)
    scheduled_target[State.TX_START] = State.TX_STAY  # engagement ends after a fixed number of weeks
    scheduled_after[State.TX_START] = p.treatment.engagement_weeks / 52.0

    t.base[HAZARD_INDEX["handoff"]] *= handoff_per_year
    table = hr_products(t.hr)
    masks = np.arange(table.shape[1])
    ready = (masks >> Covariate.READY) & 1 == 1
    table[HAZARD_INDEX["treatment_start"], ready] = 0.0  # assessed people wait for a place, not for assessment
    table[HAZARD_INDEX["handoff"], (masks >> Covariate.NEEDS_HANDOFF) & 1 == 0] = 0.0  # only tier 2 opiate clients
    return HazardTables(
        ptr=ptr,
        target=np.array([int(tr.target) for tr in TRANSITIONS], dtype=np.int64),
        base=t.base,
        hr_table=table,
        modality_hr=modality_ratios(p),
        route=np.array([tr.route for tr in TRANSITIONS], dtype=np.int64),
        dur_edges=t.edges,
        dur_mult=t.mult,
        scheduled_target=scheduled_target,
        scheduled_after_years=scheduled_after,
    )


def hr_products(hr: np.ndarray) -> np.ndarray:
    """For every attribute pattern (bit a set = covariate a present), the product of hazard ratios."""
    out = np.ones((hr.shape[0], 2 ** hr.shape[1]))
    for a in range(hr.shape[1]):  # patterns with covariate a as their highest: those below it, times its ratio
        w = 1 << a
        out[:, w: 2 * w] = out[:, :w] * hr[:, a: a + 1]
    return out


AGE_STEP_YEARS = 5.0  # mortality by 5-year age band (an abridged life table), valued at the band's middle:
# a person's hazards are re-evaluated when they change band; single years cost 15% more run time
MAX_AGE_YEARS = 120.0


def build_mortality(p: Parameters, levers: dict[str, float]) -> MortalityTables:
    """Drug-related and other-cause death hazards by drug group, state and age band."""
    m = p.mortality
    levers = check_levers(levers)
    drd_lever = lever(levers, "drug_related_death")
    other_lever = lever(levers, "other_cause_death")
    g = DrugGroup
    base = np.full(N_DRUG_GROUPS, m.drug_related_per_year * drd_lever)
    base[g.CRACK_ONLY] *= m.hr_crack_only_drug_related
    base[g.OTHER_DRUGS] *= m.hr_non_opiate_drug_related
    state = np.ones(N_STATES)
    # in treatment: 1 (only opioid substitution protects: hr_opioid_substitution, by modality in the kernel)
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
        per_age_step=1.0 / AGE_STEP_YEARS,
        drug_related_age=drd_age,
        other_cause_age=other,
        hr_injecting=m.hr_injecting_drug_related,
        hr_female_other=m.hr_female_other_cause,
        hr_opioid_substitution=m.hr_opioid_substitution_drug_related,
        hr_after_treatment=np.array([m.hr_after_treatment_weeks_1_2, m.hr_after_treatment_weeks_3_4]),
        hr_after_release=np.array([m.hr_after_release_weeks_1_2, m.hr_after_release_weeks_3_4]),
    )


def build_outcomes(p: Parameters, ndtms_records_from: int = 0) -> OutcomeTables:
    """In-treatment outcomes (TOP abstinence, housing resolved), the maintenance class of new episodes, and the
    year index NDTMS's records begin in (`OutcomeTables.ndtms_records_from`)."""
    share = np.zeros(N_DRUG_GROUPS)
    share[DrugGroup.OPIATE_ONLY] = p.treatment.maintenance_share_opiate
    share[DrugGroup.OPIATE_CRACK] = p.treatment.maintenance_share_opiate
    return OutcomeTables(abstinence_per_year=p.treatment.abstinence_per_year,
                         housing_resolution_per_year=p.treatment.housing_resolution_per_year, maintenance_share=share,
                         ndtms_records_from=int(ndtms_records_from))
