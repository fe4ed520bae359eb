"""The dashboard's one computation: the baseline and the user's choice, run paired on the same seeds.

The baseline is the area's documented system carried on (the default `system` and `scenario`); the
choice is the chosen system and scenario from the policy year, with the lever sliders' values as the
scenario's own. Both use the project's composition (`sim.load_config`), validation and `sim.run`, so a
bad value is refused with the message `journeys` gives. Same seed, same draws: every year before the
policy year is the same in both runs, so a difference is the choice's doing, not chance.

The sliders are the factors of the shipped sensitivity design (configs/experiment/sensitivity.yaml:
the main levers and least certain parameters with their plausible ranges), so there is one list of
levers and ranges. Each range is widened to take the chosen scenario's own value and the value with
no change (1, or the area's parameter), so the shipped scenario and "no change" can both be set.

Runs are cached by what makes them (a slider change reruns the choice only) and run one at a time:
Hydra's composition and numba's thread pool are process-wide.
"""

import copy
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from hydra.errors import HydraException
from omegaconf import OmegaConf

from sim.config.errors import ConfigError
from sim.config.paths import CONFIG_DIR
from sim.config.provenance import get_parameter
from sim.config.schema import JourneysConfig
from sim.config.validation import validate
from sim.projection.simulate import load_config, run
from sim.sweeps.summary import HEADLINES, HIGH, LOW, run_headlines, years_label

_JOURNEYS = OmegaConf.load(CONFIG_DIR / "journeys.yaml")
DEFAULT_POLICY_YEAR = int(_JOURNEYS.policy_year)
# the default area, system and scenario (configs/journeys.yaml): the baseline is the default system and scenario
DEFAULTS = {group: name for entry in OmegaConf.to_container(_JOURNEYS.defaults, resolve=False)
            if isinstance(entry, dict) for group, name in entry.items() if group in ("area", "system", "scenario")}
MAX_SEEDS = 20  # a choice is 2 x seeds runs; 20 keeps a local area under half a minute
BASELINE = DEFAULTS["scenario"]  # the reference scenario, in the table's and the figures' words "baseline"
DESIGN = CONFIG_DIR / "experiment" / "sensitivity.yaml"

# the series the page draws (measure, group) and the headlines its table shows (sim.sweeps.summary)
SERIES = (("in_treatment", "all"), ("exits_successful", "all"), ("deaths_drug_related", "all"),
          ("waiting_over_3_weeks_share", "all"), ("cost", "all"), ("benefit_cost_ratio_in_year", "all"))
TABLE = ("in_treatment_end", "successful_completions", "drug_related_deaths", "deaths", "waiting_over_3_weeks_share",
         "cost", "benefit_cost_ratio", "net_benefit")
KEPT = {*SERIES, *((h.measure, h.group) for h in HEADLINES), *((h.per, h.group) for h in HEADLINES if h.per)}

LABELS = {  # the design's factors in a commissioner's words; another factor gets its name in words
    "system.budget_multiplier": "Money for treatment (x)",
    "levers.presentation": "Presentations to treatment (x)",
    "levers.planned_exit": "Planned exits (x)",
    "levers.unplanned_exit": "Unplanned exits, drop-out (x)",
    "levers.drug_related_death": "Drug-related deaths (x)",
    "levers.represent_from_recovery": "Re-presentation after completion (x)",
    "params.treatment.maintenance_share_opiate": "Long-term maintenance, share of opiate episodes",
    "params.modality.aftercare_share": "Aftercare, share of completers",
}


# ---------------------------------------------------------------- what can be chosen


def _yaml(group: str, name: str) -> dict:
    node = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / group / f"{name}.yaml"))
    return node.get(group, node) if group == "scenario" else node  # scenarios are `# @package _global_`


def options(group: str) -> dict[str, str]:
    """The shipped configs of a group (area, system, scenario) as name -> label: a scenario's `label` when its
    file has one, a system's description up to its colon, an area's name capitalised."""
    out = {}
    for path in sorted((CONFIG_DIR / group).glob("*.yaml")):
        node = _yaml(group, path.stem)
        if node.get("label"):
            label = node["label"]
        elif group == "system" and node.get("description"):
            label = node["description"].split(":")[0]
        else:
            label = path.stem.replace("_", " ").capitalize() if group == "scenario" else path.stem.title()
        out[path.stem] = label
    if group == "scenario" and BASELINE in out:  # the reference first
        out = {BASELINE: out.pop(BASELINE), **out}
    return out


def description(group: str, name: str) -> str:
    return str(_yaml(group, name).get("description", ""))


@dataclass(frozen=True)
class Lever:
    """A slider: a design factor, its label, its range and its value with the chosen scenario."""

    name: str  # levers.<hazard or family>, params.<section>.<name> or system.budget_multiplier
    label: str
    low: float
    high: float
    value: float

    @property
    def step(self) -> float:
        return 0.01 if self.high - self.low <= 2 else 0.05

    def moved(self, value: float) -> bool:
        """Whether a slider at `value` changes the scenario's value: the slider shows values on its steps only
        (0.63 for a calibrated 0.6278), so one within half a step of it is the scenario's value."""
        return abs(value - self.value) > self.step / 2


