"""The dashboard's fan charts as one PNG, drawn in the worker thread so the page only shows bytes.

matplotlib's Figure directly (no pyplot: nothing global, safe off the main thread). The baseline is dark
grey and the choice its scenario's colour, as in `journeys-compare`'s figures; the shaded band is the
5-95% interval over seeds, which with a handful of seeds is about their minimum and maximum.
"""

import io

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim.dashboard.runner import BASELINE, SERIES, Comparison
from sim.sweeps.figures import BASELINE_COLOUR, SPARE_COLOURS, Panel, scenario_colours
from sim.version import __version__

YEARS_BEFORE = 8  # of history drawn before the policy year (both arms are the same there)
PANELS = {  # how each of the runner's series is drawn
    ("in_treatment", "all"): Panel("in_treatment", "all", "People in treatment at year end", "people"),
    ("exits_successful", "all"): Panel("exits_successful", "all", "Successful completions per year", "people"),
    ("deaths_drug_related", "all"): Panel("deaths_drug_related", "all", "Drug-related deaths per year", "deaths"),
    ("waiting_over_3_weeks_share", "all"): Panel("waiting_over_3_weeks_share", "all",
                                                 "Starts after waiting over 3 weeks", "% of treatment starts", 100.0),
    ("cost", "all"): Panel("cost", "all", "Paid for treatment per year (budgets)", "£ million", 1e-6),
    ("benefit_cost_ratio_in_year", "all"): Panel("benefit_cost_ratio_in_year", "all",
                                                 "Value for money: benefits in year per £1 paid", "£ per £1"),
}


def choice_colour(scenario: str) -> str:
    """The scenario's colour in every report; a choice on the baseline scenario (levers moved) the first spare."""
    return SPARE_COLOURS[0] if scenario == BASELINE else scenario_colours([scenario], BASELINE)[scenario]


def fan_charts(comparison: Comparison, title: str, choice_label: str) -> bytes:
    """A panel for each of the runner's SERIES (people in treatment, completions, deaths, waits, cost, value for
    money): median lines and 5-95% bands over seeds for the baseline and the choice, the policy year marked."""
    colours = {BASELINE: BASELINE_COLOUR, "choice": choice_colour(comparison.choice.scenario)}
    fig = Figure(figsize=(12.6, 7.4))
    axes = fig.subplots(2, 3)
    policy = comparison.choice.policy_year
    first = max(comparison.start_year, policy - YEARS_BEFORE)
    for ax, panel in zip(axes.flat, (PANELS[series] for series in SERIES)):
        for arm, bands in comparison.bands(panel.measure, panel.group).items():
            x = bands.index.astype(str).str.slice(0, 4).astype(int)
            # the choice from the year before the policy (joined to the baseline), the baseline from `first`
            shown = x >= (first if arm == BASELINE else max(first, policy - 1))
            bands, x = bands[shown], x[shown]
            ax.fill_between(x, bands["low"] * panel.scale, bands["high"] * panel.scale, color=colours[arm],
                            alpha=0.18, lw=0)
            ax.plot(x, bands["median"] * panel.scale, color=colours[arm], lw=1.8)
        if comparison.start_year < policy:
            ax.axvline(policy - 0.5, color="0.45", lw=0.9, ls="--")
        ax.set_title(panel.title, fontsize=10)
        ax.set_ylabel(panel.unit, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        money = panel.scale == 1e-6 or panel.unit.startswith("£ per")  # £ million, £ per £1: two decimals
        ax.yaxis.set_major_formatter("{x:,.2f}" if money else "{x:,.0f}")
    n = comparison.choice.seeds
    handles = [Line2D([], [], color=colours[BASELINE], lw=2), Line2D([], [], color=colours["choice"], lw=2),
               Patch(color="0.7", alpha=0.5), Line2D([], [], color="0.45", lw=0.9, ls="--")]
    labels = ["baseline (the documented system carried on)", choice_label,
              f"5-95% of {n} seed{'s' if n > 1 else ''}" + (" (about their range)" if n < 20 else ""),
              f"policy year {policy}"]
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False, fontsize=9)
    fig.suptitle(title, fontsize=12)
    fig.subplots_adjust(left=0.06, right=0.99, top=0.9, bottom=0.1, wspace=0.25, hspace=0.32)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=90, metadata={"Software": f"treatment-journeys {__version__}",
                                                      "Description": title})
    return out.getvalue()
