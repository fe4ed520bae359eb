"""Summarising a sweep: arms, runs paired by seed, headline numbers with intervals, bands over time.

Each scenario is summarised across seeds and parameter sets (median and 5-95% interval) and
measured against the baseline run by run: the same seed in two scenarios shares its random
numbers (common random numbers), so a paired difference is far narrower than either
scenario's own spread.

    from sim.sweeps.summary import headline
    summary = headline(collected, baseline="baseline", years="2025-2029")
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.sweeps.collect import KEYS, CompareError, scenario_words

LOW, HIGH = 0.05, 0.95  # the reported interval: 5th to 95th percentile across runs (or pairs of runs)
DEFAULT_YEARS = 5  # headline years when none are asked for: the last five of the runs


# ---------------------------------------------------------------- years


def parse_years(spec) -> list[str]:
    """'2025-2029' (inclusive), '2025', '2015,2025' or a list of ints -> year labels."""
    if spec is None:
        return []
    if not isinstance(spec, str):
        return [str(int(y)) for y in spec]
    years = []
    for part in spec.replace(" ", "").split(","):
        ends = part.split("-")
        if not part or len(ends) > 2 or not all(e.isdigit() for e in ends) or int(ends[0]) > int(ends[-1]):
            raise CompareError(f"years {spec!r}: write a year (2025), a range (2025-2029) or a list (2015,2025)")
        years += [str(y) for y in range(int(ends[0]), int(ends[-1]) + 1)]
    return list(dict.fromkeys(years))


def select_years(periods, years=None, default_last: int = DEFAULT_YEARS) -> tuple[list[str], list[str]]:
    """The asked-for years that the runs cover, and those they do not (the last few years if none asked)."""
    available = sorted({str(p) for p in periods})
    if years is None or (not isinstance(years, str) and len(years) == 0):
        return available[-default_last:], []
    wanted = parse_years(years)
    kept = [y for y in wanted if y in available]
    if not kept:
        raise CompareError(f"none of the years {years_label(wanted)} is in the runs, which cover "
                           f"{available[0]}-{available[-1]}")
    return kept, [y for y in wanted if y not in available]


def years_label(years: list[str]) -> str:
    """'2025-2029' for consecutive years, else '2015, 2025'."""
    if not years:
        return ""
    ints = [int(y) for y in years]
    if len(ints) > 1 and ints == list(range(ints[0], ints[-1] + 1)):
        return f"{ints[0]}-{ints[-1]}"
    return ", ".join(years)


# ---------------------------------------------------------------- runs, arms and pairs


def run_table(collected: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """One row per run (index `run`): its labels, `arm` (what is compared: the scenario, with the
    system and area when the sweep varies them) and `pair` (runs sharing random numbers), in arm order."""
    runs = collected[["run", *KEYS]].drop_duplicates("run").set_index("run")
    vary = [k for k in ("system", "area") if runs[k].nunique() > 1]
    arm = runs["scenario"].astype(str)
    if vary:
        arm = arm + " (" + runs[vary].astype(str).agg(", ".join, axis=1) + ")"
    draw = runs["parameter_set"].astype("string").fillna("point")
    point = runs["design_point"].astype("string").fillna("-")
    pair = (runs["area"].astype(str) + "|" + runs["system"].astype(str) + "|" + runs["seed"].astype(str) + "|" + draw
            + "|" + point)
    runs = runs.assign(arm=arm, pair=pair, _not_baseline=runs["scenario"] != baseline)
    runs = runs.sort_values(["area", "system", "_not_baseline", "scenario", "seed", "parameter_set", "design_point"],
                            na_position="first", kind="stable")
    return runs.drop(columns="_not_baseline")


def arms(runs: pd.DataFrame) -> list[str]:
    """Arms in order: within each area and system the baseline first, then scenarios by name."""
    return list(dict.fromkeys(runs["arm"]))


def pairs(runs: pd.DataFrame, baseline: str = "baseline") -> dict[str, pd.DataFrame]:
    """For each non-baseline arm, its runs matched to the baseline run with the same area, system,
    seed and parameter set (columns run, run_baseline). Arms with no baseline to match are left out."""
    base = runs[runs["scenario"] == baseline]
    out = {}
    for arm, members in runs[runs["scenario"] != baseline].groupby("arm", sort=False):
        matched = (members.reset_index()[["run", "pair"]]
                   .merge(base.reset_index()[["run", "pair"]], on="pair", suffixes=("", "_baseline")))
        if len(matched):
            out[arm] = matched[["run", "run_baseline"]]
    return out


# ---------------------------------------------------------------- headline numbers


@dataclass(frozen=True)
class Headline:
    """A number per run over the compared years: a measure at the last year (`end`), summed (`total`),
    averaged (`mean`) or a ratio of totals (`ratio`, over `per`). `label` is plain English; `short` heads
    a column of the report ({last} filled in); `better` says which way is a gain for the people treated
    or the public purse (+1 up, -1 down, 0 neither: more people in treatment is not better in itself);
    `theme` groups the report's tables."""

    name: str
    label: str  # {years}, {last} and {baseline} are filled in
    unit: str  # people, deaths, crimes, qalys, percent, share (0-1), ratio, gbp
    measure: str
    how: str
    group: str = "all"
    per: str = ""
    short: str = ""
    better: int = 0
    theme: str = ""


