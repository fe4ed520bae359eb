"""A run's output folder: what it holds, and whether it holds the finished run of a config.

`run_info.json` is written last, atomically (a temporary file, flushed to disk, then renamed),
and carries the hash of the config as it was asked for and the size of every file written
before it: its presence, with those files as they were, marks a finished run. A re-run sweep
skips such a folder (`finished`) and redoes anything else; journeys-compare counts only such
folders (`sim.sweeps.collect`). A folder being rewritten loses its old marker first, so a run
cut short (killed, a full disk) never passes for finished.
"""

import hashlib
import json
import os
import platform
from pathlib import Path

from omegaconf import OmegaConf

from sim.config.designs import describe_point, point_values
from sim.config.schema import as_config
from sim.version import __version__

MARKER = "run_info.json"
RUN_FILES = ("timeseries.csv", "events.csv", "people.csv", "summary.csv", "config.yaml")  # written before the marker


def write(result, out_dir: Path, figures: bool = True) -> None:
    """timeseries.csv, events.csv, people.csv, summary.csv, config.yaml, figures/ and, last, run_info.json."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).unlink(missing_ok=True)  # until the new marker, this folder holds no finished run
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
    info["file_bytes"] = {name: (out_dir / name).stat().st_size for name in RUN_FILES}
    # written last: its presence marks a finished run (a re-run sweep skips it, sim.cli)
    tmp = out_dir / f"{MARKER}.partial"
    with open(tmp, "w") as f:
        f.write(json.dumps(info, indent=2))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, out_dir / MARKER)
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


def read_run_info(out_dir: Path) -> dict | None:
    """A folder's finished marker, or None if it has none or it cannot be read."""
    try:
        info = json.loads((Path(out_dir) / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def unfinished_because(out_dir: Path, files=RUN_FILES) -> str | None:
    """Why out_dir does not hold a finished run, or None if it does: no readable marker, or one of `files` missing."""
    out_dir = Path(out_dir)
    if read_run_info(out_dir) is None:
        return f"no {MARKER}" if not (out_dir / MARKER).is_file() else f"{MARKER} cannot be read"
    return next((f"no {name}" for name in files if not (out_dir / name).is_file()), None)


def changed_since_finished(out_dir: Path, files=RUN_FILES) -> str | None:
    """Which of a finished run's `files` is not the size its marker recorded (cut short or edited since), or None.
    Markers written before sizes were recorded are taken at their word."""
    recorded = (read_run_info(out_dir) or {}).get("file_bytes") or {}
    for name in files:
        path = Path(out_dir) / name
        size = path.stat().st_size if path.is_file() else 0
        if name in recorded and size != recorded[name]:
            return f"{name} is {size:,} bytes, {recorded[name]:,} when the run finished"
    return None


def finished(out_dir: Path, cfg) -> bool:
    """Whether out_dir already holds the finished run of this very configuration."""
    if unfinished_because(out_dir) is not None or changed_since_finished(out_dir) is not None:
        return False
    return read_run_info(out_dir).get("config_sha256") == config_sha256(cfg)
