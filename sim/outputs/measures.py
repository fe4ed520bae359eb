"""Measures from the model's tallies, in one tidy table: period, measure, group, value.

Stocks are counts at the end of the period; flows are counts during it, so that
alive(end) = alive(previous end) + new_users - deaths. Groups are `all`, the drug groups,
the NDTMS aggregates (`opiate`, `ocu`) and age bands. Measure names are stable: they are
documented in the README and used by calibration and comparison.
"""

import numpy as np
import pandas as pd

from sim.domain.states import (
    AGE_BAND_NAMES,
    DOMES_BAND_NAMES,
    DRUG_GROUP_AGGREGATES,
    DRUG_GROUP_NAMES,
    EXIT_REASON_NAMES,
    IN_RECOVERY,
    IN_TREATMENT,
    LIVING,
    MODALITY_NAMES,
    USING,
    Event,
    Modality,
    State,
)
from sim.outputs.leaver_cohorts import RETURN_SHARES

COLUMNS = ["period", "measure", "group", "value"]

# Stock measures: states counted at the end of the period.
STOCKS: dict[str, tuple[State, ...]] = {
    "alive": LIVING,
    "prevalent_users": USING + (State.WAITING,) + IN_TREATMENT + (State.PRISON,),
    "using_not_in_treatment": USING,
    "using_never_treated": (State.USING_NAIVE,),
    "waiting": (State.WAITING,),
    "in_treatment": IN_TREATMENT,
    "in_treatment_start": (State.TX_START,),
    "in_treatment_stay": (State.TX_STAY,),
    "in_treatment_stop": (State.TX_STOP,),
    "in_recovery": IN_RECOVERY,
    "in_recovery_after_treatment": (State.SUSTAIN,),
    "in_remission_untreated": (State.REMISSION,),
    "in_prison": (State.PRISON,),
}

# Flow measures: events counted during the period.
FLOWS: dict[str, Event] = {
    "new_users": Event.NEW_USER,
    "presentations": Event.PRESENTATION,
    "treatment_starts": Event.TREATMENT_START,
    "engaged_12_weeks": Event.ENGAGED,  # stayed through the 12-week start phase (start -> stay)
    "retained_12_weeks_of_starts": Event.RETAINED_OF_START,  # stayed 12 weeks or began a planned exit in them, by
    # the period of their treatment start
    "first_treatment_starts": Event.FIRST_TREATMENT_START,  # never treated before, in the model's knowledge
    "new_to_ndtms_starts": Event.NEW_TO_NDTMS_START,  # no treatment since NDTMS's records began: its first-timers
    "criminal_justice_starts": Event.CRIMINAL_JUSTICE_START,  # referred through the criminal justice system
    "exits_successful": Event.EXIT_SUCCESSFUL,
    "exits_unplanned": Event.EXIT_UNPLANNED,
    "exits_transferred": Event.EXIT_TRANSFERRED,
    "deaths": Event.DEATH,
    "deaths_drug_related": Event.DEATH_DRUG_RELATED,
    "deaths_in_treatment": Event.DEATH_IN_TREATMENT,
    "re_presentations_within_6m": Event.RE_PRESENTATION_6M,
    "waiting_dropouts": Event.WAITING_DROPOUT,
    "relapses": Event.RELAPSE,
    "natural_remissions": Event.NATURAL_REMISSION,
    "imprisonments": Event.IMPRISONMENT,
    "releases": Event.RELEASE,
    "abstinent_in_treatment": Event.ABSTINENT_IN_TREATMENT,
    "referrals_not_picked_up": Event.REFERRAL_NOT_PICKED_UP,
    "transfers": Event.TRANSFER,
    "transfers_failed": Event.TRANSFER_FAILED,
    "starts_waited_over_3_weeks": Event.WAITED_OVER_3_WEEKS,
    "in_treatment_during_year": Event.IN_TREATMENT_THIS_YEAR,  # NDTMS count; year to date in quarterly tables
    "on_opioid_substitution_during_year": Event.ON_OPIOID_SUBSTITUTION_THIS_YEAR,  # ... of them prescribed substitutes
    "re_presented_within_6m_of_completion": Event.RE_PRESENTED_OF_COMPLETION,  # by the period of the completion
    # ... and before the end of the completion's calendar year (DOMES)
    "re_presented_same_year_of_completion": Event.RE_PRESENTED_SAME_YEAR_OF_COMPLETION,
    "top_reviews": Event.TOP_REVIEW,
    "top_reviews_abstinent": Event.TOP_REVIEW_ABSTINENT,
    "housing_need_resolved_in_treatment": Event.HOUSING_RESOLVED,
    "exits_successful_no_housing_need": Event.EXIT_SUCCESSFUL_NO_HOUSING_NEED,
    # first re-presentation after a completion, by the period of the completion (NTA cohort follow-up)
    "re_presented_within_1y_of_completion": Event.RE_PRESENTED_1Y_OF_COMPLETION,
    "re_presented_within_2y_of_completion": Event.RE_PRESENTED_2Y_OF_COMPLETION,
    "re_presented_within_3y_of_completion": Event.RE_PRESENTED_3Y_OF_COMPLETION,
    # first presentation within 3 years of an unplanned exit, by the period of the exit (NTA drop-out follow-up)
    "returned_within_3y_of_dropout": Event.RETURNED_3Y_OF_DROPOUT,
}
YEAR_TO_DATE = ("in_treatment_during_year", "on_opioid_substitution_during_year")

