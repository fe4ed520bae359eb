"""The record of a calibration: its provenance, the best values as a Hydra config, and shipping.

A calibration run's folder becomes the area's shipped calibration with `ship`: its record
files are copied to `calibration/<area>/` and its best values installed as
`configs/calibration/<area>.yaml`, which the default `journeys` run of the area composes.
"""

import hashlib
import platform
import shutil
from datetime import date
from importlib.metadata import version
from pathlib import Path

import yaml

from sim.config.paths import PROJECT_ROOT
from sim.config.provenance import calibration_values

RECORD_FILES = ("calibrated_params.yaml", "ensemble.csv", "posterior.csv", "fit.csv", "fit.png", "trials.csv",
                "run_info.json")


def provenance(cfg, path: Path, seeds: list[int], n_trials: int, free, ensemble) -> dict:
    """What a calibration was fitted to and with what: the targets file and its hash, seeds, trials, versions."""
    return {
        "area": cfg.area.name, "system": cfg.system.name, "date": date.today().isoformat(),
        "targets_file": str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path),
        "targets_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "seed": cfg.seed, "seeds_per_trial": len(seeds), "trials": n_trials,
        "years": f"{cfg.start_year}-{cfg.end_year - 1}", "population_scale": cfg.population_scale,
        "free": [p.name for p in free],
        "ensemble": {"accepted": len(ensemble.accepted), "tolerance": round(ensemble.tolerance, 3),
                     "widened_to_min_accepted": ensemble.widened,
                     "move_rounds": len(ensemble.acceptance),
                     "steps_taken_by_round": [round(a, 3) for a in ensemble.acceptance]},
        "python": platform.python_version(),
        "versions": {pkg: version(pkg)
                     for pkg in ("treatment-journeys", "optuna", "numpy", "numba", "mesa", "hydra-core")},
    }


def params_yaml(best: dict[str, float], info: dict, area: str) -> str:
    """The best values as a Hydra config of group `calibration` (usable as configs/calibration/<area>.yaml)."""
    nested: dict = {}
    for name, value in best.items():
        node = nested
        *parts, last = name.split(".")
        for part in parts:
            node = node.setdefault(part, {})
        node[last] = float(f"{value:.6g}")
    body = {"calibration": {"name": f"{area} {info['date']}", "ensemble": f"calibration/{area}/ensemble.csv",
                            "record": f"calibration/{area}"},
            "params": nested}
    header = ("# @package _global_\n"
              f"# Calibrated parameters of {area}: the best trial of journeys-calibrate. Provenance:\n"
              + "".join(f"#   {line}\n" for line in yaml.safe_dump(info, sort_keys=False).splitlines()))
    return header + yaml.safe_dump(body, sort_keys=False)


def shipped_values(area: str, root: Path = PROJECT_ROOT) -> dict[str, float]:
    """The parameter values of the area's shipped calibration (empty if none), by dotted name."""
    return calibration_values(root / "configs" / "calibration" / f"{area}.yaml")


def ship(run_dir: Path, area: str, root: Path = PROJECT_ROOT) -> Path:
    """Install a calibration run as the area's calibration; return the record folder."""
    record = root / "calibration" / area
    record.mkdir(parents=True, exist_ok=True)
    for name in RECORD_FILES:
        shutil.copy2(run_dir / name, record / name)
    shutil.copy2(run_dir / "calibrated_params.yaml", root / "configs" / "calibration" / f"{area}.yaml")
    print(f"shipped: {record} and configs/calibration/{area}.yaml (the default for area={area})")
    return record
