"""Test helpers: configs composed exactly as the `journeys` command composes them."""

from sim import load_config, resolve
from sim.config.schema import AgeBand


def compose(*overrides: str):
    """Default config with overrides; no figures and no journey log unless asked for."""
    return load_config(["output.figures=false", "output.trace_people=0", *overrides])


def markov_config(n_users: int = 30_000, years: int = 8, steps_per_year: int = 52, seed: int = 3):
    """One kind of person, constant hazards, no ageing and no onset: a Markov chain (resolved, ready to build)."""
    cfg = compose("area=southampton", "system=integrated", "system.budget_multiplier=1000", "policy_year=2005",
                  "warm_up_years=0", "history=none",
                  f"seed={seed}",
                  f"end_year={2005 + years}", f"steps_per_year={steps_per_year}", "onset=false", "ageing=false")
    a = cfg.area
    a.ocu_users, a.other_drug_users = n_users, 0
    a.opiate_only_share, a.opiate_and_crack_share, a.crack_only_share = 1.0, 0.0, 0.0
    a.male_share = 1.0
    a.criminal_justice_share = a.housing_need_share = a.mental_health_share = 0.0
    a.injecting_current_share = a.injecting_previous_share = 0.0
    a.age_profile = [AgeBand(30.0, 31.0, 1.0)]
    a.timeline = []  # constant hazards: no documented changes over the years
    p = cfg.params
    p.presentation.naive_per_year = p.presentation.previous_per_year = 0.5
    p.presentation.reluctant_share = 0.0  # everyone alike in help-seeking (England's fitted trait splits them)
    p.waiting.start_per_year, p.waiting.dropout_per_year = 6.0, 1.0
    p.treatment.hr_still_using_planned_exit = p.treatment.hr_still_using_unplanned_exit = 1.0
    p.treatment.maintenance_share_opiate = 0.0
    r = p.recovery
    r.represent_first_6m_per_year = r.represent_6_to_12m_per_year = r.represent_year2_per_year = 0.15
    r.represent_year3_per_year = r.represent_later_per_year = 0.15
    mo = p.mortality  # no windows after treatment or prison, no protection by modality: constant hazards
    mo.hr_after_treatment_weeks_1_2 = mo.hr_after_treatment_weeks_3_4 = 1.0
    mo.hr_after_release_weeks_1_2 = mo.hr_after_release_weeks_3_4 = mo.hr_opioid_substitution_drug_related = 1.0
    p.mortality.drug_related_per_year = 0.02  # large enough that deaths are well measured
    m = p.modality  # every modality alike, no aftercare: one kind of person
    for name in list(vars(m)):
        if name.startswith("hr_"):
            setattr(m, name, 1.0)
    m.aftercare_share = 0.0
    return resolve(cfg)
