"""Out-of-sample validation: fit to the figures up to a cut-off year, forecast the later ones, transfer to local areas.

A fit is judged by what it forecasts. `journeys-validate` (`sim.calibration.validate_cli`):
1. calibrates the area on its documented figures up to `cutoff_year` only (its own study), with the
   national history as it was known then (`known_at`: a period that begins after the cut-off, such
   as the 2010 Drug Strategy's, is not known yet, and the last one before it runs on);
2. forecasts every later documented figure of the area with the accepted ensemble: one run per
   accepted parameter set (up to `forecast_sets`, drawn at random from all of them: `forecast_sample`),
   each with its own seed;
3. runs each `transfer` area (local areas) on the same parameter sets, with nothing of its own but
   its area config (population, prevalence, documented caseload and budget), and scores its figures
   without refitting.

Each figure is reported with its documented value and range, the simulated median and 90%
interval over the runs (`sim_q05`..`sim_q95`: parameter uncertainty and the model's own chance),
and the 90% forecast interval of the figure as it would be published (`forecast_q05`..`forecast_q95`:
the runs plus the figure's own uncertainty, read from its range as the calibration reads it). A
figure is `within` when its documented value lies inside the forecast interval (a suppressed
cell: when the two ranges overlap); `within_model_interval` says the same of the model's
interval alone, the stricter reading.
"""

import copy

import numpy as np
import pandas as pd

from sim.calibration.likelihood import TargetKind
from sim.calibration.objective import with_seed, with_values
from sim.calibration.targets import simulated
from sim.config.errors import ConfigError
from sim.projection.simulate import run

ROLES = ("fit", "forecast", "transfer")
FORECAST_DRAW = 2009  # tags the draw of forecast sets apart from the runs' own seeds (any fixed number would do)


def known_at(cfg, cutoff_year: int, free: list[str]):
    """The config as a forecaster at the end of `cutoff_year` knew it: the national history's periods that begin
    after it are left out (what they changed is what the forecast is tested on; the last earlier period runs on).

    In the full calibration the latest period is the reference the others are ratios to, so its rates are the
    free parameters themselves; fitted up to an earlier year they would be known only through those ratios'
    ranges. A free parameter that only a left-out period uses would change nothing: refused."""
    later = [p for p in cfg.history.periods if p.from_year > cutoff_year]
    unknown = {f"history.{name}" for p in later for name in [p.budget_share, *p.levers.values()] if name}
    dead = sorted(unknown & set(free))
    if dead:
        raise ConfigError(f"free parameter(s) {', '.join(dead)} act only from "
                          f"{min(p.from_year for p in later)}, after cutoff_year={cutoff_year}: leave them out of free")
    out = copy.deepcopy(cfg)
    out.history.periods = [p for p in cfg.history.periods if p.from_year <= cutoff_year]
    return out


def forecast_sample(accepted: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """`n` of the accepted parameter sets, drawn at random without replacement (all of them if fewer), best first.

    The accepted sets are the ensemble, each as plausible as the others (the likelihood-ratio region), as a
    posterior projection draws them (`uncertainty=posterior`); the `n` best would be the neighbourhood of the
    search's optimum, and forecast intervals narrower than the fit justifies."""
    if len(accepted) <= n:
        return accepted
    draw = np.random.default_rng([int(seed), FORECAST_DRAW])
    return accepted.sample(n=n, random_state=draw).sort_values("loss")


def split_at(targets: pd.DataFrame, cutoff_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(figures of years up to and including the cut-off, figures after it)."""
    year = targets["period"].astype(str).str.slice(0, 4).astype(int)
    return targets[year <= cutoff_year].reset_index(drop=True), targets[year > cutoff_year].reset_index(drop=True)


def runs(cfg, targets: pd.DataFrame, sets: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The simulated value of every target in one run per parameter set (columns: the sets' positions), each run
    with its own seed (cfg.seed + position)."""
    out = {}
    for j, row in enumerate(sets[names].itertuples(index=False)):
        ts = run(with_seed(with_values(cfg, dict(zip(names, map(float, row)))), cfg.seed + j)).timeseries
        out[j] = simulated(ts, targets).to_numpy()
    return pd.DataFrame(out, index=targets["id"])


def score(targets: pd.DataFrame, draws: pd.DataFrame, role: str, seed: int) -> pd.DataFrame:
    """Each target against its runs (`draws`: target id x run): medians, the model's and the forecast's 90%
    intervals, within or not, and the error of the median."""
    rng = np.random.default_rng(seed)
    t = targets.set_index("id")
    values = draws.loc[t.index].to_numpy(dtype=float)
    censored = (t["kind"] == TargetKind.CENSORED).to_numpy()
    sd = np.where(censored, 0.0, (t["upper"] - t["lower"]).to_numpy(dtype=float) / 3.92)
    ceiling = t["scale"].to_numpy(dtype=float)[:, None]
    published = np.clip(values + rng.normal(size=values.shape) * sd[:, None], 0.0, ceiling)  # as it would be published
    with np.errstate(all="ignore"):
        q = {name: np.nanquantile(x, p, axis=1) for name, x, p in
             (("sim_median", values, 0.5), ("sim_q05", values, 0.05), ("sim_q95", values, 0.95),
              ("forecast_q05", published, 0.05), ("forecast_q95", published, 0.95))}
    out = targets.assign(role=role, runs=np.isfinite(values).sum(axis=1), **q)
    point = out["value"].to_numpy(dtype=float)

    def inside(lo, hi):
        overlap = (out[lo] <= out["upper"]) & (out[hi] >= out["lower"])
        return np.where(censored, overlap, (out[lo] <= point) & (point <= out[hi]))

    out["within"] = inside("forecast_q05", "forecast_q95")
    out["within_model_interval"] = inside("sim_q05", "sim_q95")
    out["error"] = out["sim_median"] - point
    out["relative_error_of_median"] = out["error"] / np.where(point != 0, np.abs(point), np.nan)
    return out


def summary_lines(table: pd.DataFrame, cutoff_year: int) -> list[str]:
    """What the validation found, by role; the last line counts every figure not fitted."""
    lines = []
    for role, label in (("fit", f"fitted (up to {cutoff_year})"), ("forecast", f"forecast (after {cutoff_year})")):
        part = table[table["role"] == role]
        if len(part):
            lines.append(f"{label}: {int(part['within'].sum())} of {len(part)} within their 90% forecast interval, "
                         f"{int(part['within_model_interval'].sum())} within the model's alone")
    for area, part in table[table["role"] == "transfer"].groupby("area", sort=False):
        lines.append(f"transfer to {area} (not refitted): {int(part['within'].sum())} of {len(part)} within their "
                     f"90% forecast interval, {int(part['within_model_interval'].sum())} within the model's alone")
    scored = table[table["role"] != "fit"]
    lines.append(f"{int(scored['within'].sum())} of {len(scored)} within")
    return lines