def design_ranges() -> dict[str, tuple[float, float]]:
    """The sensitivity design's factors and their plausible [low, high]."""
    factors = OmegaConf.to_container(OmegaConf.load(DESIGN))["design"]["factors"]
    return {name: (float(lo), float(hi)) for name, (lo, hi) in factors.items()}


def scenario_value(cfg: JourneysConfig, name: str) -> float:
    """What the composed config's scenario sets a factor to from the policy year (no change: 1, or the run's
    parameter value)."""
    section, _, rest = name.partition(".")
    sc = cfg.scenario
    if section == "levers":
        return float(sc.levers.get(rest, 1.0))
    if section == "params":
        group, _, param = rest.partition(".")
        return float(sc.params.get(group, {}).get(param, get_parameter(cfg.params, rest)))
    if name == "system.budget_multiplier":
        return float(sc.budget_multiplier)
    raise ConfigError(f"{name}: a lever is levers.<hazard>, params.<section>.<name> or system.budget_multiplier")


_COMPOSING = threading.Lock()  # Hydra's composition is process-wide state
_RUNNING = threading.Lock()  # one run at a time: numba's parallel layer is process-wide


_COMPOSED: dict[tuple[str, ...], JourneysConfig] = {}


def compose(overrides: list[str]) -> JourneysConfig:
    """`sim.load_config`, one at a time and once for each list of overrides (a copy each call: callers change
    it); Hydra's refusal of a name as one line (its text, lines joined)."""
    key = tuple(overrides)
    with _COMPOSING:
        if key not in _COMPOSED:
            try:
                _COMPOSED[key] = load_config(overrides)
            except HydraException as e:
                raise ConfigError(" ".join(str(e).split())) from None
        return copy.deepcopy(_COMPOSED[key])


def levers(area: str, scenario: str) -> tuple[Lever, ...]:
    """The sliders for a scenario in an area: each factor's range (widened to the scenario's value and to no
    change) and the scenario's value."""
    cfg = compose([f"area={area}", f"scenario={scenario}"])
    base = compose([f"area={area}"]) if scenario != BASELINE else cfg
    out = []
    for name, (low, high) in design_ranges().items():
        value, unchanged = scenario_value(cfg, name), scenario_value(base, name)
        out.append(Lever(name, LABELS.get(name, name.rsplit(".", 1)[-1].replace("_", " ").capitalize()),
                         min(low, value, unchanged), max(high, value, unchanged), value))
    return tuple(out)


# ---------------------------------------------------------------- a choice and its runs


@dataclass(frozen=True)
class Choice:
    """What the user chose: everything the paired runs depend on (hashable: it keys the page's task)."""

    area: str = DEFAULTS["area"]
    system: str = DEFAULTS["system"]
    scenario: str = DEFAULTS["scenario"]
    policy_year: int = DEFAULT_POLICY_YEAR
    levers: tuple[tuple[str, float], ...] = ()  # factor name -> value from the policy year
    seeds: int = 5


def check_seeds(seeds) -> int:
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"seeds = {seeds!r}: a whole number from 1 to {MAX_SEEDS} (each seed is a baseline run "
                          "and a run of the choice)")
    return int(seeds)


def with_levers(cfg: JourneysConfig, values) -> JourneysConfig:
    """The scenario with the sliders' values as its own, from the policy year (a lever's value replaces the
    scenario's; the money multiplies every service's budget, as `scenario.budget_multiplier` does)."""
    sc = cfg.scenario
    for name, value in values:
        section, _, rest = name.partition(".")
        if section == "levers":
            sc.levers[rest] = float(value)
        elif section == "params":
            group, _, param = rest.partition(".")
            sc.params.setdefault(group, {})[param] = float(value)
        elif name == "system.budget_multiplier":
            sc.budget_multiplier = float(value)
        else:
            raise ConfigError(f"{name}: a lever is levers.<hazard>, params.<section>.<name> or "
                              "system.budget_multiplier")
    return cfg


def configs(choice: Choice) -> tuple[JourneysConfig, JourneysConfig]:
    """The baseline's and the choice's configs, validated as `journeys` validates them (ConfigError)."""
    check_seeds(choice.seeds)
    common = [f"area={choice.area}", f"policy_year={choice.policy_year}"]
    base = compose(common)
    chosen = with_levers(compose([*common, f"system={choice.system}", f"scenario={choice.scenario}"]), choice.levers)
    for cfg in (base, chosen):
        cfg.output.figures, cfg.output.trace_people, cfg.output.print_summary = False, 0, False
        validate(cfg)
    return base, chosen


class RunCache:
    """Each run's kept series by what made it (arm, choice, seed), the oldest dropped past `size`."""

    def __init__(self, size: int = 400):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


CACHE = RunCache()


