"""The fit report figure: each target's documented value and interval against the simulated one.

One row per target, each on its own scale (its documented interval spans the same width in
every row), so counts, percentages and shares read side by side: black is the documented
value with its interval (a censored target shows its interval only), blue the ensemble's
simulated median with its 90% interval over accepted parameter sets and seeds. Rows are named
in words (what is measured, of whom, when: `target_label`), with the numbers beneath; the ids
are in fit.csv. The legend sits below the axis and the figure is saved to its drawn extent, so
no label is cut off whatever its length.
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

# What a target measures, in words (the model's output names: README, "Measures"); a measure not listed reads as
# its name with spaces.
MEASURE_LABELS = {
    "prevalent_users": "Current users, prevalence estimate",
    "in_treatment_during_year": "In treatment during the year",
    "treatment_starts": "Treatment starts",
    "exits_successful": "Successful completions",
    "deaths_drug_related": "Drug-related deaths",
    "successful_completion_rate": "Successful completions, % of those treated in the year",
    "successful_exit_share": "Successful exits, share of all exits",
    "time_in_treatment_treated_mean_years": "Mean years in treatment (everyone treated in the year)",
    "time_in_treatment_mean_years": "Mean years in treatment (caseload at year end)",
    "time_in_treatment_band_share": "Caseload by time in treatment, share",
    "in_treatment_age_share": "Treated in the year by age, share",
    "top_abstinent_at_review_share": "Abstinent at the 6-month TOP review, share",
    "waiting_over_3_weeks_share": "Starts after waiting over 3 weeks, share",
    "retained_12_weeks_share": "Starts retained 12 weeks, share",
    "re_presented_within_6m_share": "Completers back within 6 months, share",
    "re_presented_within_1y_share": "Completers back within 1 year, share",
    "re_presented_within_2y_share": "Completers back within 2 years, share",
    "re_presented_within_3y_share": "Completers back within 3 years, share",
    "re_presented_in_year_share": "Completers back within the same year, share",
    "dropouts_returned_within_3y_share": "Drop-outs back within 3 years, share",
    "leavers_completed": "Left treatment after completing (people)",
    "leavers_dropped_out": "Left treatment after dropping out (people)",
    **{f"completed_leavers_returned_within_{k}y_share": f"Completed leavers back within {k} year{'s' * (k > 1)}, share"
       for k in (1, 2, 3)},
    **{f"dropped_out_leavers_returned_within_{k}y_share": f"Drop-out leavers back within {k} year{'s' * (k > 1)}, share"
       for k in (1, 2, 3)},
    "criminal_justice_share": "Caseload referred by criminal justice, share",
    "criminal_justice_share_of_starts": "Starts referred by criminal justice, share",
    "entrants_in_recovery_after_1y_share": "Entrants in recovery 1 year on, share",
    "entrants_in_recovery_after_5y_share": "Entrants in recovery 5 years on, share",
    "injecting_current_share": "Caseload injecting now, share",
    "injecting_previous_share": "Caseload who injected before, share",
    "modality_planned_exit_share": "Planned exits from a modality, share",
    "transfer_pickup_share": "Hand-offs picked up, share",
    "cost_of_care": "Cost of care, GBP a year",
}
GROUP_LABELS = {
    "all": "", "ocu": "opiate and/or crack", "opiate": "opiate", "crack": "crack", "non_opiate": "non-opiate",
    "other_drugs": "other-drug",
    "opiate_only": "opiate only", "opiate_and_crack": "opiate and crack", "crack_only": "crack only",
    "under_1y": "under 1 year", "1_to_2y": "1-2 years", "2_to_4y": "2-4 years", "4_to_6y": "4-6 years",
    "6y_plus": "6 years or more",
}
ROLE_LABELS = {"fit": "fitted", "forecast": "forecast", "transfer": "other area"}


def target_label(measure: str, group: str, period, area: str | None = None) -> str:
    """'Completers back within the same year, share (opiate), 2011' from a target's measure, group and period (and
    its area, when a figure shows several)."""
    what = MEASURE_LABELS.get(measure, measure.replace("_", " ").capitalize())
    group = str(group)
    who = GROUP_LABELS.get(group, f"aged {group}" if group[:1].isdigit() else group.replace("_", " "))
    return ", ".join([f"{what} ({who})" if who else what, str(period), *([area.capitalize()] if area else [])])


def draw_fit(fit: pd.DataFrame, title: str, interval_label: str = "simulated 90% interval") -> Figure:
    """fit: measure, group, period, value, lower, upper, sim_median, sim_q05, sim_q95 (one row per target;
    `area` names the area on each row when there are several, `role` tags each row as fitted, forecast or
    another area's)."""
    n = len(fit)
    fig, ax = plt.subplots(figsize=(10, 0.5 * n + 1.8), layout="constrained")
    centre = np.where(np.isfinite(fit["value"]), fit["value"], (fit["lower"] + fit["upper"]) / 2)
    half = np.maximum((fit["upper"] - fit["lower"]) / 2, 1e-9 + 0.02 * np.abs(centre))
    scaled = lambda x: (np.asarray(x, dtype=float) - centre) / half  # noqa: E731
    y = np.arange(n)[::-1]
    ax.axvspan(-1, 1, color="#eeeeee", zorder=0)
    ax.hlines(y, scaled(fit["lower"]), scaled(fit["upper"]), color="black", lw=2.5, label="documented interval")
    point = np.isfinite(fit["value"])
    ax.plot(scaled(fit["value"])[point], y[point], "o", color="black", ms=5, label="documented value")
    ax.hlines(y - 0.22, scaled(fit["sim_q05"]), scaled(fit["sim_q95"]), color="#1f77b4", lw=2.5,
              label=interval_label)
    ax.plot(scaled(fit["sim_median"]), y - 0.22, "D", color="#1f77b4", ms=5, label="simulated median")
    several_areas = "area" in fit and fit["area"].nunique() > 1
    labels = []
    for r in fit.itertuples():
        name = target_label(r.measure, r.group, r.period, r.area if several_areas else None)
        if "role" in fit:
            name = f"{ROLE_LABELS.get(r.role, r.role)}: {name}"
        numbers = (f"documented {_fmt(r.value if np.isfinite(r.value) else None, r.lower, r.upper)}, "
                   f"simulated {_fmt1(r.sim_median)}")
        labels.append(f"{name}\n{numbers}")
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_ylim(-0.8, n - 0.4)
    lo, hi = np.nanmin(scaled(fit["sim_q05"])), np.nanmax(scaled(fit["sim_q95"]))
    ax.set_xlim(max(min(lo, -1.5) - 0.3, -6), min(max(hi, 1.5) + 0.3, 6))
    ax.set_xlabel("distance from the documented value, in half-widths of its interval (clipped at 6)")
    ax.set_title(title, fontsize=10)
    fig.legend(loc="outside lower center", ncol=4, fontsize=7.5, frameon=False)
    return fig


def fit_figure(fit: pd.DataFrame, path: Path, title: str, interval_label: str = "simulated 90% interval") -> Path:
    """Draw the fit (`draw_fit`) and save it as PNG, to the extent of everything drawn."""
    fig = draw_fit(fit, title, interval_label)
    fig.savefig(path, dpi=110, bbox_inches="tight", pad_inches=0.15)
    plt.close(fig)
    return path


def fit_title(area: str, fit: pd.DataFrame, accepted: int) -> str:
    return (f"{area}: {int(fit['within_interval'].sum())} of {len(fit)} targets within their documented interval\n"
            f"({accepted} accepted parameter sets; blue: the accepted ensemble)")


def validation_title(area: str, cutoff_year: int, sets: int, summary: list[str]) -> str:
    """`summary`: the validation's summary lines less the last (the figure shows the others), a line each."""
    return f"{area}: fitted up to {cutoff_year} ({sets} accepted parameter sets)\n" + "\n".join(summary)


VALIDATION_INTERVAL = "90% forecast interval (runs and the figure's own uncertainty)"


def redraw(record: Path) -> list[Path]:
    """Draw a calibration record's figures again from its tables (fit.csv and ensemble.csv; validation.csv with
    validation_run_info.json where there is a validation): the same figures the calibration wrote, in today's
    drawing. `python -m sim.calibration.figures calibration/<area>`."""
    record = Path(record)
    area = record.name
    fit = pd.read_csv(record / "fit.csv")
    accepted = len(pd.read_csv(record / "ensemble.csv"))
    made = [fit_figure(fit, record / "fit.png", fit_title(area, fit, accepted))]
    if (record / "validation.csv").exists():
        result = pd.read_csv(record / "validation.csv")
        info = json.loads((record / "validation_run_info.json").read_text())
        shown = result.assign(sim_q05=result["forecast_q05"], sim_q95=result["forecast_q95"])
        made.append(fit_figure(shown, record / "validation.png",
                               validation_title(area, info["cutoff_year"], info["forecast_sets"], info["summary"][:-1]),
                               interval_label=VALIDATION_INTERVAL))
    return made


def _fmt1(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _fmt(value, lower, upper) -> str:
    if value is None:
        return f"{_fmt1(lower)}-{_fmt1(upper)}"
    return f"{_fmt1(value)} [{_fmt1(lower)}-{_fmt1(upper)}]"


if __name__ == "__main__":
    for folder in sys.argv[1:] or sys.exit("usage: python -m sim.calibration.figures calibration/<area> ..."):
        print("\n".join(str(p) for p in redraw(Path(folder))))
