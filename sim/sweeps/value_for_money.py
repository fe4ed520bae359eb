"""Value for money of each scenario against the baseline: what its change in spending buys or loses.

Runs are paired by seed and parameter set (`summary.pairs`); for each pair, over the compared years:

- the change in spending: the money paid to the services (`cost`), scenario minus baseline;
- the change in crime and health harm, in money: crime (`crime_cost`) plus health care
  (`health_cost`) less quality of life (`qalys_value`: the QALYs lived at the value-for-money
  parameters' price of a QALY). Fewer QALYs count as harm, so a death averted counts the
  quality of the years it adds as well as the crime and health care of living them;
- crime and health harm averted for each £1 more spent: minus the change in harm over the change in
  spending. For a cut the same number is the harm that follows each £1 cut;
- cost per extra successful completion, per death averted (all causes) and per drug-related death
  averted: the change in spending over the change in the outcome.

Harm per £1 is taken pair by pair and summarised as the other differences are (median, 5% and 95%
across the pairs). A cost per outcome is, when spending changes by the same amount in every pair
(a budget), that amount over the outcome's median change and over the ends of its 5-95% interval;
it is missing, as within chance, when that interval includes zero (as every other difference is
judged). Where spending differs between pairs it is taken pair by pair, and given only where the
outcome moves the same way in every pair. `note` says what a ratio's sign means, or why it is
missing; with the same spending in every pair a cost per outcome is zero and the note says so.

    from sim.sweeps.value_for_money import value_rows, sentence
"""

import numpy as np
import pandas as pd

from sim.sweeps.summary import (
    SUMMARY_COLUMNS,
    Headline,
    fill_for,
    interval,
    pairs,
    run_headlines,
    run_table,
    select_years,
    summary_row,
)

HARM = Headline("harm_change", "Crime, health-care cost and quality of life lost, in money: scenario minus {baseline}, "
                "{years}", "gbp", "", "pairs", short="Change in crime and health harm", better=-1)
HARM_AVERTED_PER_POUND = Headline(
    "harm_averted_per_pound", "Crime and health harm averted for each £1 more spent on treatment (for a cut: the harm "
    "that follows each £1 cut), {years}", "ratio", "", "pairs", short="Harm averted per £1", better=+1)
COST_PER_COMPLETION = Headline(
    "cost_per_extra_successful_completion", "Change in spending for each extra successful completion, {years}",
    "gbp", "", "pairs", short="Cost per extra successful completion")
COST_PER_DEATH = Headline("cost_per_death_averted", "Change in spending for each death averted (all causes), {years}",
                          "gbp", "", "pairs", short="Cost per death averted")
COST_PER_DRUG_DEATH = Headline(
    "cost_per_drug_related_death_averted", "Change in spending for each drug-related death averted, {years}", "gbp", "",
    "pairs", short="Cost per drug-related death averted")
VALUE_HEADLINES = (HARM, HARM_AVERTED_PER_POUND, COST_PER_COMPLETION, COST_PER_DEATH, COST_PER_DRUG_DEATH)
RATIOS_OF_CHANGES = (HARM_AVERTED_PER_POUND.name, COST_PER_COMPLETION.name, COST_PER_DEATH.name,
                     COST_PER_DRUG_DEATH.name)  # not differences themselves: shown without a sign
HARM_PARTS = ("crime_cost", "health_cost", "qalys_value")  # harm = crime + health care - quality of life
SAME_SPENDING = "no change in spending"



def _meanings(gain: str, loss: str, more: str, fewer: str) -> dict[tuple[bool, bool], str]:
    """What a cost per outcome means, by (spending rose, the outcome improved)."""
    return {(True, True): f"extra spending for each {gain}", (False, False): f"saving for each {loss}",
            (True, False): f"more spending and {fewer}", (False, True): f"less spending and {more}"}