def simulate(cfg: JourneysConfig, seed: int) -> pd.DataFrame:
    """One run's kept series (period, measure, group, value)."""
    cfg = copy.deepcopy(cfg)
    cfg.seed = seed
    with _RUNNING:
        ts = run(cfg).timeseries
    keep = pd.MultiIndex.from_frame(ts[["measure", "group"]]).isin(list(KEPT))
    return ts[keep].reset_index(drop=True)


class Stale(Exception):
    """The page asked for another choice while this one was running."""


def run_choice(choice: Choice, progress: Callable[[int, int], None] | None = None,
               stale: Callable[[], bool] | None = None, cache: RunCache = CACHE) -> "Comparison":
    """Run the baseline and the choice on seeds 1..n (cached runs reused); ConfigError for a bad value,
    Stale if `stale()` turns true between runs."""
    t0 = time.perf_counter()
    base, chosen = configs(choice)
    keys = {BASELINE: (BASELINE, choice.area, choice.policy_year), "choice": ("choice", replace(choice, seeds=0))}
    if chosen == base:  # nothing chosen differs from the baseline: its runs are the choice's
        keys["choice"] = keys[BASELINE]
    seeds = range(1, choice.seeds + 1)
    runs = {(keys[arm], seed): cache.get((keys[arm], seed)) for seed in seeds for arm in keys}  # one per key
    todo = [key for key, found in runs.items() if found is None]
    for done, key in enumerate(todo):
        if progress:
            progress(done, len(todo))
        if stale and stale():
            raise Stale
        runs[key] = simulate(base if key[0][0] == BASELINE else chosen, key[1])
        cache.put(key, runs[key])
    frames = [runs[keys[arm], seed].assign(arm=arm, run=f"{arm}-{seed}", seed=seed) for arm in keys for seed in seeds]
    return Comparison(choice, pd.concat(frames, ignore_index=True), base.start_year, time.perf_counter() - t0,
                      runs_made=len(todo))


# ---------------------------------------------------------------- what the page shows


@dataclass
class Comparison:
    """The paired runs of a choice: series per arm and seed, bands over seeds, differences since the policy."""

    choice: Choice
    runs: pd.DataFrame  # arm, run, seed, period, measure, group, value
    start_year: int
    seconds: float
    runs_made: int = 0  # runs computed for it (the rest came from the cache)
    _bands: dict = field(default_factory=dict, repr=False)

    @property
    def years(self) -> list[str]:
        """The reported years from the policy year on (all of them if the policy holds from the start)."""
        periods = sorted(self.runs["period"].astype(str).unique())
        return [p for p in periods if int(p[:4]) >= self.choice.policy_year] or periods

    def series(self, measure: str, group: str = "all") -> dict[str, pd.DataFrame]:
        """Per arm: seeds x periods."""
        sel = self.runs[(self.runs["measure"] == measure) & (self.runs["group"] == group)]
        return {arm: block.pivot(index="seed", columns="period", values="value").replace([np.inf, -np.inf], np.nan)
                for arm, block in sel.groupby("arm", sort=False)}

    def bands(self, measure: str, group: str = "all") -> dict[str, pd.DataFrame]:
        """Per arm: for each period the median and the 5-95% interval over seeds (columns low, median, high)."""
        if (measure, group) not in self._bands:
            self._bands[measure, group] = {
                arm: w.quantile([LOW, 0.5, HIGH]).T.set_axis(["low", "median", "high"], axis=1)
                for arm, w in self.series(measure, group).items()}
        return self._bands[measure, group]

    def differences(self) -> pd.DataFrame:
        """The table's headlines over the years since the policy: baseline and choice (medians over seeds) and
        choice minus baseline paired by seed (median and 5-95% interval)."""
        years = self.years
        values = run_headlines(self.runs, years)
        seeds = range(1, self.choice.seeds + 1)
        fill = {"years": years_label(years), "last": years[-1], "baseline": BASELINE}
        rows = []
        for h in HEADLINES:
            if h.name not in TABLE or h.name not in values:
                continue
            base, chosen = (values.loc[[f"{arm}-{s}" for s in seeds], h.name].to_numpy(dtype=float)
                            for arm in (BASELINE, "choice"))
            rows.append({"headline": h.name, "label": h.label.format(**fill), "unit": h.unit,
                         "baseline": _quantiles(base, [0.5])[0], "choice": _quantiles(chosen, [0.5])[0],
                         **dict(zip(("low", "median", "high"), _quantiles(chosen - base, [LOW, 0.5, HIGH])))})
        order = [name for name in TABLE if any(r["headline"] == name for r in rows)]
        return pd.DataFrame(rows).set_index("headline").reindex(order)


def _quantiles(values: np.ndarray, q: list[float]) -> list[float]:
    """Quantiles of the finite values (NaN if none: e.g. benefits per £1 with no money paid)."""
    finite = values[np.isfinite(values)]
    return list(np.quantile(finite, q)) if len(finite) else [np.nan] * len(q)
