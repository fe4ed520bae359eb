"""The search: an Optuna study (multivariate TPE) over the free parameters, stored in a database.

The study lives in a database (SQLite file by default, any SQLAlchemy URL such as
PostgreSQL for several machines): re-running with the same study name continues it, and
finished trials are never lost or repeated. Each trial keeps the simulated value of every
target for every seed (a user attribute), so the ensemble's predictive intervals need no
re-runs (`sim.calibration.ensemble`).
"""

import warnings
from pathlib import Path

import numpy as np
import optuna
import pandas as pd

from sim.calibration.objective import FreeParameter, objective_value, with_values
from sim.config.schema import JourneysConfig


def storage_url(path_or_url: str | Path) -> str:
    text = str(path_or_url)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def study(storage: str | Path, name: str, seed: int):
    """Create or continue a study (multivariate TPE, seeded from `seed`: free parameters trade off)."""
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
    """The study's finished trials."""
    return s.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def trials_table(s) -> pd.DataFrame:
    """Finished trials: parameter values and loss, best first."""
    rows = [{**t.params, "loss": t.value, "trial": t.number} for t in finished(s)]
    return pd.DataFrame(rows).sort_values(["loss", "trial"]).reset_index(drop=True)


def simulated_by_trial(s) -> dict[int, dict[str, list[float]]]:
    """Each finished trial's simulated value of every target, one per seed."""
    return {t.number: t.user_attrs.get("simulated", {}) for t in finished(s)}
