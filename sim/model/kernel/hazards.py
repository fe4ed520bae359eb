"""One person's hazards at a moment: death, each transition out of their state, in-treatment outcomes.

`transition_hazards` is where every transition family of the table (`sim.domain.transitions`,
built in `sim.model.hazards`) meets a person: base rate for their drug group x the product of
the ratios of their attributes (one lookup by attribute pattern) x the ratio of their modality
x the multiplier of their duration band in the state.
"""

import numpy as np
from numba import njit

from sim.model.kernel.codes import (
    CURRENT_INJECTOR,
    FOUR_WEEKS_YEARS,
    GP_SHARED_CARE,
    HANDOFF_DUE,
    SPECIALIST_PRESCRIBING,
    TWO_WEEKS_YEARS,
)
from sim.model.kernel.people import in_treatment


@njit(inline="always")
def age_index(age, mort):
    """Mortality age band of an age."""
    return min(max(int(age * mort.per_age_step), 0), mort.other_cause_age.shape[0] - 1)


@njit(inline="always")
def mortality_hazards(people, i, s, g, t_mid, a, mort):
    """(drug-related, other-cause) annual death hazards of person i at time t_mid, age band a."""
    h_drd = mort.drug_related_base[g] * mort.drug_related_state[s] * mort.drug_related_age[a]
    if people.injecting[i] == CURRENT_INJECTOR:
        h_drd *= mort.hr_injecting
    if in_treatment(s):
        if on_opioid_substitution(people.modality[i]):
            h_drd *= mort.hr_opioid_substitution
    elif people.left_tolerance[i] == 1:
        h_drd *= after_window(t_mid - people.last_exit[i], mort.hr_after_treatment)
    h_drd *= after_window(t_mid - people.last_release[i], mort.hr_after_release)
    h_other = mort.other_cause_age[a]
    if people.female[i] == 1:
        h_other *= mort.hr_female_other
    return h_drd, h_other


@njit(inline="always")
def on_opioid_substitution(modality):
    return modality == SPECIALIST_PRESCRIBING or modality == GP_SHARED_CARE


@njit(inline="always")
def after_window(elapsed, hr):
    """The hazard ratio `elapsed` years after leaving treatment or prison: hr[0] in weeks 1-2, hr[1] in weeks 3-4,
    then 1 (risk falls as tolerance returns or the person settles; week by week in two-week steps)."""
    if elapsed < 0.0:
        return 1.0
    if elapsed < TWO_WEEKS_YEARS:
        return hr[0]
    if elapsed < FOUR_WEEKS_YEARS:
        return hr[1]
    return 1.0


@njit(inline="always")
def next_window_edge(elapsed, since, hr):
    """The time the risk after leaving (at `since`, `elapsed` years ago) next changes, inf if it no longer does (an
    edge across which the ratio stays the same is no change: no refresh for it)."""
    if elapsed < 0.0:
        return np.inf
    if elapsed < TWO_WEEKS_YEARS and hr[0] != hr[1]:
        return since + TWO_WEEKS_YEARS
    if elapsed < FOUR_WEEKS_YEARS and hr[1] != 1.0:
        return since + FOUR_WEEKS_YEARS
    return np.inf


@njit(inline="always")
def attribute_pattern(people, i):
    """The person's attributes as the bits of a Covariate pattern (the column of hr_table)."""
    return (people.criminal_justice[i] | (people.housing_need[i] << 1) | (people.mental_health[i] << 2)
            | (people.still_using[i] << 3) | (people.maintenance[i] << 4)
            | ((people.injecting[i] == CURRENT_INJECTOR) << 5) | (people.female[i] << 6)
            | (people.ready[i] << 7) | ((people.handoff[i] == HANDOFF_DUE) << 8) | (people.reluctant[i] << 9))


@njit(inline="always")
def transition_hazards(people, i, s, g, t_mid, haz, hbuf):
    """Fill hbuf with the hazards out of state s (table rows ptr[s]..ptr[s+1]); return their sum and
    the time of the next duration-band edge (when they change)."""
    lo = haz.ptr[s]
    hi = haz.ptr[s + 1]
    mask = attribute_pattern(people, i)
    modality = people.modality[i] + 1
    tis = t_mid - people.since[i]
    n_bands = haz.dur_edges.shape[1]
    total = 0.0
    next_edge = np.inf
    for k in range(lo, hi):
        h = haz.base[k, g]
        if h > 0.0:
            h *= haz.hr_table[k, mask] * haz.modality_hr[k, modality]
            b = 0
            while b + 1 < n_bands and tis >= haz.dur_edges[k, b + 1]:
                b += 1
            h *= haz.dur_mult[k, b]
            nb = b + 1  # the next band whose multiplier differs: an edge that changes nothing needs no refresh
            while nb < n_bands and haz.dur_mult[k, nb] == haz.dur_mult[k, b]:
                nb += 1
            if nb < n_bands:
                next_edge = min(next_edge, people.since[i] + haz.dur_edges[k, nb])
        hbuf[k - lo] = h
        total += h
    return total, next_edge


@njit(inline="always")
def abstinence_hazard(people, i, s, outcomes):
    """TOP: stopping illicit use while in treatment."""
    if in_treatment(s) and people.still_using[i] == 1:
        return outcomes.abstinence_per_year
    return 0.0


@njit(inline="always")
def housing_hazard(people, i, s, outcomes):
    """A housing need resolved while in treatment."""
    if in_treatment(s) and people.housing_need[i] == 1:
        return outcomes.housing_resolution_per_year
    return 0.0
