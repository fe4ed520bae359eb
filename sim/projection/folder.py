"""A run's output folder: what it holds, and whether it holds the finished run of a config.

`run_info.json` is written last, atomically, and carries the hash of the config as it was
asked for: its presence marks a finished run, so a re-run sweep skips the folder
(`finished`) and redoes anything else.
"""

import hashlib
import json
import platform
from pathlib import Path

from omegaconf import OmegaConf

from sim.config.designs import describe_point, point_values
from sim.config.schema import as_config
from sim.version import __version__


def write(result, out_dir: Path, figures: bool = True) -> None:
    """timeseries.csv, events.csv, people.csv, summary.csv, config.yaml, figures/ and, last, run_info.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    result.timeseries.to_csv(out_dir / "timeseries.csv", index=False)
    result.events.to_csv(out_dir / "events.csv", index=False)
    result.people.to_csv(out_dir / "people.csv", index=False)
    result.summary.to_csv(out_dir / "summary.csv")
    (out_dir / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(result.config)))
    c = result.config
    info = run_info(result)
    if figures:
        from sim.outputs.figures import write_figures  # matplotlib only when figures are made

        write_figures(result.timeseries, out_dir / "figures", c.area.name, which_run(c))
    # written last: its presence marks a finished run (a re-run sweep skips it, sim.cli)
    tmp = out_dir / "run_info.json.partial"
    tmp.write_text(json.dumps(info, indent=2))
    tmp.replace(out_dir / "run_info.json")
    result.out_dir = out_dir


def which_run(c) -> str:
    """What a single run's figures say they show (a resolved config): area, scenario, system, seed."""
    return (f"{c.area.name}, scenario {c.scenario.name} from {c.policy_year}, system {c.system.name}, "
            f"seed {c.seed}: one stochastic run (other seeds differ)")


def run_info(result, config_hash: bool = True) -> dict:
    """What run_info.json says of a run: version, labels (seed, area, scenario, system, parameter set,
    design point), its config's hash (`config_hash=False`: left empty, for runs kept in memory) and timing."""
    c = result.config
    return {"version": __version__, "python": platform.python_version(), "seed": c.seed,
            "area": c.area.name, "scenario": c.scenario.name, "system": c.system.name,
            "calibration": c.calibration.name, "parameter_set": c.parameter_set,
            "design_point": c.design.point if c.design.kind != "none" else None,
            "design": describe_point(c.design) if c.design.kind != "none" else None,
            "design_values": point_values(c.design), "experiment": c.experiment.name,
            "policy_year": c.policy_year, "history_system": c.history_system.name,
            "config_sha256": result.requested_sha256 if config_hash else "",
            "simulation_seconds": round(result.wall_seconds, 3)}


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
