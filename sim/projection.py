"""Run one projection and write its outputs: the Python API for notebooks and the CLI.

    from sim import load_config, run
    cfg = load_config(["area=england", "seed=7"])
    result = run(cfg, "out/england")      # or run(cfg) to keep everything in memory
    result.timeseries                      # tidy: period, measure, group, value
"""

import hashlib
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from sim.config import JourneysConfig
from sim.designs import describe_point, point_values
from sim.model import JourneysModel, as_config
from sim.outputs import annual, derived_measures, summary_table, system_measures, timeseries
from sim.provenance import PROJECT_ROOT

CONFIG_DIR = PROJECT_ROOT / "configs"
TRACED_ATTRIBUTES = ["drug", "female", "birth_time", "injecting", "criminal_justice", "housing_need", "mental_health",
                     "parental", "episodes", "state", "onset_time"]


@dataclass
class Projection:
    """Everything one run produced."""

    config: JourneysConfig
    timeseries: pd.DataFrame  # period, measure, group, value
    events: pd.DataFrame  # journeys of the traced people, one row per state change
    people: pd.DataFrame  # traced people's attributes at the start (or at onset)
    steps: pd.DataFrame  # mesa DataCollector: model-level series at every step
    summary: pd.DataFrame
    wall_seconds: float
    requested_sha256: str = ""  # hash of the config as asked for (before design points and parameter draws)
    out_dir: Path | None = None


def load_config(overrides: list[str] | tuple[str, ...] = (), config_dir: Path | str = CONFIG_DIR) -> JourneysConfig:
    """Compose the Hydra config (as `journeys` would) and return it as a validated dataclass."""
    from hydra import compose, initialize_config_dir

    from sim.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(Path(config_dir).resolve()), version_base="1.3"):
        cfg = compose(config_name="journeys", overrides=list(overrides))
    return as_config(cfg)


def run(cfg, out_dir: Path | str | None = None, figures: bool | None = None) -> Projection:
    """Simulate and (if `out_dir` is given) write timeseries.csv, events.csv, people.csv and figures."""
    cfg = as_config(cfg)
    requested = config_sha256(cfg)
    t0 = time.perf_counter()
    model = JourneysModel(cfg)
    model.run()
    tallies = model.tallies
    ts = timeseries(tallies.stocks.sum(axis=0), tallies.flows.sum(axis=0), tallies.tx_duration.sum(axis=0),
                    tallies.tx_elapsed.sum(axis=0), cfg.start_year, cfg.steps_per_year, cfg.output.period, cfg.population_scale)
    system = system_measures(tallies.providers.sum(axis=0), tallies.modalities.sum(axis=0),
                             tallies.modality_exits.sum(axis=0), model.waiting_list, [p.name for p in model.services],
                             model.cost_per_week, cfg.start_year, cfg.steps_per_year, cfg.output.period,
                             cfg.population_scale)
    ts = pd.concat([ts, system, model.profile.table()], ignore_index=True)
    ts = pd.concat([ts, derived_measures(ts)], ignore_index=True)
    wall = time.perf_counter() - t0
    people = pd.DataFrame({k: v for k, v in model.initial_people.items() if k in TRACED_ATTRIBUTES})
    if len(people):
        people.insert(0, "person", [int(i) for i in model.people_traced_rows])
    result = Projection(
        config=model.cfg,
        timeseries=ts,
        events=model.event_log(),
        people=people,
        steps=model.datacollector.get_model_vars_dataframe(),
        summary=summary_table(annual(ts)),
        wall_seconds=wall,
        requested_sha256=requested,
    )
    if out_dir is not None:
        write(result, Path(out_dir), figures=cfg.output.figures if figures is None else figures)
    return result


def write(result: Projection, out_dir: Path, figures: bool = True) -> None:
    from sim import __version__

    out_dir.mkdir(parents=True, exist_ok=True)
    result.timeseries.to_csv(out_dir / "timeseries.csv", index=False)
    result.events.to_csv(out_dir / "events.csv", index=False)
    result.people.to_csv(out_dir / "people.csv", index=False)
    result.summary.to_csv(out_dir / "summary.csv")
    (out_dir / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(result.config)))
    c = result.config
    info = {"version": __version__, "python": platform.python_version(), "seed": c.seed,
            "area": c.area.name, "scenario": c.scenario.name, "system": c.system.name,
            "calibration": c.calibration.name, "parameter_set": c.parameter_set,
            "design_point": c.design.point if c.design.kind != "none" else None,
            "design": describe_point(c.design) if c.design.kind != "none" else None,
            "design_values": point_values(c.design), "experiment": c.experiment.name,
            "config_sha256": result.requested_sha256, "simulation_seconds": round(result.wall_seconds, 3)}
    if figures:
        from sim.plots import write_figures

        write_figures(result.timeseries, out_dir / "figures", c.area.name)
    # written last: its presence marks a finished run (a re-run sweep skips it, sim.cli)
    tmp = out_dir / "run_info.json.partial"
    tmp.write_text(json.dumps(info, indent=2))
    tmp.replace(out_dir / "run_info.json")
    result.out_dir = out_dir


def config_sha256(cfg) -> str:
    """A fingerprint of a run's configuration: the same request gives the same hash."""
    text = OmegaConf.to_yaml(OmegaConf.structured(as_config(cfg)))
    return hashlib.sha256(text.encode()).hexdigest()


def finished(out_dir: Path, cfg) -> bool:
    """Whether out_dir already holds the finished run of this very configuration."""
    info = Path(out_dir) / "run_info.json"
    if not info.is_file() or not (Path(out_dir) / "timeseries.csv").is_file():
        return False
    try:
        return json.loads(info.read_text()).get("config_sha256") == config_sha256(cfg)
    except (OSError, ValueError):
        return False
