"""A one-file HTML report of a sweep, for commissioners: plain English, figures embedded.

The file holds everything (figures as base64 PNG, styles inline), so it can be emailed or
opened anywhere without Python or the run folders.
"""

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from sim.sweeps.figures import scenario_colours
from sim.sweeps.summary import years_label
from sim.version import __version__

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.6em; vertical-align: top; }
th { background: #f2f2f2; text-align: left; } td.num { text-align: right; white-space: nowrap; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.92em; color: #444; max-width: 900px; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: middle; }
.note { background: #fff8e1; padding: 0.5em 0.8em; border-left: 4px solid #e6ab02; }
"""


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
    else:
        text, end = f"{a:,.0f}", ""
    zero = not any(ch in "123456789" for ch in text)  # no '-0.0' nor '+0'
    sign = "" if zero else "-" if x < 0 else "+" if signed else ""
    return f"{sign}{text}{end}"


def format_interval(median: float, low: float, high: float, unit: str, signed: bool = False) -> str:
    """'1,234 (1,100 to 1,350)': the median and the 5-95% interval ('+0.4 points (+0.1 to +0.7)')."""
    short = not (signed and unit in ("percent", "share"))  # 'points' once, after the median
    return (f"{format_value(median, unit, signed)} ({format_value(low, unit, signed, short)} to "
            f"{format_value(high, unit, signed, short)})")


def table(summary: pd.DataFrame, kind: str = "level") -> pd.DataFrame:
    """Headline numbers as text, one row per headline, one column per arm ('level' or 'difference')."""
    rows = summary[summary["kind"] == kind]
    if rows.empty:
        return pd.DataFrame()
    text = rows.assign(text=[format_interval(r.median, r.low, r.high, r.unit, signed=kind == "difference")
                             for r in rows.itertuples()])
    out = text.pivot(index="label", columns="arm", values="text")
    return out.reindex(index=list(dict.fromkeys(rows["label"])), columns=list(dict.fromkeys(rows["arm"])))


def ratio_sentence(summary: pd.DataFrame) -> str:
    """How much narrower paired differences are than each scenario's own interval (median over headlines)."""
    diff = summary[(summary["kind"] == "difference") & summary["width_ratio"].notna()]
    if diff.empty:
        return ""
    ratios = diff.groupby("arm", sort=False)["width_ratio"].median()
    parts = "; ".join(f"{arm} {r:.0%}" for arm, r in ratios.items())
    return ("Comparing runs that share their random numbers makes the differences more precise: the interval of a "
            "difference from the baseline is typically this share of the width of the scenario's own interval "
            f"(median over the headline numbers): {parts}.")


def _html_table(frame: pd.DataFrame, colours: dict[str, str] | None = None) -> str:
    head = "".join(f"<th>{_swatch(colours, c)}{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(f"<tr><th>{html.escape(str(i))}</th>"
                   + "".join(f'<td class="num">{html.escape(str(v))}</td>' for v in row) + "</tr>"
                   for i, row in zip(frame.index, frame.to_numpy()))
    return f"<table><tr><th></th>{head}</tr>{body}</table>"


def _swatch(colours: dict[str, str] | None, arm: str) -> str:
    colour = (colours or {}).get(arm)
    return f'<span class="swatch" style="background:{colour}"></span>' if colour else ""


def _image(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(Path(path).stem)}">'


def _scenarios_html(runs: pd.DataFrame, baseline: str, colours: dict[str, str]) -> str:
    parts = []
    for name, group in runs.groupby("scenario", sort=False):
        first = group.iloc[0]
        role = " (the baseline every other scenario is compared with)" if name == baseline else ""
        seeds = group["seed"].nunique()
        items = "".join(f"<li>{html.escape(a)}</li>" for a in first["assumptions"])
        assumptions = f"<p>Assumptions:</p><ul>{items}</ul>" if items else "<p>No changes to assumptions.</p>"
        parts.append(f"<h3>{_swatch(colours, name)}{html.escape(name)}{role}</h3>"
                     f"<p>{html.escape((first['description'] or 'No description given').rstrip('.'))}. "
                     f"{len(group)} runs ({seeds} seeds).</p>{assumptions}")
    return "".join(parts)


def write_report(summary: pd.DataFrame, runs: pd.DataFrame, figures, path: Path | str, baseline: str = "baseline",
                 years: list[str] = (), notes: list[str] = (), title: str | None = None, extra_html: str = "") -> Path:
    """Write report.html: what was compared, the scenarios and their assumptions, headline numbers
    with intervals, differences from the baseline and the figures (embedded).

    `summary` is summary.headline's table, `runs` collect.list_runs' table, `figures` figures.Chart items.
    """
    path = Path(path)
    runs = runs.assign(_not_baseline=runs["scenario"] != baseline).sort_values(["_not_baseline", "scenario"],
                                                                                 kind="stable")
    colours = scenario_colours(runs["scenario"], baseline)
    arm_colours = {arm: colours[s] for arm, s in zip(summary["arm"], summary["scenario"])}
    areas, systems = ", ".join(runs["area"].unique()), ", ".join(runs["system"].unique())
    projected = f"{int(runs['start_year'].min())} to {int(runs['end_year'].max()) - 1}"
    n_seeds = runs["seed"].nunique()
    draws = runs["parameter_set"].astype("string").fillna("point")
    sets = ("the calibrated point estimate" if set(draws) == {"point"}
            else f"{draws.nunique()} parameter sets (draws from the calibration's posterior)")
    period = years_label(list(years))
    starts = runs["policy_year"].dropna().unique() if "policy_year" in runs else []
    policy = (f"1 January {int(starts[0])}: before it every run follows the documented history, the same in every "
              "scenario; the system and scenario compared act from then" if len(starts) == 1
              else "not recorded (runs made before policies had a start year), or differs between runs")
    title = title or f"Drug treatment scenarios compared: {areas}"
    notes_html = "".join(f'<p class="note">{html.escape(n)}</p>' for n in notes)
    levels, diffs = table(summary, "level"), table(summary, "difference")
    sentence = ratio_sentence(summary)
    if len(diffs):
        diff_html = (f"<h2>Difference from {html.escape(baseline)}</h2><p>Each scenario minus {html.escape(baseline)},"
                     " run by run: every scenario was run with the same seeds (the same random numbers) as the "
                     "baseline, so comparing run with run removes most of the chance variation. Deaths averted are "
                     f"{html.escape(baseline)} minus the scenario. Median and, in brackets, 5% to 95% of the paired "
                     f"runs. For rates, differences are in percentage points.</p>{_html_table(diffs, arm_colours)}")
    else:
        diff_html = f"<h2>Difference from {html.escape(baseline)}</h2><p>Not available: no runs of the baseline.</p>"
    figures_html = "".join(f"<h2>{html.escape(f.title)}</h2><figure>{_image(f.path)}"
                           f"<figcaption>{html.escape(f.caption)}</figcaption></figure>" for f in figures)
    closing = ("<h2>How sure are these numbers?</h2><p>The model simulates individual people, so each run differs by "
               f"chance. Each scenario was run {n_seeds} times with different seeds using {html.escape(sets)}; "
               "the intervals show the spread of those runs. They do not include uncertainty about the model's "
               "structure or about assumptions shared by all scenarios. " + html.escape(sentence) + "</p>")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>This report compares commissioning scenarios for drug treatment with a simulation of individual people's
treatment journeys: starting, staying in and leaving treatment, recovery, relapse and death.</p>
<table>
<tr><th>Area</th><td>{html.escape(areas)}</td></tr>
<tr><th>Treatment system</th><td>{html.escape(systems)}</td></tr>
<tr><th>Years simulated</th><td>{html.escape(projected)}</td></tr>
<tr><th>Policy from</th><td>{html.escape(policy)}</td></tr>
<tr><th>Years the headline numbers cover</th><td>{html.escape(period)}</td></tr>
<tr><th>Scenarios</th><td>{runs['scenario'].nunique()}</td></tr>
<tr><th>Seeds (repeat runs) per scenario</th><td>{n_seeds}</td></tr>
<tr><th>Parameter sets</th><td>{html.escape(sets)}</td></tr>
<tr><th>Runs in all</th><td>{len(runs)}</td></tr>
</table>
{notes_html}
<h2>The scenarios</h2>
{_scenarios_html(runs, baseline, colours)}
<h2>Headline numbers</h2>
<p>For each scenario: the middle (median) run and, in brackets, the range holding 90% of the runs (5% to 95%).
Completions not followed by re-presentation (PHOF 2.15) are an upper bound in the last half year simulated, whose
6-month follow-up is not complete.</p>
{_html_table(levels, arm_colours)}
{diff_html}
{figures_html}
{extra_html}
{closing}
<p style="font-size:0.8em;color:#777">treatment-journeys {__version__}</p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