# the run headline, +1 if a gain is its rise (-1 its fall), the words for a change of it, and for the ratio's sign
OUTCOMES = {
    COST_PER_COMPLETION: ("successful_completions", +1, "successful completions", _meanings(
        "extra successful completion", "successful completion lost", "more successful completions",
        "fewer successful completions")),
    COST_PER_DEATH: ("deaths", -1, "deaths", _meanings(
        "death averted", "extra death", "fewer deaths", "more deaths")),
    COST_PER_DRUG_DEATH: ("drug_related_deaths", -1, "drug-related deaths", _meanings(
        "drug-related death averted", "extra drug-related death", "fewer drug-related deaths",
        "more drug-related deaths")),
}


def ratio_of_changes(numerator: np.ndarray, denominator: np.ndarray, what: str) -> tuple[dict, str]:
    """numerator / denominator pair by pair, summarised; missing (with the reason) unless the
    denominator moves the same way, and is not zero, in every pair. `what` names the denominator."""
    n = len(denominator)
    missing = {"median": np.nan, "low": np.nan, "high": np.nan, "n": n}
    if n == 0:
        return missing, "no paired runs"
    up, down = int((denominator > 0).sum()), int((denominator < 0).sum())
    if up < n and down < n:
        return missing, (f"within chance: {what} did not move the same way in all {n} paired runs ({up} up, {down} "
                         f"down, {n - up - down} unchanged)")
    return interval(numerator / denominator), ""


def cost_per_outcome(spend: np.ndarray, gain: np.ndarray, what: str,
                     meanings: dict[tuple[bool, bool], str]) -> tuple[dict, str]:
    """Change in spending per unit of `gain` (extra completions, deaths averted) and what its sign means.

    When spending changes by the same amount in every pair (a budget), that amount over the gain's median and
    over the ends of its 5-95% interval: missing, as within chance, when that interval includes zero, the
    rule every other difference follows. Otherwise pair by pair (`ratio_of_changes`)."""
    n = len(spend)
    missing = {"median": np.nan, "low": np.nan, "high": np.nan, "n": n}
    if n and np.all(spend == 0):
        return {"median": 0.0, "low": 0.0, "high": 0.0, "n": n}, SAME_SPENDING
    if not (np.all(spend > 0) or np.all(spend < 0)):
        return missing, "spending rose in some paired runs and fell in others"
    if np.ptp(spend) <= 1e-9 * abs(spend[0]):
        g = interval(gain)
        if not (g["low"] > 0 or g["high"] < 0):
            return missing, f"within chance: the change in {what} is within chance variation"
        ends = sorted([spend[0] / g["low"], spend[0] / g["high"]])
        stats = {"median": spend[0] / g["median"], "low": ends[0], "high": ends[1], "n": n}
        return stats, meanings[bool(spend[0] > 0), bool(g["median"] > 0)]
    stats, note = ratio_of_changes(spend, gain, what)
    return stats, note or meanings[bool(spend[0] > 0), bool(gain[0] > 0)]


def paired_change(values: pd.DataFrame, matched: pd.DataFrame):
    """A function giving, for a run headline, scenario minus baseline in each pair of `matched` runs."""
    def change(name: str) -> np.ndarray:
        return (values.loc[matched["run"], name].to_numpy(dtype=float)
                - values.loc[matched["run_baseline"], name].to_numpy(dtype=float))
    return change