# Cohort measures: reported against the period of the completions (or treatment entries) they
# follow, but observed up to this many calendar years after it. A row of year p is final once
# year p + k is over; a policy from year p + k or earlier can still change it.
FOLLOW_UP_YEARS = {
    "re_presented_within_6m_of_completion": 1, "re_presented_within_6m_share": 1, "phof_non_representation_6m": 1,
    "re_presented_within_1y_of_completion": 1, "re_presented_within_1y_share": 1,
    "re_presented_within_2y_of_completion": 2, "re_presented_within_2y_share": 2,
    "re_presented_within_3y_of_completion": 3, "re_presented_within_3y_share": 3,
    "entrants_in_recovery_after_1y_share": 1, "entrants_in_recovery_after_5y_share": 5,
    "retained_12_weeks_of_starts": 1, "retained_12_weeks_share": 1,
    "returned_within_3y_of_dropout": 3, "dropouts_returned_within_3y_share": 3,
    **RETURN_SHARES,  # sim.outputs.leaver_cohorts: by whole years after the cohort's year
}


def final_before(ts: pd.DataFrame, year: int) -> pd.DataFrame:
    """The rows of `ts` that nothing from `year` on can change: periods before it, less cohort
    measures whose follow-up reaches it (FOLLOW_UP_YEARS)."""
    period_year = ts["period"].astype(str).str.slice(0, 4).astype(int)
    reach = period_year + ts["measure"].map(FOLLOW_UP_YEARS).fillna(0).astype(int)
    return ts[(period_year < year) & (reach < year)].reset_index(drop=True)

# DOMES time-in-treatment bands of the current caseload (elapsed time in the episode), stocks.
DURATION_BANDS = tuple(f"in_treatment_{band}" for band in DOMES_BAND_NAMES)
BAND_GROUPS = DOMES_BAND_NAMES  # groups of time_in_treatment_band

DRUG_GROUPS = ["all", *DRUG_GROUP_NAMES.values(), *DRUG_GROUP_AGGREGATES]
GROUPS = [*DRUG_GROUPS, *AGE_BAND_NAMES]


def period_labels(start_year: int, n_steps: int, steps_per_year: int, period: str) -> np.ndarray:
    """The reporting period of each step: '2015' or '2015-Q3'."""
    n = np.arange(n_steps)
    year = start_year + n // steps_per_year
    if period == "year":
        return year.astype(str)
    quarter = 1 + (n % steps_per_year) * 4 // steps_per_year
    return np.char.add(np.char.add(year.astype(str), "-Q"), quarter.astype(str))


def period_bounds(start_year: int, n_steps: int, steps_per_year: int, period: str):
    """The reporting periods in order, with the first and last step of each."""
    periods, first = np.unique(period_labels(start_year, n_steps, steps_per_year, period), return_index=True)
    order = np.argsort(first)
    periods, first = periods[order], first[order]
    return periods, first, np.append(first[1:], n_steps) - 1


