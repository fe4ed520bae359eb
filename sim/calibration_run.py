"""`journeys-calibrate`: read targets, run (or continue) the study, write what it found."""

import hashlib
import json
import platform
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from sim.calibrate import calibrate, free_parameters, objective_value, trials_table, with_values
from sim.model import as_config
from sim.provenance import PROJECT_ROOT
from sim.targets import discrepancy, load_extract, load_targets
from sim.validation import validate


def read_targets(path: Path, area: str, start_year: int, end_year: int) -> pd.DataFrame:
    """Targets for `area` within the projection: from a targets file or an NDTMS extract."""
    header = path.read_text().lstrip().splitlines()
    columns = next((line for line in header if not line.startswith("#")), "")
    targets = load_extract(path, area=area) if "drug_group" in columns.split(",") else load_targets(path)
    targets = targets[targets["area"] == area]
    years = targets["period"].str.slice(0, 4).astype(int)
    targets = targets[(years >= start_year) & (years < end_year)]
    if targets.empty:
        raise ValueError(f"{path}: no targets for area {area!r} in {start_year}-{end_year - 1}")
    return targets.reset_index(drop=True)


def calibrate_to_folder(cfg, out_dir: Path) -> None:
    from importlib.metadata import version

    cfg = validate(as_config(cfg))
    path = Path(cfg.targets_file)
    path = path if path.is_absolute() else PROJECT_ROOT / path
    targets = read_targets(path, cfg.area.name, cfg.start_year, cfg.end_year)
    free = free_parameters(cfg, list(cfg.free))
    seeds = [cfg.seed + k for k in range(cfg.seeds_per_trial)]
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = cfg.storage or out_dir / "study.db"
    name = cfg.study_name or cfg.area.name
    print(f"calibrating {len(free)} parameters to {len(targets)} targets ({path.name}), {cfg.n_trials} trials, "
          f"{len(seeds)} seeds a trial; study {name!r} in {storage}")
    s = calibrate(cfg, targets, free, cfg.n_trials, storage, name, seeds, progress=True)
    table = trials_table(s)
    table.to_csv(out_dir / "trials.csv", index=False)
    best = {p.name: float(table.iloc[0][p.name]) for p in free}
    loss, frame = objective_value(with_values(cfg, best), targets, seeds)
    simulated = frame.median(axis=1)
    fit = targets.assign(simulated=simulated.to_numpy(), squared_z=discrepancy(simulated, targets).to_numpy())
    fit.to_csv(out_dir / "fit.csv", index=False)
    provenance = {
        "targets_file": str(path), "targets_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "date": date.today().isoformat(), "area": cfg.area.name, "system": cfg.system.name, "seed": cfg.seed,
        "seeds_per_trial": len(seeds), "trials": len(table), "best_loss": round(loss, 3),
        "python": platform.python_version(),
        "versions": {pkg: version(pkg) for pkg in ("optuna", "numpy", "numba", "mesa", "hydra-core")},
    }
    nested: dict = {}
    for name_, value in best.items():
        node = nested
        *parts, last = name_.split(".")
        for part in parts:
            node = node.setdefault(part, {})
        node[last] = round(value, 6)
    (out_dir / "calibrated_params.yaml").write_text(
        "# Best parameters of a journeys-calibrate run; use as overrides (params.<name>=value).\n"
        + yaml.safe_dump({"provenance": provenance, "params": nested}, sort_keys=False))
    (out_dir / "run_info.json").write_text(json.dumps(provenance, indent=2))
    print(fit[["id", "value", "lower", "upper", "simulated", "squared_z"]].round(3).to_string(index=False))
    print(f"\nbest loss {loss:.2f}; outputs in {out_dir}")
