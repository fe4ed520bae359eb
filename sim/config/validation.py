"""Refuse bad input before a run starts, naming the field and what is allowed."""

import dataclasses
import difflib
import math
import re

from sim.config.designs import check as check_design
from sim.config.errors import ConfigError
from sim.config.parameters import CapacityParams, HistoryParams, Parameters
from sim.config.paths import CONFIG_DIR, project_path
from sim.config.policy import changes_at_policy, from_policy, regime_in
from sim.config.prices import price_factor
from sim.config.provenance import iter_parameters
from sim.config.redaction import has_secret, redact
from sim.config.schema import PERIODS, SAMPLERS, UNCERTAINTY, CalibrateConfig, JourneysConfig, ValidateConfig
from sim.domain.states import Modality, Route
from sim.domain.transitions import check_levers

MAX_STEPS_PER_YEAR = 365
MAX_SIMULATED_USERS = 5_000_000  # people simulated at the start: users and those in recovery
FIRST_YEAR, LAST_YEAR = 1990, 2100  # any year a run, a policy or a documented change names (NDTMS's forerunners on)
MAX_WARM_UP_YEARS = 50
PATH_NAME = re.compile(r"[A-Za-z0-9_-]+")  # a name that becomes part of a path
PATH_NAMES = ("area.name", "experiment.name", "study_name")  # run and sweep folders; a calibration's study


def check_path_name(path: str, value) -> None:
    """A name that makes folders (or names a study): letters, digits, _ and - only, so none can climb out of
    outputs/ (`area.name=../../x`)."""
    if value is not None and not PATH_NAME.fullmatch(str(value)):
        raise ConfigError(f"{path} = {str(value)!r}: letters, digits, _ and - only (it names folders)")


