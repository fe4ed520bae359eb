"""What a comparison finds, in words: which option does what best, each option's trade-offs, where an
option's effect is within chance variation and why the model says so, and whether there are runs
enough for the intervals shown.

Everything here reads the summary table (`summary.headline` with `value_for_money.value_rows`):
medians and 5-95% intervals across runs, and differences from the baseline paired by seed. A
difference is *clear* when its interval does not include zero, *within chance* when it does.

    from sim.sweeps.findings import best_options, trade_offs, within_chance, runs_warning
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.sweeps.summary import BY_NAME, HIGH, LOW, Headline
from sim.sweeps.value_for_money import VALUE_HEADLINES
from sim.sweeps.wording import format_interval, format_value

HEADLINE_OF = {**BY_NAME, **{h.name: h for h in VALUE_HEADLINES}}

# At least one run in twenty beyond each end of a 5-95% range: with fewer runs numpy's 5% point lies
# between the lowest run and the next (its position is (n - 1) x 0.05 < 1), so the range is set by the
# extremes seen rather than estimating the 5th and 95th percentiles.
MIN_RUNS_FOR_INTERVAL = int(round(1 / min(LOW, 1 - HIGH)))

# the outcomes a commissioner asks "which option does this best?" of, in the order the report lists them
BEST_OF = ("successful_completions", "phof_non_representation_6m", "completion_rate_opiate", "treatment_starts",
           "waiting_over_3_weeks_share", "drug_related_deaths_averted", "deaths_averted", "crimes", "harm_change",
           "net_benefit", "benefit_cost_ratio_accrued", "benefit_cost_ratio_in_year")
# weighed in an option's trade-offs (gains and losses); NEUTRAL ones change without being better or worse
TRADE_OFF = ("treatment_starts", "successful_completions", "completion_rate_opiate", "completion_rate_non_opiate",
             "phof_non_representation_6m", "waiting_over_3_weeks_share", "waiting_dropouts",
             "drug_related_deaths_averted", "deaths_averted", "crimes", "harm_change", "net_benefit",
             "benefit_cost_ratio_accrued")
NEUTRAL = ("in_treatment_end", "presentations", "care_share_of_money")
# whose change within chance earns a note with the model's reasons
CHECKED = ("treatment_starts", "in_treatment_end", "successful_completions", "waiting_over_3_weeks_share",
           "drug_related_deaths_averted", "deaths_averted", "crimes", "harm_change")
ACCESS_CHAIN = ("treatment_starts", "in_treatment_end", "successful_completions", "waiting_over_3_weeks_share")


def clear(row) -> bool:
    """The difference's interval does not include zero."""
    return bool(row["low"] > 0 or row["high"] < 0)


def unchanged(row) -> bool:
    """The same in every pair of runs (e.g. the money paid, for a scenario that does not change it)."""
    return bool(row["low"] == row["high"] == 0)


def gain(row, h: Headline) -> bool:
    return bool(h.better and clear(row) and np.sign(row["median"]) == h.better)


def loss(row, h: Headline) -> bool:
    return bool(h.better and clear(row) and np.sign(row["median"]) == -h.better)


def short(h: Headline, years: str, last: str) -> str:
    return (h.short or h.label).format(years=years, last=last, baseline="baseline")


def change_text(row, h: Headline, last: str, inside: bool = False) -> str:
    """'Successful completions +158 (+149 to +172)'; `inside` a sentence: 'successful completions ...'
    (a name starting with an acronym, e.g. 'PHOF', keeps its capitals)."""
    name = short(h, row["years"], last)
    if inside and name[1:2].islower():
        name = name[0].lower() + name[1:]
    return f"{name} {format_interval(row['median'], row['low'], row['high'], row['unit'], signed=True)}"


