"""`journeys-calibrate`: read targets, run (or continue) the study, write what it found.

The run folder gets:
- `trials.csv`: every finished trial (parameters, misfit), best first;
- `ensemble.csv`: the accepted parameter sets (sim.posterior), best first;
- `posterior.csv`: each free parameter's prior range, best value, ensemble median and 90% range;
- `fit.csv` and `fit.png`: each target, documented vs simulated (best trial, and the ensemble's
  median and 90% interval over accepted sets and seeds);
- `calibrated_params.yaml`: the best values as a Hydra config with their provenance (targets
  file hash, date, library versions, seed).
With `ship=true` these become the area's calibration: copied to `calibration/<area>/` and
installed as `configs/calibration/<area>.yaml`, which the default `journeys` run uses.
"""

import hashlib
import json
import platform
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.calibrate import calibrate, free_parameters, simulated_by_trial, trials_table
from sim.fit_report import fit_figure
from sim.model import as_config
from sim.posterior import accept, posterior_table, predictive
from sim.provenance import PROJECT_ROOT
from sim.targets import discrepancy, load_extract, load_targets
from sim.validation import validate

RECORD_FILES = ("calibrated_params.yaml", "ensemble.csv", "posterior.csv", "fit.csv", "fit.png", "trials.csv",
                "run_info.json")


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


def provenance(cfg, path: Path, seeds: list[int], n_trials: int, free, ensemble) -> dict:
    from importlib.metadata import version

    return {
        "area": cfg.area.name, "system": cfg.system.name, "date": date.today().isoformat(),
        "targets_file": str(path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path),
        "targets_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "seed": cfg.seed, "seeds_per_trial": len(seeds), "trials": n_trials,
        "years": f"{cfg.start_year}-{cfg.end_year - 1}", "population_scale": cfg.population_scale,
        "free": [p.name for p in free],
        "ensemble": {"accepted": len(ensemble.accepted), "tolerance": round(ensemble.tolerance, 3),
                     "widened_to_min_accepted": ensemble.widened},
        "python": platform.python_version(),
        "versions": {pkg: version(pkg) for pkg in ("treatment-journeys", "optuna", "numpy", "numba", "mesa", "hydra-core")},
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


def calibrate_to_folder(cfg, out_dir: Path) -> None:
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
    start = shipped_values(cfg.area.name) if cfg.start_from_shipped else None
    if start:
        print(f"a new study starts from the shipped calibration of {cfg.area.name} (start_from_shipped=false: not)")
    s = calibrate(cfg, targets, free, cfg.n_trials, storage, name, seeds, progress=True, start_from=start)
    table = trials_table(s)
    table.to_csv(out_dir / "trials.csv", index=False)
    names = [p.name for p in free]
    ensemble = accept(table, names, cfg.min_accepted)
    ensemble.accepted.to_csv(out_dir / "ensemble.csv", index=False)
    posterior = posterior_table(ensemble, free)
    posterior.to_csv(out_dir / "posterior.csv", index=False)

    by_trial = simulated_by_trial(s)
    best_trial = int(table["trial"].iloc[0])
    best_sim = pd.Series({k: np.nanmedian([np.nan if v is None else v for v in vals])
                          for k, vals in by_trial[best_trial].items()}).reindex(targets["id"])
    pred = predictive(by_trial, list(ensemble.accepted["trial"])).reindex(targets["id"])
    fit = targets.assign(best=best_sim.to_numpy(), squared_z=discrepancy(best_sim, targets).to_numpy(),
                         sim_median=pred["sim_median"].to_numpy(), sim_q05=pred["sim_q05"].to_numpy(),
                         sim_q95=pred["sim_q95"].to_numpy())
    fit["within_interval"] = (fit["sim_median"] >= fit["lower"]) & (fit["sim_median"] <= fit["upper"])
    fit.to_csv(out_dir / "fit.csv", index=False)
    info = provenance(cfg, path, seeds, len(table), free, ensemble)
    fit_figure(fit, out_dir / "fit.png", f"{cfg.area.name}: {int(fit['within_interval'].sum())} of {len(fit)} targets "
               f"within their documented interval\n({len(ensemble.accepted)} accepted parameter sets; blue: the accepted ensemble)")
    best = {n: float(table[n].iloc[0]) for n in names}
    (out_dir / "calibrated_params.yaml").write_text(params_yaml(best, info, cfg.area.name))
    (out_dir / "run_info.json").write_text(json.dumps(info, indent=2))

    pd.set_option("display.width", 160)
    print(fit[["id", "value", "lower", "upper", "best", "sim_median", "sim_q05", "sim_q95", "within_interval"]]
          .round(3).to_string(index=False))
    print()
    print(posterior.round(4).to_string(index=False))
    print(f"\nbest loss {table['loss'].iloc[0]:.2f}; {len(ensemble.accepted)} parameter sets accepted "
          f"(loss <= {ensemble.tolerance:.2f}{', widened to min_accepted' if ensemble.widened else ''}); "
          f"{int(fit['within_interval'].sum())}/{len(fit)} targets within their interval; outputs in {out_dir}")
    if cfg.ship:
        ship(out_dir, cfg.area.name)


def shipped_values(area: str, root: Path = PROJECT_ROOT) -> dict[str, float]:
    """The parameter values of the area's shipped calibration (empty if none), by dotted name."""
    path = root / "configs" / "calibration" / f"{area}.yaml"
    if not path.exists():
        return {}
    out = {}

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[prefix + key] = float(value)

    walk(yaml.safe_load(path.read_text()).get("params") or {}, "")
    return out


def ship(run_dir: Path, area: str, root: Path = PROJECT_ROOT) -> Path:
    """Install a calibration run as the area's calibration; return the record folder."""
    record = root / "calibration" / area
    record.mkdir(parents=True, exist_ok=True)
    for name in RECORD_FILES:
        shutil.copy2(run_dir / name, record / name)
    shutil.copy2(run_dir / "calibrated_params.yaml", root / "configs" / "calibration" / f"{area}.yaml")
    print(f"shipped: {record} and configs/calibration/{area}.yaml (the default for area={area})")
    return record
