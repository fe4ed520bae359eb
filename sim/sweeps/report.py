"""A one-file HTML report of a comparison, for commissioners: plain English, figures embedded.

The file holds everything (figures as base64 PNG, styles inline), so it can be emailed or
opened anywhere without Python or the run folders. Options (scenarios) are the rows of every
table, so any number of them fits the width of a page; everything sits in one `<main>`, whose
sections have ids (`facts`, `best`, `value-for-money`, `within-chance`, `headlines`, `options`,
`figures`, `how-sure`).
"""

import base64
import html
from pathlib import Path

import numpy as np

from sim.config.prices import PRICE_YEAR
from sim.sweeps.collect import area_words
from sim.sweeps.figures import scenario_colours
from sim.sweeps.findings import (
    HEADLINE_OF,
    best_options,
    clear,
    gain,
    loss,
    runs_warning,
    trade_offs,
    within_chance,
)
from sim.sweeps.summary import ACCESS, DEATHS, HEADLINES, MONEY, TREATMENT, years_label
from sim.sweeps.value_for_money import SAME_SPENDING, sentence
from sim.sweeps.wording import format_interval, format_value, ratio_sentence
from sim.version import __version__

STYLE = """
* { box-sizing: border-box; }
body { font-family: Arial, Helvetica, sans-serif; margin: 0; color: #222; line-height: 1.45; }
main { max-width: 1240px; margin: 1.5em auto; padding: 0 16px; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; width: 100%; }
table.facts { width: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.5em; vertical-align: top; overflow-wrap: break-word; }
th { background: #f2f2f2; text-align: left; font-weight: 600; }
thead th { font-size: 0.92em; }
th.option { min-width: 10.5em; width: 14em; background: #fafafa; overflow-wrap: normal; }
td.num { text-align: right; }
.v { font-weight: 600; white-space: nowrap; } .i { font-size: 0.85em; color: #555; }
.d { font-size: 0.85em; margin-top: 0.2em; } .gain { color: #1a7a34; } .loss { color: #b42318; }
.chance { color: #777; } .quiet { color: #777; font-size: 0.85em; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.92em; color: #444; max-width: 900px; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: middle; }
.note { background: #fff8e1; padding: 0.5em 0.8em; border-left: 4px solid #e6ab02; }
.warning { background: #fdecea; padding: 0.6em 0.9em; border-left: 4px solid #b42318; }
ul.sentences li { margin-bottom: 0.35em; }
div.wide { max-width: 100%; overflow-x: auto; }
"""


def _e(text) -> str:
    """Escaped, with a signed sum of money kept whole: no line break between '+' and '£1.2m'."""
    return html.escape(str(text)).replace("+£", "+\u2060£").replace("-£", "-\u2060£")


def _swatch(colour: str | None) -> str:
    return f'<span class="swatch" style="background:{colour}"></span>' if colour else ""


def _image(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(Path(path).stem)}">'


def _cell(median: float, low: float, high: float, unit: str, signed: bool = False) -> str:
    """A number on one line and its 5-95% interval below it."""
    if median is None or np.isnan(median):
        return '<div class="v">n/a</div>'
    spread = ("in every run" if low == high == median else
              f"{format_value(low, unit, signed)} to {format_value(high, unit, signed)}")
    return f'<div class="v">{_e(format_value(median, unit, signed))}</div><div class="i">{_e(spread)}</div>'


def _change(row, name: str) -> str:
    """The change from the baseline under a level: coloured when clear (green a gain, red a loss)."""
    h = HEADLINE_OF[name]
    text = format_interval(row["median"], row["low"], row["high"], row["unit"], signed=True)
    kind = "gain" if gain(row, h) else "loss" if loss(row, h) else "" if clear(row) else "chance"
    return f'<div class="d {kind}">{_e(text)}</div>'


