"""Before and from the policy year: the parameters, levers and commissioned system in force.

A run follows the area's documented history until `policy_year` (its `history_system`, the
run's parameters and levers), and from Jan 1 of that year the chosen `system` with the
scenario's changes on top. With `policy_year <= start_year` the policy holds from the start.
Same seed, same draws: everything before the policy year is the same in every scenario.
In every year, policy or not, the national history (`history`: a period's budget and levers,
sized by `params.history`) and the area's documented changes (`area.timeline`) act on top.
The area's budget is documented for `area.budget_year`; other years scale it by what the
history and the timeline changed since.
"""

import copy
import dataclasses
from dataclasses import dataclass

from sim.config.parameters import Parameters
from sim.config.provenance import get_parameter, set_parameter
from sim.config.schema import HistoryPeriod, JourneysConfig, SystemConfig


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
    """The chosen system, with the scenario's parameters, levers, money and modality mix.

    `share` < 1 is a stage of a phased change (`scenario.ramp_years`): parameters and money move
    that share of the way to the scenario's values, multipliers that share on a log scale.
    """
    sc = cfg.scenario
    toward = (lambda a, b: b) if share == 1.0 else (lambda a, b: a + share * (b - a))  # noqa: E731 (exact at 1)
    params = copy.deepcopy(cfg.params) if sc.params else cfg.params  # regimes only read their parameters
    for section, values in sc.params.items():
        for name, value in values.items():
            name = f"{section}.{name}"
            set_parameter(params, name, toward(get_parameter(cfg.params, name), float(value)))
    levers = {k: float(v) for k, v in cfg.levers.items()}
    for name, value in sc.levers.items():
        levers[name] = levers.get(name, 1.0) * float(value) ** share
    mix = dict(cfg.system.modality_mix_multipliers)
    for name, value in sc.modality_mix_multipliers.items():
        mix[name] = mix.get(name, 1.0) * float(value) ** share
    # a shallow copy with the two fields a regime changes: regimes only read the rest (a deep copy of the system
    # was a tenth of a small area's model build)
    system = dataclasses.replace(cfg.system, modality_mix_multipliers=mix,
                                 budget_multiplier=cfg.system.budget_multiplier * toward(1.0, sc.budget_multiplier))
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


def _with_changes(regime: Regime, changes, period: HistoryPeriod | None, budget_index: float) -> Regime:
    """A regime with the national period in force and the area's documented changes on top (levers and
    money multiply, parameters are set); the budget is scaled by `budget_index` (this year's money
    relative to the documented year's)."""
    params = copy.deepcopy(regime.params) if any(c.params for c in changes) else regime.params  # read-only
    levers = dict(regime.levers)
    for change in changes:
        for section, values in change.params.items():
            for name, value in values.items():
                set_parameter(params, f"{section}.{name}", float(value))
        for name, value in change.levers.items():
            levers[name] = levers.get(name, 1.0) * float(value)
    if period is not None:
        for name, value in period.levers.items():
            levers[name] = levers.get(name, 1.0) * float(get_parameter(params, f"history.{value}"))
    system = dataclasses.replace(regime.system, budget_multiplier=regime.system.budget_multiplier * budget_index)
    return Regime(params, levers, system)


def history_period(cfg: JourneysConfig, year: int) -> HistoryPeriod | None:
    """The national period in force in `year` (None before the first)."""
    periods = [p for p in cfg.history.periods if p.from_year <= year]
    return max(periods, key=lambda p: p.from_year) if periods else None


def national_budget_share(cfg: JourneysConfig, params: Parameters, year: int) -> float:
    """The share of the documented budget in force nationally in `year`: the period's own share, or on its
    way from an earlier period's share to the whole budget (`budget_share_until`, linear by year)."""
    period = history_period(cfg, year)
    if period is None:
        return 1.0
    if period.budget_share is None:  # the last period that set a share may still be growing towards the whole
        earlier = [p for p in cfg.history.periods if p.from_year < period.from_year and p.budget_share is not None]
        period = max(earlier, key=lambda p: p.from_year) if earlier else None
        if period is None or period.budget_share_until is None:
            return 1.0
    share = float(get_parameter(params, f"history.{period.budget_share}"))
    if period.budget_share_until is None:
        return share
    grown = min(max((year - period.from_year) / (period.budget_share_until - period.from_year), 0.0), 1.0)
    return share + (1.0 - share) * grown


def _budget_level(cfg: JourneysConfig, params: Parameters, year: int) -> float:
    """The money in force in `year` relative to the start of the timelines: the national share (the
    history's periods) and the area's documented changes up to then."""
    level = national_budget_share(cfg, params, year)
    for change in cfg.area.timeline:
        if change.year <= year:
            level *= change.budget_multiplier
    return level


def money_index(cfg: JourneysConfig, params: Parameters, year: int) -> float:
    """The money in force in `year` relative to the area's documented budget (`area.budget_year`): the
    history and the area's documented changes, not a scenario's."""
    return _budget_level(cfg, params, year) / _budget_level(cfg, params, cfg.area.budget_year)


def regime_in(cfg: JourneysConfig, year: int) -> Regime:
    """What is in force in calendar year `year`: the history or the policy (at its stage), with the national
    period and the area's documented changes of that year and before (the same in every scenario)."""
    if has_history(cfg) and year < cfg.policy_year:
        base = before_policy(cfg)
    else:
        shares = ramp_shares(cfg)
        base = from_policy(cfg, shares[min(max(year - max(cfg.policy_year, cfg.start_year), 0), len(shares) - 1)])
    changes = sorted((c for c in cfg.area.timeline if c.year <= year), key=lambda c: c.year)
    index = _budget_level(cfg, base.params, year) / _budget_level(cfg, base.params, cfg.area.budget_year)
    return _with_changes(base, changes, history_period(cfg, year), index)


def change_years(cfg: JourneysConfig, first_year: int | None = None) -> list[int]:
    """The years after the first simulated one (`first_year`, default start_year) in which what is in
    force may change: documented changes, the policy year and the stages of a phased change."""
    first_year = cfg.start_year if first_year is None else first_year
    first_policy = max(cfg.policy_year, cfg.start_year)  # the policy's first year (the start, if no history)
    growing = {y for p in cfg.history.periods if p.budget_share_until is not None
               for y in range(p.from_year + 1, p.budget_share_until + 1)}  # the money changes every year
    years = ({c.year for c in cfg.area.timeline} | {p.from_year for p in cfg.history.periods} | growing
             | {first_policy + k for k in range(len(ramp_shares(cfg)))})
    return sorted(y for y in years if first_year < y < cfg.end_year)


def changes_at_policy(cfg: JourneysConfig) -> bool:
    """Whether anything differs from the policy year on (another system, or a scenario that changes something)."""
    return has_history(cfg) and before_policy(cfg) != from_policy(cfg)
