"""The dashboard's page (solara): choose an area, system, scenario, policy year, levers and seeds; see the
baseline and the choice as fan charts and their paired differences since the policy year.

Built on solara, the library under mesa's SolaraViz, not on SolaraViz itself: SolaraViz rebuilds its model
from the sliders only when Reset is pressed, builds it in the click handler (the page waits), steps it with
play/step controls and shows model time, offers selects without labels, and has no place for a refused
value. Here the unit is a paired set of whole runs, started by any change and run in a background thread
(`solara.lab.use_task`) while the page stays live and shows the previous result under a "running…" line.
"""

import time
from dataclasses import dataclass
from html import escape

import solara
import solara.lab

from sim.config.errors import ConfigError
from sim.dashboard.charts import fan_charts
from sim.dashboard.runner import (
    BASELINE,
    DEFAULTS,
    MAX_SEEDS,
    Choice,
    Comparison,
    Lever,
    Stale,
    description,
    levers,
    options,
    run_choice,
)
from sim.sweeps.report import format_interval, format_value
from sim.sweeps.summary import years_label

AREAS, SYSTEMS, SCENARIOS = options("area"), options("system"), options("scenario")
# the table; a slider's label above its track (vuetify puts it to the left, leaving a long label no track)
CSS = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
table.differences { border-collapse: collapse; margin: 0.5em 0; }
table.differences th, table.differences td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
table.differences th:first-child, table.differences td:first-child { text-align: left; }
.v-input__slider .v-label { flex: 1 0 100%; white-space: normal; height: auto !important; line-height: 1.3 !important;
                           margin-bottom: 2px; }
