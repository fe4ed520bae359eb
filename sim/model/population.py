"""People as columns: one numpy array per attribute, one row per person.

Rows never move. The initial population comes first; everyone who will start using
during the projection is created up front (state NOT_YET, sorted by onset time) and
switched on when their time comes, so the row of a person is the same in every
scenario (common random numbers) and nothing is reallocated during a run.
"""

from typing import NamedTuple

import numpy as np

from sim.config.parameters import Parameters
from sim.config.schema import AreaConfig
from sim.domain.states import N_ROUTES, DrugGroup, Injecting, Parental, State
from sim.model.hazards import route_weights
from sim.model.rng import uniforms

NEVER = -np.inf  # time of an event that has not happened
NEVER_STEP = 2**31 - 1  # step of an event that will not happen (sim.model.kernel.codes.NEVER_STEP)


class People(NamedTuple):
    state: np.ndarray  # int8 State
    drug: np.ndarray  # int8 DrugGroup
    female: np.ndarray  # int8 0/1
    reluctant: np.ndarray  # int8 0/1: once treated, rarely presents again (a trait: help_seeking)
    birth_time: np.ndarray  # float64 calendar time of birth (age = time - birth_time)
    injecting: np.ndarray  # int8 Injecting
    criminal_justice: np.ndarray  # int8 0/1: criminal-justice involvement
    housing_need: np.ndarray  # int8 0/1
    mental_health: np.ndarray  # int8 0/1: co-occurring mental health need
    parental: np.ndarray  # int8 Parental
    still_using: np.ndarray  # int8 0/1: illicit use while in treatment (TOP abstinence at review)
    maintenance: np.ndarray  # int8 0/1: long-term opioid substitution class of the current episode
    episodes: np.ndarray  # int16 number of treatment episodes started
    since: np.ndarray  # float64 calendar time the current state began
    onset_time: np.ndarray  # float64 calendar time dependent use began (for NOT_YET: when it will)
    episode_start: np.ndarray  # float64 start of the current/last treatment episode
    last_completion: np.ndarray  # float64 last successful completion (NEVER if none)
    last_exit: np.ndarray  # float64 last exit from treatment (any reason)
    last_dropout: np.ndarray  # float64 last unplanned exit not yet followed by a presentation (NEVER if none)
    last_release: np.ndarray  # float64 last release from prison
    left_tolerance: np.ndarray  # int8 0/1: the last treatment left was opioid substitution or detox (raised risk)
    death_time: np.ndarray  # float64
    drug_related_death: np.ndarray  # int8 0/1
    modality: np.ndarray  # int8 Modality, -1 = none
    provider: np.ndarray  # int16 index of the provider (in treatment or on its waiting list), -1 = none
    route: np.ndarray  # int8 Route of the latest referral
    ready: np.ndarray  # int8 0/1: assessed and on the provider's waiting list
    handoff: np.ndarray  # int8 Handoff: NONE, DUE (to be handed off for prescribing), READY (for the hand-off)
    wait_start: np.ndarray  # float64 time of the latest referral
    reviewed: np.ndarray  # int8 0/1: the current episode's 6-month TOP review has happened
    counted_year: np.ndarray  # int16 last year index in which the person was counted in treatment
    ost_counted_year: np.ndarray  # int16 ... counted as prescribed opiate substitutes
    traced: np.ndarray  # int8 0/1: journey written to the event log
    # Event scheduling (sim.model.kernel.step): steps at which something next happens to the person.
    next_check: np.ndarray  # int32 min of the three below
    event_step: np.ndarray  # int32 step of the next competing event
    refresh_step: np.ndarray  # int32 step at which the hazards next change
    sched_step: np.ndarray  # int32 step a scheduled move falls due
    event_kind: np.ndarray  # int8 which competing event happens at event_step (sim.model.kernel.step.KIND_*)
    draws: np.ndarray  # int32 draws used so far on the journey stream (the counter of the next one)
    # What the person is counted as in the stocks (sim.model.kernel.counts), and when that next changes.
    recount_step: np.ndarray  # int32 step their age band or DOMES band next changes, or their TOP review falls
    counted_state: np.ndarray  # int8 state counted (-1: not in the stocks)
    counted_band: np.ndarray  # int8 age band counted
    counted_domes: np.ndarray  # int8 DOMES band counted (in treatment)
    counted_modality: np.ndarray  # int8 modality counted (-1: none)
    counted_provider: np.ndarray  # int16 provider counted (in treatment or on its waiting list)
    counted_listed: np.ndarray  # int8 0/1: counted on a waiting list (assessed, waiting)

    @property
    def size(self) -> int:
        return self.state.shape[0]


