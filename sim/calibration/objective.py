"""The calibration objective: a parameter set's misfit to the targets, and the parameters it may move.

The objective of a parameter set is the summed deviance of every target
(`sim.calibration.likelihood`, by the kind of figure it is) at the mean of the simulated values
over the trial's seeds (the model's expectation, estimated; the scatter between seeds is not the
parameters' fault): each target weighs by its own uncertainty.
Free parameters and their search ranges come from the parameter provenance
(`sim.config.provenance`), so a calibration can only move a parameter within the range its
documentation allows.
"""

import copy
from dataclasses import dataclass

import pandas as pd

from sim.calibration.targets import discrepancy, simulated
from sim.config.errors import ConfigError
from sim.config.provenance import iter_parameters, set_parameter
from sim.config.schema import JourneysConfig
from sim.projection.simulate import run


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
            raise ConfigError(f"free parameter {name!r} is not a parameter; allowed: {', '.join(sorted(documented))}")
        prov = documented[name]
        if not prov.low < prov.high:
            raise ConfigError(f"free parameter {name!r} is fixed by its documentation (range {prov.low}-{prov.high})")
        out.append(FreeParameter(name, prov.low, prov.high, log=prov.low > 0 and prov.high / prov.low >= 10))
    return out


def with_values(cfg: JourneysConfig, values: dict[str, float]) -> JourneysConfig:
    """A copy of cfg with params.<name> set for each value."""
    new = copy.deepcopy(cfg)
    for name, value in values.items():
        set_parameter(new.params, name, value)
    return new


# What a trial's loss means: part of a study's key, so a study scored one way is never continued another
OBJECTIVE = "deviance by kind of figure at the mean over seeds (v2)"
UNDEFINED_Z = 10.0  # a figure a run cannot give (a share of nothing: no hand-offs that year) is this many sd off


def objective_value(cfg: JourneysConfig, targets: pd.DataFrame, seeds: list[int]) -> tuple[float, pd.DataFrame]:
    """The summed deviance of all targets at the seeds' mean simulated values, and the values per seed.

    A target whose measure the projection never reports is a definition error (refused); one
    whose value a run leaves undefined (a share whose denominator is zero in that run) costs
    UNDEFINED_Z squared times the share of seeds that left it undefined: the documented figure
    had something to divide by.
    """
    sims, measures = {}, set()
    for seed in seeds:
        ts = run(with_seed(cfg, seed)).timeseries
        sims[seed] = simulated(ts, targets)
        measures.update(ts["measure"].unique())
    frame = pd.DataFrame(sims)
    by_id = targets.set_index("id")
    never = [i for i in frame.index[frame.isna().all(axis=1)] if by_id.loc[i, "measure"] not in measures]
    if never:
        raise ConfigError(f"targets outside the projection or not produced by it: {', '.join(never)}")
    undefined = frame.isna().mean(axis=1)
    fit = discrepancy(frame.mean(axis=1), targets).fillna(0.0)
    return float(fit.sum() + (UNDEFINED_Z**2 * undefined).sum()), frame


def with_seed(cfg: JourneysConfig, seed: int) -> JourneysConfig:
    new = copy.deepcopy(cfg)
    new.seed = int(seed)
    new.output.figures = False
    new.output.trace_people = 0
    return new
