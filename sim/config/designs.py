"""Sensitivity designs: which factor values design point k of a sweep runs with.

A sensitivity experiment sweeps `design.point` over 0..n-1 (with seeds); each run turns its
point into values of the design's factors, so the whole design is one Hydra sweep and every
run stays reproducible on its own. Factors are parameters (`params.treatment.planned_exit_per_year`),
levers (`levers.drug_related_death`: a multiplier on a named hazard) or the money lever
(`system.budget_multiplier`), each with a [low, high] range.

- `one_at_a_time`: point 0 is the reference (every factor at its run's value); points
  2j+1 and 2j+2 set factor j alone to its low and high value (2 x factors + 1 points). The
  differences from point 0 with the same seed (common random numbers) give the tornado plot.
- `latin_hypercube`: `n_points` points; each factor's range is cut into n_points equal
  strata and each stratum is used once, paired at random across factors (the permutation
  drawn from `design.seed`). Regressing outcomes on the factors gives global sensitivity.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

from sim.config.errors import ConfigError
from sim.config.provenance import get_parameter, set_parameter
from sim.domain.transitions import LEVER_TARGETS

KINDS = ("none", "one_at_a_time", "latin_hypercube")


@dataclass
class DesignConfig:
    kind: str = "none"
    point: int = 0  # which design point this run is
    n_points: int = 0  # latin_hypercube only
    seed: int = 0  # latin_hypercube: the stratum permutation
    factors: dict[str, list[float]] = field(default_factory=dict)  # name -> [low, high]


def n_points(design: DesignConfig) -> int:
    if design.kind == "one_at_a_time":
        return 2 * len(design.factors) + 1
    if design.kind == "latin_hypercube":
        return design.n_points
    return 1


def latin_hypercube(n: int, k: int, seed: int) -> np.ndarray:
    """[n, k] in [0, 1): one point per stratum of each column, strata paired at random (midpoints)."""
    rng = np.random.default_rng([seed, 20051])
    return np.column_stack([(rng.permutation(n) + 0.5) / n for _ in range(k)])


def point_values(design: DesignConfig) -> dict[str, float]:
    """The factor values of design point `design.point` (empty: the run's own values)."""
    names = list(design.factors)
    if design.kind == "one_at_a_time":
        if design.point == 0:
            return {}
        j, high = divmod(design.point - 1, 2)
        return {names[j]: float(design.factors[names[j]][high])}
    if design.kind == "latin_hypercube":
        u = latin_hypercube(design.n_points, len(names), design.seed)[design.point]
        return {n: float(lo + x * (hi - lo)) for n, x, (lo, hi) in zip(names, u, (design.factors[n] for n in names))}
    return {}


def describe_point(design: DesignConfig) -> str:
    """The point in words, e.g. 'params.treatment.planned_exit_per_year low' (one at a time)."""
    if design.kind == "one_at_a_time":
        if design.point == 0:
            return "reference"
        j, high = divmod(design.point - 1, 2)
        return f"{list(design.factors)[j]} {'high' if high else 'low'}"
    return f"point {design.point}"


def check(design: DesignConfig, params) -> None:
    """Refuse an unknown kind, a factor that names nothing, a bad range or a point outside the design."""
    if design.kind not in KINDS:
        raise ConfigError(f"design.kind = {design.kind!r}: allowed values are {', '.join(KINDS)}")
    if design.kind == "none":
        if design.point or design.n_points or design.factors:
            raise ConfigError(f"design: point {design.point}, n_points {design.n_points}, factors "
                              f"{dict(design.factors)} set without a design; allowed: design.kind = one_at_a_time or "
                              "latin_hypercube (or leave them unset)")
        return
    for name in ("point", "n_points", "seed"):
        value = getattr(design, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"design.{name} = {value!r}: a whole number >= 0")
    if not design.factors:
        raise ConfigError(f"design.factors: a {design.kind} design needs at least one factor (name: [low, high])")
    for name, bounds in design.factors.items():
        if len(bounds) != 2 or not float(bounds[0]) <= float(bounds[1]):
            raise ConfigError(f"design.factors.{name} = {list(bounds)}: expected [low, high] with low <= high")
        section, _, rest = name.partition(".")
        if section == "levers":
            if rest not in LEVER_TARGETS:
                raise ConfigError(f"design.factors.{name}: unknown lever; allowed: levers.<{', '.join(LEVER_TARGETS)}>")
        elif section == "params":
            try:
                get_parameter(params, rest)
            except AttributeError:
                raise ConfigError(f"design.factors.{name}: not a parameter (see calibration/parameters.csv)") from None
        elif name != "system.budget_multiplier":
            raise ConfigError(f"design.factors.{name}: a factor is params.<name>, levers.<hazard> or "
                              "system.budget_multiplier")
    if design.kind == "latin_hypercube" and design.n_points < 2:
        raise ConfigError(f"design.n_points = {design.n_points}: a latin_hypercube design needs at least 2 points")
    if not 0 <= design.point < n_points(design):
        raise ConfigError(f"design.point = {design.point}: this {design.kind} design has points "
                          f"0..{n_points(design) - 1}")


def with_design_point(cfg):
    """A copy of cfg with the design point's factor values applied (cfg itself when there is no design)."""
    values = point_values(cfg.design)
    if not values:
        return cfg
    new = copy.deepcopy(cfg)
    for name, value in values.items():
        section, _, rest = name.partition(".")
        if section == "levers":
            new.levers[rest] = value * float(new.levers.get(rest, 1.0))  # on top of the scenario's own lever
        elif section == "params":
            set_parameter(new.params, rest, value)
        else:  # an assumption about money: before and after the policy year alike
            new.system.budget_multiplier = value
            new.history_system.budget_multiplier = value
    return new
