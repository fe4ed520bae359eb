"""The model's parameters: every hazard, ratio, share and unit cost, each with its provenance.

Rates are annual hazards (`_per_year`); `hr_` fields are hazard ratios (multipliers);
`_share` fields are proportions in [0, 1]; durations say their unit in the name. Every
parameter is declared with `param(...)` (`sim.config.provenance`): its unit, the seed figures
it is derived from or `assumption`, and the range a calibration may move it in. The table of
all of them is `calibration/parameters.csv`.
"""

from dataclasses import dataclass, field

from sim.config.provenance import param

A = "assumption"


@dataclass
class OnsetParams:
    """New dependent users entering the population (by birth cohort, sex and drug group)."""

    ocu_incidence_per_prevalent_per_year: float = param(
        0.03, "new OCU per prevalent OCU per year (in the start year)",
        "eng_ocu_prevalence_2005_06_peak eng_ocu_prevalence_2010_11", 0.01, 0.12,
        "set so that, with deaths and recovery, OCU prevalence falls about 2%/yr "
        "(332,090 to 298,752 over 5 years, derived.md 21)",
    )
    ocu_period_trend_per_year: float = param(
        -0.05, "log change in OCU onset per calendar year",
        "eng_heroin_first_time_entrants_2005_06 eng_heroin_first_time_entrants_2011_12", -0.25, 0.05,
        "first-time heroin entrants fell 24%/yr 2005-06 to 2011-12 (an upper bound on the fall in onset)",
    )
    ocu_cohort_trend_per_year: float = param(
        -0.03, "log change in OCU onset per later birth year", A, -0.15, 0.05,
        "the heroin epidemic was concentrated in cohorts born in the 1960s-70s; later cohorts initiate less",
    )
    non_opiate_incidence_per_prevalent_per_year: float = param(
        0.15, "new non-opiate users per prevalent non-opiate user per year", A, 0.05, 0.5,
        "non-opiate careers are short (high remission), so turnover is high",
    )
    non_opiate_period_trend_per_year: float = param(0.0, "log change per calendar year", A, -0.1, 0.1)
    age_at_onset_mean_years: float = param(22.0, "years", A, 17.0, 30.0)
    age_at_onset_sd_years: float = param(5.0, "years", A, 2.0, 10.0)


@dataclass
class PresentationParams:
    """Using -> presenting to treatment (split over referral routes by `ReferralParams`)."""

    naive_per_year: float = param(
        0.18, "per person-year", "eng_ocu_new_treatment_starts_2011_12 eng_ocu_prevalence_2010_11", 0.05, 0.8,
        "starts per prevalent OCU 0.16/yr; per out-of-treatment OCU about 0.31/yr (derived.md 10)",
    )
    previous_per_year: float = param(
        0.25, "per person-year", "eng_dropout_cohort_no_return_frac eng_dropout_cohort_2005_06_n", 0.1, 1.0,
        "half of 2005-06 drop-outs returned within 3 years: "
        ">= 0.21/yr before removing deaths and prison (derived.md 5)",
    )
    reluctant_share: float = param(
        0.3209, "share of users", "eng_dropout_cohort_no_return_frac eng_attempts_to_get_clean", 0.0, 0.8,
        "people who, once treated, rarely come back (a trait, drawn at random): half of 2005-06's drop-outs did "
        "not return within three years, while a heroin user may make six attempts over six years; 0 = everyone "
        "alike (calibration/targets/definitions.md). The default is England's fit (2026-12-03), used in every area",
    )
    hr_reluctant: float = param(
        0.8539, "hazard ratio", "eng_dropout_cohort_no_return_frac eng_attempts_to_get_clean", 0.02, 1.0,
        "the reluctant's presentations once treated, against everyone else's (acts where reluctant_share > 0); the "
        "default is England's fit (2026-12-03)",
    )
    hr_non_opiate: float = param(
        2.5, "hazard ratio", "eng_non_opiate_share_in_tx_c2008_frac eng_non_ocu_in_tx_n_c2008", 0.5, 6.0,
        "other-drug (not opiate or crack) episodes are short, yet about a quarter of adults in treatment (50,000 a "
        "year) are non-opiate clients: they must present often",
    )
    hr_crack_only: float = param(
        0.2399, "hazard ratio", "eng_non_opiate_share_in_tx_c2008_frac eng_non_ocu_in_tx_n_c2008 "
        "eng_crack_prevalence_2009_10", 0.1, 1.5,
        "crack users who use no opiates, against opiate users: the NTA's non-opiate clients of 2007-08 (a quarter "
        "of 202,666, crack among them) are hardly more than its 50,000 treated for other drugs, so few of the "
        "42,000 crack-only users were in treatment; services built round opiate prescribing had little to offer "
        "them (Worcestershire c.2008: more work needed 'to ensure that services are able to meet this treatment "
        "demand'). 1 = as opiate users (the model before 2026-12-03). The default is England's fit (2026-12-03), "
        "used in every area",
    )


