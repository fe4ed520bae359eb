"""`journeys-compare`: collect a sweep and write its summary, figures and report into it.

    journeys-compare multirun/scenarios/southampton --years 2025-2029
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.config.commands import run_command
from sim.sweeps.collect import collect, list_runs
from sim.sweeps.comparison import Comparison, summarise
from sim.sweeps.findings import HEADLINE_OF, runs_warning
from sim.sweeps.summary import DEFAULT_YEARS, years_label
from sim.sweeps.value_for_money import sentence
from sim.sweeps.wording import option_table, ratio_sentence

# what the terminal shows of each option (the report and summary.csv have everything)
PRINTED = ("in_treatment_end", "treatment_starts", "successful_completions", "phof_non_representation_6m",
           "waiting_over_3_weeks_share", "deaths", "drug_related_deaths", "drug_related_deaths_averted", "cost",
           "benefits_in_year", "benefits", "net_benefit", "benefit_cost_ratio_in_year", "benefit_cost_ratio_accrued",
           "harm_change", "cost_per_extra_successful_completion", "cost_per_death_averted")


def compare(multirun_dir: Path | str, baseline: str = "baseline", years=None, age_years=None,
            progress: bool = True) -> Comparison:
    """Collect a sweep and write collected.parquet, summary.csv, figures/ and report.html into it."""
    root = Path(multirun_dir)
    runs = list_runs(root)
    collected = collect(root, progress=progress, runs=runs)
    result = summarise(collected, runs, baseline=baseline, years=years, age_years=age_years)
    result.write(root)
    return result


def print_summary(result: Comparison, out=None) -> None:
    """The headline numbers of each option, its value-for-money sentence and the files written (to `out`)."""
    out = out or sys.stdout
    runs = result.runs
    counts = {"scenario": runs["scenario"].nunique(), "seed": runs["seed"].nunique(),
              "parameter set": runs["parameter_set"].astype("string").fillna("point").nunique()}
    counted = ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for what, n in counts.items())
    print(f"\njourneys-compare: {len(runs)} runs ({counted}), {', '.join(runs['area_label'].unique())}, "
          f"{', '.join(runs['system'].unique())}; headline years {years_label(result.years)}", file=out)
    for note in result.notes:
        print(f"note: {note}", file=out)
    warning = runs_warning(result.summary)
    if warning:
        print(f"warning: {warning}", file=out)
    fill = {"years": years_label(result.years), "last": result.years[-1], "baseline": "baseline"}
    short_names = {name: (h.short or h.label).format(**fill) for name, h in HEADLINE_OF.items()}
    with pd.option_context("display.max_colwidth", 70, "display.width", 200):
        for arm in dict.fromkeys(result.summary["arm"]):
            print(f"\n{result.names.get(arm, arm)} ({arm})", file=out)
            print(option_table(result.summary, arm, PRINTED, short_names).to_string(), file=out)
            words = sentence(result.summary, arm)
            if words:
                print(f"  {words}", file=out)
    words = ratio_sentence(result.summary)
    if words:
        print(f"\n{words}", file=out)
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
    parser.add_argument("--years", help="years the headline numbers cover, inclusive, e.g. 2025-2029 (default: from "
                                        "the policy year to the end, or the last "
                                        f"{DEFAULT_YEARS} years if the runs do not share a policy year)")
    parser.add_argument("--age-years", help="years of the age profile, e.g. 2015,2025 (default: first and last)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    def compare_and_print() -> None:
        print_summary(compare(args.multirun_dir, baseline=args.baseline, years=args.years, age_years=args.age_years,
                              progress=not args.no_progress))

    return run_command("journeys-compare", compare_and_print)  # CompareError, a failed write, a bug: one line


if __name__ == "__main__":
    sys.exit(main())