_DTYPES = {
    "state": np.int8, "drug": np.int8, "female": np.int8, "reluctant": np.int8, "birth_time": np.float64,
    "injecting": np.int8,
    "criminal_justice": np.int8, "housing_need": np.int8, "mental_health": np.int8, "parental": np.int8,
    "still_using": np.int8, "maintenance": np.int8, "episodes": np.int16, "since": np.float64,
    "onset_time": np.float64, "episode_start": np.float64, "last_completion": np.float64,
    "last_exit": np.float64, "last_dropout": np.float64, "last_release": np.float64, "left_tolerance": np.int8,
    "death_time": np.float64,
    "drug_related_death": np.int8, "modality": np.int8, "provider": np.int16, "route": np.int8, "ready": np.int8,
    "handoff": np.int8, "wait_start": np.float64, "reviewed": np.int8, "counted_year": np.int16,
    "ost_counted_year": np.int16, "traced": np.int8,
    "next_check": np.int32, "event_step": np.int32, "refresh_step": np.int32, "sched_step": np.int32,
    "event_kind": np.int8, "draws": np.int32, "recount_step": np.int32, "counted_state": np.int8,
    "counted_band": np.int8, "counted_domes": np.int8, "counted_modality": np.int8, "counted_provider": np.int16,
    "counted_listed": np.int8,
}
_FILL = {"modality": -1, "provider": -1, "route": -1, "wait_start": NEVER, "counted_year": -1, "ost_counted_year": -1,
         "episode_start": NEVER,
         "last_completion": NEVER, "last_exit": NEVER, "last_dropout": NEVER,
         "last_release": NEVER, "death_time": np.nan,
         "next_check": -1, "refresh_step": -1, "event_step": NEVER_STEP, "sched_step": NEVER_STEP,
         "recount_step": NEVER_STEP, "counted_state": -1, "counted_modality": -1, "counted_provider": -1}


def _empty(n: int) -> dict[str, np.ndarray]:
    return {k: np.full(n, _FILL.get(k, 0), dtype=dt) for k, dt in _DTYPES.items()}


def _bernoulli(rng: np.random.Generator, share: float, n: int) -> np.ndarray:
    return (rng.random(n) < share).astype(np.int8)


def _profile(rng, area: AreaConfig, drug: np.ndarray) -> dict[str, np.ndarray]:
    """Sex and needs of people in the area (same shares for the initial population and new users)."""
    n = drug.shape[0]
    opiate = (drug == DrugGroup.OPIATE_ONLY) | (drug == DrugGroup.OPIATE_CRACK)
    u = rng.random(n)
    injecting = np.where(u < area.injecting_current_share, Injecting.CURRENT,
                         np.where(u < area.injecting_current_share + area.injecting_previous_share,
                                  Injecting.PREVIOUS, Injecting.NEVER)).astype(np.int8)
    injecting[~opiate] = Injecting.NEVER
    u = rng.random(n)
    parental = np.where(u < area.living_with_children_share, Parental.LIVING_WITH_CHILDREN,
                        np.where(u < area.living_with_children_share + area.parent_not_living_with_children_share,
                                 Parental.PARENT_NOT_LIVING_WITH_CHILDREN, Parental.NOT_A_PARENT)).astype(np.int8)
    return {
        "female": _bernoulli(rng, 1.0 - area.male_share, n),
        "injecting": injecting,
        "criminal_justice": _bernoulli(rng, area.criminal_justice_share, n),
        "housing_need": _bernoulli(rng, area.housing_need_share, n),
        "mental_health": _bernoulli(rng, area.mental_health_share, n),
        "parental": parental,
    }


def _drug_groups(rng, area: AreaConfig, n_ocu: int, n_other_drugs: int) -> np.ndarray:
    shares = np.array([area.opiate_only_share, area.opiate_and_crack_share, area.crack_only_share])
    ocu = rng.choice(3, size=n_ocu, p=shares / shares.sum())
    return np.concatenate([ocu, np.full(n_other_drugs, DrugGroup.OTHER_DRUGS)]).astype(np.int8)


WIDE_BAND_YEARS = 15.0