def by_group(x: np.ndarray) -> np.ndarray:
    """[periods, drug group, age band] -> [periods, GROUPS]."""
    cols = [x.sum(axis=(1, 2))]
    cols += [x[:, int(g)].sum(axis=1) for g in DRUG_GROUP_NAMES]
    cols += [x[:, [int(g) for g in members]].sum(axis=(1, 2)) for members in DRUG_GROUP_AGGREGATES.values()]
    cols += [x[:, :, b].sum(axis=1) for b in range(len(AGE_BAND_NAMES))]
    return np.stack(cols, axis=1)


def long_table(periods: np.ndarray, frames: list[tuple[str, np.ndarray]], groups: list[str]) -> pd.DataFrame:
    n_periods, n_groups = len(periods), len(groups)
    values = np.concatenate([v for _, v in frames], axis=0).astype(float)  # [measure*period, group]
    return pd.DataFrame({
        "period": np.tile(np.repeat(periods, n_groups), len(frames)),
        "measure": np.repeat([name for name, _ in frames], n_periods * n_groups),
        "group": np.tile(groups, n_periods * len(frames)),
        "value": values.ravel(),
    })


def timeseries(stocks: np.ndarray, flows: np.ndarray, tx_duration: np.ndarray, tx_elapsed: np.ndarray, start_year: int,
               steps_per_year: int, period: str = "year", scale: float = 1.0,
               tx_ends: np.ndarray | None = None) -> pd.DataFrame:
    """Tidy table from per-step tallies summed over row blocks.

    stocks: [step, state, drug group, age band]; flows: [step, event, drug group, age band];
    tx_duration: [step, drug group, DOMES band]; tx_ends: [step, drug group, (episodes ended, their summed
    length)]. Values are divided by `scale` (simulated people per real person).
    """
    periods, first, last = period_bounds(start_year, stocks.shape[0], steps_per_year, period)
    frames = []
    for name, states in STOCKS.items():
        frames.append((name, by_group(stocks[last][:, [int(s) for s in states]].sum(axis=1))))
    year_start = np.arange(stocks.shape[0]) // steps_per_year * steps_per_year
    for name, event in FLOWS.items():
        per_step = flows[:, int(event)]
        if name in YEAR_TO_DATE:  # counted once a year per person: year-to-date totals at period ends
            frames.append((name, by_group(_year_to_date(per_step, last, year_start))))
            continue
        frames.append((name, by_group(np.add.reduceat(per_step, first, axis=0))))
    durations = []
    for j, name in enumerate(DURATION_BANDS):
        x = tx_duration[last][:, :, j]  # [period, drug group]
        cols = [x.sum(axis=1)] + [x[:, int(g)] for g in DRUG_GROUP_NAMES]
        cols += [x[:, [int(g) for g in members]].sum(axis=1) for members in DRUG_GROUP_AGGREGATES.values()]
        durations.append((name, np.stack(cols, axis=1)))
    elapsed = _with_aggregates(tx_elapsed[last])  # [period, all + drug groups + aggregates]
    in_tx = sum(v for _, v in durations)
    mean_years = np.where(in_tx > 0, elapsed / np.maximum(in_tx, 1), np.nan)
    out = pd.concat([long_table(periods, frames, GROUPS), long_table(periods, durations, DRUG_GROUPS)], ignore_index=True)
    out["value"] /= scale
    measures = [("time_in_treatment_mean_years", mean_years)]
    if tx_ends is not None:  # everyone treated in the year to date: ended episodes at their end, the caseload at
        # the period's end (DOMES; calibration/targets/definitions.md); a quarter's value is year to date
        ended = _with_aggregates(_year_to_date(tx_ends, last, year_start))  # [period, group, (count, length)]
        treated = in_tx + ended[:, :, 0]
        measures.append(("time_in_treatment_treated_mean_years",
                         np.where(treated > 0, (elapsed + ended[:, :, 1]) / np.maximum(treated, 1), np.nan)))
    mean = long_table(periods, measures, DRUG_GROUPS)
    bands = np.stack([v[:, 0] for _, v in durations], axis=1) / scale  # [period, band], all drug groups
    by_band = long_table(periods, [("time_in_treatment_band", bands)], [n.removeprefix("in_treatment_") for n in DURATION_BANDS])
    out = pd.concat([out, mean.dropna(), by_band], ignore_index=True)
    return out


