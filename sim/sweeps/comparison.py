"""A comparison of scenarios: their runs in one tidy table, summarised against the baseline, drawn and written.

Both ways in end here: `journeys-compare` reads a sweep's folders (`sim.sweeps.cli`), `sim.compare`
runs the scenarios in this process (`sim.sweeps.api`). Either gives a `Comparison`:

    result.collected       # every run, tidy (collect.COLUMNS)
    result.summary         # headline numbers, differences, value for money (summary.SUMMARY_COLUMNS)
    result.value_for_money()   # one row per scenario: benefits, net benefit, ratios, cost per outcome
    result.plot()          # the figures, inline in a notebook
    result.write("folder") # collected.parquet, summary.csv, differences_by_year.csv, figures/, report.html
"""

import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.sweeps.collect import area_words, write_collected
from sim.sweeps.summary import (
    HEADLINES,
    differences_by_year,
    fill_for,
    headline,
    run_headlines,
    run_table,
    select_years,
    years_label,
)
from sim.sweeps.value_for_money import sentence, value_rows
from sim.sweeps.wording import with_note

# the value-for-money table: the NDTMS tool's measures of each scenario, then its changes against the baseline
VFM_LEVELS = ("cost", "benefits_in_year", "benefits", "net_benefit_in_year", "net_benefit",
              "benefit_cost_ratio_in_year", "benefit_cost_ratio_accrued")
LEVEL_NAMES = {h.name for h in HEADLINES}  # a change of one of these is `change_<name>` in value_for_money()
VFM_CHANGES = ("cost", "successful_completions", "deaths_averted", "harm_change", "harm_averted_per_pound",
               "cost_per_extra_successful_completion", "cost_per_death_averted",
               "cost_per_drug_related_death_averted")


@dataclass
class Comparison:
    """What a comparison made: the tables, notes for the reader and (once written) the files."""

    collected: pd.DataFrame  # every run
    runs: pd.DataFrame  # one row per run: labels, the scenario's label, description and assumptions
    summary: pd.DataFrame
    years: list[str]
    baseline: str = "baseline"
    notes: list[str] = field(default_factory=list)
    age_years: list[str] = field(default_factory=list)
    policy_year: int | None = None
    compared: pd.DataFrame | None = None  # the runs the scenarios are compared on (a sensitivity sweep: its reference)
    compared_runs: pd.DataFrame | None = None
    names: dict[str, str] = field(default_factory=dict)  # arm -> what the report calls it
    files: dict[str, Path] = field(default_factory=dict)

    def __post_init__(self):
        self.compared = self.collected if self.compared is None else self.compared
        self.compared_runs = self.runs if self.compared_runs is None else self.compared_runs

    def sentences(self) -> dict[str, str]:
        """For each scenario compared with the baseline, what its change in spending means in crime and health
        harm, in one sentence (by the scenario's label)."""
        arms = self.summary.loc[self.summary["kind"] == "difference", "arm"].unique()
        return {self.names.get(arm, arm): sentence(self.summary, arm) for arm in arms}

    def value_for_money(self, text: bool = False) -> pd.DataFrame:
        """One row per scenario (by label): the NDTMS value-for-money measures over the compared years (median,
        5% and 95% across runs) and the changes against the baseline (paired), cost per extra successful
        completion and per death averted with them. Columns `<headline>` (median), `<headline>_low`,
        `<headline>_high`; the change of a level is `change_<headline>`. `text=True`: each number as a
        commissioner reads it, with its interval ('£88.05m (£86.42m to £90.42m)') and any note."""
        s = self.summary
        table = {}
        for kind, names, prefix in (("level", VFM_LEVELS, ""), ("difference", VFM_CHANGES, "change_")):
            rows = s[(s["kind"] == kind) & s["headline"].isin(names)]
            for r in rows.itertuples():
                column = f"{prefix if r.headline in LEVEL_NAMES else ''}{r.headline}"
                cells = table.setdefault(self.names.get(r.arm, r.arm), {})
                if text:
                    cells[column] = with_note(r)
                else:
                    cells.update({column: r.median, f"{column}_low": r.low, f"{column}_high": r.high})
        out = pd.DataFrame.from_dict(table, orient="index")
        out.index.name = "scenario"
        return out

    def plot(self) -> list:
        """The scenarios over time, their differences from the baseline and the deaths each averts: matplotlib
        figures, drawn with pyplot so that a notebook shows them inline (returned as a list)."""
        from sim.sweeps.figures import draw_figures  # matplotlib only when figures are drawn

        return draw_figures(self.compared, self.baseline, self.years, self.names)

    def write(self, folder: Path | str) -> dict[str, Path]:
        """Write collected.parquet, summary.csv, differences_by_year.csv, figures/ and report.html into
        `folder` (made if missing); returns the files written by what they are."""
        from sim.sweeps.figures import write_figures  # matplotlib only when figures are drawn
        from sim.sweeps.report import write_report

        root = Path(folder)
        root.mkdir(parents=True, exist_ok=True)
        self.files["collected"] = write_collected(self.collected, root / "collected.parquet")
        self.files["summary"] = root / "summary.csv"
        self.summary.to_csv(self.files["summary"], index=False)
        by_year = differences_by_year(self.compared, self.years, self.baseline)
        if len(by_year):
            self.files["differences by year"] = root / "differences_by_year.csv"
            by_year.to_csv(self.files["differences by year"], index=False)
        figures = write_figures(self.compared, root / "figures", baseline=self.baseline, years=self.years,
                                age_years=self.age_years, names=self.names)
        extra_html = ""
        if (self.runs["design_kind"] != "none").any():
            charts, extra_html, table = sensitivity_outputs(self.collected, self.runs, self.years, root)
            figures = [*figures, *charts]
            self.files["sensitivity"] = root / "sensitivity.csv"
            table.to_csv(self.files["sensitivity"], index=False)
        self.files.update({f"figure {f.name}": f.path for f in figures})
        self.files["report"] = write_report(self, figures, root / "report.html", extra_html=extra_html)
        return self.files


