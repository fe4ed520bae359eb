"""Fit free parameters to calibration targets with Optuna (a study stored in SQLite, resumable).

The objective of a parameter set is the mean over seeds of the summed squared z of every
target (`sim.targets.discrepancy`): each target weighs by its own uncertainty. Free
parameters and their search ranges come from the parameter provenance (`sim.provenance`),
so a calibration can only move a parameter within the range its documentation allows.

The study lives in a database (SQLite file by default, any SQLAlchemy URL such as
PostgreSQL for several machines): re-running with the same study name continues it, and
finished trials are never lost or repeated.
"""

import copy
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import JourneysConfig
from sim.projection import run
from sim.provenance import iter_parameters, set_parameter
from sim.targets import discrepancy, simulated


@dataclass(frozen=True)
class FreeParameter:
    name: str  # dotted path under params, e.g. "presentation.naive_per_year"
    low: float
    high: float
    log: bool  # search on a log scale (rates and ratios spanning a decade or more)


def free_parameters(cfg: JourneysConfig, names: list[str]) -> list[FreeParameter]:
    """The named parameters with their documented calibration ranges (unknown or fixed names refused)."""
    documented = {name: prov for name, _, prov in iter_parameters(cfg.params)}
    out = []
    for name in names:
        if name not in documented:
            raise ValueError(f"free parameter {name!r} is not a parameter; allowed: {', '.join(sorted(documented))}")
        prov = documented[name]
        if not prov.low < prov.high:
            raise ValueError(f"free parameter {name!r} is fixed by its documentation (range {prov.low}-{prov.high})")
        out.append(FreeParameter(name, prov.low, prov.high, log=prov.low > 0 and prov.high / prov.low >= 10))
    return out


def with_values(cfg: JourneysConfig, values: dict[str, float]) -> JourneysConfig:
    """A copy of cfg with params.<name> set for each value."""
    new = copy.deepcopy(cfg)
    for name, value in values.items():
        set_parameter(new.params, name, value)
    return new


def objective_value(cfg: JourneysConfig, targets: pd.DataFrame, seeds: list[int]) -> tuple[float, pd.DataFrame]:
    """Mean over seeds of the summed squared z of all targets, and the simulated values per seed."""
    sims = {}
    for seed in seeds:
        ts = run(with_seed(cfg, seed)).timeseries
        sims[seed] = simulated(ts, targets)
    frame = pd.DataFrame(sims)
    missing = frame.index[frame.isna().all(axis=1)]
    if len(missing):
        raise ValueError(f"targets outside the projection or not produced by it: {', '.join(missing)}")
    losses = [discrepancy(frame[s], targets).sum() for s in seeds]
    return float(np.mean(losses)), frame


def with_seed(cfg: JourneysConfig, seed: int) -> JourneysConfig:
    new = copy.deepcopy(cfg)
    new.seed = int(seed)
    new.output.figures = False
    new.output.trace_people = 0
    return new


def storage_url(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def study(storage: str | Path, name: str, seed: int):
    """Create or continue a study (multivariate TPE, seeded from `seed`: free parameters trade off)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():  # multivariate TPE is marked experimental, and has been since Optuna 2.2
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True)
    return optuna.create_study(study_name=name, storage=storage_url(storage), direction="minimize",
                               sampler=sampler, load_if_exists=True)


def calibrate(cfg: JourneysConfig, targets: pd.DataFrame, free: list[FreeParameter], n_trials: int,
              storage: str | Path, name: str, seeds: list[int], progress: bool = False,
              start_from: dict[str, float] | None = None):
    """Run trials until the study holds `n_trials` finished ones; return the study.

    Re-running continues where an interrupted run stopped: finished trials are kept and
    only the missing ones are run. `start_from` (e.g. the area's shipped calibration) is the
    first trial of a new study, so a recalibration starts from the previous fit.
    """
    import optuna

    s = study(storage, name, cfg.seed)
    done = len(s.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    if start_from and not s.trials:  # a new study tries the previous calibration first
        s.enqueue_trial({p.name: min(max(start_from[p.name], p.low), p.high) for p in free if p.name in start_from})

    def objective(trial):
        values = {p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log) for p in free}
        loss, frame = objective_value(with_values(cfg, values), targets, seeds)
        trial.set_user_attr("simulated", {k: [None if np.isnan(v) else float(v) for v in row]
                                          for k, row in zip(frame.index, frame.to_numpy())})
        return loss

    remaining = max(n_trials - done, 0)
    if remaining:
        s.optimize(objective, n_trials=remaining, show_progress_bar=progress)
    return s


def finished(s) -> list:
    import optuna

    return s.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def trials_table(s) -> pd.DataFrame:
    """Finished trials: parameter values and loss, best first."""
    rows = [{**t.params, "loss": t.value, "trial": t.number} for t in finished(s)]
    return pd.DataFrame(rows).sort_values(["loss", "trial"]).reset_index(drop=True)


def simulated_by_trial(s) -> dict[int, dict[str, list[float]]]:
    """Each finished trial's simulated value of every target, one per seed."""
    return {t.number: t.user_attrs.get("simulated", {}) for t in finished(s)}
