"""Figures of one projection (PNG), readable without Python.

Each figure carries the package version and run description in its PNG metadata. Figures written to
files are matplotlib Figures (no pyplot, no backend chosen for the caller); with no path
(`draw_figures`, `Projection.plot`) they are pyplot figures, which a notebook shows inline.
"""

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.domain.states import AGE_BAND_NAMES, DRUG_GROUP_NAMES
from sim.outputs.measures import annual, wide
from sim.version import __version__

DRUG_COLOURS = {"opiate_only": "#1b5e91", "opiate_and_crack": "#6a3d9a", "crack_only": "#e08214",
                "other_drugs": "#4d9221"}
AGE_COLOURS = ["#fee0b6", "#fdb863", "#e08214", "#b35806", "#7f3b08"]
# Counts on an axis: 250,000 rather than 250000; a tick between whole numbers (a small area's few deaths) keeps
# its decimals rather than repeating a rounded label
THOUSANDS = FuncFormatter(lambda x, _: f"{x:,.0f}" if float(x).is_integer() else f"{x:,g}")


# Fixed margins (fractions of the figure) that fit these figures' labels at their sizes: matplotlib's
# tight_layout drew each figure once more to measure its text, a third of a small area's figure time.
MARGINS = {"left": 0.12, "right": 0.98, "bottom": 0.12, "top": 0.9, "wspace": 0.2}
# Legends stand to the right of the axes, never over data (England's covered its last years' stacks): a figure
# with one is wider by the legend's room, its axes as wide and as far from the left edge as before.


def _legend_outside(ax, **kwargs) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, frameon=False, **kwargs)


def _room_for_legend(width: float, legend: float, left: float = MARGINS["left"], right: float = MARGINS["right"]) -> dict:
    """figsize width and margins of a figure `width` inches wide (margins `left`, `right`) with a legend added
    `legend` inches wide."""
    total = width + legend
    return {"width": total, "left": left * width / total, "right": right * width / total}


def _subplots(path: Path | None, *args, **kwargs):
    """fig, axes for a file (matplotlib's Figure: no backend, nothing left open) or, with no path, from
    pyplot, so that a notebook shows the figure inline."""
    if path is None:
        import matplotlib.pyplot as plt

        return plt.subplots(*args, **kwargs)
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(*args, **kwargs)


def _save(fig, path: Path | None, description: str, run: str = "", **margins):
    """Fixed margins, whole years on the x axis, and at the bottom right which run the figure shows; written
    to `path` (returned), or with no path the figure itself is returned."""
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    margins = {**MARGINS, **margins}
    if run:  # a line of its own below the axis label
        margins["bottom"] = margins["bottom"] + 0.04
        fig.text(0.995, 0.008, run, ha="right", va="bottom", fontsize=7, color="0.35")
    fig.subplots_adjust(**margins)
    if path is None:
        return fig
    fig.savefig(path, dpi=110, metadata={"Software": f"treatment-journeys {__version__}",
                                         "Description": f"{description}; {run}" if run else description})
    return path


def in_treatment_by_drug(ts: pd.DataFrame, path: Path | None, title: str, run: str = ""):
    room = _room_for_legend(8, legend=1.7)
    fig, ax = _subplots(path, figsize=(room.pop("width"), 4.5))
    data = {name: wide(ts, name)["in_treatment"] for name in DRUG_GROUP_NAMES.values()}
    frame = pd.DataFrame(data)
    x = frame.index.astype(int)
    ax.stackplot(x, frame.T.values, labels=[n.replace("_", " ") for n in frame.columns],
                 colors=[DRUG_COLOURS[c] for c in frame.columns], alpha=0.9)
    ax.set(title=f"People in treatment at year end by drug group: {title}", xlabel="year", ylabel="people")
    ax.yaxis.set_major_formatter(THOUSANDS)
    _legend_outside(ax, fontsize=8)
    return _save(fig, path, "in_treatment by drug group", run, **room)


