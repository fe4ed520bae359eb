"""Before and from the policy year: the parameters, levers and commissioned system in force.

A run follows the area's documented history until `policy_year` (its `history_system`, the
run's parameters and levers), and from Jan 1 of that year the chosen `system` with the
scenario's changes on top. With `policy_year <= start_year` the policy holds from the start.
Same seed, same draws: everything before the policy year is the same in every scenario.
"""

import copy
from dataclasses import dataclass

from sim.config.parameters import Parameters
from sim.config.provenance import get_parameter, set_parameter
from sim.config.schema import JourneysConfig, SystemConfig


@dataclass(frozen=True)
class Regime:
    """What is in force over a stretch of the run."""

    params: Parameters
    levers: dict[str, float]
    system: SystemConfig


def has_history(cfg: JourneysConfig) -> bool:
    """Whether the run starts under the documented history (the policy starts after start_year)."""
    return cfg.start_year < cfg.policy_year


def policy_step(cfg: JourneysConfig) -> int | None:
    """The first step of the policy year, when it falls inside the run (None otherwise)."""
    if cfg.start_year < cfg.policy_year < cfg.end_year:
        return (cfg.policy_year - cfg.start_year) * cfg.steps_per_year
    return None


def from_policy(cfg: JourneysConfig, share: float = 1.0) -> Regime:
    """The chosen system, with the scenario's parameters, levers, places and modality mix.

    `share` < 1 is a stage of a phased change (`scenario.ramp_years`): parameters and places move
    that share of the way to the scenario's values, multipliers that share on a log scale.
    """
    sc = cfg.scenario
    toward = (lambda a, b: b) if share == 1.0 else (lambda a, b: a + share * (b - a))  # noqa: E731 (exact at 1)
    params = copy.deepcopy(cfg.params)
    for section, values in sc.params.items():
        for name, value in values.items():
            name = f"{section}.{name}"
            set_parameter(params, name, toward(get_parameter(cfg.params, name), float(value)))
    levers = {k: float(v) for k, v in cfg.levers.items()}
    for name, value in sc.levers.items():
        levers[name] = levers.get(name, 1.0) * float(value) ** share
    system = copy.deepcopy(cfg.system)
    system.budget_multiplier = cfg.system.budget_multiplier * toward(1.0, sc.budget_multiplier)
    mix = dict(cfg.system.modality_mix_multipliers)
    for name, value in sc.modality_mix_multipliers.items():
        mix[name] = mix.get(name, 1.0) * float(value) ** share
    system.modality_mix_multipliers = mix
    return Regime(params, levers, system)


def ramp_shares(cfg: JourneysConfig) -> list[float]:
    """The share of the scenario's change in force in each year from the policy year (the last one: 1)."""
    k = cfg.scenario.ramp_years
    return [(j + 1) / k for j in range(k)] if k > 0 else [1.0]


def before_policy(cfg: JourneysConfig) -> Regime:
    """The documented history: the area's system, the run's parameters and levers (or the policy, if none)."""
    if not has_history(cfg):
        return from_policy(cfg)
    return Regime(cfg.params, {k: float(v) for k, v in cfg.levers.items()}, cfg.history_system)


def _with_changes(regime: Regime, changes) -> Regime:
    """A regime with the area's documented changes on top (places and levers multiply, parameters are set)."""
    if not changes:
        return regime
    params, levers, system = copy.deepcopy(regime.params), dict(regime.levers), copy.deepcopy(regime.system)
    for change in changes:
        for section, values in change.params.items():
            for name, value in values.items():
                set_parameter(params, f"{section}.{name}", float(value))
        for name, value in change.levers.items():
            levers[name] = levers.get(name, 1.0) * float(value)
        system.budget_multiplier *= change.budget_multiplier
    return Regime(params, levers, system)


def regime_in(cfg: JourneysConfig, year: int) -> Regime:
    """What is in force in calendar year `year`: the history or the policy (at its stage), with the area's
    documented changes of that year and before (`area.timeline`, the same in every scenario)."""
    if has_history(cfg) and year < cfg.policy_year:
        base = before_policy(cfg)
    else:
        shares = ramp_shares(cfg)
        base = from_policy(cfg, shares[min(max(year - max(cfg.policy_year, cfg.start_year), 0), len(shares) - 1)])
    return _with_changes(base, sorted((c for c in cfg.area.timeline if c.year <= year), key=lambda c: c.year))


def change_years(cfg: JourneysConfig, first_year: int | None = None) -> list[int]:
    """The years after the first simulated one (`first_year`, default start_year) in which what is in
    force may change: documented changes, the policy year and the stages of a phased change."""
    first_year = cfg.start_year if first_year is None else first_year
    first_policy = max(cfg.policy_year, cfg.start_year)  # the policy's first year (the start, if no history)
    years = {c.year for c in cfg.area.timeline} | {first_policy + k for k in range(len(ramp_shares(cfg)))}
    return sorted(y for y in years if first_year < y < cfg.end_year)


def changes_at_policy(cfg: JourneysConfig) -> bool:
    """Whether anything differs from the policy year on (another system, or a scenario that changes something)."""
    return has_history(cfg) and before_policy(cfg) != from_policy(cfg)