@dataclass
class WaitingParams:
    start_per_year: float = param(
        61.0, "per person-year (from referral to the first intervention, places permitting)",
        "eng_wait_now_weeks eng_wait_weeks_after_2007 eng_wait_over3w_pct_2011_12", 12.0, 104.0,
        "national average wait under a week, 3% over 3 weeks (DOMES 2011/12): an exponential wait with "
        "exp(-3 r / 52) = 0.03 gives r = 61 a year (mean 0.85 weeks); a full service adds its queue",
    )
    dropout_per_year: float = param(2.0, "per person-year", A, 0.0, 10.0, "people who present but never start")


@dataclass
class TreatmentParams:
    """Start (engagement), stay (retention) and stop (planned exit) phases."""

    engagement_weeks: float = param(
        12.0, "weeks", "eng_min_retention_benefit_weeks", 12.0, 12.0,
        "the start phase ends after 12 weeks (the NTA retention threshold); fixed, not calibrated",
    )
    unplanned_exit_engagement_per_year: float = param(
        0.6, "per person-year, no criminal-justice, housing or mental health need", "eng_complete_or_retained_12w_frac",
        0.3, 2.5, "four in five complete or stay 12+ weeks: -ln(0.8)/(12/52) = 0.97 on average (derived.md 9); "
        "0.75 for the reference group once the need ratios (~1.3 on average) apply",
    )
    planned_exit_per_year: float = param(
        0.35, "per person-year (stay -> stop), opiate only", "eng_sc_opiate_pct_2011_12 soton_sc_opiate_pct_2011_12",
        0.05, 0.6, "opiate successful completions are 7-9% of the annual caseload (derived.md 7)",
    )
    unplanned_exit_per_year: float = param(
        0.3, "per person-year (stay -> using), opiate only",
        "eng_time_in_tx_avg_2011_12 bed_opiate_time_in_tx_avg_2013_14",
        0.1, 1.0, "mean elapsed time in treatment 2.9-3.8 years gives total exit 0.26-0.34/yr (derived.md 8) across "
        "both classes; outside the maintenance class faster. For the reference group (no need, abstinent): England's "
        "fit 0.164, Southampton's 0.50 (2026-12-03)",
    )
    completion_per_year: float = param(
        4.0, "per person-year (stop -> sustain)", "lit_resi_programme_min_weeks lit_resi_programme_max_weeks_usual",
        1.0, 12.0, "a planned exit (detox, reduction) takes about 6-12 weeks",
    )
    unplanned_exit_stop_per_year: float = param(0.5, "per person-year (stop -> using)", A, 0.1, 4.0)
    hr_non_opiate_planned_exit: float = param(
        12.0, "hazard ratio", "eng_sc_nonopiate_pct_2011_12 eng_sc_opiate_pct_2011_12", 2.0, 15.0,
        "non-opiate completions are 40% of caseload against 9% for opiates",
    )
    hr_non_opiate_unplanned_exit: float = param(
        2.0, "hazard ratio", "bed_nonopiate_time_in_tx_avg_2013_14 bed_opiate_time_in_tx_avg_2013_14", 1.0, 4.0,
        "non-opiate clients stay 1.0 year on average against 3.8 for opiate clients",
    )
    hr_crack_only_planned_exit: float = param(
        2.5, "hazard ratio", A, 1.0, 6.0, "crack-only clients resemble non-opiate clients"
    )
    hr_opiate_crack_unplanned_exit: float = param(1.2, "hazard ratio", A, 0.8, 2.0)
    hr_criminal_justice_unplanned_exit: float = param(
        1.7, "hazard ratio", "eng_cj_time_in_tx_avg_2011_12 eng_time_in_tx_avg_2011_12", 1.0, 3.0,
        "criminal-justice clients stay 1.7 years on average against 2.9 for all clients",
    )
    hr_housing_need_unplanned_exit: float = param(1.3, "hazard ratio", A, 1.0, 2.0)
    hr_mental_health_unplanned_exit: float = param(1.2, "hazard ratio", A, 1.0, 2.0)
    hr_still_using_planned_exit: float = param(
        0.5, "hazard ratio", A, 0.1, 1.0, "planned exits follow abstinence (TOP)"
    )
    hr_still_using_unplanned_exit: float = param(1.5, "hazard ratio", A, 1.0, 3.0)
    abstinence_per_year: float = param(
        1.1, "per person-year in treatment",
        "soton_top_q4_opiate_abstinent_review_pct clusterd_top_opiate_abstinent_review_range_low "
        "clusterd_top_opiate_abstinent_review_range_high",
        0.4, 2.5, "42% abstinent from opiates at the ~6-month TOP review: -ln(0.58)/0.5 = 1.09 (derived.md 18)",
    )
    housing_resolution_per_year: float = param(
        0.25, "per person-year in treatment with a housing need",
        "worcs_top_housing_resolved_pct eng_top_housing_resolved_pct_worcs_doc",
        0.05, 3.0, "38% (Worcestershire) to 70% (England) of clients with housing problems no longer report them at "
        "discharge; 84% of completers have no housing need in England (eng_top_sc_no_housing_need_all_2011_12)",
    )
    maintenance_share_opiate: float = param(
        0.6, "share of opiate treatment episodes",
        "eng_time_in_tx_6yplus_2011_12 bed_opiate_time_in_tx_6yplus_2013_14",
        0.0, 0.7,
        "a long-term maintenance class explains the 21-27% of opiate clients in treatment 6+ years (derived.md 8); "
        "calibrated in every shipped fit (England 0.30, Southampton 0.60, 2026-12-02); the default lies between",
    )
    hr_maintenance_exit: float = param(
        0.13, "hazard ratio on stay-phase exits", A, 0.05, 1.0,
        "calibrated in every shipped fit (England 0.12, Southampton 0.14, 2026-12-01); the default lies between")


