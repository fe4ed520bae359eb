"""`journeys-compare`: collect a sweep and write its summary, figures and report into it.

    journeys-compare multirun/scenarios/southampton --years 2025-2029
"""

import argparse
import html
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.config.commands import run_command
from sim.sweeps import sensitivity
from sim.sweeps.collect import collect, list_runs, write_collected
from sim.sweeps.figures import Chart, write_figures
from sim.sweeps.report import ratio_sentence, table, write_report
from sim.sweeps.summary import (
    DEFAULT_YEARS,
    HEADLINES,
    differences_by_year,
    headline,
    run_headlines,
    select_years,
    years_label,
)


@dataclass
class Comparison:
    """What journeys-compare made: the tables, the files written and notes for the reader."""

    collected: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame
    years: list[str]
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def compare(multirun_dir: Path | str, baseline: str = "baseline", years=None, age_years=None,
            progress: bool = True) -> Comparison:
    """Collect a sweep and write collected.parquet, summary.csv, figures/ and report.html into it."""
    root = Path(multirun_dir)
    runs = list_runs(root)
    collected = collect(root, progress=progress, runs=runs)
    periods = collected["period"].unique()
    notes = []
    policy = policy_year(runs, periods)
    if years is None and policy is not None:  # what the policy did: every year since it started
        years = f"{policy}-{max(periods)}"
        notes.append(f"the scenarios act from {policy}; before it every run follows the documented history "
                     f"(identical in every scenario): headline numbers cover {policy}-{max(periods)}")
    years, missing = select_years(periods, years)
    if missing:
        notes.append(f"years {years_label(missing)} are not in the runs: headline numbers cover {years_label(years)}")
    ages, missing_ages = select_years(periods, age_years) if age_years else (sorted({min(periods), max(periods)}), [])
    if missing_ages:
        notes.append(f"age-profile years {years_label(missing_ages)} are not in the runs")
    scenarios = sorted(runs["scenario"].unique())
    if baseline not in scenarios:
        names = ", ".join(scenarios)
        notes.append(f"no runs of the baseline scenario {baseline!r} in this sweep (scenarios: {names}): "
                     "differences from the baseline are skipped; name another with --baseline")
    everything, compared_runs = collected, runs
    one_at_a_time = (runs["design_kind"] == "one_at_a_time").any()
    if one_at_a_time:  # scenarios are compared at the reference point
        collected = collected[collected["design_point"].fillna(0) == 0]
        compared_runs = runs[runs["design_point"].fillna(0) == 0]
        notes.append("a one-at-a-time sensitivity sweep: scenario figures and headline numbers use the reference "
                     "runs (design point 0); the sensitivity section shows every factor")
    summary = headline(collected, baseline, years)
    result = Comparison(everything, runs, summary, years, notes=notes)
    result.files["collected"] = root / "collected.parquet"
    write_collected(everything, result.files["collected"])
    result.files["summary"] = root / "summary.csv"
    summary.to_csv(result.files["summary"], index=False)
    by_year = differences_by_year(collected, years, baseline)
    if len(by_year):
        result.files["differences by year"] = root / "differences_by_year.csv"
        by_year.to_csv(result.files["differences by year"], index=False)
    figures = write_figures(collected, root / "figures", baseline=baseline, years=years, age_years=ages)
    extra_html = ""
    if (runs["design_kind"] != "none").any():
        charts, extra_html, table = sensitivity_outputs(everything, runs, years, root)
        figures = [*figures, *charts]
        result.files["sensitivity"] = root / "sensitivity.csv"
        table.to_csv(result.files["sensitivity"], index=False)
    result.files.update({f"figure {f.name}": f.path for f in figures})
    result.files["report"] = write_report(summary, compared_runs, figures, root / "report.html", baseline=baseline,
                                          years=years, notes=notes, extra_html=extra_html)
    return result


def policy_year(runs: pd.DataFrame, periods) -> int | None:
    """The year the runs' policies start, if they share one and it falls inside the runs (else None)."""
    years = runs["policy_year"].dropna().unique() if "policy_year" in runs else []
    if len(years) != 1:
        return None
    year = int(years[0])
    return year if str(year) in {str(p) for p in periods} and str(year) != min(str(p) for p in periods) else None