def completions(ts: pd.DataFrame, path: Path | None, title: str, run: str = ""):
    room = _room_for_legend(8, legend=2.5)
    fig, ax = _subplots(path, figsize=(room.pop("width"), 4.5))
    for group, colour in (("opiate", "#1b5e91"), ("non_opiate", "#4d9221")):
        w = wide(ts, group)
        ax.plot(w.index.astype(int), w["exits_successful"], label=f"successful completions: {group.replace('_', ' ')}",
                color=colour)
        ax.plot(w.index.astype(int), w["exits_unplanned"], ls="--", color=colour, alpha=0.6,
                label=f"unplanned exits: {group.replace('_', ' ')}")
    ax.set(title=f"Exits from treatment per year: {title}", xlabel="year", ylabel="people per year")
    ax.yaxis.set_major_formatter(THOUSANDS)
    _legend_outside(ax, fontsize=7)
    return _save(fig, path, "exits_successful and exits_unplanned", run, **room)


def deaths(ts: pd.DataFrame, path: Path | None, title: str, run: str = ""):
    room = _room_for_legend(8, legend=2.6)
    fig, ax = _subplots(path, figsize=(room.pop("width"), 4.5))
    w = wide(ts)
    x = w.index.astype(int)
    ax.bar(x, w["deaths_drug_related"], color="#b2182b", label="drug-related")
    ax.bar(x, w["deaths"] - w["deaths_drug_related"], bottom=w["deaths_drug_related"], color="#999999",
           label="other causes")
    ax.plot(x, w["deaths_in_treatment"], color="black", marker=".", label="of which in treatment (all causes)")
    ax.set(title=f"Deaths per year: {title}", xlabel="year", ylabel="deaths per year")
    ax.yaxis.set_major_formatter(THOUSANDS)
    _legend_outside(ax, fontsize=8)
    return _save(fig, path, "deaths by cause", run, **room)


def age_profile(ts: pd.DataFrame, path: Path | None, title: str, run: str = ""):
    room = _room_for_legend(11, legend=1.1, left=0.07)  # the shares fill the axes: any legend inside would cover data
    fig, axes = _subplots(path, 1, 2, figsize=(room.pop("width"), 4.5), sharex=True)
    for ax, measure, label in ((axes[0], "in_treatment", "in treatment"),
                               (axes[1], "prevalent_users", "all current users")):
        frame = pd.DataFrame({band: wide(ts, band)[measure] for band in AGE_BAND_NAMES})
        share = frame.div(frame.sum(axis=1).where(lambda s: s > 0), axis=0)
        ax.stackplot(share.index.astype(int), share.T.values, labels=AGE_BAND_NAMES, colors=AGE_COLOURS)
        ax.set(title=f"Age profile, {label}", xlabel="year", ylabel="share", ylim=(0, 1))
    _legend_outside(axes[1], fontsize=8, title="age")
    fig.suptitle(f"Ageing cohort: {title}")
    return _save(fig, path, "age bands of people in treatment and of current users", run, top=0.84, **room)


def write_figures(ts: pd.DataFrame, out_dir: Path, title: str, run: str = "") -> list[Path]:
    """The single-run figures; `run` (e.g. "southampton, baseline, seed 1: one stochastic run") is written on
    each, so a figure read alone says what it shows."""
    ts = annual(ts)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        in_treatment_by_drug(ts, out_dir / "in_treatment_by_drug.png", title, run),
        completions(ts, out_dir / "completions.png", title, run),
        deaths(ts, out_dir / "deaths.png", title, run),
        age_profile(ts, out_dir / "age_profile.png", title, run),
    ]


def draw_figures(ts: pd.DataFrame, title: str, run: str = "") -> list:
    """The single-run figures as pyplot figures (a notebook shows them inline), not written anywhere."""
    ts = annual(ts)
    return [draw(ts, None, title, run) for draw in (in_treatment_by_drug, completions, deaths, age_profile)]
