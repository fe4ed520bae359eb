"""Draw a run's parameters from the shipped calibration ensemble (`uncertainty=posterior`).

The area's calibration (`configs/calibration/<area>.yaml`) sets the best-fitting values; its
ensemble (`calibration/<area>/ensemble.csv`, sim.calibration.ensemble) holds the accepted parameter
sets. With `uncertainty=posterior` a run takes one row of it: `parameter_set=k` names the
row, otherwise the row is drawn from the seed (its own random stream), so a sweep over seeds
samples parameter uncertainty and stochastic noise together, and two scenarios run with the
same seed share the same parameter set (paired comparisons stay paired).

A value from the ensemble replaces the calibrated point value only where the run still has
that point value: a parameter a scenario or the command line changed keeps its change.

The value-for-money parameters fitted to the NDTMS tool's Bedford figures have an ensemble of their
own (`calibration/value_for_money/`): a posterior run draws one of its rows too, from a stream of its
own, so the money a scenario is worth carries the uncertainty of those rates, paired like the rest.
"""

import copy
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config.errors import ConfigError
from sim.config.parameters import Parameters
from sim.config.paths import CONFIG_DIR, PROJECT_ROOT
from sim.config.provenance import calibration_values, get_parameter, set_parameter
from sim.model import rng

NOT_PARAMETERS = ("loss", "trial")
VALUE_FOR_MONEY_ENSEMBLE = PROJECT_ROOT / "calibration" / "value_for_money" / "ensemble.csv"


def ensemble_path(cfg) -> Path:
    path = Path(cfg.calibration.ensemble)
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_ensemble(cfg) -> pd.DataFrame:
    if cfg.calibration.ensemble is None:
        raise ConfigError(f"uncertainty = posterior: calibration {cfg.calibration.name!r} "
                          f"of area {cfg.area.name!r} has no "
                          "ensemble; use uncertainty=none or an area with a shipped calibration "
                          f"({', '.join(shipped_areas()) or 'none shipped'})")
    path = ensemble_path(cfg)
    if not path.exists():
        raise ConfigError(f"calibration.ensemble = {cfg.calibration.ensemble}: file not found")
    return pd.read_csv(path)


def shipped_areas() -> list[str]:
    return sorted(p.stem for p in (CONFIG_DIR / "calibration").glob("*.yaml") if p.stem != "none")


def choose_row(cfg, n_rows: int) -> int:
    """The ensemble row of this run: `parameter_set` if given, else drawn from the seed."""
    if cfg.parameter_set is None:
        return int(rng.generator(cfg.seed, "parameter_set").integers(n_rows))
    if not 0 <= cfg.parameter_set < n_rows:
        raise ConfigError(f"parameter_set = {cfg.parameter_set}: the ensemble of {cfg.calibration.name!r} has rows "
                          f"0..{n_rows - 1}")
    return int(cfg.parameter_set)


def calibrated_point(cfg, ensemble: pd.DataFrame) -> dict[str, float]:
    """The calibration's own values: its record's best trial (`calibrated_params.yaml`), which a moved ensemble
    (sim.calibration.explore) need not hold as a row; without a record, the ensemble's best row."""
    path = None
    if cfg.calibration.record:
        record = Path(cfg.calibration.record)
        path = (record if record.is_absolute() else PROJECT_ROOT / record) / "calibrated_params.yaml"
    if path is None or not path.exists():
        row = ensemble.sort_values("loss").iloc[0] if "loss" in ensemble else ensemble.iloc[0]
        return {name: float(row[name]) for name in ensemble.columns if name not in NOT_PARAMETERS}
    return calibration_values(path)


def with_parameter_set(cfg):
    """cfg itself (uncertainty=none), or a copy carrying one ensemble row; and the row number (or None)."""
    if cfg.uncertainty == "none":
        return cfg, None
    ensemble = load_ensemble(cfg)
    k = choose_row(cfg, len(ensemble))
    best = calibrated_point(cfg, ensemble)
    new = copy.deepcopy(cfg)
    for name in ensemble.columns:
        if name in NOT_PARAMETERS:
            continue
        current = get_parameter(new.params, name)
        if name in best and np.isclose(current, best[name], rtol=1e-5, atol=1e-9):  # still the calibrated point
            set_parameter(new.params, name, ensemble[name].iloc[k])
    new.parameter_set = k
    _draw_value_for_money(new)
    return new, k


def _draw_value_for_money(cfg) -> None:
    """Replace the fitted value-for-money rates (still at their documented defaults) by one ensemble row."""
    ensemble = pd.read_csv(VALUE_FOR_MONEY_ENSEMBLE)
    row = ensemble.iloc[int(rng.generator(cfg.seed, "value_parameter_set").integers(len(ensemble)))]
    defaults = Parameters()
    for name in ensemble.columns:
        if name in NOT_PARAMETERS:
            continue
        if np.isclose(get_parameter(cfg.params, name), get_parameter(defaults, name), rtol=1e-9, atol=0.0):
            set_parameter(cfg.params, name, float(row[name]))