def value_rows(collected: pd.DataFrame, baseline: str = "baseline", years=None,
               labels: dict | None = None) -> pd.DataFrame:
    """For each non-baseline arm (kind `difference`): the change in crime and health harm, the harm averted
    for each £1 more spent, and the cost per extra successful completion and per death averted (all causes,
    drug-related), with a `note` where a ratio is missing or what its sign means. Empty without a baseline."""
    years, _ = select_years(collected["period"].unique(), years)
    runs = run_table(collected, baseline)
    values = run_headlines(collected, years)
    fill = fill_for(years, baseline)
    rows = []
    for arm, matched in pairs(runs, baseline).items():
        first = runs.loc[matched["run"].iloc[0]]

        if "cost" not in values:
            continue
        change = paired_change(values, matched)
        spend = change("cost")
        if set(HARM_PARTS) <= set(values.columns):
            harm = change("crime_cost") + change("health_cost") - change("qalys_value")
            rows.append(summary_row(first, arm, "difference", HARM, fill, interval(harm), labels))
            if len(spend) and np.all(spend == 0):
                stats, note = {"median": np.nan, "low": np.nan, "high": np.nan, "n": len(spend)}, SAME_SPENDING
            else:
                stats, note = ratio_of_changes(-harm, spend, "spending")
            rows.append(summary_row(first, arm, "difference", HARM_AVERTED_PER_POUND, fill, stats, labels, note=note))
        for h, (source, sign, what, meanings) in OUTCOMES.items():
            if source in values:
                stats, note = cost_per_outcome(spend, sign * change(source), what, meanings)
                rows.append(summary_row(first, arm, "difference", h, fill, stats, labels, note=note))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def money(x: float, signed: bool = False) -> str:
    """£ for a sentence: £1.23m, £45,600, £2.40 (per pound); `signed`: a minus sign when negative."""
    a = abs(x)
    text = f"£{a / 1e6:,.2f}m" if a >= 1e6 else f"£{a:,.0f}" if a >= 100 else f"£{a:,.2f}"
    return f"-{text}" if signed and x < 0 and text.strip("£0.,m") else text


def sentence(summary: pd.DataFrame, arm: str) -> str:
    """What the arm's change in spending means in crime and health harm, in one plain-English sentence
    (empty when the summary lacks the numbers, e.g. without a baseline)."""
    rows = summary[(summary["arm"] == arm) & (summary["kind"] == "difference")].set_index("headline")
    if not {"cost", HARM.name, HARM_AVERTED_PER_POUND.name} <= set(rows.index):
        return ""
    spend, per, harm = rows.loc["cost"], rows.loc[HARM_AVERTED_PER_POUND.name], rows.loc[HARM.name]
    years = spend["years"]
    if per["note"] == SAME_SPENDING:
        if harm["low"] > 0:
            return (f"At the same spending, crime and health harm is about {money(harm['median'])} higher over {years} "
                    f"({money(harm['low'])} to {money(harm['high'])}).")
        if harm["high"] < 0:
            return (f"At the same spending, crime and health harm is about {money(harm['median'])} lower over {years} "
                    f"({money(harm['high'])} to {money(harm['low'])}).")
        return (f"At the same spending, the change in crime and health harm over {years} is within chance variation "
                f"({money(harm['low'], True)} to {money(harm['high'], True)}).")
    if np.isnan(per["median"]):
        return f"No sentence: {per['note']}."
    span = f"{money(per['low'], True)} to {money(per['high'], True)}"
    if spend["median"] < 0:  # a cut: `per` is the harm that follows each £1 cut (positive: harm rises)
        if per["low"] > 0:
            return f"For every £1 cut, about {money(per['median'])} of crime and health harm follows ({span}), {years}."
        if per["high"] < 0:
            return (f"For every £1 cut, crime and health harm also falls, by about {money(per['median'])} "
                    f"({money(per['high'])} to {money(per['low'])}), {years}.")
        return (f"For every £1 cut, the change in crime and health harm is within chance variation (harm following "
                f"each £1 cut: {span}), {years}.")
    if per["low"] > 0:
        return (f"For every extra £1 spent, about {money(per['median'])} of crime and health harm is averted ({span}), "
                f"{years}.")
    if per["high"] < 0:
        return (f"For every extra £1 spent, crime and health harm rises by about {money(per['median'])} "
                f"({money(per['high'])} to {money(per['low'])}), {years}.")
    return (f"For every extra £1 spent, the change in crime and health harm is within chance variation (harm averted "
            f"for each £1: {span}), {years}.")