def _year_to_date(per_step: np.ndarray, last: np.ndarray, year_start: np.ndarray) -> np.ndarray:
    """Totals from the start of the calendar year to each period's last step (first axis: the step)."""
    cumulative = np.cumsum(per_step, axis=0)
    before = np.where(year_start[last] > 0, year_start[last] - 1, -1)
    before_ = before.reshape((-1,) + (1,) * (per_step.ndim - 1))
    return cumulative[last] - np.where(before_ >= 0, cumulative[before], 0)


def _with_aggregates(x: np.ndarray) -> np.ndarray:
    """[period, drug group, ...] -> [period, all + each drug group + each aggregate (DRUG_GROUPS order), ...]."""
    return np.concatenate([x.sum(axis=1, keepdims=True), x]
                          + [x[:, [int(g) for g in members]].sum(axis=1, keepdims=True)
                             for members in DRUG_GROUP_AGGREGATES.values()], axis=1)


def system_measures(providers: np.ndarray, modalities: np.ndarray, modality_exits: np.ndarray,
                    waiting_list: np.ndarray, provider_names: list[str], funding: np.ndarray,
                    cost_of_care_per_step: np.ndarray, start_year: int, steps_per_year: int, period: str = "year",
                    scale: float = 1.0, commissioned: np.ndarray | None = None) -> pd.DataFrame:
    """Measures of the commissioned system, tidy, grouped by provider or modality (and `all`).

    providers [step, provider] and modalities [step, modality] are end-of-step counts;
    modality_exits [step, reason, modality], funding [step, provider] (GBP paid to each service:
    `cost`) and cost_of_care_per_step (GBP of care delivered at unit costs: `cost_of_care`) are
    counted during the period; waiting_list [step, provider] is people assessed and waiting for
    a place. With `commissioned` [step, provider], a provider has rows only in the periods it is
    commissioned at the end of (a new system from the policy year replaces the documented one).
    """
    periods, first, last = period_bounds(start_year, providers.shape[0], steps_per_year, period)
    modality_names = [MODALITY_NAMES[m] for m in Modality]
    frames = [
        ("in_treatment_provider", providers[last], provider_names),
        ("waiting_list", waiting_list[last], provider_names),
        ("cost", np.add.reduceat(funding, first, axis=0), provider_names),
        ("in_modality", modalities[last], modality_names),
    ]
    for j, reason in enumerate(EXIT_REASON_NAMES):
        frames.append((f"modality_exits_{reason}", np.add.reduceat(modality_exits[:, j], first, axis=0), modality_names))
    parts = []
    for name, values, groups in frames:
        values = np.column_stack([values.sum(axis=1), values])
        part = long_table(periods, [(name, values)], ["all", *groups])
        if commissioned is not None and name in ("in_treatment_provider", "waiting_list", "cost"):  # in contract
            keep = np.column_stack([np.ones(len(last), dtype=bool), commissioned[last]]).ravel()
            part = part[keep].reset_index(drop=True)
        parts.append(part)
    parts.append(long_table(periods, [("cost_of_care", np.add.reduceat(cost_of_care_per_step, first)[:, None])], ["all"]))
    out = pd.concat(parts, ignore_index=True)
    out["value"] /= scale
    return out