"""


@dataclass(frozen=True)
class Shown:
    """A finished choice as the page shows it."""

    comparison: Comparison
    png: bytes
    title: str
    table: str  # HTML, made with the charts (not at every render of the page)
    seconds: float  # from the choice to its charts and table (the runs: comparison.seconds)


@dataclass(frozen=True)
class Refused:
    message: str  # one line, as `journeys` prints it after "journeys: "


def describe(choice: Choice, sliders: tuple[Lever, ...]) -> str:
    """The choice in words: system, scenario, moved levers, from when."""
    labels = {lever.name: lever.label for lever in sliders}
    moved = []
    for name, value in choice.levers:
        label = labels.get(name, name)
        moved.append(f"{label.removesuffix(' (x)').lower()} x{value:g}" if label.endswith("(x)")
                     else f"{label.lower()} {value:g}")
    parts = [SCENARIOS.get(choice.scenario, choice.scenario)] if choice.scenario != BASELINE else []
    if choice.system != DEFAULTS["system"]:
        parts.insert(0, SYSTEMS.get(choice.system, choice.system))
    return ", ".join(parts + moved) + f" from {choice.policy_year}" if parts + moved else "no change (the baseline)"


def table_html(comparison: Comparison) -> str:
    """The differences table: baseline, choice, and choice minus baseline paired by seed with its interval.
    (HTML, not solara's Markdown: that loads a maths renderer from a CDN, which an offline page does not have.)"""
    frame = comparison.differences()
    head = "".join(f"<th>{h}</th>" for h in ("since the policy year", "baseline", "choice",
                                             "difference (5-95% over seeds)"))
    rows = [f"<tr><td>{escape(r['label'])}</td><td>{escape(format_value(r['baseline'], r['unit']))}</td>"
            f"<td>{escape(format_value(r['choice'], r['unit']))}</td><td>"
            f"{escape(format_interval(r['median'], r['low'], r['high'], r['unit'], signed=True))}</td></tr>"
            for _, r in frame.iterrows()]
    return f'<table class="differences"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


@solara.component
def LeverSlider(lever: Lever, value: float | None, on_value):
    """A lever's slider at the user's value, else at the scenario's (shown exactly in the label)."""
    at = value if value is not None and lever.moved(value) else None
    shown = f"{at:g}" if at is not None else f"{lever.value:.3g} (the scenario's)"
    solara.SliderFloat(f"{lever.label}: {shown}", value=round(lever.value if at is None else at, 2),
                       on_value=on_value, min=lever.low, max=lever.high, step=lever.step, thumb_label=True)


@solara.component
def Page():
    area = solara.use_reactive(Choice.area)
    system = solara.use_reactive(Choice.system)
    scenario = solara.use_reactive(Choice.scenario)
    policy_year = solara.use_reactive(Choice.policy_year)
    seeds = solara.use_reactive(Choice.seeds)
    edits = solara.use_reactive({})  # (area, scenario) -> {lever: value the user set}

    # the sliders of this area and scenario: composing them takes a second, so off the page's thread too
    sliders_task = solara.lab.use_task(lambda: levers(area.value, scenario.value),
                                       dependencies=[area.value, scenario.value])
    sliders = sliders_task.value if sliders_task.finished else ()
    mine = edits.value.get((area.value, scenario.value), {})
    moved = tuple(sorted((lv.name, mine[lv.name]) for lv in sliders if lv.name in mine and lv.moved(mine[lv.name])))
    choice = Choice(area.value, system.value, scenario.value, policy_year.value, moved, seeds.value)

    def work():
        started = time.perf_counter()
        task.progress = 0
        try:
            comparison = run_choice(choice, progress=lambda done, n: setattr(task, "progress", 100 * done / n),
                                    stale=lambda: not task.is_current())
        except ConfigError as e:
            return Refused(f"invalid configuration: {e}")
        except Stale:
            return None
        title = (f"{AREAS.get(choice.area, choice.area)}: {describe(choice, sliders)}, against the baseline; "
                 f"median of {choice.seeds} seed{'s' if choice.seeds > 1 else ''}")
        png, table = fan_charts(comparison, title, describe(choice, sliders)), table_html(comparison)
        return Shown(comparison, png, title, table, time.perf_counter() - started)

    task = solara.lab.use_task(work, dependencies=[choice])

    def set_lever(name: str, value: float) -> None:
        key = (area.value, scenario.value)
        edits.set({**edits.value, key: {**edits.value.get(key, {}), name: float(value)}})

    def reset_levers() -> None:
        edits.set({k: v for k, v in edits.value.items() if k != (area.value, scenario.value)})

    solara.Title("Treatment journeys: dashboard")
    solara.Style(CSS)
    with solara.Sidebar():
        with solara.Card("What to compare"):
            solara.Select("Area", values=list(AREAS.values()), value=AREAS[area.value],
                          on_value=lambda label: area.set(_name(AREAS, label)))
            solara.Select("System from the policy year", values=list(SYSTEMS.values()), value=SYSTEMS[system.value],
                          on_value=lambda label: system.set(_name(SYSTEMS, label)))
            solara.Select("Scenario", values=list(SCENARIOS.values()), value=SCENARIOS[scenario.value],
                          on_value=lambda label: scenario.set(_name(SCENARIOS, label)))
            solara.Text(description("scenario", scenario.value), style={"font-size": "0.85em"})
            solara.InputInt("Policy year (from 1 January)", value=policy_year)
            solara.InputInt(f"Seeds (paired runs, 1-{MAX_SEEDS})", value=seeds)
        with solara.Card("Levers from the policy year"):
            if not sliders_task.finished:
                solara.Text("reading the scenario's levers…")
            for lever in sliders:
                LeverSlider(lever, mine.get(lever.name),
                            lambda v, name=lever.name: set_lever(name, v)).key(f"{area.value}-{scenario.value}-"
                                                                               f"{lever.name}")
            solara.Button("Back to the scenario's values", on_click=reset_levers, text=True, disabled=not moved)

    shown = task.value if task.finished else task.latest
    if task.pending:
        done = f" ({task.progress:.0f}% of the runs done)" if task.progress else ""
        solara.Info(f"running…{done} the page shows the previous result until this one is ready" if shown else
                    f"running…{done} the first run after installing compiles the step kernel (a minute or more)")
        solara.ProgressLinear(True)
    if task.finished and isinstance(shown, Refused):
        solara.Error(shown.message)
    elif isinstance(shown, Shown):
        c = shown.comparison
        solara.HTML("p", unsafe_innerHTML=f"<b>{escape(shown.title)}</b>. Computed in {shown.seconds:.1f} s: "
                    f"{c.runs_made} new runs in {c.seconds:.1f} s (the rest from earlier choices), then the charts.")
        solara.Image(shown.png, format="png", width="100%")
        solara.HTML("h4", unsafe_innerHTML=f"Differences from the baseline, {years_label(c.years)}")
        solara.HTML("div", unsafe_innerHTML=shown.table)
        solara.HTML("p", unsafe_innerHTML="Paired by seed: the baseline and the choice share their random numbers, "
                    "so every year before the policy year is the same in both and a difference is the choice's "
                    "doing.")
    solara.Div(style={"height": "3em"})  # room below the table for solara's corner badge


def _name(named: dict[str, str], label: str) -> str:
    return next(name for name, text in named.items() if text == label)
