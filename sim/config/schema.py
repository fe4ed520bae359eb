"""Structured configs (Hydra/OmegaConf dataclasses): what one run is.

A run is an area, a commissioned system, a scenario, the parameters (`sim.config.parameters`),
levers, a time grid, a seed and the output wanted. Hydra composes these from `configs/`;
`as_config` turns the composed config into these dataclasses. The allowed values of the
fields that take a name are listed here, next to the fields.
"""

import dataclasses
import difflib
from dataclasses import dataclass, field

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, ListConfig, OmegaConf

from sim.config.designs import DesignConfig
from sim.config.errors import ConfigError
from sim.config.parameters import Parameters

PERIODS = ("year", "quarter")  # output.period
UNCERTAINTY = ("none", "posterior")  # uncertainty
SAMPLERS = ("tpe", "cmaes")  # sampler (journeys-calibrate): multivariate TPE, or CMA-ES (for many free parameters)


@dataclass
class AgeBand:
    lower: float
    upper: float
    share: float


@dataclass
class TimeInTreatment:
    """DOMES bands of elapsed time in treatment for the current caseload (shares sum to 1)."""

    under_1y: float = 0.30
    y1_to_2: float = 0.14
    y2_to_4: float = 0.21
    y4_to_6: float = 0.14
    y6_plus: float = 0.21


@dataclass
class TimelineChange:
    """A documented change in an area's treatment system, in force from 1 January of `year` in every
    scenario (the history a projection starts from): money, hazard levers, parameter values."""

    year: int = 0
    note: str = ""
    sources: list[str] = field(default_factory=list)  # seed-figure ids, or ["assumption"]
    budget_multiplier: float = 1.0  # on the area's treatment budget (every provider's money)
    levers: dict[str, float] = field(default_factory=dict)  # hazard or family name -> multiplier
    params: dict[str, dict[str, float]] = field(default_factory=dict)  # section -> parameter -> new value


@dataclass
class HistoryPeriod:
    """A period of England's treatment system, in force from 1 January of `from_year` until the next one,
    in every area and every scenario. Its size is in `params.history` (fitted to England)."""

    from_year: int = 0
    note: str = ""
    sources: list[str] = field(default_factory=list)  # seed-figure ids, or ["assumption"]
    budget_share: str | None = None  # params.history parameter: share of the documented budget in force
    # the year the money reaches the documented budget: the share rises linearly from `budget_share` in from_year
    # to 1 then, through later periods that set no share of their own (None: the share holds through the period)
    budget_share_until: int | None = None
    levers: dict[str, str] = field(default_factory=dict)  # hazard or family name -> params.history parameter


@dataclass
class NationalHistory:
    """The national timeline every projection starts from (config group `history`; `history=none`: constant)."""

    name: str = "none"
    description: str = ""
    periods: list[HistoryPeriod] = field(default_factory=list)
    # the year NDTMS's records begin: its "new to treatment" means no treatment since then (None: before any run)
    ndtms_records_from: int | None = None
    ndtms_records_sources: list[str] = field(default_factory=list)


