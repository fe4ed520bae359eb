"""Figures comparing the scenarios of a sweep (PNG), for commissioners as much as analysts.

Figures written to files are made with matplotlib's Figure directly (no pyplot, no GUI backend,
nothing left open); with no path (`draw_figures`, for notebooks) they are pyplot figures, shown
inline by Jupyter. Every scenario keeps its colour in every figure (and every report: the shipped scenarios have
fixed colours), the baseline is always dark grey; when a sweep varies the system or area as
well, line styles tell those apart. Bands show the spread across seeds and parameter sets.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.domain.states import AGE_BAND_NAMES
from sim.outputs.figures import AGE_COLOURS, THOUSANDS
from sim.sweeps.summary import arms, differences_by_year, fan, paired_differences, run_table, years_label
from sim.version import __version__

BASELINE_COLOUR = "#4d4d4d"
SCENARIO_COLOURS = {  # fixed, so a scenario looks the same in every report
    "recovery_orientated": "#1b9e77",
    "harm_reduction_plus": "#d95f02",
    "cj_continuity": "#7570b3",
    "residential_expansion": "#e7298a",
    "budget_cut_10": "#a6761d",
    "payment_by_results": "#1f78b4",
}
SPARE_COLOURS = ("#e6ab02", "#b2182b", "#17becf", "#bcbd22", "#f781bf", "#882255", "#44aa99", "#999933")  # none alike
LINE_STYLES = ("-", "--", ":", "-.")
TIME_BANDS = {"under_1y": "under 1 year", "1_to_2y": "1-2 years", "2_to_4y": "2-4 years", "4_to_6y": "4-6 years",
              "6y_plus": "6 years or more"}


@dataclass(frozen=True)
class Panel:
    """One measure over time; values are multiplied by `scale` for display in `unit`."""

    measure: str
    group: str
    title: str
    unit: str
    scale: float = 1.0


PANELS = (
    Panel("in_treatment", "all", "People in treatment at year end", "people"),
    Panel("successful_completion_rate", "opiate", "Successful completion rate: opiate clients",
          "% of those in treatment in the year"),
    Panel("successful_completion_rate", "non_opiate", "Successful completion rate: non-opiate clients",
          "% of those in treatment in the year"),
    Panel("phof_non_representation_6m", "all", "Completed, not back within 6 months (PHOF 2.15)",
          "% of those in treatment in the year"),
    Panel("deaths", "all", "Deaths per year, all causes", "deaths"),
    Panel("deaths_drug_related", "all", "Drug-related deaths per year", "deaths"),
    Panel("waiting_over_3_weeks_share", "all", "Starts after waiting over 3 weeks", "% of treatment starts", 100.0),
    Panel("cost", "all", "Paid for treatment per year (budgets)", "£ million", 1e-6),
    Panel("cost_per_successful_completion", "all", "Cost per successful completion", "£ thousand", 1e-3),
)


@dataclass(frozen=True)
class Chart:
    """A figure written, with a caption a reader without Python can follow."""

    name: str
    path: Path
    title: str
    caption: str


def scenario_colours(scenarios, baseline: str = "baseline") -> dict[str, str]:
    """Baseline dark grey, shipped scenarios their fixed colour, others spare colours by name."""
    spare = iter(SPARE_COLOURS)
    colours = {}
    for name in sorted(set(scenarios)):
        if name == baseline:
            colours[name] = BASELINE_COLOUR
        elif name in SCENARIO_COLOURS:
            colours[name] = SCENARIO_COLOURS[name]
        else:
            colours[name] = next(spare, None) or to_hex(colormaps["tab20"](len(colours) % 20))
    return colours


def arm_styles(runs: pd.DataFrame, baseline: str = "baseline") -> dict[str, tuple[str, str]]:
    """Colour (by scenario) and line style (by system and area) of each arm."""
    colours = scenario_colours(runs["scenario"], baseline)
    places = sorted(set(zip(runs["area"], runs["system"])))
    styles = {}
    for arm, row in runs.drop_duplicates("arm").set_index("arm").iterrows():
        styles[arm] = (colours[row["scenario"]], LINE_STYLES[places.index((row["area"], row["system"])) % 4])
    return styles


DEATH_MEASURES = ("deaths", "deaths_drug_related")
MANY_ARMS = 3  # with more arms than this, overlaid charts draw the baseline's bands only: seven bands hide each other


def _figure(path: Path | None, figsize: tuple[float, float]):
    """A figure for a file (matplotlib's Figure: no backend) or, with no path, a pyplot figure shown inline."""
    if path is None:
        import matplotlib.pyplot as plt

        return plt.figure(figsize=figsize)
    return Figure(figsize=figsize)


def _save(fig, path: Path | None, description: str):
    """Write the figure (and return its path), or with no path return the figure itself."""
    if path is None:
        return fig
    fig.savefig(path, dpi=110, metadata={"Software": f"treatment-journeys {__version__}", "Description": description})
    return path


def _grid(n: int, path: Path | None = None, ncols: int | None = None, width: float = 4.8, height: float = 3.3,
          sharey: bool = False):
    ncols = ncols or (3 if n > 4 else min(n, 2))
    nrows = -(-n // ncols)
    fig = _figure(path, (width * ncols, height * nrows + 0.9))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=sharey)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat[:n]


def _shade_years(ax, years: list[str]) -> None:
    if years:
        ax.axvspan(int(years[0]) - 0.5, int(years[-1]) + 0.5, color="#f0f0f0", zorder=0, lw=0)


def _draw_bands(ax, bands: pd.DataFrame, arm: str, style: tuple[str, str], scale: float,
                with_bands: bool = True) -> None:
    b = bands[bands["arm"] == arm]
    if b.empty:
        return
    colour, line = style
    x = b["period"].astype(int).to_numpy()
    if with_bands:
        ax.fill_between(x, b["q05"] * scale, b["q95"] * scale, color=colour, alpha=0.13, lw=0)
        ax.fill_between(x, b["q25"] * scale, b["q75"] * scale, color=colour, alpha=0.28, lw=0)
    ax.plot(x, b["q50"] * scale, color=colour, ls=line, lw=1.7)


def _label(ax, title: str, unit: str) -> None:
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(unit, fontsize=8)
    if unit.endswith(("people", "deaths")):  # counts: England's run to hundreds of thousands
        ax.yaxis.set_major_formatter(THOUSANDS)
    ax.tick_params(labelsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, not 2005.5


def _finish(fig, styles: dict, shown: list[str], title: str, years: list[str], names: dict | None = None) -> None:
    handles = [Line2D([], [], color=styles[a][0], ls=styles[a][1], lw=2) for a in shown]
    labels = [(names or {}).get(a, a) for a in shown]
    if years:
        handles.append(Patch(color="#f0f0f0"))
        labels.append(f"headline years {years_label(years)}")
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 4), frameon=False, fontsize=9)
    fig.suptitle(title, fontsize=11)
    rows = -(-len(labels) // 4)
    fig.tight_layout(rect=(0, 0.035 * rows + 0.02, 1, 0.96))


def fan_charts(collected: pd.DataFrame, path: Path | None, baseline: str, years: list[str],
               names: dict | None = None):
    """One panel per measure, every scenario overlaid: median, middle 50% and 90% of runs (with more than
    MANY_ARMS arms, the baseline's bands only and the others' medians)."""
    runs = run_table(collected, baseline)
    styles, order = arm_styles(runs, baseline), arms(runs)
    found = [(p, fan(collected, p.measure, p.group, baseline)) for p in PANELS]
    found = [(p, b) for p, b in found if len(b)]
    if not found:
        return None
    banded = set(order) if len(order) <= MANY_ARMS else {a for a in order if runs.loc[runs["arm"] == a, "scenario"]
                                                        .eq(baseline).all()}
    fig, axes = _grid(len(found), path)
    for ax, (panel, bands) in zip(axes, found):
        _shade_years(ax, years)
        for arm in order:
            _draw_bands(ax, bands, arm, styles[arm], panel.scale, with_bands=arm in banded)
        _label(ax, panel.title, panel.unit)
    title = ("Scenarios over time: median line, middle 50% of runs (dark band) and 90% (light band)"
             if len(banded) == len(order) else
             f"Scenarios over time: median lines; bands (middle 50% and 90% of runs) for {baseline} only")
    _finish(fig, styles, order, title, years, names)
    return _save(fig, path, "fan charts of headline measures by scenario")


def difference_charts(collected: pd.DataFrame, path: Path | None, baseline: str, years: list[str],
                      names: dict | None = None):
    """Scenario minus baseline over time, paired by seed and parameter set, with 50% and 90% bands (with
    more than MANY_ARMS scenarios, medians only and no deaths: `deaths_averted_chart` and the tables give the
    intervals). From two years before the headline years."""
    runs = run_table(collected, baseline)
    styles = arm_styles(runs, baseline)
    banded = len(arms(runs)) <= MANY_ARMS
    panels = [p for p in PANELS if banded or p.measure not in DEATH_MEASURES]  # many arms: deaths_averted_chart
    found = [(p, paired_differences(collected, p.measure, p.group, baseline)) for p in panels]
    found = [(p, b) for p, b in found if len(b)]
    if not found:
        return None
    shown = [a for a in arms(runs) if any((b["arm"] == a).any() for _, b in found)]
    fig, axes = _grid(len(found), path)
    for ax, (panel, bands) in zip(axes, found):
        _shade_years(ax, years)
        ax.axhline(0, color=BASELINE_COLOUR, lw=0.8)
        for arm in shown:
            _draw_bands(ax, bands, arm, styles[arm], panel.scale, with_bands=banded)
        _label(ax, panel.title, f"difference, {panel.unit}")
        if years:  # the years before the policy differ by nothing: show only the two before it
            ax.set_xlim(int(years[0]) - 2.5, int(years[-1]) + 0.5)
    what = "" if banded else ": medians of the paired differences (deaths: the next figure)"
    _finish(fig, styles, shown, f"Difference from {baseline} (scenario minus {baseline}, same seeds and parameter "
            f"sets){what}", years, names)
    return _save(fig, path, "paired differences from the baseline by scenario")


def deaths_averted_chart(collected: pd.DataFrame, path: Path | None, baseline: str, years: list[str],
                         names: dict | None = None):
    """Small multiples, one panel per scenario: deaths averted since the first headline year (baseline minus
    scenario, cumulated year by year in each pair of runs), all causes and drug-related, median and 90%."""
    if not years:
        return None
    by_year = differences_by_year(collected, years, baseline)
    by_year = by_year[by_year["headline"].isin(["deaths", "drug_related_deaths"])]
    if by_year.empty:
        return None
    shown = list(dict.fromkeys(by_year["arm"]))
    fig, axes = _grid(len(shown), path, ncols=min(len(shown), 3), width=4.4, height=2.9, sharey=True)
    kinds = (("deaths", "all causes", "#4d4d4d"), ("drug_related_deaths", "drug-related", "#b2182b"))
    for ax, arm in zip(axes, shown):
        ax.axhline(0, color="black", lw=0.7)
        for headline, _, colour in kinds:
            d = by_year[(by_year["arm"] == arm) & (by_year["headline"] == headline)]
            x = d["period"].astype(int).to_numpy()
            ax.fill_between(x, -d["cumulative_high"], -d["cumulative_low"], color=colour, alpha=0.18, lw=0)
            ax.plot(x, -d["cumulative_median"], color=colour, lw=1.8)
        _label(ax, (names or {}).get(arm, arm), "deaths averted, cumulative")
    handles = [Line2D([], [], color=colour, lw=2) for _, _, colour in kinds]
    fig.legend(handles, [f"deaths averted, {what} (median; band: 90% of paired runs)" for _, what, _ in kinds],
               loc="lower center", ncol=2, frameon=False, fontsize=9)
    fig.suptitle(f"Deaths averted since {years[0]}: {baseline} minus scenario, same seeds, added up year by year",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    return _save(fig, path, "cumulative deaths averted by scenario, small multiples")


def _median_by_arm(collected: pd.DataFrame, runs: pd.DataFrame, measure: str, period: str,
                   groups: list[str]) -> pd.DataFrame:
    sel = collected[(collected["measure"] == measure) & (collected["period"] == period)
                    & collected["group"].isin(groups)]
    w = sel.pivot(index="run", columns="group", values="value").reindex(columns=groups)
    return w.groupby(runs.loc[w.index, "arm"]).median().reindex(arms(runs)).dropna(how="all")


def age_profiles(collected: pd.DataFrame, path: Path, baseline: str, age_years: list[str],
                 names: dict | None = None) -> Path | None:
    """Age make-up of the people in treatment at chosen years: a stacked bar per scenario (medians)."""
    runs = run_table(collected, baseline)
    bands = list(AGE_BAND_NAMES)
    present = set(collected.loc[collected["measure"] == "in_treatment", "period"])
    years = [y for y in age_years if y in present]
    if not years or not collected["group"].isin(bands).any():
        return None
    n_arms = len(arms(runs))
    fig = Figure(figsize=(4.6 * len(years) + 1.8, 0.55 * n_arms + 2.0))
    axes = fig.subplots(1, len(years), sharey=True, squeeze=False)
    for ax, year in zip(axes.flat, years):
        med = _median_by_arm(collected, runs, "in_treatment", year, bands)
        total = med.sum(axis=1)
        share = med.div(total.where(total > 0), axis=0) * 100
        y = np.arange(len(share))
        left = np.zeros(len(share))
        for band, colour in zip(bands, AGE_COLOURS):
            ax.barh(y, share[band].fillna(0), left=left, color=colour, label=band, height=0.7)
            for yi, (x0, w) in enumerate(zip(left, share[band].fillna(0))):
                if w >= 8:
                    ax.text(x0 + w / 2, yi, f"{w:.0f}%", ha="center", va="center", fontsize=7,
                            color="white" if colour in AGE_COLOURS[3:] else "black")
            left += share[band].fillna(0).to_numpy()
        for yi, n in enumerate(total):
            ax.text(101, yi, f"{n:,.0f}", va="center", fontsize=7)
        ax.set_yticks(y, [(names or {}).get(a, a) for a in share.index])
        ax.set_xlim(0, 100)
        ax.set_title(f"{year} (number in treatment at right)", fontsize=9)
        ax.set_xlabel("% of people in treatment", fontsize=8)
        ax.tick_params(labelsize=8)
    axes.flat[0].invert_yaxis()
    handles = [Patch(color=c) for c in AGE_COLOURS]
    fig.legend(handles, bands, title="age", loc="lower center", ncol=len(bands), frameon=False, fontsize=8)
    fig.suptitle("Ageing of the treatment population: age bands of people in treatment (medians across runs)",
                 fontsize=11)
    fig.tight_layout(rect=(0, 0.12, 0.97, 0.93))
    return _save(fig, path, "age profile of people in treatment by scenario")


def time_in_treatment(collected: pd.DataFrame, path: Path, baseline: str, year: str,
                      names: dict | None = None) -> Path | None:
    """People in treatment by time in their current episode (DOMES bands) at one year, per scenario."""
    sel = collected[(collected["measure"] == "time_in_treatment_band") & (collected["period"] == year)]
    if sel.empty:
        return None
    runs = run_table(collected, baseline)
    styles, order = arm_styles(runs, baseline), arms(runs)
    bands = [b for b in TIME_BANDS if b in set(sel["group"])]
    w = sel.pivot(index="run", columns="group", values="value").reindex(columns=bands)
    by_arm = w.groupby(runs.loc[w.index, "arm"])
    low, med, high = (by_arm.quantile(q).reindex(order) for q in (0.05, 0.5, 0.95))
    fig = Figure(figsize=(8.5, 4.6))
    ax = fig.subplots()
    width = 0.8 / len(order)
    x = np.arange(len(bands))
    for i, arm in enumerate(order):
        m = med.loc[arm].to_numpy()
        err = np.vstack([m - low.loc[arm].to_numpy(), high.loc[arm].to_numpy() - m])
        ax.bar(x - 0.4 + width * (i + 0.5), m, width=width, color=styles[arm][0], label=(names or {}).get(arm, arm),
               hatch=None if styles[arm][1] == "-" else "//", edgecolor="white", lw=0.5)
        ax.errorbar(x - 0.4 + width * (i + 0.5), m, yerr=err, fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    ax.set_xticks(x, [TIME_BANDS[b] for b in bands])
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set(xlabel="time in the current treatment episode", ylabel="people in treatment at year end",
           title=f"How long people have been in treatment, end of {year} (median, bars: 5% to 95% of runs)")
    ax.title.set_fontsize(10)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return _save(fig, path, "time in treatment (DOMES bands) by scenario")


def captions(baseline: str, n_arms: int, years: list[str], age_years: list[str], last: str) -> dict[str, tuple]:
    """Title and plain-English caption of each comparison figure."""
    many = n_arms > MANY_ARMS
    shading = f" Grey shading marks the years the headline numbers cover ({years_label(years)})." if years else ""
    age_label = " and ".join([", ".join(age_years[:-1]), age_years[-1]] if len(age_years) > 1 else list(age_years))
    return {
        "fan_charts": ("The scenarios over time", (
            "Each panel is one measure. The line is the middle (median) run of each scenario. "
            + (f"Bands are drawn for {baseline} only, so that {n_arms} scenarios stay readable: the dark band holds "
               "the middle half of its runs and the light band 90% of them. A scenario's line inside the light band "
               "could differ from it by chance alone; the next figures and the tables compare run with run."
               if many else
               "The dark band holds the middle half of the runs and the light band 90% of them, across seeds and "
               "parameter sets. Where bands overlap, chance alone could explain a gap between two scenarios seen in "
               "a single run.") + shading)),
        "differences": (f"Difference from {baseline}", (
            f"Each scenario minus {baseline}, year by year. Every scenario was run with the same random numbers as "
            f"{baseline} (the same seeds), so a difference shows the effect of the scenario itself. "
            + ("Lines are the medians of the paired differences; their intervals are in the tables above. Deaths, "
               "few and noisy year by year, are in the next figure, scenario by scenario." if many else
               "The bands are much narrower than in the chart above; a band that stays clear of the zero line is an "
               "effect the model finds in almost every run.") + shading)),
        "deaths_averted": ("Deaths averted, scenario by scenario", (
            f"One panel per scenario, all on the same scale: deaths averted ({baseline} minus the scenario, run by "
            "run with the same seeds), added up from the first headline year, for all causes (grey) and drug-related "
            "deaths (red). The line is the median and the band holds 90% of the paired runs; a band that straddles "
            "zero means the scenario's effect on deaths is within chance variation.")),
        "age_profile": ("Ageing of the treatment population", (
            f"Age bands of the people in treatment at the end of {age_label}, for each scenario (middle run). The "
            "number at the right of each bar is how many people were in treatment.")),
        "time_in_treatment": ("Time in treatment", (
            f"People in treatment at the end of {last} by how long they have been in their current episode, in the "
            "bands NDTMS/DOMES reports use. Long stays are mostly people on opioid substitution treatment; black bars "
            "show 5% to 95% of runs.")),
    }


def write_figures(collected: pd.DataFrame, out_dir: Path, baseline: str = "baseline", years: list[str] = (),
                  age_years: list[str] = (), names: dict | None = None) -> list[Chart]:
    """Every comparison figure the sweep's measures allow, with captions; absent measures are skipped.
    `names` maps arms to what the figures call them (scenario labels)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    years = list(years)
    last = years[-1] if years else max(collected["period"])
    n_arms = len(arms(run_table(collected, baseline)))
    words = captions((names or {}).get(baseline, baseline), n_arms, years, list(age_years), last)
    made = {
        "fan_charts": fan_charts(collected, out_dir / "fan_charts.png", baseline, years, names),
        "differences": difference_charts(collected, out_dir / "differences.png", baseline, years, names),
        "deaths_averted": deaths_averted_chart(collected, out_dir / "deaths_averted.png", baseline, years, names),
        "age_profile": age_profiles(collected, out_dir / "age_profile.png", baseline, list(age_years), names),
        "time_in_treatment": time_in_treatment(collected, out_dir / "time_in_treatment.png", baseline, last, names),
    }
    return [Chart(name, path, *words[name]) for name, path in made.items() if path is not None]


def draw_figures(collected: pd.DataFrame, baseline: str = "baseline", years: list[str] = (),
                 names: dict | None = None) -> list:
    """The scenarios over time, their differences from the baseline and deaths averted, as pyplot figures
    (shown inline in a notebook); those the measures do not allow are skipped."""
    years = list(years)
    made = (fan_charts(collected, None, baseline, years, names),
            difference_charts(collected, None, baseline, years, names),
            deaths_averted_chart(collected, None, baseline, years, names))
    return [fig for fig in made if fig is not None]