class Report:
    """The page's parts, from a `comparison.Comparison`."""

    def __init__(self, comparison):
        self.c = comparison
        s = comparison.summary
        self.level = s[s["kind"] == "level"].set_index(["arm", "headline"])
        self.diff = s[s["kind"] == "difference"].set_index(["arm", "headline"])
        self.arms = list(dict.fromkeys(s.loc[s["kind"] == "level", "arm"])) or list(comparison.names)
        colours = scenario_colours(comparison.compared_runs["scenario"], comparison.baseline)
        arm_scenario = dict(zip(s["arm"], s["scenario"]))
        self.colour = {arm: colours.get(arm_scenario.get(arm, arm)) for arm in self.arms}
        self.baseline_name = next((comparison.names.get(a, a) for a in self.arms
                                   if arm_scenario.get(a) == comparison.baseline), comparison.baseline)
        self.changed = [a for a in self.arms if (a, "cost") in self.diff.index]

    def name(self, arm: str) -> str:
        return self.c.names.get(arm, arm)

    def option(self, arm: str) -> str:
        return f'<th class="option" scope="row">{_swatch(self.colour.get(arm))}{_e(self.name(arm))}</th>'

    def table(self, arms: list[str], columns: list[tuple[str, str]], cell) -> str:
        """Options as rows; `columns` (key, heading); `cell(arm, key)` gives each cell's HTML."""
        head = "".join(f"<th>{_e(title)}</th>" for _, title in columns)
        body = "".join(f"<tr>{self.option(arm)}" + "".join(f'<td class="num">{cell(arm, key)}</td>'
                                                              for key, _ in columns) + "</tr>" for arm in arms)
        return f'<table><thead><tr><th class="option">Option</th>{head}</tr></thead><tbody>{body}</tbody></table>'

    def level_cell(self, arm: str, name: str, with_change: bool = True) -> str:
        if (arm, name) not in self.level.index:
            return '<span class="quiet">not measured</span>'
        r = self.level.loc[(arm, name)]
        out = _cell(r["median"], r["low"], r["high"], r["unit"])
        if with_change and (arm, name) in self.diff.index:
            out += _change(self.diff.loc[(arm, name)], name)
        return out

    def change_cell(self, arm: str, name: str) -> str:
        if (arm, name) not in self.diff.index:
            return '<span class="quiet">not measured</span>'
        r = self.diff.loc[(arm, name)]
        note = str(r["note"]) if isinstance(r["note"], str) else ""
        if note == SAME_SPENDING:
            return f'<div class="v">£0</div><div class="i">{_e(note)}</div>'
        out = _cell(r["median"], r["low"], r["high"], r["unit"], signed=name in ("cost", "harm_change",
                                                                                "successful_completions",
                                                                                "deaths_averted"))
        if name in HEADLINE_OF and HEADLINE_OF[name].better and not np.isnan(r["median"]):
            kind = "gain" if gain(r, HEADLINE_OF[name]) else "loss" if loss(r, HEADLINE_OF[name]) else (
                "" if clear(r) else "chance")
            out = f'<div class="{kind}">{out}</div>'
        return out + (f'<div class="i">{_e(note)}</div>' if note else "")

    # ------------------------------------------------------------ sections

    def facts(self) -> str:
        runs = self.c.compared_runs
        areas = ", ".join(area_words(a) for a in runs["area"].unique())
        systems = ", ".join(runs["system"].unique())
        projected = f"{int(runs['start_year'].min())} to {int(runs['end_year'].max()) - 1}"
        draws = runs["parameter_set"].astype("string").fillna("point")
        sets = ("the calibrated point estimate" if set(draws) == {"point"}
                else f"{draws.nunique()} parameter sets (draws from the calibration's posterior)")
        per_arm = runs.groupby("scenario").size()
        seeds = sorted(runs["seed"].unique())
        seed_text = (f"{len(seeds)} seeds ({seeds[0]}-{seeds[-1]})" if seeds == list(range(seeds[0], seeds[-1] + 1))
                     else f"{len(seeds)} seeds")
        per = (f"{per_arm.iloc[0]}" if per_arm.nunique() == 1 else f"{per_arm.min()} to {per_arm.max()}")
        policy = self.c.policy_year
        period = years_label(self.c.years)
        n_years = len(self.c.years)
        if policy is not None:
            policy_text = (f"1 January {policy}. Before it every run follows the area's documented history, the same "
                           "in every option; the options act from then.")
            window = (f"{period} ({n_years} years: from the policy year to the last year simulated)"
                      if self.c.years[0] == str(policy) else f"{period} ({n_years} years, as asked)")
        else:
            starts = runs["policy_year"].dropna().unique() if "policy_year" in runs else []
            policy_text = (f"1 January {int(starts[0])} (at or before the first year reported: in force throughout)"
                           if len(starts) == 1 else "not recorded, or differs between runs")
            window = f"{period} ({n_years} years)"
        rows = [("Area", areas), ("Treatment system", systems), ("Years simulated", projected),
                ("Policy from", policy_text), ("Years the numbers cover", window),
                ("Options compared", f"{runs['scenario'].nunique()}, each against {self.baseline_name}"),
                ("Runs per option", f"{per}: {seed_text}, {sets}"), ("Runs in all", f"{len(runs)}"),
                ("Money", f"pounds at {PRICE_YEAR} prices (the model's price year; runs given output.price_year are in "
                          "that year's), not discounted; 'paid for treatment' is the services' budgets")]
        body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
        return f'<table class="facts">{body}</table>'

    def warnings(self) -> str:
        text = runs_warning(self.c.summary)
        warn = f'<p class="warning"><strong>Warning.</strong> {_e(text)}</p>' if text else ""
        return warn + "".join(f'<p class="note">{_e(n[:1].upper() + n[1:])}.</p>' for n in self.c.notes)

    def best(self) -> str:
        if not self.changed:
            return "<p>Not available: no runs of the baseline to compare with.</p>"
        items = best_options(self.c.summary, self.c.baseline)
        rows = []
        for it in items:
            if it["best"]:
                best = f"{_swatch(self.colour.get(it['best']))}{_e(it['best_label'])}"
                others = _e(", ".join(it["others"])) if it["others"] else '<span class="quiet">none</span>'
                caveat = f'<div class="i">{_e(it["caveat"])}</div>' if it["caveat"] else ""
                rows.append(f"<tr><th>{_e(it['what'])} ({it['better']} is better)</th><td>{best}</td>"
                            f'<td class="num"><span class="gain">{_e(it["change"])}</span>{caveat}</td>'
                            f"<td>{others}</td></tr>")
            else:
                rows.append(f"<tr><th>{_e(it['what'])} ({it['better']} is better)</th>"
                            '<td colspan="3" class="quiet">no option changes it beyond chance variation</td></tr>')
        best = ("<table><thead><tr><th>Outcome</th><th>Largest gain</th><th>Change from the baseline (5% to 95% of "
                "paired runs)</th><th>Also clearly better than the baseline</th></tr></thead><tbody>"
                + "".join(rows) + "</tbody></table>")
        trade = []
        for t in trade_offs(self.c.summary, self.c.baseline):
            cells = [_e(t["spending"])] + [
                "<br>".join(_e(x) for x in t[k]) or '<span class="quiet">none</span>' for k in ("better", "worse",
                                                                                               "other")]
            trade.append(f"<tr>{self.option(t['arm'])}" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        trade_html = ('<table><thead><tr><th class="option">Option</th><th>Change in spending</th><th>Better than the '
                      "baseline</th><th>Worse than the baseline</th><th>Other clear changes</th></tr></thead><tbody>"
                      + "".join(trade) + "</tbody></table>")
        return (f"<p>Each option against {_e(self.baseline_name)}, run by run with the same seeds, over "
                f"{_e(years_label(self.c.years))}. An outcome counts only where the option moves it beyond chance "
                "variation (the 5% to 95% range of the paired differences excludes zero).</p>" + best
                + "<h3>Trade-offs</h3><p>What each option gains and gives up (changes beyond chance only; the "
                  "rest is in the next sections).</p>" + trade_html)

    def value_for_money(self) -> str:
        if "benefits" not in set(self.level.index.get_level_values("headline")):
            return "<p>Not available: the runs have no value-for-money measures (made before they existed).</p>"
        years = years_label(self.c.years)
        levels = [("cost", "Paid for treatment"), ("benefits_in_year", "Benefits in year"),
                  ("benefits", "Benefits accrued"), ("net_benefit_in_year", "Net benefit in year"),
                  ("net_benefit", "Net benefit accrued"), ("benefit_cost_ratio_in_year", "Benefit-cost ratio in year"),
                  ("benefit_cost_ratio_accrued", "Benefit-cost ratio accrued")]
        out = [f"<p>In the NDTMS value-for-money tool's terms, summed over {_e(years)}: <em>benefits</em> are the "
               "crime and health-care costs that treatment averts, and the quality-adjusted life years (QALYs) it "
               "adds in money, counting each year a person spends in effective treatment (past the 12-week start) "
               "against a year of drug use (<em>in year</em>), plus the years of recovery the tool credits to each "
               "successful completion (<em>accrued</em>). Net benefit is benefits less the money "
               "paid; the benefit-cost ratio is benefits for each £1 paid. Median and, below it, 5% to 95% of the "
               "runs.</p>",
               self.table(self.arms, levels, lambda arm, key: self.level_cell(arm, key, with_change=False))]
        if self.changed:
            changes = [("cost", "Change in spending"), ("successful_completions", "Extra successful completions"),
                       ("deaths_averted", "Deaths averted (all causes)"),
                       ("harm_change", "Change in crime and health harm"),
                       ("cost_per_extra_successful_completion", "Cost per extra successful completion"),
                       ("cost_per_death_averted", "Cost per death averted"),
                       ("cost_per_drug_related_death_averted", "Cost per drug-related death averted")]
            qaly = self.value_per_qaly()
            out.append(
                f"<h3>Against {_e(self.baseline_name)}</h3><p>Each option minus {_e(self.baseline_name)}, run by run "
                f"with the same seeds, {_e(years)}. <em>Crime and health harm</em> is the model's own count for "
                "everyone in the area, not the tool's: the cost of the crimes committed, health care, and QALYs lost "
                f"(at {qaly} each), so it also counts people kept alive, who go on using and offending. Cost per extra "
                "successful completion and per death averted are the change in spending over the change in the "
                "outcome (at its median, and at the ends of its range); they are left out (n/a) where the change in "
                "that outcome is within chance. Green: a gain beyond chance; red: a loss; grey: within chance.</p>")
            out.append(self.table(self.changed, changes, self.change_cell))
            lines = "".join(f"<li><strong>{_e(self.name(arm))}</strong>: {_e(sentence(self.c.summary, arm))}</li>"
                            for arm in self.changed if sentence(self.c.summary, arm))
            if lines:
                out.append(f"<h3>In plain English</h3><ul class=\"sentences\">{lines}</ul>")
        return "".join(out)

    def value_per_qaly(self) -> str:
        """The price of a QALY the runs used, from their own QALYs and QALYs in money."""
        c = self.c.compared
        sel = c[(c["group"] == "all") & c["measure"].isin(["qalys", "qalys_value"])]
        w = sel.pivot_table(index=["run", "period"], columns="measure", values="value")
        if not {"qalys", "qalys_value"} <= set(w.columns):
            return "the value-for-money parameters' price"
        price = (w["qalys_value"] / w["qalys"]).replace([np.inf, -np.inf], np.nan).dropna().round(0).unique()
        return f"£{price[0]:,.0f}" if len(price) == 1 else "the runs' own prices (they differ)"

    def within(self) -> str:
        if not self.changed:
            return ""
        notes = within_chance(self.c.summary, self.c.baseline)
        if not notes:
            return ("<p>Every option moves every outcome checked (starts, people in treatment, completions, waits, "
                    "deaths, crime and harm) beyond chance variation.</p>")
        parts = []
        for n in notes:
            reasons = "".join(f"<li>{_e(r)}</li>" for r in n["reasons"]) or (
                "<li>The model's numbers give no single reason: the change is smaller than the chance variation "
                "between runs.</li>")
            parts.append(f"<h3>{_swatch(self.colour.get(n['arm']))}{_e(n['label'])}</h3>"
                         f"<p>Within chance variation (the interval of the difference includes zero): "
                         f"{_e('; '.join(n['within_chance']))}.</p><p>Why, in the model:</p><ul>{reasons}</ul>")
        return ("<p>Where an option's effect on an outcome cannot be told from chance, and what the model's own "
                "numbers say about why.</p>" + "".join(parts))

    def headlines(self) -> str:
        fill = {"years": years_label(self.c.years), "last": self.c.years[-1], "baseline": self.baseline_name}
        themes = ((TREATMENT, "Treatment"), (ACCESS, "Getting into treatment"), (DEATHS, "Deaths and quality of life"),
                  (MONEY, "Money, crime and health care"))
        have = set(self.level.index.get_level_values("headline"))
        out = [f"<p>Each cell: the median run, below it 5% to 95% of the runs, and for each option below that its "
               f"change from {_e(self.baseline_name)} (paired; green a gain beyond chance, red a loss, grey within "
               f"chance). Totals are over {_e(fill['years'])}; rates and shares are averages of the years. Completions "
               "not followed by re-presentation (PHOF 2.15) are an upper bound in the last half year simulated.</p>"]
        for theme, title in themes:
            columns = [(h.name, (h.short or h.label).format(**fill)) for h in HEADLINES
                       if h.theme == theme and h.name in have]
            if theme == DEATHS and self.changed:
                columns.append(("drug_related_deaths_averted", "Drug-related deaths averted"))
            if columns:
                out.append(f"<h3>{_e(title)}</h3>" + self.table(self.arms, columns, self.headline_cell))
        return "".join(out)

    def headline_cell(self, arm: str, name: str) -> str:
        if name.endswith("_averted"):
            return self.change_cell(arm, name) if (arm, name) in self.diff.index else '<span class="quiet">-</span>'
        return self.level_cell(arm, name)

    def options(self) -> str:
        runs = self.c.compared_runs.drop_duplicates("scenario").set_index("scenario")
        arm_scenario = dict(zip(self.c.summary["arm"], self.c.summary["scenario"]))
        rows = []
        for arm in self.arms:
            scenario = arm_scenario.get(arm, arm)
            if scenario not in runs.index:
                continue
            first = runs.loc[scenario]
            role = " The baseline every other option is compared with." if scenario == self.c.baseline else ""
            items = "".join(f"<li>{_e(a)}</li>" for a in first["assumptions"]) or "<li>no changes</li>"
            rows.append(f"<tr>{self.option(arm)}<td>{_e((first['description'] or 'No description given').rstrip('.'))}"
                        f".{_e(role)} <span class=\"quiet\">(scenario={_e(scenario)})</span></td>"
                        f"<td><ul>{items}</ul></td></tr>")
        return ('<table><thead><tr><th class="option">Option</th><th>What it changes from the policy year</th>'
                "<th>Assumptions</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")

    def how_sure(self) -> str:
        runs = self.c.compared_runs
        return ("<p>The model simulates individual people, so each run differs by chance. Each option was run "
                f"{runs.groupby('scenario').size().max()} times (seeds and parameter sets); the intervals show the "
                "spread of those runs. They do not include uncertainty about the model's structure or about "
                "assumptions shared by all options. " + _e(ratio_sentence(self.c.summary)) + "</p>")


def write_report(comparison, figures, path: Path | str, title: str | None = None, extra_html: str = "") -> Path:
    """Write report.html for a `comparison.Comparison`: what was compared and over which years, warnings, what
    each option does best and its trade-offs, value for money, where effects are within chance and why, the
    headline numbers, the options' assumptions and the figures (embedded; `figures` are figures.Chart items)."""
    path = Path(path)
    r = Report(comparison)
    areas = ", ".join(area_words(a) for a in comparison.compared_runs["area"].unique())
    title = title or f"Drug treatment options compared: {areas}"
    figures_html = "".join(f"<h3>{_e(f.title)}</h3><figure>{_image(f.path)}"
                           f"<figcaption>{_e(f.caption)}</figcaption></figure>" for f in figures)
    sections = [("best", "What each option does best", r.best()),
                ("value-for-money", "Value for money", r.value_for_money()),
                ("within-chance", "Where an option's effect is within chance", r.within()),
                ("headlines", "Headline numbers", r.headlines()),
                ("options", "The options and their assumptions", r.options()),
                ("figures", "Figures", figures_html)]
    body = "".join(f'<section id="{key}"><h2>{_e(heading)}</h2>{content}</section>'
                   for key, heading, content in sections if content)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{STYLE}</style></head>
<body>
<main>
<h1>{_e(title)}</h1>
<p>This report compares commissioning options for drug treatment with a simulation of individual people's
treatment journeys: starting, staying in and leaving treatment, recovery, relapse and death.</p>
<section id="facts">{r.facts()}{r.warnings()}</section>
{body}
{extra_html}
<section id="how-sure"><h2>How sure are these numbers?</h2>{r.how_sure()}</section>
<p class="quiet">treatment-journeys {_e(__version__)}</p>
</main>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path

