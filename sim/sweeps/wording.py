"""Numbers and tables in words, as a commissioner reads them: £1.23m, 45.6%, +0.4 points (+0.1 to +0.7).

No matplotlib here: `journeys-compare` prints with it; the report and the findings write with it.
"""

import numpy as np
import pandas as pd

from sim.sweeps.value_for_money import RATIOS_OF_CHANGES


def format_value(x: float, unit: str, signed: bool = False, suffix: bool = True) -> str:
    """A number as a commissioner reads it: 1,234; 45.6%; £1.23m; £12,345; a share as a percentage.

    `signed` (differences) adds + or -; rates then differ in percentage points.
    """
    if x is None or np.isnan(x):
        return "n/a"
    a = abs(x)
    if unit in ("percent", "share"):
        text = f"{a * 100 if unit == 'share' else a:.1f}"
        end = (" points" if signed else "%") if suffix else ""
    elif unit == "ratio":
        text, end = f"{a:.2f}", ""
    elif unit == "gbp":
        text, end = (f"£{a / 1e6:,.2f}", "m") if a >= 1e6 else (f"£{a:,.0f}", "")
    elif 0 < a < 9.95 and a != round(a):  # a count's quantile between runs: -0.2 is not 0
        text, end = f"{a:.1f}", ""
    else:
        text, end = f"{a:,.0f}", ""
    zero = not any(ch in "123456789" for ch in text)  # no '-0.0' nor '+0'
    sign = "" if zero else "-" if x < 0 else "+" if signed else ""
    return f"{sign}{text}{end}"


def format_interval(median: float, low: float, high: float, unit: str, signed: bool = False) -> str:
    """'1,234 (1,100 to 1,350)': the median and the 5-95% interval ('+0.4 points (+0.1 to +0.7)'); a number
    that is the same in every run says so."""
    if low == high == median:
        return f"{format_value(median, unit, signed)} (every run)"
    short = not (signed and unit in ("percent", "share"))  # 'points' once, after the median
    return (f"{format_value(median, unit, signed)} ({format_value(low, unit, signed, short)} to "
            f"{format_value(high, unit, signed, short)})")


def option_table(summary: pd.DataFrame, arm: str, headlines=None, names: dict | None = None) -> pd.DataFrame:
    """One option's headline numbers as text: a row per headline (its plain-English label, or `names[headline]`),
    the level (median and 5% to 95%) and the paired difference from the baseline. `headlines` chooses and
    orders the rows."""
    rows = summary[summary["arm"] == arm]
    if headlines is not None:
        rows = rows[rows["headline"].isin(headlines)]
    text = rows.assign(text=[with_note(r) for r in rows.itertuples()])
    out = text.pivot(index="headline", columns="kind", values="text")
    order = [h for h in (headlines or dict.fromkeys(rows["headline"])) if h in out.index]
    out = out.reindex(index=order, columns=[k for k in ("level", "difference") if k in out.columns]).fillna("")
    out.index = [names.get(h, h) for h in order] if names else list(rows.drop_duplicates("headline").set_index(
        "headline").loc[order, "label"])
    out.columns.name = None
    return out.rename(columns={"level": "median (5% to 95%)", "difference": "difference from baseline (paired)"})


def with_note(r) -> str:
    """A summary row as text: the number with its interval, and its note (what a ratio's sign means, or why
    it is missing)."""
    note = r.note if isinstance(r.note, str) else ""
    if np.isnan(r.median):
        return f"n/a: {note}" if note else "n/a"
    signed = r.kind == "difference" and r.headline not in RATIOS_OF_CHANGES
    return format_interval(r.median, r.low, r.high, r.unit, signed=signed) + (f": {note}" if note else "")


def ratio_sentence(summary: pd.DataFrame) -> str:
    """How much narrower paired differences are than each scenario's own interval (median over headlines)."""
    diff = summary[(summary["kind"] == "difference") & summary["width_ratio"].notna()]
    if diff.empty:
        return ""
    ratios = diff.groupby("arm_label" if "arm_label" in diff else "arm", sort=False)["width_ratio"].median()
    parts = "; ".join(f"{arm} {r:.0%}" for arm, r in ratios.items())
    return ("Comparing runs that share their random numbers makes the differences more precise: the interval of a "
            "difference from the baseline is typically this share of the width of the scenario's own interval "
            f"(median over the headline numbers): {parts}.")