@dataclass
class RecoveryParams:
    """Sustain (after successful completion) and natural remission."""

    represent_first_6m_per_year: float = param(
        0.3, "per person-year, first 6 months after completion",
        "eng_rep_opiate_pct_2011_12 soton_rep_opiate_pct_2011_12",
        0.1, 0.6,
        "15% of opiate completers re-present within the year, ~6 months follow-up: "
        "-ln(0.85)/0.5 = 0.33 (derived.md 3)",
    )
    represent_6_to_12m_per_year: float = param(
        0.08, "per person-year, months 6-12",
        "eng_sc_cohort_relapse_y1_frac eng_sc_cohort_no_return_n eng_sc_cohort_2005_06_n",
        0.0, 0.3,
        "with the first 6 months, gives the NTA cohort's year-1 return of ~0.18 (derived.md 1): 1-exp(-(0.15+0.04))",
    )
    represent_year2_per_year: float = param(
        0.11, "per person-year, second year", "eng_sc_cohort_relapse_y2_frac eng_sc_cohort_no_return_n", 0.04, 0.25,
        "1/10 of the cohort in year 2: 0.10/0.80 = 0.125, scaled 0.11 (derived.md 1)",
    )
    represent_year3_per_year: float = param(
        0.06, "per person-year, third year", "eng_sc_cohort_relapse_y3_pct eng_sc_cohort_no_return_n", 0.02, 0.15,
        "nearly 5% of the cohort in year 3: 0.05/0.70 = 0.071, scaled 0.06 (derived.md 1)",
    )
    represent_later_per_year: float = param(
        0.03, "per person-year after 3 years", A, 0.0, 0.08, "continues the falling trend"
    )
    hr_non_opiate_represent: float = param(
        0.27, "hazard ratio", "eng_rep_nonopiate_pct_2011_12 eng_rep_opiate_pct_2011_12", 0.1, 0.8,
        "within-year re-presentation 4% non-opiate against 15% opiate (derived.md 3)",
    )
    relapse_per_year: float = param(0.04, "per person-year (sustain -> using, not re-presenting)", A, 0.0, 0.2)
    natural_remission_per_year: float = param(
        0.03, "per person-year (using -> remission), OCU", "lit_drug_free_5y_frac", 0.0, 0.1,
        "long-term careers end slowly; drug-free shares of treated cohorts (derived.md 14) bound it above",
    )
    hr_non_opiate_remission: float = param(4.0, "hazard ratio", A, 1.0, 10.0)
    relapse_from_remission_per_year: float = param(0.1, "per person-year (remission -> using)", A, 0.0, 0.4)


