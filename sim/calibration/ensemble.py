"""The uncertainty ensemble: parameter sets consistent with the targets, by ABC rejection on the trials.

Every finished trial of a calibration study has a parameter set and a misfit: the summed deviance
of the targets at its seeds' mean (`sim.calibration.likelihood`), -2 log likelihood up to a
constant. A trial is accepted when its
misfit is within a tolerance of the best one:

    loss <= best loss + chi2_{0.95}(number of free parameters)

the likelihood-ratio region of the free parameters, widened to the `min_accepted` best trials
when fewer fall inside it (the output says so). Accepted sets are equally weighted.

This is approximate Bayesian computation on the optimisation trials: the sampler (TPE, CMA-ES)
concentrates trials near the best fit, so its accepted trials describe the optimum's
neighbourhood. `ensemble_rounds` of ABC-MCMC moves (`sim.calibration.explore`) then spread
`min_accepted` of them over the whole region: a uniform sample of the parameter sets that
reproduce the targets. Its ranges are what projections should carry forward
(`uncertainty=posterior`, `sim.projection.parameter_sets`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

CHI2_95 = (3.841, 5.991, 7.815, 9.488, 11.070, 12.592, 14.067, 15.507, 16.919, 18.307, 19.675, 21.026)


@dataclass(frozen=True)
class Ensemble:
    accepted: pd.DataFrame  # one row per accepted trial: parameter columns, loss, trial
    tolerance: float  # accepted when loss <= tolerance
    widened: bool  # fewer than min_accepted trials were inside the likelihood-ratio region
    acceptance: tuple[float, ...] = ()  # moved over the region (sim.calibration.explore): share of steps taken a round


def chi2_95(k: int) -> float:
    """95% point of chi-squared with k degrees of freedom (table, then the Wilson-Hilferty approximation)."""
    if k <= len(CHI2_95):
        return CHI2_95[k - 1]
    z = 1.6449
    return k * (1 - 2 / (9 * k) + z * np.sqrt(2 / (9 * k))) ** 3


def accept(trials: pd.DataFrame, names: list[str], min_accepted: int = 100) -> Ensemble:
    """ABC rejection on finished trials (columns: parameter names, loss, trial)."""
    if trials.empty:
        raise ValueError("no finished trials to build an ensemble from")
    ranked = trials.sort_values(["loss", "trial"]).reset_index(drop=True)
    region = float(ranked["loss"].iloc[0]) + chi2_95(len(names))
    inside = int((ranked["loss"] <= region).sum())
    widened = bool(inside < min(min_accepted, len(ranked)))
    # plain floats: the record is written as YAML, which knows no numpy scalars
    tolerance = float(ranked["loss"].iloc[min(min_accepted, len(ranked)) - 1] if widened else region)
    accepted = ranked[ranked["loss"] <= tolerance][[*names, "loss", "trial"]].reset_index(drop=True)
    return Ensemble(accepted, tolerance, widened)


def posterior_table(ensemble: Ensemble, free, best: dict[str, float] | None = None) -> pd.DataFrame:
    """Per free parameter: its prior range, best value (the best trial's; default the ensemble's best set) and the
    ensemble's median and 90% range."""
    acc = ensemble.accepted
    rows = []
    for p in free:
        x = acc[p.name]
        rows.append({"parameter": p.name, "prior_low": p.low, "prior_high": p.high,
                     "best": float(best[p.name] if best else x.iloc[0]), "median": float(x.median()),
                     "q05": float(x.quantile(0.05)), "q95": float(x.quantile(0.95)),
                     "share_of_prior_range": float((x.quantile(0.95) - x.quantile(0.05)) / (p.high - p.low))})
    return pd.DataFrame(rows)


def predictive(per_trial: dict[int, dict[str, list[float]]], trials: list[int]) -> pd.DataFrame:
    """Simulated value of each target over the accepted trials and their seeds: median and 90% interval."""
    values: dict[str, list[float]] = {}
    for t in trials:
        for target, seeds in per_trial[t].items():
            values.setdefault(target, []).extend(v for v in seeds if v is not None and np.isfinite(v))
    rows = [{"id": k, "sim_median": np.median(v), "sim_q05": np.quantile(v, 0.05), "sim_q95": np.quantile(v, 0.95)}
            for k, v in values.items() if v]
    return pd.DataFrame(rows).set_index("id")