TREATMENT, ACCESS, DEATHS, MONEY, VALUE = "treatment", "access", "deaths", "money", "value"
HEADLINES = (
    Headline("in_treatment_end", "People in treatment at the end of {last}", "people", "in_treatment", "end",
             short="In treatment, end of {last}", theme=TREATMENT),
    Headline("treatment_starts", "Treatment starts, {years}", "people", "treatment_starts", "total",
             short="Treatment starts", better=+1, theme=TREATMENT),
    Headline("successful_completions", "Successful completions, {years}", "people", "exits_successful", "total",
             short="Successful completions", better=+1, theme=TREATMENT),
    Headline("completion_rate_opiate", "Successful completion rate, opiate clients (average {years})", "percent",
             "successful_completion_rate", "mean", "opiate", short="Completion rate, opiate clients", better=+1,
             theme=TREATMENT),
    Headline("completion_rate_non_opiate", "Successful completion rate, non-opiate clients (average {years})",
             "percent", "successful_completion_rate", "mean", "non_opiate", short="Completion rate, non-opiate clients",
             better=+1, theme=TREATMENT),
    Headline("phof_non_representation_6m",
             "Completed and not back in treatment within 6 months, PHOF 2.15 (average {years})", "percent",
             "phof_non_representation_6m", "mean", short="Completed, not back within 6 months (PHOF 2.15)",
             better=+1, theme=TREATMENT),
    Headline("presentations", "Presentations to treatment, {years}", "people", "presentations", "total",
             short="Presentations", theme=ACCESS),
    Headline("waiting_over_3_weeks_share", "Treatment starts after waiting over 3 weeks (average {years})", "share",
             "waiting_over_3_weeks_share", "mean", short="Starts after waiting over 3 weeks", better=-1, theme=ACCESS),
    Headline("waiting_end_of_year", "Waiting for a place at the end of each year (average {years})", "people",
             "waiting", "mean", short="Waiting for a place (year ends)", better=-1, theme=ACCESS),
    Headline("waiting_dropouts", "Gave up on the waiting list, {years}", "people", "waiting_dropouts", "total",
             short="Gave up waiting", better=-1, theme=ACCESS),
    Headline("care_share_of_money", "Share of the money paid that bought care at unit costs, {years}", "share",
             "cost_of_care", "ratio", per="cost", short="Money spent on care", theme=ACCESS),
    Headline("deaths", "Deaths from all causes, {years}", "deaths", "deaths", "total", short="Deaths, all causes",
             better=-1, theme=DEATHS),
    Headline("drug_related_deaths", "Drug-related deaths, {years}", "deaths", "deaths_drug_related", "total",
             short="Drug-related deaths", better=-1, theme=DEATHS),
    Headline("qalys", "Quality-adjusted life years lived, {years}", "qalys", "qalys", "total",
             short="Quality-adjusted life years", better=+1, theme=DEATHS),
    Headline("cost", "Paid for treatment (the services' budgets), {years}", "gbp", "cost", "total",
             short="Paid for treatment", theme=MONEY),
    Headline("cost_of_care", "Care delivered at unit costs, {years}", "gbp", "cost_of_care", "total",
             short="Care delivered", theme=MONEY),
    # a ratio of totals: steadier than the mean of yearly ratios
    Headline("cost_per_successful_completion", "Cost per successful completion, {years}", "gbp", "cost", "ratio",
             per="exits_successful", short="Cost per successful completion", better=-1, theme=MONEY),
    # value for money (sim.outputs.value_for_money): what the scenario's journeys cost society
    Headline("crimes", "Crimes committed in the community, {years}", "crimes", "crimes", "total",
             short="Crimes in the community", better=-1, theme=MONEY),
    Headline("crime_cost", "Cost of those crimes, {years}", "gbp", "crime_cost", "total", short="Cost of crime",
             better=-1, theme=MONEY),
    Headline("health_cost", "Health-care cost of drug use, {years}", "gbp", "health_cost", "total",
             short="Health-care cost", better=-1, theme=MONEY),
    Headline("qalys_value", "Quality-adjusted life years lived, in money, {years}", "gbp", "qalys_value", "total",
             short="QALYs in money", better=+1),
    Headline("benefits_in_year", "Benefits of effective treatment in the year: crime and health costs averted and "
             "QALYs gained, in money (NDTMS value-for-money tool, in year), {years}", "gbp", "benefits_in_year",
             "total", short="Benefits in year", better=+1, theme=VALUE),
    Headline("benefits", "Benefits of treatment: crime and health costs averted and QALYs gained, in money "
             "(NDTMS value-for-money tool, accrued), {years}", "gbp", "benefits", "total", short="Benefits accrued",
             better=+1, theme=VALUE),
    Headline("net_benefit_in_year", "Net benefit in year (in-year benefits less the money paid), {years}", "gbp",
             "net_benefit_in_year", "total", short="Net benefit in year", better=+1, theme=VALUE),
    Headline("net_benefit", "Net benefit accrued (accrued benefits less the money paid), {years}", "gbp",
             "net_benefit", "total", short="Net benefit accrued", better=+1, theme=VALUE),
    Headline("benefit_cost_ratio_in_year", "In-year benefits for each £1 paid for treatment, {years}", "ratio",
             "benefits_in_year", "ratio", per="cost", short="Benefit-cost ratio in year", better=+1, theme=VALUE),
    Headline("benefit_cost_ratio_accrued", "Accrued benefits for each £1 paid for treatment, {years}", "ratio",
             "benefits", "ratio", per="cost", short="Benefit-cost ratio accrued", better=+1, theme=VALUE),
)
DEATHS_AVERTED = Headline("deaths_averted", "Deaths from all causes averted, {years} ({baseline} minus scenario)",
                          "deaths", "deaths", "total", short="Deaths averted, all causes", better=+1)