@dataclass
class PrisonParams:
    imprisonment_per_year: float = param(
        0.05, "per person-year, using, no criminal-justice involvement", "eng_pdu_prison_cjs_tx_n_c2008", 0.0, 0.2,
        "around 60,000 problem drug users in prison or treated through the criminal justice system c.2008",
    )
    hr_criminal_justice_imprisonment: float = param(5.0, "hazard ratio", A, 1.0, 10.0)
    hr_in_treatment_imprisonment: float = param(
        0.5, "hazard ratio", "eng_acquisitive_fall_dip_frac eng_theft_fall_community_tx_frac", 0.2, 1.0,
        "offending falls by a quarter to a half in treatment",
    )
    hr_recovery_imprisonment: float = param(0.2, "hazard ratio", A, 0.05, 1.0)
    release_per_year: float = param(2.0, "per person-year (mean stay 6 months)", A, 0.5, 6.0)
    release_to_treatment_share: float = param(
        0.3, "share of releases referred straight to community treatment", A, 0.0, 0.8,
        "prison-to-community continuity of care; the criminal-justice lever of the next issue moves it",
    )


@dataclass
class MortalityParams:
    drug_related_per_year: float = param(
        0.005, "per person-year, opiate user using out of treatment, aged under 30",
        "bed_avg_deaths_2009_11 bed_ocu_prevalence_2011_12",
        0.003, 0.02,
        "Bedford: 3 drug-related deaths a year per 965 OCU = 0.31%/yr on the narrow EMCDDA definition "
        "(derived.md 13); literature ~1%",
    )
    hr_drug_related_per_decade_over_30: float = param(1.2, "hazard ratio per 10 years of age over 30", A, 1.0, 1.6)
    hr_crack_only_drug_related: float = param(0.5, "hazard ratio", A, 0.2, 1.0)
    hr_non_opiate_drug_related: float = param(0.2, "hazard ratio", A, 0.05, 0.6)
    hr_injecting_drug_related: float = param(2.0, "hazard ratio (current injectors)", A, 1.0, 4.0)
    hr_opioid_substitution_drug_related: float = param(
        0.53, "hazard ratio while on opioid substitution (specialist prescribing, GP shared care)",
        "cornish2010_rr_rest_off", 0.36, 0.77,
        "1 / 1.9 (95% CI 1.3-2.8): other treatment gives no protection (drug_related_state 1 in treatment)")
    hr_recovery_drug_related: float = param(0.3, "hazard ratio", A, 0.1, 1.0)
    hr_prison_drug_related: float = param(0.2, "hazard ratio", A, 0.05, 1.0)
    hr_after_treatment_weeks_1_2: float = param(
        5.1, "hazard ratio in weeks 1-2 after leaving opioid substitution or inpatient detox",
        "cornish2010_crude_weeks_1_2_off cornish2010_crude_off_rest cornish2010_rr_weeks_1_2_off "
        "cornish2010_rr_rest_off",
        2.8, 7.8, "4.8 / 0.95 per 100 person-years; range 5.4/1.9 to 14.9/1.9; detox's loss of tolerance assumed alike")
    hr_after_treatment_weeks_3_4: float = param(
        4.5, "hazard ratio in weeks 3-4 after leaving opioid substitution or inpatient detox",
        "cornish2010_crude_weeks_3_4_off cornish2010_crude_off_rest cornish2010_rr_weeks_3_4_off "
        "cornish2010_rr_rest_off",
        2.5, 7.2, "4.3 / 0.95 per 100 person-years; range 4.7/1.9 to 13.7/1.9")
    hr_after_release_weeks_1_2: float = param(
        8.6, "hazard ratio in weeks 1-2 after release from prison",
        "merrall2010_uk_rr_weeks_1_2 merrall2010_rr_weeks_3_4",
        6.5, 11.3, "UK 7.5 (5.7-9.9) vs weeks 3-12, which average 1.14 of the rate from week 5 on (weeks 3-4 at 1.7)")
    hr_after_release_weeks_3_4: float = param(
        1.7, "hazard ratio in weeks 3-4 after release from prison", "merrall2010_rr_weeks_3_4", 1.3, 2.2,
        "vs weeks 5-12, taken as the usual rate of people using (assumption)")
    other_cause_at_40_per_year: float = param(
        0.0015, "per person-year, general population aged 40", A, 0.0008, 0.003, "approximates national life tables"
    )
    other_cause_gompertz_slope_per_year: float = param(0.09, "log hazard per year of age", A, 0.07, 0.11)
    smr_other_cause: float = param(3.0, "standardised mortality ratio, non-drug causes", A, 1.0, 6.0)
    hr_female_other_cause: float = param(0.6, "hazard ratio", A, 0.4, 1.0)


