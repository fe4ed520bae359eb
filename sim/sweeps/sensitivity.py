"""Sensitivity of the headline outcomes to levers and uncertain parameters (design sweeps, sim.config.designs).

- One at a time: each factor set alone to its low and its high value; the effect is the
  difference from the reference point (design point 0) run with the same seed and parameter
  set, so common random numbers cancel most of the noise. Shown as a tornado plot: one bar
  per factor from its low-value effect to its high-value effect, widest at the top.
- Latin hypercube: all factors vary together; standardised rank regression coefficients
  (SRRC: the regression of the outcome's ranks on the factors' ranks, in standard-deviation
  units) measure each factor's share of the spread, with the R^2 of that regression.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

TORNADO_HEADLINES = ("successful_completions", "drug_related_deaths", "in_treatment_end", "cost_of_care")


def one_at_a_time(values: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Effects of each factor's low and high value: values (index run, headline columns), runs (index run,
    with design_point, design, design_values, scenario, system, area, seed, parameter_set)."""
    keys = ["area", "system", "scenario", "seed", "parameter_set"]
    r = runs.reset_index()
    r["parameter_set"] = r["parameter_set"].astype("string").fillna("point")
    ref = r[r["design_point"] == 0].set_index(keys)["run"]
    rows = []
    for _, run in r[r["design_point"] > 0].iterrows():
        key = tuple(run[k] for k in keys)
        if key not in ref.index:
            continue
        factor, level = run["design"].rsplit(" ", 1)
        diff = values.loc[run["run"]] - values.loc[ref.loc[key]]
        value = (run["design_values"] or {}).get(factor, np.nan)
        for headline, d in diff.items():
            rows.append({"factor": factor, "level": level, "factor_value": value, "headline": headline,
                         "difference": d, "scenario": run["scenario"]})
    if not rows:
        return pd.DataFrame(columns=["factor", "level", "factor_value", "headline", "median", "low", "high", "n"])
    frame = pd.DataFrame(rows)
    return (frame.groupby(["headline", "factor", "level"], sort=False)
            .agg(factor_value=("factor_value", "first"), median=("difference", "median"),
                 low=("difference", lambda x: x.quantile(0.05)), high=("difference", lambda x: x.quantile(0.95)),
                 n=("difference", "size"))
            .reset_index())


def rank_regression(values: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """SRRC of each headline on the design factors (latin hypercube sweeps), with the regression's R^2."""
    x = pd.DataFrame(list(runs["design_values"]), index=runs.index).astype(float)
    x = x.loc[:, x.nunique() > 1]
    rows = []
    for headline in values.columns:
        y = values.loc[x.index, headline]
        ok = y.notna()
        if ok.sum() <= x.shape[1] + 1:
            continue
        rx, ry = x[ok].rank(), y[ok].rank()
        zx = (rx - rx.mean()) / rx.std(ddof=0)
        zy = (ry - ry.mean()) / ry.std(ddof=0)
        coef, *_ = np.linalg.lstsq(zx.to_numpy(), zy.to_numpy(), rcond=None)
        r2 = 1 - np.sum((zy.to_numpy() - zx.to_numpy() @ coef) ** 2) / np.sum(zy.to_numpy() ** 2)
        rows += [{"headline": headline, "factor": f, "srrc": c, "r2": r2} for f, c in zip(x.columns, coef)]
    return pd.DataFrame(rows, columns=["headline", "factor", "srrc", "r2"])


def tornado(effects: pd.DataFrame, labels: dict[str, str], path: Path,
            headlines=TORNADO_HEADLINES) -> Path | None:
    """One panel per headline: for each factor a bar from its low-value to its high-value effect."""
    shown = [h for h in headlines if h in set(effects["headline"])]
    if not shown:
        return None
    fig, axes = plt.subplots(len(shown), 1, figsize=(9, 2.2 + 0.45 * effects["factor"].nunique() * len(shown)),
                             squeeze=False)
    for ax, h in zip(axes[:, 0], shown):
        e = effects[effects["headline"] == h].pivot(index="factor", columns="level", values="median")
        e = e.reindex(columns=["low", "high"])
        order = (e["high"] - e["low"]).abs().fillna(0).sort_values().index
        e = e.loc[order]
        y = np.arange(len(e))
        ax.barh(y, e["low"].fillna(0), color="#4393c3", label="factor at its low value")
        ax.barh(y, e["high"].fillna(0), color="#d6604d", alpha=0.85, label="factor at its high value")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [f.replace("params.", "").replace("levers.", "lever ") for f in e.index], fontsize=8)
        ax.set_title(labels.get(h, h) + ": change from the reference run", fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def srrc_chart(table: pd.DataFrame, labels: dict[str, str], path: Path, headlines=TORNADO_HEADLINES) -> Path | None:
    shown = [h for h in headlines if h in set(table["headline"])]
    if not shown:
        return None
    fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown) + 2, 0.4 * table["factor"].nunique() + 1.8),
                             sharey=True, squeeze=False)
    factors = sorted(table["factor"].unique())
    for ax, h in zip(axes[0], shown):
        t = table[table["headline"] == h].set_index("factor").reindex(factors)
        ax.barh(np.arange(len(factors)), t["srrc"], color=np.where(t["srrc"] >= 0, "#d6604d", "#4393c3"))
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(-1, 1)
        ax.set_title(f"{labels.get(h, h)}\n(R² {t['r2'].iloc[0]:.2f})", fontsize=8)
    axes[0, 0].set_yticks(range(len(factors)), [f.replace("params.", "") for f in factors], fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