AVERTED = Headline("drug_related_deaths_averted", "Drug-related deaths averted, {years} ({baseline} minus scenario)",
                   "deaths", "deaths_drug_related", "total", short="Drug-related deaths averted", better=+1)
AVERTED_FROM = {DEATHS_AVERTED: "deaths", AVERTED: "drug_related_deaths"}  # baseline minus scenario of these
BY_NAME = {h.name: h for h in (*HEADLINES, *AVERTED_FROM)}


def run_headlines(collected: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Each headline number for each run (index `run`); one whose measure the runs lack is left out.
    A total over years some run lacks is missing (NaN) for that run."""
    needed = {h.measure for h in HEADLINES} | {h.per for h in HEADLINES if h.per}
    sub = collected[collected["measure"].isin(needed) & collected["period"].isin(years)]

    def per_year(measure: str, group: str) -> pd.DataFrame | None:
        sel = sub[(sub["measure"] == measure) & (sub["group"] == group)]
        return None if sel.empty else sel.pivot(index="run", columns="period", values="value").reindex(columns=years)

    out = {}
    for h in HEADLINES:
        w = per_year(h.measure, h.group)
        if w is None:
            continue
        if h.how == "end":
            out[h.name] = w[years[-1]]
        elif h.how == "mean":
            out[h.name] = w.mean(axis=1)
        else:
            out[h.name] = w.sum(axis=1, min_count=len(years))
        if h.how == "ratio":
            per = per_year(h.per, h.group)
            if per is None:
                del out[h.name]
                continue
            out[h.name] = (out[h.name] / per.sum(axis=1, min_count=len(years))).replace([np.inf, -np.inf], np.nan)
    return pd.DataFrame(out)


def interval(values) -> dict:
    """Median, 5% and 95% points and the count of the non-missing values."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return {"median": np.nan, "low": np.nan, "high": np.nan, "n": 0}
    low, median, high = np.quantile(v, [LOW, 0.5, HIGH])
    return {"median": median, "low": low, "high": high, "n": len(v)}


SUMMARY_COLUMNS = ["area", "system", "scenario", "arm", "arm_label", "kind", "headline", "label", "unit", "years",
                   "median", "low", "high", "n", "width_ratio", "note"]


def summary_row(run: pd.Series, arm: str, kind: str, h: Headline, fill: dict, stats: dict, labels: dict | None = None,
                width_ratio: float = np.nan, note: str = "") -> dict:
    """One row of the summary table (SUMMARY_COLUMNS) for arm `arm`, whose first run is `run`; `labels` maps
    arms to what a reader calls them (default: the arm's name in words)."""
    return {"area": run["area"], "system": run["system"], "scenario": run["scenario"], "arm": arm,
            "arm_label": (labels or {}).get(arm) or scenario_words(arm), "kind": kind,
            "headline": h.name, "label": h.label.format(**fill), "unit": h.unit, "years": fill["years"], **stats,
            "width_ratio": width_ratio, "note": note}


def fill_for(years: list[str], baseline: str) -> dict:
    """What a Headline's label may name: the years, the last of them and the baseline."""
    return {"years": years_label(years), "last": years[-1], "baseline": baseline}


def headline(collected: pd.DataFrame, baseline: str = "baseline", years=None,
             labels: dict | None = None) -> pd.DataFrame:
    """Headline numbers per arm (kind `level`: median and 5-95% interval across seeds and parameter
    sets) and per non-baseline arm its difference from the baseline (kind `difference`: scenario
    minus baseline, paired by seed and parameter set; plus deaths averted, all causes and drug-related).

    `labels` maps arms to what the report calls them (column `arm_label`).
    `width_ratio` (difference rows): width of the paired interval / width of the arm's own interval.
    Differences are left out when the baseline scenario is not in the sweep.
    """
    years, _ = select_years(collected["period"].unique(), years)
    runs = run_table(collected, baseline)
    values = run_headlines(collected, years)
    fill = fill_for(years, baseline)
    rows, own = [], {}
    for arm in arms(runs):
        members = runs[runs["arm"] == arm]
        for h in HEADLINES:
            if h.name not in values:
                continue
            stats = interval(values.loc[members.index, h.name])
            own[arm, h.name] = stats["high"] - stats["low"]
            rows.append(summary_row(members.iloc[0], arm, "level", h, fill, stats, labels))
    for arm, matched in pairs(runs, baseline).items():
        first = runs.loc[matched["run"].iloc[0]]
        for h in (*HEADLINES, *AVERTED_FROM):
            source = AVERTED_FROM.get(h, h.name)
            if source not in values:
                continue
            diff = (values.loc[matched["run"], source].to_numpy()
                    - values.loc[matched["run_baseline"], source].to_numpy())
            stats = interval(-diff if h in AVERTED_FROM else diff)
            width = own.get((arm, source), np.nan)
            ratio = (stats["high"] - stats["low"]) / width if width and width > 0 else np.nan
            rows.append(summary_row(first, arm, "difference", h, fill, stats, labels, ratio))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


# ---------------------------------------------------------------- series over time

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BAND_COLUMNS = ["q05", "q25", "q50", "q75", "q95"]


def _per_run(collected: pd.DataFrame, measure: str, group: str) -> pd.DataFrame | None:
    sel = collected[(collected["measure"] == measure) & (collected["group"] == group)]
    return None if sel.empty else sel.pivot(index="run", columns="period", values="value")


def _bands(block: pd.DataFrame, arm: str) -> pd.DataFrame:
    q = block.quantile(list(QUANTILES)).T  # periods x quantiles, NaNs skipped
    q.columns = BAND_COLUMNS
    return q.assign(n=block.notna().sum(), arm=arm).rename_axis("period").reset_index()


def fan(collected: pd.DataFrame, measure: str, group: str = "all", baseline: str = "baseline") -> pd.DataFrame:
    """Per arm and period: quantiles 5, 25, 50, 75, 95% across seeds and parameter sets (empty if absent)."""
    w = _per_run(collected, measure, group)
    if w is None:
        return pd.DataFrame(columns=["period", *BAND_COLUMNS, "n", "arm"])
    runs = run_table(collected, baseline)
    return pd.concat([_bands(w.reindex(runs.index[runs["arm"] == arm]), arm) for arm in arms(runs)], ignore_index=True)


def paired_differences(collected: pd.DataFrame, measure: str, group: str = "all",
                       baseline: str = "baseline") -> pd.DataFrame:
    """Per non-baseline arm and period: quantiles of scenario minus baseline over runs paired by seed
    and parameter set (empty when there is no baseline or the measure is absent)."""
    w = _per_run(collected, measure, group)
    matched = pairs(run_table(collected, baseline), baseline)
    if w is None or not matched:
        return pd.DataFrame(columns=["period", *BAND_COLUMNS, "n", "arm"])
    frames = []
    for arm, m in matched.items():
        diff = w.reindex(m["run"]).to_numpy() - w.reindex(m["run_baseline"]).to_numpy()
        frames.append(_bands(pd.DataFrame(diff, columns=w.columns), arm))
    return pd.concat(frames, ignore_index=True)


def differences_by_year(collected: pd.DataFrame, years: list[str], baseline: str = "baseline") -> pd.DataFrame:
    """Each headline's paired difference from the baseline in every one of `years`, and for counts and
    money also cumulated from the first of them (median and 5-95% over runs paired by seed and
    parameter set). Empty when there is no baseline to pair with."""
    runs = run_table(collected, baseline)
    matched = pairs(runs, baseline)
    columns = ["arm", "scenario", "headline", "label", "unit", "period", "median", "low", "high",
               "cumulative_median", "cumulative_low", "cumulative_high", "n"]
    if not matched:
        return pd.DataFrame(columns=columns)
    fill = fill_for(years, baseline)
    rows = []
    for h in HEADLINES:
        if h.how == "ratio":
            continue  # a ratio of yearly totals is too noisy year by year; the summary has it over all years
        w = _per_run(collected[collected["period"].isin(years)], h.measure, h.group)
        if w is None:
            continue
        w = w.reindex(columns=years)
        for arm, m in matched.items():
            diff = w.reindex(m["run"]).to_numpy() - w.reindex(m["run_baseline"]).to_numpy()  # [pair, year]
            cumulative = np.cumsum(diff, axis=1) if h.how == "total" else np.full_like(diff, np.nan)
            for j, year in enumerate(years):
                now, total = interval(diff[:, j]), interval(cumulative[:, j])
                rows.append({"arm": arm, "scenario": runs.loc[m["run"].iloc[0], "scenario"], "headline": h.name,
                             "label": h.label.format(**fill), "unit": h.unit, "period": year,
                             "median": now["median"], "low": now["low"], "high": now["high"],
                             "cumulative_median": total["median"], "cumulative_low": total["low"],
                             "cumulative_high": total["high"], "n": now["n"]})
    return pd.DataFrame(rows, columns=columns)