def _ages(rng, area: AreaConfig, n: int) -> np.ndarray:
    """Ages from the area's banded profile: uniform within narrow bands; within wide ones
    (e.g. 35-64) a density falling linearly to zero at the top (assumption: few users are 60+)."""
    bands = area.age_profile
    shares = np.array([b.share for b in bands], dtype=float)
    which = rng.choice(len(bands), size=n, p=shares / shares.sum())
    lower = np.array([b.lower for b in bands])[which]
    width = np.array([b.upper - b.lower for b in bands])[which]
    u = rng.random(n)
    within = np.where(width > WIDE_BAND_YEARS, 1.0 - np.sqrt(1.0 - u), u)  # triangular, mode at the lower edge
    return lower + within * width


def _elapsed_in_treatment(rng, area: AreaConfig, n: int) -> np.ndarray:
    """Elapsed years in treatment from the area's DOMES snapshot bands."""
    t = area.time_in_treatment
    shares = np.array([t.under_1y, t.y1_to_2, t.y2_to_4, t.y4_to_6, t.y6_plus])
    lower = np.array([0.0, 1.0, 2.0, 4.0, 6.0])
    width = np.array([1.0, 1.0, 2.0, 2.0, 0.0])
    which = rng.choice(5, size=n, p=shares / shares.sum())
    tail = rng.exponential(3.0, size=n)  # 6+ years: open band (assumption: mean 9 years)
    return lower[which] + np.where(width[which] > 0, rng.random(n) * width[which], tail)


def initial_population(area: AreaConfig, p: Parameters, start: float, scale: float,
                       rng: np.random.Generator, places: float = 1.0) -> dict[str, np.ndarray]:
    """The people alive and known at the start year, from the area's documented figures.

    `places`: the money in force at the start relative to the year the area's figures describe (its budget
    year; sim.config.policy.money_index). Services fill the places their money buys, so a start with less money
    has proportionally fewer people in treatment (assumption); the rest were treated before."""
    n_ocu = (int(rng.poisson(area.ocu_users * scale)) if area.ocu_users * scale < 50
             else int(round(area.ocu_users * scale)))
    n_other = int(round(area.other_drug_users * scale))
    users = n_ocu + n_other
    n_recovered = int(round(area.in_recovery_per_user * users))
    n = users + n_recovered
    cols = _empty(n)
    drug = np.concatenate([_drug_groups(rng, area, n_ocu, n_other), _drug_groups(rng, area, n_recovered, 0)])
    if n_recovered:  # recovered people share the drug mix of current users
        drug[users:] = rng.choice(drug[:users], size=n_recovered) if users else DrugGroup.OPIATE_ONLY
    cols["drug"] = drug
    cols.update(_profile(rng, area, drug))
    age = _ages(rng, area, n)
    cols["birth_time"] = start - age
    cols["onset_time"] = start - np.clip(age - p.onset.age_at_onset_mean_years, 0.5, None)

    # The shares in treatment are NDTMS counts of a year; on the start date only a part of that year's
    # clients is in treatment: the rest were treated during it and are using again (previously treated).
    is_ocu = drug != DrugGroup.OTHER_DRUGS
    year_share = np.where(is_ocu, area.ocu_in_treatment_share, area.other_drug_in_treatment_share)
    in_tx_share = year_share * area.in_treatment_now_per_year_share * min(places, 1.0)
    u = rng.random(n)
    state = np.full(n, State.USING_PREVIOUS, dtype=np.int8)
    in_tx = u < in_tx_share
    in_prison = (~in_tx) & (u < in_tx_share + area.in_prison_share)
    treated_this_year = ~(in_tx | in_prison) & (u < year_share + area.in_prison_share)
    untreated = ~(in_tx | in_prison | treated_this_year)
    naive = untreated & (rng.random(n) < area.never_treated_share_of_untreated)
    state[naive] = State.USING_NAIVE
    state[in_prison] = State.PRISON
    since = start - rng.exponential(1.0, size=n)  # time in an untimed state (assumption; only sets history)

    # Treatment: elapsed time from the DOMES bands; phase and maintenance class follow from it.
    tx = p.treatment
    elapsed = _elapsed_in_treatment(rng, area, n)
    engaged = elapsed >= tx.engagement_weeks / 52.0
    ratio = tx.planned_exit_per_year / (tx.completion_per_year + tx.unplanned_exit_stop_per_year)
    stopping = rng.random(n) < ratio / (1.0 + ratio)
    state[in_tx] = np.where(engaged[in_tx], np.where(stopping[in_tx], State.TX_STOP, State.TX_STAY), State.TX_START)
    opiate = (drug == DrugGroup.OPIATE_ONLY) | (drug == DrugGroup.OPIATE_CRACK)
    # Length bias: among people still in treatment after t years, the maintenance class is over-represented.
    share = tx.maintenance_share_opiate
    lam = tx.planned_exit_per_year + tx.unplanned_exit_per_year
    w_m = share * np.exp(-lam * tx.hr_maintenance_exit * elapsed)
    w_n = (1.0 - share) * np.exp(-lam * elapsed)
    maint = rng.random(n) < w_m / np.maximum(w_m + w_n, 1e-300)
    cols["maintenance"] = (in_tx & opiate & maint).astype(np.int8)
    abstinent = rng.random(n) < 1.0 - np.exp(-tx.abstinence_per_year * elapsed)
    cols["reviewed"] = (in_tx & (elapsed >= 0.5)).astype(np.int8)
    housed = rng.random(n) < 1.0 - np.exp(-tx.housing_resolution_per_year * elapsed)
    cols["housing_need"] = np.where(in_tx & housed, 0, cols["housing_need"]).astype(np.int8)
    cols["still_using"] = (in_tx & ~abstinent).astype(np.int8)
    cols["episode_start"] = np.where(in_tx, start - elapsed, NEVER)
    since = np.where(in_tx, np.where(state == State.TX_STOP, start - rng.exponential(0.2, size=n),
                                     np.where(engaged, start - elapsed + tx.engagement_weeks / 52.0, start - elapsed)),
                     since)
    previous_episodes = rng.poisson(1.0, size=n)  # assumption: about two episodes on average for the treated
    cols["episodes"] = np.where(state == State.USING_NAIVE, 0, 1 + previous_episodes).astype(np.int16)

    # People in sustained recovery at the start: completed within the last five years (assumption).
    rec = np.arange(n) >= users
    state[rec] = State.SUSTAIN
    completed = start - rng.random(n) * 5.0
    since = np.where(rec, completed, since)
    cols["last_completion"] = np.where(rec, completed, NEVER)
    cols["last_exit"] = np.where(rec, completed, NEVER)
    cols["state"] = state
    cols["since"] = since
    routes = _referral_routes(rng, p, cols["criminal_justice"], area.criminal_justice_share)
    cols["route"] = np.where(in_tx, routes, -1).astype(np.int8)
    return cols