def sensitivity_outputs(collected: pd.DataFrame, runs: pd.DataFrame, years: list[str], root: Path):
    """The sensitivity figure (tornado, or rank-regression bars), its table and a report section."""
    values = run_headlines(collected, years)
    indexed = runs.set_index("run")
    fill = {"years": years_label(years), "last": years[-1], "baseline": "baseline"}
    labels = {h.name: h.label.format(**fill) for h in HEADLINES}
    (root / "figures").mkdir(exist_ok=True)
    if (runs["design_kind"] == "one_at_a_time").any():
        table = sensitivity.one_at_a_time(values, indexed)
        path = sensitivity.tornado(table, labels, root / "figures" / "tornado.png")
        title, caption = "Which assumptions matter most (one at a time)", (
            "Each bar shows how much a headline number changes when one lever or parameter alone is set to the low "
            "(blue) or high (red) end of its plausible range, everything else as in the reference run with the same "
            "random numbers. The widest bars, at the top, are the assumptions the results depend on most.")
        shown = table.assign(effect=[f"{m:+,.3g} ({lo:+,.3g} to {hi:+,.3g})" for m, lo, hi in
                                     zip(table["median"], table["low"], table["high"])])
        shown = shown.pivot_table(index=["factor", "level"], columns="headline", values="effect", aggfunc="first")
    else:
        table = sensitivity.rank_regression(values, indexed)
        path = sensitivity.srrc_chart(table, labels, root / "figures" / "sensitivity.png")
        title, caption = "Which assumptions matter most (all varied together)", (
            "Standardised rank regression coefficients: how strongly each headline number moves with each lever or "
            "parameter when all of them vary together across their plausible ranges (Latin hypercube). Near +1 or "
            "-1: that assumption drives the result; R² says how much of the spread the assumptions explain.")
        shown = table.pivot_table(index="factor", columns="headline", values="srrc").round(2)
    charts = [Chart("sensitivity", path, title, caption)] if path is not None else []
    section = (f"<h2>{html.escape(title)}: table</h2>"
               + shown.to_html(classes="sensitivity", border=0, escape=True))
    return charts, section, table


def print_summary(result: Comparison, out=None) -> None:
    """The headline numbers and the files written, for the terminal (or `out`)."""
    out = out or sys.stdout
    runs = result.runs
    counts = {"scenario": runs["scenario"].nunique(), "seed": runs["seed"].nunique(),
              "parameter set": runs["parameter_set"].astype("string").fillna("point").nunique()}
    counted = ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for what, n in counts.items())
    print(f"\njourneys-compare: {len(runs)} runs ({counted}), {', '.join(runs['area'].unique())}, "
          f"{', '.join(runs['system'].unique())}; headline years {years_label(result.years)}", file=out)
    for note in result.notes:
        print(f"note: {note}", file=out)
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print("\nmedian (5% to 95%) across seeds and parameter sets", file=out)
        print(table(result.summary, "level").to_string(), file=out)
        diff = table(result.summary, "difference")
        if len(diff):
            print("\ndifference from baseline, paired by seed and parameter set", file=out)
            print(diff.to_string(), file=out)
            sentence = ratio_sentence(result.summary)
            if sentence:
                print(sentence, file=out)
    print("\nwritten:", file=out)
    for path in result.files.values():
        print(f"  {path}", file=out)


def main(argv: list[str] | None = None) -> int:
    """journeys-compare <multirun dir> [--baseline baseline] [--years 2025-2029] [--age-years 2015,2025]"""
    parser = argparse.ArgumentParser(
        prog="journeys-compare",
        description="Compare the runs of a sweep (journeys -m ...): collected.parquet, summary.csv, figures/ and "
                    "report.html are written into the sweep folder.")
    parser.add_argument("multirun_dir", type=Path, help="the sweep folder, e.g. multirun/2026-11-23_10-00-00")
    parser.add_argument("--baseline", default="baseline", help="scenario the others are compared with (baseline)")
    parser.add_argument("--years", help="years the headline numbers cover, inclusive, e.g. 2025-2029 "
                                        f"(default: the last {DEFAULT_YEARS} years of the runs)")
    parser.add_argument("--age-years", help="years of the age profile, e.g. 2015,2025 (default: first and last)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    def compare_and_print() -> None:
        print_summary(compare(args.multirun_dir, baseline=args.baseline, years=args.years, age_years=args.age_years,
                              progress=not args.no_progress))

    return run_command("journeys-compare", compare_and_print)  # CompareError, a failed write, a bug: one line


if __name__ == "__main__":
    sys.exit(main())
