"""The fit report figure: each target's documented value and interval against the simulated one.

One row per target, each on its own scale (its documented interval spans the same width in
every row), so counts, percentages and shares read side by side: black is the documented
value with its interval (a censored target shows its interval only), blue the ensemble's
simulated median with its 90% interval over accepted parameter sets and seeds.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def fit_figure(fit: pd.DataFrame, path: Path, title: str, interval_label: str = "simulated 90% interval") -> Path:
    """fit: id, value, lower, upper, sim_median, sim_q05, sim_q95 (one row per target)."""
    n = len(fit)
    fig, ax = plt.subplots(figsize=(9, 0.34 * n + 1.6))
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
    labels = [f"{r.id}  ({_fmt(r.value if np.isfinite(r.value) else None, r.lower, r.upper)} "
              f"| sim {_fmt1(r.sim_median)})"
              for r in fit.itertuples()]
    ax.set_yticks(y, labels, fontsize=7.5)
    lo, hi = np.nanmin(scaled(fit["sim_q05"])), np.nanmax(scaled(fit["sim_q95"]))
    ax.set_xlim(max(min(lo, -1.5) - 0.3, -6), min(max(hi, 1.5) + 0.3, 6))
    ax.set_xlabel("distance from the documented value, in half-widths of its interval (clipped at 6)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _fmt1(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _fmt(value, lower, upper) -> str:
    if value is None:
        return f"{_fmt1(lower)}-{_fmt1(upper)}"
    return f"{_fmt1(value)} [{_fmt1(lower)}-{_fmt1(upper)}]"