def _referral_routes(rng, p: Parameters, criminal_justice: np.ndarray, involved_share: float) -> np.ndarray:
    """The referral route of today's clients, drawn as presentations choose it (sim.model.hazards): one
    distribution for people with criminal-justice involvement, one for the rest."""
    u = rng.random(len(criminal_justice))
    routes = np.empty(len(criminal_justice), dtype=np.int64)
    for flag, weights in enumerate(route_weights(p, involved_share)):
        cdf = np.cumsum(weights / weights.sum())
        mine = criminal_justice == flag
        routes[mine] = np.searchsorted(cdf, u[mine], side="right")
    return routes.clip(max=N_ROUTES - 1)


def _cohort_age_weights(ages: np.ndarray, year: float, p: Parameters, start: float, trend: float) -> np.ndarray:
    """Age-at-onset density times the birth-cohort trend in onset (later cohorts start less or more)."""
    o = p.onset
    density = np.exp(-0.5 * ((ages - o.age_at_onset_mean_years) / o.age_at_onset_sd_years) ** 2)
    reference_cohort = start - o.age_at_onset_mean_years
    return density * np.exp(trend * ((year - ages) - reference_cohort))


def new_users(area: AreaConfig, p: Parameters, initial_drug: np.ndarray, start: float, end: float,
              scale: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Everyone who starts dependent use during the projection, sorted by onset time.

    Each year's entrants are drawn whole (number, ages, times, then sex and needs) before the next year's, so
    a later end_year adds people without redrawing the earlier ones: the documented past of a projection to
    2033 is the calibration's (run to 2013), draw for draw."""
    o = p.onset
    ages = np.arange(15.0, 50.0) + 0.5
    prevalent = np.bincount(initial_drug, minlength=4).astype(float)
    groups, times, onset_ages, profiles = [], [], [], []
    for year in range(int(start), int(end)):
        dt_years = year - start
        for group in DrugGroup:
            if group == DrugGroup.OTHER_DRUGS:
                rate, period, cohort = (o.non_opiate_incidence_per_prevalent_per_year,
                                        o.non_opiate_period_trend_per_year, 0.0)
            else:
                rate, period, cohort = (o.ocu_incidence_per_prevalent_per_year, o.ocu_period_trend_per_year,
                                        o.ocu_cohort_trend_per_year)
            weights = _cohort_age_weights(ages, year, p, start, cohort)
            reference = _cohort_age_weights(ages, start, p, start, cohort)
            expected = prevalent[group] * rate * np.exp(period * dt_years) * weights.sum() / reference.sum()
            k = int(rng.poisson(expected))
            if k == 0:
                continue
            a = rng.choice(ages, size=k, p=weights / weights.sum()) + rng.random(k) - 0.5
            groups.append(np.full(k, group, dtype=np.int8))
            times.append(year + rng.random(k))
            onset_ages.append(a)
            profiles.append(_profile(rng, area, groups[-1]))  # drawn with the year's entrants: see the docstring
    if not groups:
        return _empty(0)
    drug = np.concatenate(groups)
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    drug, t, a = drug[order], t[order], np.concatenate(onset_ages)[order]
    cols = _empty(drug.shape[0])
    cols["drug"] = drug
    cols.update({name: np.concatenate([pr[name] for pr in profiles])[order] for name in profiles[0]})
    cols["birth_time"] = t - a
    cols["onset_time"] = t
    cols["since"] = t
    cols["state"][:] = State.NOT_YET
    return cols


def help_seeking(p: Parameters, state: np.ndarray, n_initial: int, key: np.uint64) -> np.ndarray:
    """Who, once treated, rarely presents again (`presentation.reluctant_share`): one uniform per row from its
    own stream, so the trait moves no other draw and a larger share adds people without reshuffling.

    Among the people already treated and out of treatment at the start the reluctant are over-represented,
    as the stock of a pool holds each kind in proportion to how long it stays there: the steady state of
    leaving by presenting or by natural remission (assumption)."""
    pr = p.presentation
    n = state.shape[0]
    if pr.reluctant_share <= 0.0:
        return np.zeros(n, dtype=np.int8)
    share = np.full(n, pr.reluctant_share)
    remission = p.recovery.natural_remission_per_year
    stay_reluctant = pr.reluctant_share / (pr.previous_per_year * pr.hr_reluctant + remission)
    stay_others = (1.0 - pr.reluctant_share) / (pr.previous_per_year + remission)
    pool = np.zeros(n, dtype=bool)
    pool[:n_initial] = state[:n_initial] == State.USING_PREVIOUS
    share[pool] = stay_reluctant / (stay_reluctant + stay_others)
    return (uniforms(key, np.arange(n, dtype=np.int64), 0) < share).astype(np.int8)


def build_people(area: AreaConfig, p: Parameters, start: float, end: float, scale: float, onset: bool,
                 rng_population: np.random.Generator, rng_onset: np.random.Generator,
                 propensity_key: np.uint64, places: float = 1.0) -> tuple[People, int]:
    """All rows for a run: (people, number of rows active at the start; `propensity_key` the stream of
    `help_seeking`; `places` as in `initial_population`)."""
    first = initial_population(area, p, start, scale, rng_population, places)
    n0 = first["state"].shape[0]
    if onset:
        later = new_users(area, p, first["drug"][first["state"] != State.SUSTAIN], start, end, scale, rng_onset)
        cols = {k: np.concatenate([first[k], later[k]]) for k in first}
    else:
        cols = first
    cols["reluctant"] = help_seeking(p, cols["state"], n0, propensity_key)
    return pack(cols), n0


# Columns scanned every step (whole-column loops) stay contiguous; the rest of a person's row is one record.
_SCANNED = ("next_check", "state", "onset_time")


def pack(cols: dict[str, np.ndarray]) -> People:
    """People whose columns are views into one record per person (largest fields first), so touching a
    person reads two or three cache lines instead of one for each of fifty columns: a large area's step is
    bound by those memory reads. The columns every step scans stay contiguous."""
    n = cols["state"].shape[0]
    names = sorted((k for k in _DTYPES if k not in _SCANNED), key=lambda k: -np.dtype(_DTYPES[k]).itemsize)
    rec = np.empty(n, dtype=np.dtype([(k, _DTYPES[k]) for k in names], align=True))
    for k in names:
        rec[k] = cols[k]
    return People(**{k: (rec[k] if k in names else np.ascontiguousarray(cols[k], dtype=_DTYPES[k]))
                     for k in _DTYPES})