@dataclass
class AreaConfig:
    """A local area (or England): its documented users, treatment population and profile.

    One small YAML file under configs/area/ per area; `sources` lists the seed-figure
    ids it uses (checked by a test). Counts are people aged 15-64 unless stated.
    """

    name: str = "???"
    description: str = ""
    ocu_users: float = MISSING  # opiate and/or crack users at the start year (required: an area file states it)
    # the documented annual investment in adult drug treatment (GBP a year, real terms), in force from the
    # start; `timeline` entries scale it in later years; the commissioned system shares it between providers
    budget_per_year: float = 0.0
    budget_year: int = 2008  # the year it is documented for (the national history scales other years)
    ocu_per_1000_15_64: float | None = None  # documented rate, for reference
    opiate_only_share: float = 0.4  # of OCU
    opiate_and_crack_share: float = 0.45
    crack_only_share: float = 0.15
    other_drug_users: float = MISSING  # dependent users of drugs other than opiates and crack (required, may be 0)
    ocu_in_treatment_share: float = 0.5  # in treatment during the start year (NDTMS penetration), of OCU
    other_drug_in_treatment_share: float = 0.4
    # of a year's clients, the share in treatment on a given day (the start date); documented locally as
    # (in treatment during the year - new journeys in it) / in treatment during the year
    in_treatment_now_per_year_share: float = 0.646
    never_treated_share_of_untreated: float = 0.6
    in_prison_share: float = 0.05
    in_recovery_per_user: float = 0.1  # people in sustained recovery at the start, per current user
    male_share: float = 0.73
    age_profile: list[AgeBand] = field(
        default_factory=lambda: [AgeBand(15, 25, 0.15), AgeBand(25, 35, 0.45), AgeBand(35, 65, 0.40)]
    )
    time_in_treatment: TimeInTreatment = field(default_factory=TimeInTreatment)
    timeline: list[TimelineChange] = field(default_factory=list)  # documented changes over the years
    injecting_current_share: float = 0.33  # of opiate users
    injecting_previous_share: float = 0.3
    criminal_justice_share: float = 0.25
    housing_need_share: float = 0.25
    mental_health_share: float = 0.3
    living_with_children_share: float = 0.2
    parent_not_living_with_children_share: float = 0.3
    sources: list[str] = field(default_factory=list)


@dataclass
class ProviderConfig:
    """One commissioned service (a mesa Agent in the model)."""

    name: str = "???"
    tier: int = 3  # 2 open access, 3 structured community, 4 inpatient/residential; 0 integrated
    # share of the area's budget paid to this service (the shares of a system sum to 1); it admits while
    # its clients' care costs less than that money (null: an unfunded service with unlimited places)
    budget_share: float | None = None
    # the kind of service whose params.capacity weight moves its share (the England fit; null: weight 1)
    capacity: str | None = None
    routes: dict[str, float] = field(default_factory=dict)  # referral route -> share of that route it receives
    opiate_modalities: dict[str, float] = field(default_factory=dict)  # modality -> share at admission
    non_opiate_modalities: dict[str, float] = field(default_factory=dict)
    hands_off_opiate_to: str | None = None  # tier 2 service passing opiate clients to a prescribing service
    handoff_success_share: float = 1.0  # chance a hand-off is picked up by the receiving service
    modality_after_handoff: str = "specialist_prescribing"


@dataclass
class SystemConfig:
    """A commissioning configuration: which providers, which pathways (config group `system`; the same
    group fills `history_system`, the system in force before the policy year)."""

    name: str = "???"
    description: str = ""
    providers: list[ProviderConfig] = field(default_factory=list)
    handoff_per_year: float = 6.0  # tier 2 -> tier 3 hand-off hazard for opiate clients once engaged
    budget_multiplier: float = 1.0  # on the area's budget (a scenario multiplies it from the policy year)
    modality_mix_multipliers: dict[str, float] = field(default_factory=dict)  # modality -> weight in every mix
    sources: list[str] = field(default_factory=list)


@dataclass
class ScenarioConfig:
    """What a commissioner changes from the policy year (config group `scenario`), with its documentation.

    Everything here acts from `policy_year` on; before it, the run follows the documented history.
    """

    name: str = "baseline"
    label: str = ""  # what a commissioner calls it, for reports ("10% budget cut"); empty: the name in words
    description: str = ""
    assumptions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    levers: dict[str, float] = field(default_factory=dict)  # hazard or family name -> multiplier
    params: dict[str, dict[str, float]] = field(default_factory=dict)  # section -> parameter -> new value
    budget_multiplier: float = 1.0  # on the money every provider is paid
    modality_mix_multipliers: dict[str, float] = field(default_factory=dict)  # modality -> weight in every mix
    ramp_years: int = 0  # 0: in full from the policy year; k: a k-th more of the change each year (full in year k)