def derived_measures(ts: pd.DataFrame) -> pd.DataFrame:
    """Rates and shares computed from other measures of the same year and group (yearly tables only).

    successful_completion_rate and phof_non_representation_6m are percentages of everyone in
    treatment during the year (NDTMS/DOMES and PHOF 2.15 definitions); shares are in [0, 1].
    PHOF counts completions of the year not re-presenting within 6 months: for the last half
    year of a projection the follow-up is incomplete, so its value there is an upper bound.
    """
    if ts["period"].astype(str).str.contains("Q").any():
        return ts.iloc[:0]
    # floats: a ratio of nothing over nothing (no starts, no money) is undefined (dropped below), not an error
    w = ts.pivot_table(index=["period", "group"], columns="measure", values="value", sort=False).astype(float)
    have = set(w.columns)
    out = {}
    if {"starts_waited_over_3_weeks", "treatment_starts"} <= have:
        out["waiting_over_3_weeks_share"] = w["starts_waited_over_3_weeks"] / w["treatment_starts"]
    if {"cost", "exits_successful"} <= have:
        out["cost_per_successful_completion"] = w["cost"] / w["exits_successful"]
    if {"exits_successful", "in_treatment_during_year"} <= have:
        out["successful_completion_rate"] = 100 * w["exits_successful"] / w["in_treatment_during_year"]
        out["phof_non_representation_6m"] = 100 * (
            w["exits_successful"] - w["re_presented_within_6m_of_completion"]) / w["in_treatment_during_year"]
    if {"top_reviews", "top_reviews_abstinent"} <= have:
        out["top_abstinent_at_review_share"] = w["top_reviews_abstinent"] / w["top_reviews"]
    if {"exits_successful", "exits_successful_no_housing_need"} <= have:
        out["successful_exits_no_housing_need_share"] = w["exits_successful_no_housing_need"] / w["exits_successful"]
    if {"deaths", "deaths_in_treatment"} <= have:
        out["deaths_out_of_treatment"] = w["deaths"] - w["deaths_in_treatment"]
    for window in ("6m", "1y", "2y", "3y"):  # completers of the period who re-presented within the window
        if {f"re_presented_within_{window}_of_completion", "exits_successful"} <= have:
            out[f"re_presented_within_{window}_share"] = (w[f"re_presented_within_{window}_of_completion"]
                                                          / w["exits_successful"])
    if {"re_presented_same_year_of_completion", "exits_successful"} <= have:  # DOMES: the year's completers who
        # re-presented before the year was out (a follow-up of half a year on average)
        out["re_presented_in_year_share"] = w["re_presented_same_year_of_completion"] / w["exits_successful"]
    if {"modality_exits_planned", "modality_exits_unplanned"} <= have:  # Southampton data report, by modality
        out["modality_planned_exit_share"] = w["modality_exits_planned"] / (
            w["modality_exits_planned"] + w["modality_exits_unplanned"])
    if {"transfers", "transfers_failed"} <= have:
        out["transfer_pickup_share"] = w["transfers"] / (w["transfers"] + w["transfers_failed"])
    if {"returned_within_3y_of_dropout", "exits_unplanned"} <= have:  # the NTA's 2005-06 drop-out cohort
        out["dropouts_returned_within_3y_share"] = w["returned_within_3y_of_dropout"] / w["exits_unplanned"]
    if {"on_opioid_substitution_during_year", "in_treatment_during_year"} <= have:  # NDTMS "prescribed opiate
        # substitutes", of all adults in treatment in the year
        out["opioid_substitution_share"] = w["on_opioid_substitution_during_year"] / w["in_treatment_during_year"]
    if {"criminal_justice_starts", "treatment_starts"} <= have:  # "picked up through the criminal justice system"
        out["criminal_justice_share_of_starts"] = w["criminal_justice_starts"] / w["treatment_starts"]
    if {"benefits", "benefits_in_year", "cost"} <= have:  # the NDTMS value-for-money tool's net benefit and
        # benefit-cost ratios, of the money paid to the services (sim.outputs.value_for_money)
        out["net_benefit"] = w["benefits"] - w["cost"]
        out["net_benefit_in_year"] = w["benefits_in_year"] - w["cost"]
        out["benefit_cost_ratio_accrued"] = w["benefits"] / w["cost"]
        out["benefit_cost_ratio_in_year"] = w["benefits_in_year"] / w["cost"]
    if {"retained_12_weeks_of_starts", "treatment_starts"} <= have:  # the NTA's retention: of the period's starts,
        # the share who stayed 12 weeks (a cohort: the engagements of last period's starts are not in it)
        out["retained_12_weeks_share"] = w["retained_12_weeks_of_starts"] / w["treatment_starts"]
    ends = ("exits_successful", "exits_unplanned", "exits_transferred", "deaths_in_treatment")
    if set(ends) <= have:  # NDTMS discharges: of all clients exiting, the share leaving successfully
        out["successful_exit_share"] = w["exits_successful"] / sum(w[e] for e in ends)
    frames = [_shares_within(ts, "time_in_treatment_band", "time_in_treatment_band_share", BAND_GROUPS),
              _shares_within(ts, "in_treatment_during_year", "in_treatment_age_share", AGE_BAND_NAMES)]
    for name, series in out.items():
        series = series.replace([np.inf, -np.inf], np.nan).dropna()
        frames.append(pd.DataFrame({"period": series.index.get_level_values(0), "measure": name,
                                    "group": series.index.get_level_values(1), "value": series.to_numpy()}))
    return pd.concat(frames, ignore_index=True) if frames else ts.iloc[:0]


