"""`journeys-validate`: how well a calibration forecasts what it was not fitted to (`sim.calibration.backtest`).

The run folder gets `validation.csv` (every figure: its role, documented value and range, the
simulated median and 90% interval, the forecast interval, within or not, the error),
`validation.png`, the fit's `trials.csv`, `ensemble.csv` and `run_info.json`; the last line printed
is `K of N within` over every figure not fitted. With `ship=true` these go to `calibration/<area>/`
as `validation.csv`, `validation.png` and `validation_run_info.json` (the area's calibration itself
is left alone: this fit saw only part of the figures).
"""

import copy
import json
import os
import shutil
import sys
from pathlib import Path

import hydra
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.calibration.backtest import forecast_sample, known_at, runs, score, split_at, summary_lines
from sim.calibration.cli import default_storage, into_run_folder, refuse_password
from sim.calibration.figures import VALIDATION_INTERVAL, fit_figure, validation_title
from sim.calibration.objective import free_parameters
from sim.calibration.record import provenance
from sim.calibration.study import calibrate, search_rows, settle_ensemble
from sim.calibration.targets import read_targets
from sim.config.commands import run_command
from sim.config.errors import ConfigError
from sim.config.paths import CONFIG_DIR, PROJECT_ROOT, project_path
from sim.config.schema import AreaConfig, as_config, register_configs
from sim.config.validation import validate

SHIPPED = {"validation.csv": "validation.csv", "validation.png": "validation.png",
           "run_info.json": "validation_run_info.json"}


def transfer_areas(cfg, path: Path) -> list[str]:
    """The local areas to transfer to: as configured, or (None) for england every other area of the targets
    file without a calibration of its own."""
    known = sorted(p.stem for p in (CONFIG_DIR / "area").glob("*.yaml"))
    if cfg.transfer is not None:
        unknown = [a for a in cfg.transfer if a not in known]
        if unknown:
            raise ConfigError(f"transfer area(s) {', '.join(unknown)} have no config; allowed: {', '.join(known)}")
        return list(cfg.transfer)
    if cfg.area.name != "england":
        return []
    named = pd.read_csv(path, comment="#", usecols=["area"])["area"].unique()
    calibrated = {p.stem for p in (CONFIG_DIR / "calibration").glob("*.yaml")}
    return [a for a in named if a != "england" and a not in calibrated]


def local_config(cfg, area: str):
    """The fitted run for a local area: the same parameters, history and system; the area's own config
    (population, prevalence, documented caseload and budget); every person simulated."""
    local = copy.deepcopy(cfg)
    local.area = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(AreaConfig),
                                                     OmegaConf.load(CONFIG_DIR / "area" / f"{area}.yaml")))
    local.population_scale = 1.0
    return validate(local)


def validate_to_folder(cfg, out_dir: Path) -> list[str]:
    refuse_password(cfg.storage, out_dir)
    cfg = validate(as_config(cfg))
    cfg = known_at(cfg, cfg.cutoff_year, list(cfg.free))
    path = project_path(cfg.targets_file)
    targets = read_targets(path, cfg.area.name, cfg.start_year, cfg.end_year, cfg.relative_error, cfg.output.period)
    fit_targets, later = split_at(targets, cfg.cutoff_year)
    if fit_targets.empty or later.empty:
        raise ConfigError(f"cutoff_year={cfg.cutoff_year}: {len(fit_targets)} figure(s) of {cfg.area.name} up to it "
                          f"and {len(later)} after it in {cfg.start_year}-{cfg.end_year - 1}; need some of each")
    areas = transfer_areas(cfg, path)
    locals_ = {a: read_targets(path, a, cfg.start_year, cfg.end_year, cfg.relative_error, cfg.output.period)
               for a in areas}
    free = free_parameters(cfg, list(cfg.free))
    names = [p.name for p in free]
    seeds = [cfg.seed + k for k in range(cfg.seeds_per_trial)]
    storage = cfg.storage or default_storage(cfg, path, free, question=f"validate, fitted up to {cfg.cutoff_year}")
    workers = cfg.workers or os.cpu_count() or 1
    print(f"validating {cfg.area.name}: {len(fit_targets)} figures up to {cfg.cutoff_year} fitted ({len(free)} "
          f"parameters, {cfg.n_trials} trials), {len(later)} later figures forecast"
          + (f", transfer to {', '.join(areas)}" if areas else "") + f"; study in {storage}")
    name = cfg.study_name or f"{cfg.area.name}-validate"
    s = calibrate(cfg, fit_targets, free, cfg.n_trials, storage, name, seeds, progress=True, workers=workers,
                  sampler=cfg.sampler)
    table, ensemble, s = settle_ensemble(s, cfg, fit_targets, free, storage, name, seeds, cfg.min_accepted,
                                         cfg.ensemble_rounds, workers, progress=True)
    sets = forecast_sample(ensemble.accepted, cfg.forecast_sets, cfg.seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_dir / "trials.csv", index=False)
    ensemble.accepted.to_csv(out_dir / "ensemble.csv", index=False)

    both = pd.concat([fit_targets, later], ignore_index=True)
    draws = runs(cfg, both, sets, names)
    parts = [score(fit_targets, draws, "fit", cfg.seed), score(later, draws, "forecast", cfg.seed + 1)]
    for k, (area, local_targets) in enumerate(locals_.items()):
        parts.append(score(local_targets, runs(local_config(cfg, area), local_targets, sets, names), "transfer",
                           cfg.seed + 2 + k))
    result = pd.concat(parts, ignore_index=True)
    result.to_csv(out_dir / "validation.csv", index=False)
    lines = summary_lines(result, cfg.cutoff_year)
    shown = result.assign(sim_q05=result["forecast_q05"], sim_q95=result["forecast_q95"])  # rows tagged by role
    title = validation_title(cfg.area.name, cfg.cutoff_year, len(sets), lines[:-1])
    fit_figure(shown, out_dir / "validation.png", title, interval_label=VALIDATION_INTERVAL)
    info = provenance(cfg, path, seeds, len(search_rows(table)), free, ensemble)
    info.update({"cutoff_year": cfg.cutoff_year, "forecast_sets": len(sets), "transfer": areas, "summary": lines})
    (out_dir / "run_info.json").write_text(json.dumps(info, indent=2))

    pd.set_option("display.width", 180)
    print(result[["role", "id", "value", "lower", "upper", "sim_median", "forecast_q05", "forecast_q95", "within"]]
          .round(3).to_string(index=False))
    if cfg.ship:
        record = PROJECT_ROOT / "calibration" / cfg.area.name
        record.mkdir(parents=True, exist_ok=True)
        for written, shipped in SHIPPED.items():
            shutil.copy2(out_dir / written, record / shipped)
        print(f"shipped: {', '.join(SHIPPED.values())} in {record}")
    print(f"outputs in {out_dir}")
    for line in lines:
        print(line)
    return lines


register_configs()


@hydra.main(config_path=str(CONFIG_DIR), config_name="validate", version_base="1.3")
def validate_command(cfg: DictConfig) -> None:
    """Fit up to the cut-off year, forecast the later figures, transfer to local areas; write the validation."""
    into_run_folder("journeys-validate", validate_to_folder, cfg)


def journeys_validate() -> None:
    """The console command: Hydra's run, and one line for whatever stops it (`sim.config.commands`)."""
    sys.exit(run_command("journeys-validate", validate_command))


if __name__ == "__main__":
    journeys_validate()