@dataclass
class CalibrationRef:
    """Which calibration the parameters come from (config group `calibration`, one file per area).

    `configs/calibration/<area>.yaml` sets the best-fitting parameters of the shipped
    calibration and names its ensemble (`calibration/<area>/ensemble.csv`); `calibration=none`
    runs on the documented defaults.
    """

    name: str = "none"
    ensemble: str | None = None  # parameter sets accepted by the calibration (CSV), relative to the project
    record: str | None = None  # the folder holding its provenance, fit report and posterior table


@dataclass
class ExperimentConfig:
    """A named sweep (config group `experiment`, used as `journeys +experiment=<name>`)."""

    name: str = "none"
    description: str = ""


@dataclass
class OutputConfig:
    period: str = "year"  # PERIODS: "year" or "quarter"
    figures: bool = True
    trace_people: int = 200  # journeys logged person by person (events.csv)
    print_summary: bool = True
    price_year: int = 2012  # money reported in this year's prices (sim.outputs.prices: the model's are 2012's)
    deflator: dict[int, float] = field(default_factory=dict)  # price index by year, for another price_year


@dataclass
class JourneysConfig:
    """One projection: an area, parameters, levers, a time grid and a seed."""

    area: AreaConfig = field(default_factory=AreaConfig)
    system: SystemConfig = field(default_factory=SystemConfig)  # commissioned from policy_year
    history_system: SystemConfig = field(default_factory=SystemConfig)  # the area's documented system before it
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)  # changes made from policy_year
    history: NationalHistory = field(default_factory=NationalHistory)  # England's documented timeline
    params: Parameters = field(default_factory=Parameters)  # the whole run (assumptions, calibrated values)
    levers: dict[str, float] = field(default_factory=dict)  # the whole run: hazard name -> multiplier
    seed: int = 1
    start_year: int = 2005
    end_year: int = 2033  # exclusive: the projection covers start_year .. end_year - 1
    policy_year: int = 2027  # system= and scenario= act from Jan 1 of this year (<= start_year: from the start)
    # simulated before start_year from the documented state and not reported: no start-up transients
    warm_up_years: int = 2
    steps_per_year: int = 52
    population_scale: float = 1.0  # simulated people per real person (0.1 = a tenth)
    calibration: CalibrationRef = field(default_factory=CalibrationRef)
    uncertainty: str = "none"  # UNCERTAINTY: "none" the calibrated point; "posterior" a parameter set from the ensemble
    parameter_set: int | None = None  # which ensemble row (default with posterior: drawn from the seed)
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    design: DesignConfig = field(default_factory=DesignConfig)  # sensitivity designs (sim.config.designs)
    onset: bool = True  # new users enter
    ageing: bool = True
    output: OutputConfig = field(default_factory=OutputConfig)


@dataclass
class CalibrateConfig(JourneysConfig):
    """`journeys-calibrate`: a projection config plus what to fit and how long to search."""

    targets_file: str = "calibration/targets/documented.csv"  # targets schema or an NDTMS extract
    n_trials: int = 50
    seeds_per_trial: int = 2  # a trial's fit is scored at the mean of its seeds' simulated values
    relative_error: float = 0.05  # sd/value of a documented figure that states no range (sim.calibration.likelihood)
    free: list[str] = field(default_factory=lambda: [
        "presentation.naive_per_year", "presentation.previous_per_year", "treatment.planned_exit_per_year",
        "treatment.unplanned_exit_per_year", "treatment.maintenance_share_opiate",
        "treatment.hr_non_opiate_planned_exit",
        "recovery.represent_first_6m_per_year", "referral.criminal_justice_share", "treatment.hr_maintenance_exit",
    ])
    min_accepted: int = 100  # the ensemble keeps at least this many parameter sets (sim.calibration.ensemble)
    ensemble_rounds: int = 20  # rounds of moves spreading min_accepted sets over the region (sim.calibration.explore)
    start_from_shipped: bool = True  # a new study's first trial: the area's shipped calibration, if any
    ship: bool = False  # also install the result as the area's calibration (calibration/<area>/, configs/calibration/)
    storage: str | None = None  # SQLAlchemy URL or SQLite file; default: one per area and question (default_storage)
    study_name: str | None = None  # default: the area name
    workers: int = 0  # processes taking trials at once (0: one per core; 1: a search reproducible trial for trial)
    sampler: str = "tpe"  # the search: "tpe" (multivariate TPE) or "cmaes" (CMA-ES: for many free parameters)