@dataclass
class Comparisons:
    """The summary's rows indexed for reading: differences by (arm, headline), levels by (arm, headline)."""

    summary: pd.DataFrame
    baseline: str = "baseline"
    diff: pd.DataFrame = field(init=False)
    level: pd.DataFrame = field(init=False)

    def __post_init__(self):
        s = self.summary
        self.diff = s[s["kind"] == "difference"].set_index(["arm", "headline"])
        self.level = s[s["kind"] == "level"].set_index(["arm", "headline"])

    @property
    def arms(self) -> list[str]:
        return list(dict.fromkeys(self.diff.index.get_level_values("arm")))

    @property
    def baseline_arm(self) -> str | None:
        rows = self.summary[(self.summary["kind"] == "level") & (self.summary["scenario"] == self.baseline)]
        return rows["arm"].iloc[0] if len(rows) else None

    def label(self, arm: str) -> str:
        rows = self.summary[self.summary["arm"] == arm]
        return str(rows["arm_label"].iloc[0]) if len(rows) else arm

    @property
    def last(self) -> str:
        years = str(self.summary["years"].iloc[0]) if len(self.summary) else ""
        return years.split("-")[-1].split(", ")[-1]

    def d(self, arm: str, name: str):
        return self.diff.loc[(arm, name)] if (arm, name) in self.diff.index else None

    def base(self, name: str):
        arm = self.baseline_arm
        return self.level.loc[(arm, name)] if arm is not None and (arm, name) in self.level.index else None


def runs_warning(summary: pd.DataFrame) -> str:
    """A warning when some interval rests on fewer runs than a 5-95% range needs (empty if none does)."""
    rows = summary[(summary["n"] > 0) & summary["kind"].isin(["level", "difference"])]
    if rows.empty:
        return ""
    n = int(rows["n"].min())
    if n >= MIN_RUNS_FOR_INTERVAL:
        return ""
    few = rows[rows["n"] == n]
    what = "paired runs of a scenario and the baseline" if (few["kind"] == "difference").all() else "runs of a scenario"
    return (f"Too few runs for the intervals shown: some numbers rest on only {n} {what} (seeds, times parameter "
            "sets). "
            f"A '5% to 95%' range needs at least {MIN_RUNS_FOR_INTERVAL} runs, so that about one run in twenty lies "
            f"beyond each end; with {n} the 5% point lies between the lowest run and the next (and the 95% point "
            f"between the two highest), so the ranges here show little more than the lowest and highest of {n} "
            f"runs, not 90% intervals, and 'within chance' is judged on too few runs. Run "
            f"{MIN_RUNS_FOR_INTERVAL} or more seeds (seed='range(1,{MIN_RUNS_FOR_INTERVAL + 1})') before relying on "
            f"them.")


def best_options(summary: pd.DataFrame, baseline: str = "baseline") -> list[dict]:
    """For each outcome in BEST_OF the summary has: the option with the largest clear gain over the
    baseline (`best`, its label, the change with interval) and the other options with a clear gain."""
    c = Comparisons(summary, baseline)
    out = []
    for name in BEST_OF:
        h = HEADLINE_OF[name]
        rows = [(arm, c.d(arm, name)) for arm in c.arms if c.d(arm, name) is not None]
        if not rows:
            continue
        gains = sorted(((arm, r) for arm, r in rows if gain(r, h)), key=lambda ar: -h.better * ar[1]["median"])
        years = rows[0][1]["years"]
        item = {"headline": name, "what": short(h, years, c.last), "better": "higher" if h.better > 0 else "lower",
                "best": None, "best_label": "", "change": "", "others": [], "caveat": ""}
        if gains:
            arm, r = gains[0]
            item.update(best=arm, best_label=c.label(arm),
                        change=format_interval(r["median"], r["low"], r["high"], r["unit"], signed=True),
                        others=[c.label(a) for a, _ in gains[1:]])
            cost, benefits = c.d(arm, "cost"), c.d(arm, h.measure)
            if h.per == "cost" and cost is not None and cost["high"] < 0 and benefits is not None:
                item["caveat"] = (f"a ratio to the money paid: with {format_value(-cost['median'], 'gbp')} less, the "
                                  f"benefits changed by {ci(benefits)}, less than the money")
        out.append(item)
    return out