def summarise(collected: pd.DataFrame, runs: pd.DataFrame, baseline: str = "baseline", years=None,
              age_years=None) -> Comparison:
    """The comparison of collected runs (collect.gather's table, with collect.runs_table's `runs`): headline
    numbers over `years` (default: from the policy year to the end), paired differences from the baseline,
    value for money and cost per outcome, and notes on what was compared."""
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
        notes.append(f"no runs of the baseline scenario {baseline!r} in this comparison (scenarios: "
                     f"{', '.join(scenarios)}): differences from the baseline are skipped; name another baseline "
                     "(journeys-compare --baseline)")
    compared, compared_runs = collected, runs
    if (runs["design_kind"] == "one_at_a_time").any():  # scenarios are compared at the reference point
        compared = collected[collected["design_point"].fillna(0) == 0]
        compared_runs = runs[runs["design_point"].fillna(0) == 0]
        notes.append("a one-at-a-time sensitivity sweep: scenario figures and headline numbers use the reference "
                     "runs (design point 0); the sensitivity section shows every factor")
    names = arm_names(compared, runs, baseline)
    summary = pd.concat([headline(compared, baseline, years, names), value_rows(compared, baseline, years, names)],
                        ignore_index=True)
    return Comparison(collected, runs, summary, years, baseline=baseline, notes=notes, age_years=ages,
                      policy_year=policy, compared=compared, compared_runs=compared_runs, names=names)


def arm_names(collected: pd.DataFrame, runs: pd.DataFrame, baseline: str = "baseline") -> dict[str, str]:
    """What a reader calls each arm: its scenario's label, with the system and area (capitalised) when the
    comparison varies them."""
    table = run_table(collected, baseline)
    labels = runs.drop_duplicates("scenario").set_index("scenario")["scenario_label"].to_dict()
    vary = [k for k in ("system", "area") if table[k].nunique() > 1]
    names = {}
    for arm, row in table.drop_duplicates("arm").set_index("arm").iterrows():
        parts = [str(row["system"]) if k == "system" else area_words(str(row["area"])) for k in vary]
        label = labels.get(row["scenario"], row["scenario"])
        names[arm] = f"{label} ({', '.join(parts)})" if parts else label
    return names


def policy_year(runs: pd.DataFrame, periods) -> int | None:
    """The year the runs' policies start, if they share one and it falls inside the runs (else None)."""
    years = runs["policy_year"].dropna().unique() if "policy_year" in runs else []
    if len(years) != 1:
        return None
    year = int(years[0])
    return year if str(year) in {str(p) for p in periods} and str(year) != min(str(p) for p in periods) else None


def sensitivity_outputs(collected: pd.DataFrame, runs: pd.DataFrame, years: list[str], root: Path):
    """The sensitivity figure (tornado, or rank-regression bars), its table and a report section."""
    from sim.sweeps import sensitivity  # matplotlib only when figures are drawn
    from sim.sweeps.figures import Chart

    values = run_headlines(collected, years)
    indexed = runs.set_index("run")
    fill = fill_for(years, "baseline")
    labels = {h.name: h.label.format(**fill) for h in HEADLINES}
    (root / "figures").mkdir(exist_ok=True)
    if (runs["design_kind"] == "one_at_a_time").any():
        table = sensitivity.one_at_a_time(values, indexed)
        path = sensitivity.tornado(table, labels, root / "figures" / "tornado.png")
        title, caption = "Which assumptions matter most (one at a time)", (
            "Each bar shows how much a headline number changes when one lever or parameter alone is set to the low "
            "(blue) or high (red) end of its plausible range, everything else as in the reference run with the same "
            "random numbers. The widest bars, at the top, are the assumptions the results depend on most.")
        shown = table[table["headline"].isin(sensitivity.TORNADO_HEADLINES)]  # the figure's; the CSV has every one
        shown = shown.assign(effect=[f"{m:+,.3g} ({lo:+,.3g} to {hi:+,.3g})" for m, lo, hi in
                                     zip(shown["median"], shown["low"], shown["high"])])
        shown = shown.pivot_table(index=["factor", "level"], columns="headline", values="effect", aggfunc="first")
    else:
        table = sensitivity.rank_regression(values, indexed)
        path = sensitivity.srrc_chart(table, labels, root / "figures" / "sensitivity.png")
        title, caption = "Which assumptions matter most (all varied together)", (
            "Standardised rank regression coefficients: how strongly each headline number moves with each lever or "
            "parameter when all of them vary together across their plausible ranges (Latin hypercube). Near +1 or "
            "-1: that assumption drives the result; R² says how much of the spread the assumptions explain.")
        shown = table[table["headline"].isin(sensitivity.TORNADO_HEADLINES)]
        shown = shown.pivot_table(index="factor", columns="headline", values="srrc").round(2)
    charts = [Chart("sensitivity", path, title, caption)] if path is not None else []
    shown = shown.rename(columns=lambda name: labels.get(name, name))
    section = (f'<section id="sensitivity"><h2>{html.escape(title)}: table</h2><p>The headline numbers of the figure; '
               'sensitivity.csv has every one.</p><div class="wide">'
               + shown.to_html(classes="sensitivity", border=0, escape=True) + "</div></section>")
    return charts, section, table