@dataclass
class ValidateConfig(CalibrateConfig):
    """`journeys-validate`: a calibration on the figures up to a cut-off year, its forecasts of the later ones,
    and its transfer to local areas (sim.calibration.backtest)."""

    cutoff_year: int = 2009  # fitted: figures of years up to and including it; forecast: the later ones
    transfer: list[str] | None = None  # local areas run on the fit unrefitted; None: for england, every area of
    # the targets file without a calibration of its own
    forecast_sets: int = 100  # accepted parameter sets forecast with (drawn at random from all), one run each


def register_configs() -> None:
    """Make the schemas known to Hydra (configs/journeys.yaml and calibrate.yaml start from them)."""
    cs = ConfigStore.instance()
    cs.store(name="journeys_schema", node=JourneysConfig)
    cs.store(name="calibrate_schema", node=CalibrateConfig)
    cs.store(name="validate_schema", node=ValidateConfig)


def unknown_keys(node, path: str = "") -> list[tuple[str, list[str]]]:
    """Each key of a structured node that its dataclass does not declare, dotted, with the names it does.

    Hydra's `+key=value` adds a key that the schema lacks and runs on (its own hint for a typo suggests
    it), and OmegaConf then drops it: `+seeed=3` would run seed 1. Free-form mappings (levers, a
    scenario's parameters) are checked where they are used.
    """
    found = []
    if isinstance(node, DictConfig) and dataclasses.is_dataclass(OmegaConf.get_type(node)):
        allowed = [f.name for f in dataclasses.fields(OmegaConf.get_type(node))]
        for key in node.keys():
            where = f"{path}.{key}" if path else str(key)
            if key in allowed:
                found += unknown_keys(node._get_node(key), where)
            else:
                found.append((where, allowed))
    elif isinstance(node, ListConfig):
        for k in range(len(node)):
            found += unknown_keys(node._get_node(k), f"{path}[{k}]")
    return found


def refuse_unknown_keys(cfg: DictConfig) -> None:
    """One line naming the first unknown key, the closest allowed names or the allowed ones."""
    unknown = unknown_keys(cfg)
    if not unknown:
        return
    where, allowed = unknown[0]
    more = f" (and {len(unknown) - 1} more unknown)" if len(unknown) > 1 else ""
    raise ConfigError(unknown_key_message(where, allowed) + more)


def unknown_key_message(where: str, allowed: list[str]) -> str:
    """'seeed: unknown key, not a setting of the run; did you mean seed?' (or the names allowed there)."""
    key = where.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(close)}?" if close
            else f"allowed here: {', '.join(allowed[:12])}{', ...' if len(allowed) > 12 else ''}")
    return f"{where}: unknown key, not a setting of the run; {hint}"


def as_config(cfg) -> JourneysConfig:
    """A JourneysConfig dataclass from a Hydra/OmegaConf config or a dataclass; a key the schema does not
    declare is refused (`refuse_unknown_keys`)."""
    if isinstance(cfg, JourneysConfig):
        return cfg
    if isinstance(cfg, DictConfig):
        refuse_unknown_keys(cfg)
        obj = OmegaConf.to_object(cfg)
        if isinstance(obj, JourneysConfig):
            return obj
    raise TypeError(f"expected a JourneysConfig or its OmegaConf form, got {type(cfg).__name__}")


_RESOLVED = "_resolved"  # an attribute, not a field: OmegaConf (and the config hash) never see it


def mark_resolved(cfg: JourneysConfig) -> JourneysConfig:
    """Say that cfg is validated and carries its design point and parameter set (sim.projection.resolve)."""
    cfg.__dict__[_RESOLVED] = True
    return cfg


def is_resolved(cfg: JourneysConfig) -> bool:
    return bool(cfg.__dict__.get(_RESOLVED, False))