@dataclass
class ModalityParams:
    """Modality effects on exits from the stay phase, and unit costs (cost per client-week, GBP)."""

    hr_planned_exit_specialist_prescribing: float = param(1.0, "hazard ratio (reference)", A, 1.0, 1.0)
    hr_unplanned_exit_specialist_prescribing: float = param(1.0, "hazard ratio (reference)", A, 1.0, 1.0)
    hr_planned_exit_gp_shared_care: float = param(0.8, "hazard ratio", A, 0.3, 2.0, "stable clients, long stays")
    hr_unplanned_exit_gp_shared_care: float = param(0.6, "hazard ratio", A, 0.3, 1.5)
    hr_planned_exit_psychosocial: float = param(
        0.7, "hazard ratio", "soton_modality_other_psychosocial_planned_pct_2011_12", 0.3, 3.0,
        "44% of psychosocial modality exits planned (prescribing: 45%); the ratio that gives it on the documented "
        "defaults, completions begun within the first 12 weeks included")
    hr_unplanned_exit_psychosocial: float = param(1.3, "hazard ratio", A, 0.5, 3.0)
    hr_planned_exit_structured_day: float = param(
        1.1, "hazard ratio", "soton_modality_struct_day_planned_pct_2011_12", 0.5, 4.0,
        "51% of structured day programme exits planned (on the documented defaults, completions begun within the "
        "first 12 weeks included)")
    hr_unplanned_exit_structured_day: float = param(1.3, "hazard ratio", A, 0.5, 3.0)
    hr_planned_exit_other_structured: float = param(
        1.2, "hazard ratio", "soton_modality_other_structured_planned_pct_2011_12", 0.5, 4.0,
        "51% of other structured treatment exits planned")
    hr_unplanned_exit_other_structured: float = param(1.2, "hazard ratio", A, 0.5, 3.0)
    hr_planned_exit_inpatient_detox: float = param(
        8.0, "hazard ratio", A, 2.0, 20.0, "a detox admission lasts weeks, then a planned exit or a drop-out")
    hr_unplanned_exit_inpatient_detox: float = param(3.0, "hazard ratio", A, 1.0, 10.0)
    hr_planned_exit_residential_rehab: float = param(
        4.0, "hazard ratio", "lit_resi_programme_min_weeks lit_resi_programme_max_weeks_usual", 1.0, 10.0,
        "12-step residential programmes usually take 6 to 12 weeks")
    hr_unplanned_exit_residential_rehab: float = param(2.0, "hazard ratio", A, 0.5, 6.0)
    cost_specialist_prescribing_per_week: float = param(45.0, "GBP per client-week", A, 20.0, 100.0)
    cost_gp_shared_care_per_week: float = param(25.0, "GBP per client-week", A, 10.0, 60.0)
    cost_psychosocial_per_week: float = param(30.0, "GBP per client-week", A, 10.0, 80.0)
    cost_structured_day_per_week: float = param(150.0, "GBP per client-week", A, 60.0, 400.0)
    cost_other_structured_per_week: float = param(35.0, "GBP per client-week", A, 10.0, 100.0)
    cost_inpatient_detox_per_week: float = param(1500.0, "GBP per client-week", A, 700.0, 3000.0)
    cost_residential_rehab_per_week: float = param(700.0, "GBP per client-week", A, 400.0, 1500.0)
    cost_recovery_support_per_week: float = param(10.0, "GBP per client-week", A, 2.0, 40.0)
    step_down_per_year: float = param(
        0.3, "per person-year, abstinent opiate clients on prescribing -> GP shared care",
        "soton_modality_spec_prescribing_planned_pct_2011_12",
        0.0, 1.0,
        "planned prescribing exits (175 in 2011/12) far outnumber successful completions (118): most are step-downs")
    step_up_per_year: float = param(
        0.05, "per person-year, opiate clients on prescribing or shared care -> inpatient detox", A, 0.0, 0.3)
    aftercare_share: float = param(
        0.3, "share of successful completers given recovery support", A, 0.0, 1.0,
        "aftercare, mutual aid and peer support after exit; the recovery-orientated lever raises it")
    aftercare_weeks: float = param(26.0, "weeks of recovery support after exit", A, 4.0, 104.0)
    hr_represent_in_aftercare: float = param(
        0.7, "hazard ratio on re-presentation and relapse while in aftercare", "lit_litt2007_abstinent_network_effect",
        0.3, 1.0, "adding an abstinent friend raised abstinence next year by 27% (alcohol, US)")