def _finite(path: str, value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{path} = {value!r}: expected a number") from None
    if not math.isfinite(x):
        raise ConfigError(f"{path} = {value}: expected a finite number")
    return x


def _rule(name: str):
    """(check, message) for a parameter from its name's unit suffix or prefix."""
    if name.endswith("_share"):
        return (lambda x: 0.0 <= x <= 1.0), "a share must lie in [0, 1]"
    if name.startswith("budget"):
        return (lambda x: x >= 0.0), "a budget must be >= 0 (GBP a year)"
    if name.endswith("_per_year") and "trend" not in name:
        return (lambda x: x >= 0.0), "a rate must be >= 0 (annual hazard)"
    if name.startswith(("hr_", "smr_")):
        return (lambda x: x >= 0.0), "a hazard ratio must be >= 0"
    if name.endswith(("_weeks", "_years")):
        return (lambda x: x > 0.0), "a duration must be > 0"
    if name.endswith(("_users", "_per_1000_15_64", "_per_user")):
        return (lambda x: x >= 0.0), "a count must be >= 0"
    return (lambda x: True), ""


def _documented_rule(prov):
    """(check, message) from a parameter's documented unit and range: a share or a utility lies in [0, 1]; a
    quantity whose calibration range is all >= 0 (a rate, ratio, count or price) cannot be negative."""
    if prov is None:
        return (lambda x: True), ""
    unit = prov.unit.lower()
    if unit.startswith(("share", "health-state utility", "probability")) and 0.0 <= prov.low <= prov.high <= 1.0:
        return (lambda x: 0.0 <= x <= 1.0), f"a {unit.split(' (')[0].split(' of ')[0]} must lie in [0, 1]"
    if prov.low >= 0.0:
        return (lambda x: x >= 0.0), f"must be >= 0 ({prov.unit})"
    return (lambda x: True), ""


def _check_numbers(node, prefix: str) -> None:
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        path = f"{prefix}.{f.name}"
        if dataclasses.is_dataclass(value):
            _check_numbers(value, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            x = _finite(path, value)
            for ok, why in (_rule(f.name), _documented_rule(f.metadata.get("provenance"))):
                if not ok(x):
                    raise ConfigError(f"{path} = {value}: {why}")


def _year(path: str, value, first: int = FIRST_YEAR, last: int = LAST_YEAR, why: str = "") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not first <= value <= last:
        raise ConfigError(f"{path} = {value!r}: a year from {first} to {last}{why}")


def _whole(path: str, value, low: int = 0, high: int | None = None, why: str = "") -> None:
    """A whole number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ConfigError(f"{path} = {value!r}: a whole number {allowed}{why}")


def _choices(name: str, allowed: list[str]) -> str:
    """'did you mean X? allowed: ...' for a misspelt name, the closest ones first."""
    close = difflib.get_close_matches(str(name), allowed, n=3, cutoff=0.6)
    return (f"did you mean {' or '.join(close)}? " if close else "") + f"allowed: {', '.join(allowed)}"


def _close_to_one(path: str, total: float, tol: float = 0.01) -> None:
    if abs(total - 1.0) > tol:
        raise ConfigError(f"{path}: shares sum to {total:.4f}; they must sum to 1")


def validate(cfg: JourneysConfig) -> JourneysConfig:
    """Check a config (a dataclass instance); return it unchanged or raise ConfigError."""
    _check_numbers(cfg.params, "params")
    area = cfg.area
    _check_numbers(area, "area")
    if area.ocu_users + area.other_drug_users <= 0:
        raise ConfigError(f"area ({area.name}): ocu_users + other_drug_users must be > 0")
    _close_to_one("area.opiate_only_share + opiate_and_crack_share + crack_only_share",
                  area.opiate_only_share + area.opiate_and_crack_share + area.crack_only_share)
    t = area.time_in_treatment
    for band in dataclasses.fields(t):
        if not 0.0 <= getattr(t, band.name) <= 1.0:
            raise ConfigError(f"area.time_in_treatment.{band.name} = {getattr(t, band.name)}: a share must lie in "
                              "[0, 1]")
    _close_to_one("area.time_in_treatment", t.under_1y + t.y1_to_2 + t.y2_to_4 + t.y4_to_6 + t.y6_plus)
    _year("area.budget_year", area.budget_year, why=" (the year budget_per_year is documented for)")
    if not area.age_profile:
        raise ConfigError("area.age_profile: needs at least one band (lower, upper, share)")
    for j, band in enumerate(area.age_profile):
        if not (15.0 <= band.lower < band.upper <= 100.0):
            raise ConfigError(f"area.age_profile[{j}]: need 15 <= lower < upper <= 100, got {band.lower}-{band.upper}")
        if not 0.0 <= band.share <= 1.0:
            raise ConfigError(f"area.age_profile[{j}].share = {band.share}: a share must lie in [0, 1]")
    _close_to_one("area.age_profile shares", sum(b.share for b in area.age_profile))
    bands = sorted(area.age_profile, key=lambda b: b.lower)
    for lo, hi in zip(bands, bands[1:]):
        if hi.lower < lo.upper:
            raise ConfigError(f"area.age_profile: bands {lo.lower:g}-{lo.upper:g} and {hi.lower:g}-{hi.upper:g} "
                              "overlap; each age belongs to one band")
    for a, b in (("injecting_current_share", "injecting_previous_share"),
                 ("living_with_children_share", "parent_not_living_with_children_share"),
                 ("ocu_in_treatment_share", "in_prison_share"),
                 ("other_drug_in_treatment_share", "in_prison_share")):
        if getattr(area, a) + getattr(area, b) > 1.0 + 1e-9:
            raise ConfigError(f"area.{a} + area.{b} = {getattr(area, a) + getattr(area, b):.3f}: must be <= 1")

    if not isinstance(cfg.steps_per_year, int) or not 1 <= cfg.steps_per_year <= MAX_STEPS_PER_YEAR:
        raise ConfigError(f"steps_per_year = {cfg.steps_per_year!r}: a whole number from 1 to {MAX_STEPS_PER_YEAR} "
                          "(52 = weekly, 365 = daily)")
    for path in PATH_NAMES:
        owner, _, name = path.rpartition(".")
        check_path_name(path, getattr(getattr(cfg, owner) if owner else cfg, name, None))
    _year("start_year", cfg.start_year)
    _year("end_year", cfg.end_year, FIRST_YEAR + 1, LAST_YEAR + 1, " (exclusive: the run covers start_year .. "
          "end_year - 1)")
    _year("policy_year", cfg.policy_year, why=" (at or before start_year: in force from the start)")
    _whole("warm_up_years", cfg.warm_up_years, 0, MAX_WARM_UP_YEARS, " (0: report from the state set at start_year)")
    if not cfg.start_year < cfg.end_year:
        raise ConfigError(f"start_year = {cfg.start_year}, end_year = {cfg.end_year}: start_year must be < end_year")
    if cfg.output.period not in PERIODS:
        raise ConfigError(f"output.period = {cfg.output.period!r}: allowed values are {', '.join(PERIODS)}")
    if cfg.output.period == "quarter" and cfg.steps_per_year % 4:
        raise ConfigError(f"steps_per_year = {cfg.steps_per_year}: quarterly output needs a multiple of 4")
    scale = _finite("population_scale", cfg.population_scale)
    if not scale > 0:
        raise ConfigError(f"population_scale = {cfg.population_scale}: must be > 0 (1 = one simulated person each)")
    users = (area.ocu_users + area.other_drug_users) * scale
    people = users * (1.0 + area.in_recovery_per_user)
    if not (1 <= users and people <= MAX_SIMULATED_USERS):
        count = f"{people:,.1f}" if people < 1e12 else f"{people:.3g}"
        raise ConfigError(f"population_scale = {cfg.population_scale}: {area.name} would start with {count} "
                          "simulated people (users, and those in recovery: area.in_recovery_per_user); allowed 1 to "
                          f"{MAX_SIMULATED_USERS:,}, at least one a user (about a gigabyte a million)")
    _whole("seed", cfg.seed)
    _whole("output.trace_people", cfg.output.trace_people, why=" (journeys logged person by person)")
    _year("output.price_year", cfg.output.price_year, why=" (money is reported in that year's prices)")
    # every index checked whether or not price_year uses it; another price year needs its own and 2012's
    price_factor(cfg.output.price_year, cfg.output.deflator)
    if cfg.uncertainty not in UNCERTAINTY:
        raise ConfigError(f"uncertainty = {cfg.uncertainty!r}: allowed values are {', '.join(UNCERTAINTY)}")
    if cfg.parameter_set is not None:
        _whole("parameter_set", cfg.parameter_set, why=" (a row of the calibration's ensemble)")
        if cfg.uncertainty != "posterior":
            raise ConfigError(f"parameter_set = {cfg.parameter_set}: needs uncertainty=posterior")
    check_design(cfg.design, cfg.params)
    try:
        check_levers(dict(cfg.levers))
    except ValueError as e:
        raise ConfigError(str(e)) from None
    for where in ("history_system", "system"):
        _check_system(cfg, where)
    _check_scenario(cfg)
    _check_timeline(cfg)
    for where in ("history_system", "system"):
        _check_money(cfg, where)
    _check_history(cfg)
    if isinstance(cfg, CalibrateConfig):
        _check_search(cfg)
    return cfg


def _check_search(cfg: CalibrateConfig) -> None:
    """How long and how a calibration (or validation) searches."""
    for name in ("n_trials", "seeds_per_trial", "min_accepted") + (("forecast_sets",) if isinstance(
            cfg, ValidateConfig) else ()):
        value = getattr(cfg, name)
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} = {value!r}: a whole number >= 1")
    if not isinstance(cfg.workers, int) or cfg.workers < 0:
        raise ConfigError(f"workers = {cfg.workers!r}: a whole number of processes >= 0 (0: one per core)")
    if not isinstance(cfg.ensemble_rounds, int) or cfg.ensemble_rounds < 0:
        raise ConfigError(f"ensemble_rounds = {cfg.ensemble_rounds!r}: a whole number >= 0 (0: the search's accepted "
                          "trials as they are)")
    if not 0 < _finite("relative_error", cfg.relative_error) < 1:
        raise ConfigError(f"relative_error = {cfg.relative_error}: the sd of a figure without a range, as a share "
                          "of it: in (0, 1)")
    if cfg.sampler not in SAMPLERS:
        raise ConfigError(f"sampler = {cfg.sampler!r}: allowed values are {', '.join(SAMPLERS)}")
    targets = project_path(cfg.targets_file)
    if not targets.is_file():
        why = "is a folder" if targets.is_dir() else "does not exist"
        raise ConfigError(f"targets_file = {cfg.targets_file!r}: {targets} {why}; give a targets CSV or an NDTMS "
                          "extract (a path, or relative to the project)")
    if cfg.storage is not None and has_secret(str(cfg.storage)):
        raise ConfigError(f"storage={redact(str(cfg.storage))}: no password in the URL (it would be written into the "
                          "run folder); give it in PGPASSWORD or ~/.pgpass")
    _check_free(list(cfg.free), cfg.params)
    if isinstance(cfg, ValidateConfig) and cfg.transfer is not None:
        known = sorted(p.stem for p in (CONFIG_DIR / "area").glob("*.yaml"))
        for area in cfg.transfer:
            if area not in known:
                close = difflib.get_close_matches(str(area), known, n=2)
                raise ConfigError(f"transfer: area {area!r} has no config (configs/area/); allowed: {', '.join(known)}"
                                  + (f"; did you mean {' or '.join(close)}?" if close else ""))
    if isinstance(cfg, ValidateConfig) and not cfg.start_year <= cfg.cutoff_year <= cfg.end_year - 2:
        raise ConfigError(f"cutoff_year = {cfg.cutoff_year}: fitted up to it, forecast after it: from start_year "
                          f"({cfg.start_year}) to end_year - 2 ({cfg.end_year - 2})")


def _check_free(names: list[str], params: Parameters) -> None:
    """A calibration's free parameters: each a parameter with a documented range to search (not a fixed one)."""
    documented = {name: prov for name, _, prov in iter_parameters(params)}
    if not names:
        raise ConfigError("free: name at least one parameter to fit (e.g. free=[treatment.planned_exit_per_year])")
    for name in names:
        if name not in documented:
            close = difflib.get_close_matches(str(name), list(documented), n=3, cutoff=0.6)
            hint = (f"did you mean {' or '.join(close)}?" if close
                    else "the names are section.parameter, as in calibration/parameters.csv")
            raise ConfigError(f"free: {name!r} is not a parameter; {hint}")
        prov = documented[name]
        if not prov.low < prov.high:
            raise ConfigError(f"free: {name!r} is fixed by its documentation (range {prov.low}-{prov.high}); "
                              "allowed: a parameter with a range (calibration/parameters.csv)")
    if len(set(names)) != len(names):
        raise ConfigError(f"free: {sorted({n for n in names if names.count(n) > 1})} named more than once")


EARLIEST_RECORDS_YEAR = 1990  # NDTMS's regional forerunners date from the 1990s; no treatment records before


def _check_history(cfg: JourneysConfig) -> None:
    """The national periods name `params.history` parameters and real levers, in order, with sources."""
    names = [f.name for f in dataclasses.fields(HistoryParams)]
    years = [p.from_year for p in cfg.history.periods]
    for j, year in enumerate(years):
        _year(f"history.periods[{j}].from_year", year)
    if years != sorted(set(years)):
        raise ConfigError(f"history.periods: from_year must increase, one period a year; got {years}")
    records = cfg.history.ndtms_records_from
    if records is not None:
        if not EARLIEST_RECORDS_YEAR <= records <= cfg.end_year:
            raise ConfigError(f"history.ndtms_records_from = {records}: the year NDTMS's records begin, "
                              f"{EARLIEST_RECORDS_YEAR}-{cfg.end_year} (the run's end), or null for records older than "
                              "the run")
        if not cfg.history.ndtms_records_sources:
            raise ConfigError("history.ndtms_records_sources: name the seed figures that date the records")
    for j, period in enumerate(cfg.history.periods):
        where = f"history.periods[{j}] ({period.from_year})"
        if not period.sources:
            raise ConfigError(f"{where}.sources: name the seed figures it rests on, or [assumption]")
        try:
            check_levers({k: 1.0 for k in period.levers})
        except ValueError as e:
            raise ConfigError(f"{where}.{e}") from None
        used = [("budget_share", period.budget_share)] if period.budget_share is not None else []
        until = period.budget_share_until
        if until is not None and (period.budget_share is None or not period.from_year < until <= 2100):
            raise ConfigError(f"{where}.budget_share_until = {until}: the year the money reaches the documented "
                              f"budget, after from_year ({period.from_year}), with a budget_share to start from")
        for field_name, value in [*used, *((f"levers.{k}", v) for k, v in period.levers.items())]:
            if value not in names:
                raise ConfigError(f"{where}.{field_name} = {value!r}: not a params.history parameter; allowed: "
                                  f"{', '.join(names)}")


COMMISSIONED_MODALITIES = [m.name.lower() for m in Modality if m != Modality.RECOVERY_SUPPORT]  # in a mix or lever
TIERS = (0, 2, 3, 4)  # ProviderConfig.tier: 0 integrated, 2 open access, 3 structured community, 4 inpatient


def _check_system(cfg: JourneysConfig, where: str) -> None:
    """A system's pathways: real routes and modalities, shares in [0, 1], rates and weights >= 0, hand-offs to a
    service of the same system."""
    system = getattr(cfg, where)
    routes = [r.name.lower() for r in Route]
    modalities = COMMISSIONED_MODALITIES
    names = [p.name for p in system.providers]
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}.providers: each service needs its own name; got {names}")
    _multiplier(f"{where}.handoff_per_year", system.handoff_per_year)
    for name, value in system.modality_mix_multipliers.items():
        if name not in modalities:
            raise ConfigError(f"{where}.modality_mix_multipliers.{name}: unknown modality; allowed: "
                              f"{', '.join(modalities)}")
        _multiplier(f"{where}.modality_mix_multipliers.{name}", value)
    for p in system.providers:
        at = f"{where}.providers[{p.name}]"
        if p.tier not in TIERS:
            raise ConfigError(f"{at}.tier = {p.tier!r}: allowed values are {', '.join(map(str, TIERS))}")
        if not 0.0 <= _finite(f"{at}.handoff_success_share", p.handoff_success_share) <= 1.0:
            raise ConfigError(f"{at}.handoff_success_share = {p.handoff_success_share}: a share must lie in [0, 1]")
        for route, share in p.routes.items():
            if route not in routes:
                raise ConfigError(f"{at}.routes.{route}: unknown referral route; allowed: {', '.join(routes)}")
            if not 0.0 <= _finite(f"{at}.routes.{route}", share) <= 1.0:
                raise ConfigError(f"{at}.routes.{route} = {share}: the share of the route's referrals, in [0, 1]")
        for mix_name in ("opiate_modalities", "non_opiate_modalities"):
            mix = getattr(p, mix_name)
            for modality, weight in mix.items():
                if modality not in modalities:
                    raise ConfigError(f"{at}.{mix_name}.{modality}: unknown modality; allowed: {', '.join(modalities)}")
                _multiplier(f"{at}.{mix_name}.{modality}", weight)
            if mix and not sum(mix.values()) > 0:
                raise ConfigError(f"{at}.{mix_name}: the shares at admission sum to 0; give at least one modality")
        if p.hands_off_opiate_to is not None and p.hands_off_opiate_to not in names:
            raise ConfigError(f"{at}.hands_off_opiate_to = {p.hands_off_opiate_to!r}: not a service of {system.name}; "
                              f"allowed: {', '.join(n for n in names if n != p.name)}")
        if p.modality_after_handoff not in modalities:
            raise ConfigError(f"{at}.modality_after_handoff = {p.modality_after_handoff!r}: unknown modality; allowed: "
                              f"{', '.join(modalities)}")


def _check_money(cfg: JourneysConfig, where: str) -> None:
    """A system shares out all of the area's money, and the area has money to share."""
    system = getattr(cfg, where)
    _multiplier(f"{where}.budget_multiplier", system.budget_multiplier)
    kinds = [f.name for f in dataclasses.fields(CapacityParams)]
    for p in system.providers:
        if p.capacity is not None and p.capacity not in kinds:
            raise ConfigError(f"{where}.providers[{p.name}].capacity = {p.capacity!r}: not a params.capacity weight; "
                              f"allowed: {', '.join(kinds)} (or null: the reference, weight 1)")
    shares = [(p.name, p.budget_share) for p in system.providers if p.budget_share is not None]
    for name, share in shares:
        if not 0.0 <= _finite(f"{where}.providers[{name}].budget_share", share) <= 1.0:
            raise ConfigError(f"{where}.providers[{name}].budget_share = {share}: a share must lie in [0, 1]")
    if shares:
        _close_to_one(f"{where}.providers budget_share ({system.name})", sum(s for _, s in shares))
        if not _finite("area.budget_per_year", cfg.area.budget_per_year) > 0:
            raise ConfigError(f"area.budget_per_year = {cfg.area.budget_per_year}: area {cfg.area.name} needs its "
                              f"annual treatment budget in GBP (> 0) to pay {where} {system.name}'s services")


def _check_change(where: str, params: dict, levers: dict, budget_multiplier: float) -> None:
    """A set of changes (a scenario's, or a documented one of the area) names real parameters and levers."""
    sections = [f.name for f in dataclasses.fields(Parameters)]
    for section, values in params.items():
        if section not in sections:
            raise ConfigError(f"{where}.params.{section}: not a parameter section; {_choices(section, sections)}")
        names = [f.name for f in dataclasses.fields(getattr(Parameters(), section))]
        for name in values:
            if name not in names:
                raise ConfigError(f"{where}.params.{section}.{name}: not a parameter; {_choices(name, names)}")
    try:
        check_levers(dict(levers))
    except ValueError as e:
        raise ConfigError(f"{where}.{e}") from None
    _multiplier(f"{where}.budget_multiplier", budget_multiplier)


def _multiplier(path: str, value) -> None:
    """A multiplier is a finite number >= 0."""
    x = _finite(path, value)
    if x < 0:
        raise ConfigError(f"{path} = {x}: must be >= 0")


def _check_timeline(cfg: JourneysConfig) -> None:
    """The area's documented changes: real names, years inside the run, and no two in one year."""
    years = [c.year for c in cfg.area.timeline]
    for j, change in enumerate(cfg.area.timeline):
        where = f"area.timeline[{j}] ({change.year})"
        _year(f"area.timeline[{j}].year", change.year)
        _check_change(where, change.params, change.levers, change.budget_multiplier)
        if not change.sources:
            raise ConfigError(f"{where}.sources: name the seed figures it rests on, or [assumption]")
    if len(set(years)) != len(years):
        raise ConfigError(f"area.timeline: one entry a year, got years {years}")
    for j, change in enumerate(cfg.area.timeline):
        _check_numbers(regime_in(cfg, max(change.year, cfg.start_year)).params, f"params (with area.timeline[{j}])")


def _check_scenario(cfg: JourneysConfig) -> None:
    """The scenario's changes name real parameters, levers and modalities, and fall inside the run."""
    sc = cfg.scenario
    _check_change("scenario", sc.params, sc.levers, sc.budget_multiplier)
    if not isinstance(sc.ramp_years, int) or sc.ramp_years < 0:
        raise ConfigError(f"scenario.ramp_years = {sc.ramp_years!r}: a whole number of years >= 0 (0: in full at once)")
    modalities = COMMISSIONED_MODALITIES
    for name, value in sc.modality_mix_multipliers.items():
        if name not in modalities:
            raise ConfigError(f"scenario.modality_mix_multipliers.{name}: unknown modality; allowed: "
                              f"{', '.join(modalities)}")
        if _finite(f"scenario.modality_mix_multipliers.{name}", value) < 0:
            raise ConfigError(f"scenario.modality_mix_multipliers.{name} = {value}: must be >= 0")
    _check_numbers(from_policy(cfg).params, "params (with scenario.params)")
    if changes_at_policy(cfg) and cfg.policy_year >= cfg.end_year:
        raise ConfigError(f"policy_year = {cfg.policy_year}: system {cfg.system.name!r} and scenario "
                          f"{cfg.scenario.name!r} act from then, but the run ends before it (end_year = "
                          f"{cfg.end_year}, exclusive); set a later end_year or an earlier policy_year")
