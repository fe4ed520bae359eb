"""Figures that explain themselves: legends beside the data, thousands separators on counts, fit rows named in
words and nothing cut off at the edges."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import sim.outputs.figures as run_figures
from sim import run
from sim.calibration.figures import draw_fit, fit_figure, target_label
from sim.config.paths import PROJECT_ROOT
from tests.helpers import compose


def _blank_border(png: Path) -> bool:
    """Is the outermost ring of pixels background? (Text running off the edge leaves ink there.)"""
    a = np.asarray(Image.open(png).convert("L"))
    return bool(min(a[0].min(), a[-1].min(), a[:, 0].min(), a[:, -1].min()) > 250)


def test_single_run_legends_stand_beside_the_data_and_counts_have_separators(tmp_path: Path):
    ts = run(compose("area=southampton", "end_year=2009")).timeseries
    run_label = "southampton, scenario baseline, seed 1: one stochastic run"
    paths = run_figures.write_figures(ts, tmp_path, "southampton", run_label)
    assert [p.stem for p in paths] == ["in_treatment_by_drug", "completions", "deaths", "age_profile"]
    kept = run_figures.draw_figures(ts, "southampton", run_label)  # the same drawing, kept: margins applied
    assert len(kept) == len(paths)
    for path, fig in zip(paths, kept):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        legends = [ax.get_legend().get_window_extent(renderer) for ax in fig.axes if ax.get_legend()]
        axes = [ax.get_window_extent(renderer) for ax in fig.axes]
        assert legends, path.stem
        for legend in legends:
            assert not any(legend.overlaps(ax) for ax in axes), f"{path.stem}: the legend covers data"
            assert 0 <= legend.x0 and legend.x1 <= fig.bbox.x1 and 0 <= legend.y0 and legend.y1 <= fig.bbox.y1
        if path.stem != "age_profile":  # shares there; people and deaths elsewhere
            assert fig.axes[0].yaxis.get_major_formatter()(250000, 0) == "250,000", path.stem


@pytest.mark.parametrize("area", ["southampton", "england"])
def test_fit_figure_names_targets_in_words_and_cuts_nothing_off(tmp_path: Path, area):
    fit = pd.read_csv(PROJECT_ROOT / "calibration" / area / "fit.csv")
    fig = draw_fit(fit, f"{area}: the shipped fit")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [label.split("\n")[0] for label in labels] == [target_label(r.measure, r.group, r.period)
                                                          for r in fit.itertuples()]
    assert not any(i in label for i in fit["id"] for label in labels)  # ids stay in fit.csv
    assert target_label("modality_planned_exit_share", "other_structured", 2011) == (
        "Planned exits from a modality, share (other structured), 2011")
    png = fit_figure(fit, tmp_path / "fit.png", f"{area}: the shipped fit")
    assert _blank_border(png)


def test_the_shipped_fit_figures_are_the_ones_drawn_now():
    """calibration/<area>/fit.png were redrawn from their records with today's drawing
    (`python -m sim.calibration.figures calibration/<area>`): no clipped ids left."""
    for area in ("southampton", "england"):
        png = PROJECT_ROOT / "calibration" / area / "fit.png"
        assert _blank_border(png), png


def test_sweep_panels_of_counts_have_separators_and_small_ticks_keep_their_decimals():
    from matplotlib.figure import Figure

    from sim.sweeps.figures import PANELS, _label

    for panel in PANELS:
        ax = Figure().subplots()
        _label(ax, panel.title, panel.unit)
        counts = panel.unit in ("people", "deaths")
        assert (ax.yaxis.get_major_formatter()(250000, 0) == "250,000") == counts, panel.measure
    assert [run_figures.THOUSANDS(x, 0) for x in (12000.0, 2.5, 0)] == ["12,000", "2.5", "0"]