@dataclass
class ReferralParams:
    """Referral routes: each route's share of presentations and the chance a referral is picked up."""

    self_share: float = param(0.45, "share of presentations", A, 0.1, 0.8)
    gp_share: float = param(0.1, "share of presentations", A, 0.0, 0.4)
    criminal_justice_share: float = param(
        0.25, "share of community presentations through the criminal-justice route (arrest referral, DIP, DRR), "
        "over everyone (people with criminal-justice involvement take it hr_criminal_justice_route times as often: "
        "who, not how many; sim.model.hazards.route_weights)",
        "eng_tx_referral_cjs_share_c2008_frac soton_dip_new_referred_q1_2011_12 soton_new_journeys_ytd_2011_12", 0.1,
        0.5, "about a quarter of treatment entrants are picked up through the criminal justice system, prison "
        "releases included (a target on criminal_justice_share_of_starts); Southampton 2011/12: 77 new DIP "
        "referrals referred into treatment (15 + 16 + 14 + 32 by quarter) against 352 new treatment journeys (0.22)")
    outreach_share: float = param(0.1, "share of presentations (needle exchange and outreach)", A, 0.0, 0.4)
    hospital_share: float = param(0.1, "share of presentations", A, 0.0, 0.3)
    hr_criminal_justice_route: float = param(
        4.0, "hazard ratio on the criminal-justice route for people with criminal-justice involvement", A, 1.0, 10.0)
    pickup_self_share: float = param(0.9, "share of referrals picked up", A, 0.5, 1.0)
    pickup_gp_share: float = param(0.9, "share of referrals picked up", A, 0.5, 1.0)
    pickup_criminal_justice_share: float = param(
        0.84, "share of referrals picked up",
        "soton_dip_not_picked_up_n_q1_2011_12 soton_dip_new_referred_q1_2011_12 "
        "soton_dip_picked_up_pct_q4_2011_12",
        0.6, 1.0, "new DIP referrals 2011/12: 12 of 77 never picked up (derived.md 16)")
    pickup_outreach_share: float = param(0.8, "share of referrals picked up", A, 0.4, 1.0)
    pickup_hospital_share: float = param(0.7, "share of referrals picked up", A, 0.3, 1.0)
    pickup_prison_release_share: float = param(0.7, "share of release referrals picked up", A, 0.3, 1.0)


@dataclass
class HistoryParams:
    """England's treatment system over the documented past (the `history` config group says which
    period each one acts in): the expansion under the NTA and the turn from retention to completions.
    Fitted to England's figures of those years and used in every area: the defaults are the best trial of
    England's fit (calibration/england, 2026-12-03, to 4 significant figures)."""

    budget_share_2001: float = param(
        0.3602, "share of the documented treatment budget (2008) in force in 2001, growing linearly to all of it "
        "in 2008", "eng_nta_funding_2001 eng_tx_funding_2008 eng_funding_dh_share_frac eng_funding_cjs_share_frac",
        0.357, 1.0,
        "dedicated funding rose from GBP 142m when the NTA was established (2001) to 398m in 2008: 142 / 398 = "
        "0.357, the lower edge, since the whole cannot grow faster than its fastest-growing part; the rest of the "
        "money (DH-earmarked is half, criminal justice a quarter) may have grown more slowly, so up to all of it "
        "(no growth)")
    hr_planned_exit_to_2006: float = param(
        0.3453, "hazard ratio on planned exits before 2007",
        "eng_sc_cohort_2005_06_n eng_successful_completions_2007_08", 0.1, 1.5,
        "13,000 successful discharges in 2005-06 against more than 34,000 completions in 2007-08")
    hr_early_dropout_to_2006: float = param(
        1.572, "hazard ratio on unplanned exits in the first 12 weeks before 2007",
        "eng_complete_or_retained_12w_frac eng_min_retention_benefit_weeks eng_ocu_new_treatment_starts_2005_06",
        0.5, 3.0, "retaining clients 12 weeks was the NTA's measure of effective treatment until four in five "
        "completed or stayed that long (2007-08); with the 2005-06 starts it says how many left early before")
    hr_unplanned_exit_to_2006: float = param(
        1.075, "hazard ratio on unplanned exits after the first 12 weeks before 2007",
        "eng_dropout_cohort_2005_06_n eng_sc_cohort_2005_06_n eng_successful_completions_2007_08 "
        "eng_exits_successful_pct_worcs_doc", 0.2, 1.5,
        "retention was the target until 2007: 43,000 people left in 2005-06 (13,000 completed, 30,000 dropped out), "
        "while the 34,000 completions of 2007-08 were 34% of the year's exits, about 100,000 discharges; the turn "
        "to throughput (\"increase throughput through the treatment system\", Worcestershire c.2008) moved people "
        "on")
    hr_assessment_to_2006: float = param(
        0.3355, "hazard ratio on assessment (referral to ready for the first intervention) before 2007",
        "eng_wait_weeks_before_2007 eng_wait_2001_months eng_wait_weeks_after_2007", 0.05, 1.0,
        "average waits fell from more than two months (2001) and nine weeks to one in 2007 while the dedicated "
        "money was nearly flat from 2005 (the waiting-times drive): part of the wait was the service's own "
        "process, not the places. A ratio of 0.1 alone gives the nine weeks")
    hr_naive_presentation_to_2006: float = param(
        3.326, "hazard ratio on presentations of people never treated, before 2007",
        "eng_heroin_first_time_entrants_2005_06 eng_heroin_first_time_entrants_2011_12 "
        "eng_ocu_new_treatment_starts_2005_06",
        0.5, 4.0, "the expansion drew in new entrants (England had \"the highest rate of new entrants in the world\"): "
        "47,709 heroin users started treatment for the very first time in 2005-06, 74% of the year's OCU starts, "
        "against 9,249 in 2011-12")
    hr_planned_exit_2007_to_2009: float = param(
        0.7995, "hazard ratio on planned exits 2007-2009", "eng_successful_completions_2007_08 eng_sc_all_pct_2011_12",
        0.3, 2.0, "completions \"risen steadily\" to 34,000 in 2007-08; the 2010 Drug Strategy turned the "
        "system to recovery (the calibrated present: DOMES 2011/12)")


