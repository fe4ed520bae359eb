"""Run one projection: the Python API for notebooks, and what the `journeys` command calls.

    from sim import load_config, run
    cfg = load_config(["area=england", "seed=7"])
    result = run(cfg, "out/england")      # or run(cfg) to keep everything in memory
    result.timeseries                      # tidy: period, measure, group, value
    result.steps                           # mesa DataCollector: model-level series at every step
    result.plot()                          # its figures, inline in a notebook
"""

import copy
import functools
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from hydra import compose, initialize_config_dir

from sim.config.paths import CONFIG_DIR
from sim.config.schema import JourneysConfig, as_config, register_configs
from sim.domain.states import DRUG_GROUP_NAMES, Injecting, Parental, State
from sim.model.model import JourneysModel
from sim.outputs.measures import annual, derived_measures, summary_table, system_measures, timeseries
from sim.outputs.prices import in_price_year, price_factor
from sim.outputs.value_for_money import value_for_money
from sim.projection.folder import config_sha256, which_run, write
from sim.projection.progress import RunProgress
from sim.projection.resolve import resolve

TRACED_ATTRIBUTES = ["drug", "female", "reluctant", "birth_time", "injecting", "criminal_justice", "housing_need",
                     "mental_health", "parental", "episodes", "state", "onset_time"]


# people.csv: coded attributes by name, as events.csv names states
CODE_NAMES = {"state": {int(s): s.name.lower() for s in State}, "drug": DRUG_GROUP_NAMES,
              "injecting": {int(i): i.name.lower() for i in Injecting},
              "parental": {int(p): p.name.lower() for p in Parental}}


def coded_as_names(people: pd.DataFrame) -> pd.DataFrame:
    """Integer-coded attributes (state, drug group, injecting, parental status) as their names."""
    return people.assign(**{col: people[col].map(lambda v, names=names: names[int(v)])
                            for col, names in CODE_NAMES.items() if col in people})


@dataclass
class Projection:
    """Everything one run produced."""

    config: JourneysConfig  # as run: resolved (design point and parameter set applied)
    timeseries: pd.DataFrame  # period, measure, group, value
    events: pd.DataFrame  # journeys of the traced people, one row per state change
    people: pd.DataFrame  # traced people's attributes at the start (or at onset)
    steps: pd.DataFrame  # JourneysModel.step_series: alive, in treatment, in recovery, deaths, waiting per step
    summary: pd.DataFrame
    wall_seconds: float
    requested: JourneysConfig | None = None  # the config as asked for (before design points and parameter draws)
    out_dir: Path | None = None

    def plot(self) -> list:
        """The run's figures (people in treatment by drug group, exits, deaths by cause, age profile), drawn
        with pyplot so that a notebook shows them inline; returns the matplotlib figures."""
        from sim.outputs.figures import draw_figures  # matplotlib only when figures are drawn

        return draw_figures(self.timeseries, self.config.area.name, which_run(self.config))

    @functools.cached_property
    def requested_sha256(self) -> str:
        """Hash of the config as asked for: computed when a run folder is written, not for every run
        (hashing a config costs about a quarter of a small area's run, and calibration runs thousands)."""
        return config_sha256(self.requested) if self.requested is not None else ""


def load_config(overrides: list[str] | tuple[str, ...] = (), config_dir: Path | str = CONFIG_DIR) -> JourneysConfig:
    """Compose the Hydra config (as `journeys` would) and return it as a dataclass (resolved by `run`)."""
    register_configs()
    with initialize_config_dir(config_dir=str(Path(config_dir).resolve()), version_base="1.3"):
        cfg = compose(config_name="journeys", overrides=list(overrides))
    return as_config(cfg)


def tables(model: JourneysModel) -> pd.DataFrame:
    """All measures of a finished model in one tidy table (values in real people: divided by the scale)."""
    cfg, tallies, r = model.cfg, model.tallies, model.reported
    ts = timeseries(r(tallies.stocks.sum(axis=0)), r(tallies.flows.sum(axis=0)), r(tallies.tx_duration.sum(axis=0)),
                    r(tallies.tx_elapsed.sum(axis=0)), cfg.start_year, cfg.steps_per_year, cfg.output.period,
                    cfg.population_scale, tx_ends=r(tallies.tx_ends.sum(axis=0)))
    system = system_measures(r(tallies.providers.sum(axis=(0, 3))), r(tallies.modalities.sum(axis=0)),
                             r(tallies.modality_exits.sum(axis=0)), r(model.waiting_list), model.provider_names,
                             r(model.funding), r(model.cost_of_care_per_step()), cfg.start_year, cfg.steps_per_year,
                             cfg.output.period, cfg.population_scale, commissioned=r(model.commissioned))
    worth = value_for_money(r(tallies.stocks.sum(axis=0)), r(tallies.flows.sum(axis=0)), cfg.params.value_for_money,
                            cfg.start_year,
                            cfg.steps_per_year, cfg.output.period, cfg.population_scale)
    profile = pd.concat([model.profile.table(), model.leavers.table(cfg.population_scale)], ignore_index=True)
    profile = profile[profile["period"].str.slice(0, 4).astype(int) >= cfg.start_year]  # not the warm-up years
    ts = pd.concat([ts, system, worth, profile], ignore_index=True)
    ts = pd.concat([ts, derived_measures(ts)], ignore_index=True)
    return in_price_year(ts, price_factor(cfg.output.price_year, cfg.output.deflator))


def run(cfg, out_dir: Path | str | None = None, figures: bool | None = None,
        progress: RunProgress | None = None) -> Projection:
    """Resolve the config, simulate, and (if `out_dir` is given) write the run's folder (`sim.projection.folder`).
    `progress`: how far a long run has got, on stderr (the `journeys` command's single runs)."""
    requested = as_config(cfg)
    t0 = time.perf_counter()
    model = JourneysModel(resolve(requested))
    model.run(on_year_end=progress.year_end if progress is not None else None)
    if progress is not None:
        progress.stage("simulated; computing the measures")
    ts = tables(model)
    wall = time.perf_counter() - t0
    people = coded_as_names(pd.DataFrame({k: v for k, v in model.initial_people.items() if k in TRACED_ATTRIBUTES}))
    if len(people):
        people.insert(0, "person", [int(i) for i in model.people_traced_rows])
    result = Projection(
        config=model.cfg,
        timeseries=ts,
        events=model.event_log(),
        people=people,
        steps=model.step_series().iloc[model.warm_up_steps:].reset_index(drop=True),
        summary=summary_table(annual(ts)),
        wall_seconds=wall,
        requested=copy.deepcopy(requested),  # 0.3 ms; the caller may change its config after the run
    )
    if out_dir is not None:
        if progress is not None:
            progress.stage(f"writing the outputs into {out_dir}")
        write(result, Path(out_dir), figures=requested.output.figures if figures is None else figures)
    return result