def _shares_within(ts: pd.DataFrame, measure: str, name: str, groups) -> pd.DataFrame:
    """Each group's share of the sum over `groups` of one measure, per period (e.g. DOMES bands)."""
    sel = ts[(ts["measure"] == measure) & ts["group"].isin(groups)]
    total = sel.groupby("period", sort=False)["value"].transform("sum")
    share = (sel["value"] / total.where(total > 0)).to_numpy()
    return pd.DataFrame({"period": sel["period"].to_numpy(), "measure": name, "group": sel["group"].to_numpy(),
                         "value": share}).dropna()


def wide(ts: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """Periods as rows, measures as columns, for one group (handy in notebooks and plots)."""
    sel = ts[ts["group"] == group]
    return sel.pivot(index="period", columns="measure", values="value")[list(dict.fromkeys(sel["measure"]))]


def summary_table(ts: pd.DataFrame, every: int = 5) -> pd.DataFrame:
    """Key measures for the whole area, every few years and at the end."""
    w = wide(ts)
    years = list(w.index)
    keep = sorted(set(years[::every]) | {years[-1]}, key=years.index)
    measures = ["alive", "prevalent_users", "in_treatment", "in_recovery", "in_prison", "new_users",
                "treatment_starts", "exits_successful", "deaths", "deaths_drug_related"]
    return w.loc[keep, measures].T


# sim.outputs.value_for_money: sums over the period (person-years times rates)
VALUE_FLOWS = ("crimes", "crime_cost", "health_cost", "qalys", "qalys_value", "crimes_prevented", "crime_cost_averted",
               "health_cost_averted", "qalys_gained", "benefits_in_year", "benefits_from_recovery", "benefits",
               "harm_without_treatment")
SYSTEM_FLOWS = ("cost", "cost_of_care", "modality_exits_planned", "modality_exits_unplanned", "modality_exits_transferred")
DERIVED = ("waiting_over_3_weeks_share", "cost_per_successful_completion", "successful_completion_rate",
           "phof_non_representation_6m", "top_abstinent_at_review_share", "successful_exits_no_housing_need_share",
           "deaths_out_of_treatment", "re_presented_within_6m_share", "re_presented_in_year_share", "re_presented_within_1y_share",
           "re_presented_within_2y_share", "re_presented_within_3y_share", "modality_planned_exit_share",
           "transfer_pickup_share", "time_in_treatment_band_share", "in_treatment_age_share",
           "retained_12_weeks_share", "successful_exit_share", "dropouts_returned_within_3y_share",
           "criminal_justice_share_of_starts", "opioid_substitution_share", "net_benefit", "net_benefit_in_year",
           "benefit_cost_ratio_accrued", "benefit_cost_ratio_in_year")


def annual(ts: pd.DataFrame) -> pd.DataFrame:
    """Quarterly table -> yearly (stocks at Q4, flows summed, rates recomputed); yearly tables unchanged."""
    periods = ts["period"].astype(str)
    if not periods.str.contains("Q").any():
        return ts
    ts = ts[~ts["measure"].isin(DERIVED)].assign(year=periods.str.slice(0, 4))
    periods = ts["period"].astype(str)
    is_flow = ts["measure"].isin([m for m in (*FLOWS, *SYSTEM_FLOWS, *VALUE_FLOWS) if m not in YEAR_TO_DATE])
    flows = ts[is_flow].groupby(["year", "measure", "group"], sort=False, as_index=False)["value"].sum()
    stocks = ts[~is_flow & periods.str.endswith("Q4")].drop(columns="period")
    out = pd.concat([stocks, flows]).rename(columns={"year": "period"})[COLUMNS].reset_index(drop=True)
    return pd.concat([out, derived_measures(out)], ignore_index=True)