def trade_offs(summary: pd.DataFrame, baseline: str = "baseline") -> list[dict]:
    """Per option: its change in spending, and its clear gains, clear losses and other clear changes."""
    c = Comparisons(summary, baseline)
    out = []
    for arm in c.arms:
        cost = c.d(arm, "cost")
        spending = ("no change" if cost is None or unchanged(cost) else
                    format_interval(cost["median"], cost["low"], cost["high"], "gbp", signed=True))
        item = {"arm": arm, "label": c.label(arm), "spending": spending, "better": [], "worse": [], "other": []}
        for name in (*TRADE_OFF, *NEUTRAL):
            r, h = c.d(arm, name), HEADLINE_OF[name]
            if r is None or not clear(r):
                continue
            kind = "better" if gain(r, h) else "worse" if loss(r, h) else "other"
            item[kind].append(change_text(r, h, c.last))
        out.append(item)
    return out


def within_chance(summary: pd.DataFrame, baseline: str = "baseline") -> list[dict]:
    """Per option whose effect on an outcome in CHECKED is within chance variation: those outcomes and the
    reasons the model's own numbers give (places that do or do not bind, few deaths, what did change)."""
    c = Comparisons(summary, baseline)
    out = []
    for arm in c.arms:
        noisy = _noisy(c, arm)
        if not noisy:
            continue
        reasons = []
        if any(n in ACCESS_CHAIN for n in noisy):
            reasons += _access_reasons(c, arm)
        deaths = [n for n in ("deaths_averted", "drug_related_deaths_averted") if n in noisy]
        if deaths:
            reasons.append(_deaths_reason(c, arm, deaths))
        if "crimes" in noisy or "harm_change" in noisy:
            reasons.append(_harm_reason(c, arm))
        out.append({"arm": arm, "label": c.label(arm), "within_chance": [
            change_text(c.d(arm, n), HEADLINE_OF[n], c.last) for n in noisy], "reasons": [r for r in reasons if r]})
    return out


def _noisy(c: Comparisons, arm: str) -> list[str]:
    """The outcomes in CHECKED whose change is within chance (and not the same in every run)."""
    rows = {n: c.d(arm, n) for n in CHECKED if c.d(arm, n) is not None}
    return [n for n, r in rows.items() if not clear(r) and not unchanged(r)]


def _money(row) -> str:
    return ci(row, "gbp")


def ci(row, unit: str | None = None) -> str:
    """A difference with its interval: '+158 (+149 to +172)'."""
    return format_interval(row["median"], row["low"], row["high"], unit or row["unit"], signed=True)