@dataclass
class CapacityParams:
    """How an area's money splits between kinds of service: each provider's budget share
    (`system.providers[].budget_share`) times the weight of its kind (`system.providers[].capacity`
    names it), the shares then scaled to sum as before. The area's money is unchanged; only its split
    moves. Structured prescribing (no `capacity`) is the reference, weight 1. The split of England's
    money between kinds of service is not in the seeds (the systems' shares come from Southampton):
    the England fit moves it."""

    open_access: float = param(
        1.0, "weight on a tier 2 open-access service's budget share", A, 0.33, 3.0,
        "where queues form first: tier 2 hands its opiate clients on, so its own places turn over fast")
    criminal_justice: float = param(
        1.0, "weight on a criminal-justice (DIP) service's budget share", A, 0.33, 3.0,
        "DIP expanded nationally 2003-2006 with money of its own (Southampton: 10% of its budget)")
    gp_shared_care: float = param(
        1.0, "weight on GP shared care's budget share", A, 0.33, 3.0,
        "stable opiate clients stepped down from specialist prescribing; not directly commissioned")


@dataclass
class ValueForMoneyParams:
    """Crime, health-care cost and quality of life by state, for what treatment is worth in money
    (`sim.outputs.value_for_money`). Rates are per person-year of someone using opiates or crack
    (OCU) and not in treatment; the states in treatment and recovery have ratios to them; non-opiate
    users have their own ratio. Money is in 2012 prices (sim.outputs.prices: the sources of 2010-2013 as one
    price level)."""

    crimes_per_year_using: float = param(
        122.8, "crimes per person-year (OCU using, not in treatment)",
        "whyinvest_crime_cost_untreated_ocu nta2012_crimes_prevented_2010_11 nta2012_crime_cost_saved_2010_11 "
        "nta2012_dtors_crimes_4w_at_entry", 40.0, 160.0,
        "GBP 26,074 of crime a year at the GBP 196 a crime of the NTA's estimate (960m / 4.9m) is 133 crimes; DTORS "
        "entrants reported just over 10 in 4 weeks (130 a year, the NTA's upper estimate; convictions give less); "
        "fitted with the two below to Bedfordshire's tool figures (calibration/targets/value_for_money.csv, "
        "2026-12-02: 200 trials, ensemble 112-143)")
    cost_per_crime: float = param(
        196.0, "GBP per crime", "nta2012_crimes_prevented_2010_11 nta2012_crime_cost_saved_2010_11", 150.0, 250.0,
        "GBP 960m of crime prevented over 4.9m crimes (2010/11, Home Office unit costs by DTORS offence category); "
        "Bedfordshire's tool: at most GBP 230 (7.9m over 34,294 crimes, bedfs_vfm_crimes_prevented_2012_13)")
    hr_crime_in_treatment: float = param(
        0.295, "ratio to using (effective treatment: past the 12-week start phase)", "eng_theft_fall_community_tx_frac",
        0.25, 0.9, "thefts by addicts on community treatment fell by half (NDTMS matched to the Police National "
        "Computer); acquisitive offending on DIP fell by a quarter (eng_acquisitive_fall_dip_frac): a ratio of 0.75. "
        "The tool's figures need 0.29 (ensemble 0.25-0.41): DTORS's self-reported falls, larger than convictions'")
    hr_crime_in_recovery: float = param(
        0.25, "ratio to using (in recovery or remission)", "eng_ntors_crime_5y_frac_of_intake", 0.1, 0.6,
        "NTORS: self-reported crime five years after intake a quarter of its level at intake")
    hr_crime_non_opiate: float = param(
        0.1, "ratio of a non-opiate user's crime to an OCU's, in every state", A, 0.0, 0.4,
        "acquisitive crime to fund use is the OCU's: the NTA's crime estimates cover opiate and crack users")
    health_cost_per_year_using: float = param(
        1600.0, "GBP per person-year (OCU using, not in treatment)", "whyinvest_nhs_cost_drug_misuse "
        "eng_ocu_prevalence_2009_10", 800.0, 4000.0,
        "the NHS's GBP 488m a year of drug misuse over England's 306,150 OCUs (2009/10): GBP 1,594 each")
    hr_health_cost_in_treatment: float = param(
        0.5, "ratio to using (effective treatment)", A, 0.3, 1.5,
        "fewer overdoses, A&E visits and blood-borne infections, but treatment brings health care of its own "
        "(NTORS found health-care costs roughly doubled in treatment; a UK town model about halved)")
    hr_health_cost_in_recovery: float = param(0.3, "ratio to using (in recovery or remission)", A, 0.1, 1.0)
    hr_health_cost_non_opiate: float = param(
        0.3, "ratio of a non-opiate user's health-care cost to an OCU's, in every state", A, 0.1, 1.0)
    utility_using: float = param(
        0.574, "health-state utility (0 dead, 1 full health)", "wittenberg2016_utility_active_injecting", 0.45, 0.75,
        "active injection drug use, valued by a US general-population panel")
    utility_in_treatment: float = param(
        0.766, "health-state utility (effective treatment)", "wittenberg2016_utility_stabilised", 0.65, 0.85,
        "stabilised on buprenorphine treatment, same panel")
    utility_in_recovery: float = param(
        0.85, "health-state utility (in recovery or remission)", A, 0.75, 0.92,
        "about the English general population's mean EQ-5D at working age")
    recovery_years_per_completion: float = param(
        1.96, "years of sustained recovery credited to each successful completion, in its year",
        "bedfs_vfm_benefit_sustained_recovery_2012_13 bedfs_vfm_benefit_effective_tx_2012_13", 0.25, 5.0,
        "the NDTMS tool's accrued benefits of sustained recovery come from the year's successful completions (its "
        "only inputs are the numbers in effective treatment and the completions, seed 000), each credited with the "
        "years by which treatment hastened recovery, not every later year of it (NTA 2012, "
        "nta2012_crimes_prevented_2010_11); Bedfordshire's tool: GBP 3.2m from sustained recovery against 8.4m from "
        "effective treatment; fitted to it (2026-12-02: ensemble 1.6-2.2)")
    value_per_qaly: float = param(
        30000.0, "GBP per quality-adjusted life year", A, 20000.0, 60000.0,
        "NICE's upper threshold; the Home Office values a QALY at about GBP 60,000")


@dataclass
class Parameters:
    """All hazards of the journey model. Levers (commissioning) multiply named hazards on top."""

    onset: OnsetParams = field(default_factory=OnsetParams)
    presentation: PresentationParams = field(default_factory=PresentationParams)
    waiting: WaitingParams = field(default_factory=WaitingParams)
    treatment: TreatmentParams = field(default_factory=TreatmentParams)
    recovery: RecoveryParams = field(default_factory=RecoveryParams)
    prison: PrisonParams = field(default_factory=PrisonParams)
    mortality: MortalityParams = field(default_factory=MortalityParams)
    modality: ModalityParams = field(default_factory=ModalityParams)
    referral: ReferralParams = field(default_factory=ReferralParams)
    history: HistoryParams = field(default_factory=HistoryParams)
    capacity: CapacityParams = field(default_factory=CapacityParams)
    value_for_money: ValueForMoneyParams = field(default_factory=ValueForMoneyParams)