def _access_reasons(c: Comparisons, arm: str) -> list[str]:
    """Why starts, the caseload, completions or waits moved little: the money (do places bind?) and who came forward."""
    reasons = []
    cost, care = c.d(arm, "cost"), c.d(arm, "cost_of_care")
    share, waiting, in_tx = c.base("care_share_of_money"), c.base("waiting_end_of_year"), c.base("in_treatment_end")
    context = ""
    if share is not None and waiting is not None and in_tx is not None:
        context = (f"in the baseline the services spent {format_value(share['median'], 'share')} of the money they "
                   f"were paid on care at unit costs, and about {format_value(waiting['median'], 'people')} people "
                   f"were waiting for a place at each year end (against {format_value(in_tx['median'], 'people')} in "
                   "treatment)")
    waits, dropouts = c.d(arm, "waiting_over_3_weeks_share"), c.d(arm, "waiting_dropouts")
    longer = [r for r in (waits, c.d(arm, "waiting_end_of_year")) if r is not None and clear(r) and r["median"] > 0]
    if cost is not None and care is not None and not unchanged(cost):
        reached = care["median"] / cost["median"] if cost["median"] else np.nan
        if reached < 0.5:
            how = ("Places bind only in part" if cost["median"] < 0 and longer else
                   "Places do not bind")
            moved = (f"Of the {format_value(-cost['median'], 'gbp')} cut from the money paid, care delivered fell"
                     if cost["median"] < 0 else
                     f"Of the {format_value(cost['median'], 'gbp')} added to the money paid, care delivered rose")
            lengthened = "; ".join(change_text(r, HEADLINE_OF[r.name[1]], c.last, inside=True) for r in longer)
            low, high = sorted([abs(care["low"]), abs(care["high"])])
            by = format_interval(abs(care["median"]), low, high, "gbp")
            reasons.append(f"{how}: {context}. {moved} by only {by}: the rest was money the services were not "
                           "spending on care, so the change reaches few places"
                           + (f" (though waits lengthened: {lengthened})" if longer else "") + ".")
        else:
            reasons.append(f"The change in money reached care ({_money(care)} of care delivered for {_money(cost)} "
                           f"paid; {context}), but its effect on these outcomes is smaller than the chance variation "
                           "between runs.")
    presentations, starts = c.d(arm, "presentations"), c.d(arm, "treatment_starts")
    more_money_or_same = cost is None or cost["median"] >= 0
    if presentations is not None and starts is not None and more_money_or_same:
        if clear(presentations) and presentations["median"] > 0 and (
                not clear(starts) or starts["median"] < 0.5 * presentations["median"]):
            extra = [f"starts after waiting over 3 weeks {ci(waits)}"] if waits is not None and clear(waits) else []
            extra += [f"gave up waiting {ci(dropouts)}"] if dropouts is not None and clear(dropouts) else []
            reasons.append(f"Places bind: presentations rose by {format_value(presentations['median'], 'people')} but "
                           f"treatment starts changed by only {ci(starts)}, so the "
                           "extra people mostly waited" + (f" ({'; '.join(extra)})" if extra else "")
                           + (f"; {context}" if context else "") + ".")
        elif clear(presentations) and presentations["median"] > 0 and clear(starts) and any(
                n in ("waiting_over_3_weeks_share",) for n in _noisy(c, arm)):
            reasons.append(f"Places were found: presentations rose by {ci(presentations)} and treatment starts by "
                           f"{ci(starts)}, so the extra people were admitted about as fast as they came and waits "
                           f"changed little; {context}." if context else
                           f"Places were found: presentations rose by {ci(presentations)} and treatment starts by "
                           f"{ci(starts)}, so waits changed little.")
        elif not clear(presentations) and (cost is None or unchanged(cost)):
            reasons.append("Few more people came forward: presentations changed by "
                           f"{ci(presentations)}"
                           " (within chance), and the money was the same, so who was treated changed little.")
    return reasons


def _deaths_reason(c: Comparisons, arm: str, names: list[str]) -> str:
    """Deaths are counted in tens: say how many the baseline had, how much that varies and the change seen."""
    parts, changes = [], []
    for name in names:
        source = "drug_related_deaths" if name == "drug_related_deaths_averted" else "deaths"
        base, r = c.base(source), c.d(arm, name)
        if base is None:
            continue
        what = "drug-related" if source == "drug_related_deaths" else "from all causes"
        parts.append(f"{format_value(base['median'], 'deaths')} {what} ({format_value(base['low'], 'deaths')} to "
                     f"{format_value(base['high'], 'deaths')} across runs)")
        changes.append(f"{ci(r)} {what}")
    if not parts:
        return ""
    years = c.base("deaths")["years"] if c.base("deaths") is not None else ""
    return (f"Deaths are few: the baseline had {' and '.join(parts)} over {years}, so a change of "
            f"{' and '.join(changes)} averted is within the chance variation of such counts; more seeds, or a larger "
            "area, would measure it.")


def _harm_reason(c: Comparisons, arm: str) -> str:
    """Crime and health harm follow the numbers in effective treatment and in recovery: say how those moved."""
    parts = []
    for name in ("in_treatment_end", "successful_completions", "deaths_averted"):
        r = c.d(arm, name)
        if r is not None:
            parts.append(change_text(r, HEADLINE_OF[name], c.last, inside=bool(parts))
                         + ("" if clear(r) else " (within chance)"))
    if not parts:
        return ""
    return ("Crime and health harm follow how many people are in effective treatment, in recovery and alive: "
            + "; ".join(parts) + ". Changes this size, or pulling opposite ways, leave harm within chance variation.")
