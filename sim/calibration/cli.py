"""`journeys-calibrate`: load targets, run (or continue) the study, write what it found.

The run folder gets:
- `trials.csv`: every finished trial (parameters, misfit), best first;
- `ensemble.csv`: the accepted parameter sets (sim.calibration.ensemble), best first;
- `posterior.csv`: each free parameter's prior range, best value, ensemble median and 90% range;
- `fit.csv` and `fit.png`: each target, documented vs simulated (best trial, and the ensemble's
  median and 90% interval over accepted sets and seeds);
- `calibrated_params.yaml`: the best values as a Hydra config with their provenance (targets
  file hash, date, library versions, seed).
With `ship=true` these become the area's calibration (`sim.calibration.record.ship`).
"""

import copy
import hashlib
import json
import os
import sys
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf
from sqlalchemy.engine import make_url

from sim.calibration.ensemble import posterior_table, predictive
from sim.calibration.figures import fit_figure, fit_title
from sim.calibration.objective import OBJECTIVE, free_parameters
from sim.calibration.record import params_yaml, provenance, ship, shipped_values
from sim.calibration.study import calibrate, search_rows, settle_ensemble, simulated_by_trial, source_trials
from sim.calibration.targets import discrepancy, read_targets
from sim.config.commands import describe_os_error, run_command
from sim.config.errors import ConfigError, InputError
from sim.config.paths import CONFIG_DIR, PROJECT_ROOT, project_path
from sim.config.provenance import get_parameter, set_parameter
from sim.config.schema import as_config, register_configs
from sim.config.validation import validate

STUDIES = Path("outputs") / "calibrate"  # under the working directory, beside Hydra's run folders


# Settings of the search and its outputs: they do not change what a trial scores, so changing them (more
# trials, more workers) continues the study
SEARCH_KEYS = ("n_trials", "workers", "sampler", "storage", "study_name", "ship", "min_accepted", "start_from_shipped",
               "output", "free", "targets_file", "cutoff_year", "transfer", "forecast_sets", "ensemble_rounds")
# The code a trial's simulated values come from
MODEL_CODE = tuple(sorted(p for d in ("model", "domain", "config", "outputs", "projection")
                          for p in (PROJECT_ROOT / "sim" / d).rglob("*.py")))


def model_fingerprint(cfg, free) -> bytes:
    """What a trial's loss depends on besides its free values: the whole configuration it simulates (area,
    system, history, every parameter not free, years, seeds, scale) and the code of the model."""
    blank = copy.deepcopy(cfg)
    for p in free:  # the trial sets these
        set_parameter(blank.params, p.name, float("nan"))
    tree = OmegaConf.to_container(OmegaConf.structured(blank), resolve=True)
    for name in SEARCH_KEYS:
        tree.pop(name, None)
    h = hashlib.sha256(json.dumps(tree, sort_keys=True, default=str).encode())
    for path in MODEL_CODE:
        h.update(path.read_bytes())
    return h.digest()


def shipped_trials(cfg, free) -> list:
    """The trials of the area's shipped calibration (calibration/<area>/trials.csv) as a warm start for CMA-ES;
    a free parameter they did not vary enters at its value in `cfg` (where a parameter added since leaves the
    model as it was: `presentation.reluctant_share` 0); none if there is no record."""
    path = PROJECT_ROOT / "calibration" / cfg.area.name / "trials.csv"
    if not path.exists():
        return []
    held = {p.name: float(get_parameter(cfg.params, p.name)) for p in free}
    return source_trials(pd.read_csv(path), free, held)


def default_storage(cfg, targets_path: Path, free, question: str = "") -> Path:
    """Where a calibration keeps its study unless told (`storage=`): one SQLite file per area and question
    (the targets file's contents, the free parameters, and the model that scores them: its configuration
    and code, `model_fingerprint`), so the same command run again continues its study, and a different
    question, or a changed model, starts its own (a study's finished losses are never mixed with another
    model's)."""
    key = hashlib.sha256()
    for part in (OBJECTIVE.encode(), question.encode(), targets_path.read_bytes(),
                 "\n".join(sorted(p.name for p in free)).encode(), model_fingerprint(cfg, free)):
        key.update(part)
        key.update(b"\0")
    folder = STUDIES / cfg.area.name / "studies"
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / f"{key.hexdigest()[:16]}.db").resolve()


def refuse_password(storage: str | None, out_dir: Path) -> None:
    """A storage URL with a password in it is refused: Hydra records every override in the run folder
    (.hydra/), which is scrubbed of it first. libpq reads the password from PGPASSWORD or ~/.pgpass."""
    if not storage or "://" not in storage:
        return
    password = make_url(storage).password
    if not password:
        return
    for path in (out_dir / ".hydra").glob("*.yaml"):
        path.write_text(path.read_text().replace(password, "***"))
    raise ConfigError(f"storage={make_url(storage).render_as_string(hide_password=True)}: no password in the URL "
                      "(it would be written into the run folder); give it in PGPASSWORD or ~/.pgpass")


def calibrate_to_folder(cfg, out_dir: Path) -> None:
    refuse_password(cfg.storage, out_dir)
    cfg = validate(as_config(cfg))
    path = project_path(cfg.targets_file)
    targets = read_targets(path, cfg.area.name, cfg.start_year, cfg.end_year, cfg.relative_error, cfg.output.period)
    left_out = targets.attrs.get("left_out", [])
    if left_out:
        print(f"{len(left_out)} target(s) outside {cfg.start_year}-{cfg.end_year - 1} left out: "
              f"{', '.join(left_out[:8])}{' ...' if len(left_out) > 8 else ''} (end_year= to include later ones)")
    free = free_parameters(cfg, list(cfg.free))
    seeds = [cfg.seed + k for k in range(cfg.seeds_per_trial)]
    out_dir.mkdir(parents=True, exist_ok=True)
    storage = cfg.storage or default_storage(cfg, path, free)
    name = cfg.study_name or cfg.area.name
    if cfg.workers < 0:
        raise ConfigError(f"workers = {cfg.workers}: a whole number of processes >= 0 (0: one per core)")
    workers = cfg.workers or os.cpu_count() or 1
    print(f"calibrating {len(free)} parameters to {len(targets)} targets ({path.name}), {cfg.n_trials} trials, "
          f"{len(seeds)} seeds a trial, {workers} worker processes; study {name!r} in {storage}")
    start = shipped_values(cfg.area.name) if cfg.start_from_shipped else None
    if start:  # a parameter freed since the shipped fit starts where the model was: its configured value
        start = {p.name: start.get(p.name, float(get_parameter(cfg.params, p.name))) for p in free}
        print(f"a new study's first trial is the shipped calibration of {cfg.area.name} "
              "(start_from_shipped=false: not)")
    source = shipped_trials(cfg, free) if cfg.start_from_shipped and cfg.sampler == "cmaes" else []
    if source:
        print(f"CMA-ES starts from the best of the shipped calibration's {len(source)} trials (warm start)")
    s = calibrate(cfg, targets, free, cfg.n_trials, storage, name, seeds, progress=True, start_from=start,
                  workers=workers, sampler=cfg.sampler, source=source)
    table, ensemble, s = settle_ensemble(s, cfg, targets, free, storage, name, seeds, cfg.min_accepted,
                                         cfg.ensemble_rounds, workers, progress=True)
    table.to_csv(out_dir / "trials.csv", index=False)
    names = [p.name for p in free]
    ensemble.accepted.to_csv(out_dir / "ensemble.csv", index=False)
    search = search_rows(table)  # the calibrated point is the search's best: the moves sample the region,
    best = {n: float(search[n].iloc[0]) for n in names}  # so more rounds change the ensemble, never the point
    posterior = posterior_table(ensemble, free, best)
    posterior.to_csv(out_dir / "posterior.csv", index=False)

    by_trial = simulated_by_trial(s)
    best_trial = int(search["trial"].iloc[0])
    best_sim = pd.Series({k: np.nanmedian([np.nan if v is None else v for v in vals])
                          for k, vals in by_trial[best_trial].items()}).reindex(targets["id"])
    pred = predictive(by_trial, list(ensemble.accepted["trial"])).reindex(targets["id"])
    fit = targets.assign(best=best_sim.to_numpy(), deviance=discrepancy(best_sim, targets).to_numpy(),
                         sim_median=pred["sim_median"].to_numpy(), sim_q05=pred["sim_q05"].to_numpy(),
                         sim_q95=pred["sim_q95"].to_numpy())
    fit["within_interval"] = (fit["sim_median"] >= fit["lower"]) & (fit["sim_median"] <= fit["upper"])
    fit.to_csv(out_dir / "fit.csv", index=False)
    info = provenance(cfg, path, seeds, len(search), free, ensemble)
    fit_figure(fit, out_dir / "fit.png", fit_title(cfg.area.name, fit, len(ensemble.accepted)))
    (out_dir / "calibrated_params.yaml").write_text(params_yaml(best, info, cfg.area.name))
    (out_dir / "run_info.json").write_text(json.dumps(info, indent=2))

    pd.set_option("display.width", 160)
    print(fit[["id", "value", "lower", "upper", "best", "sim_median", "sim_q05", "sim_q95", "within_interval"]]
          .round(3).to_string(index=False))
    print()
    print(posterior.round(4).to_string(index=False))
    print(f"\nbest loss {search['loss'].iloc[0]:.2f}; {len(ensemble.accepted)} parameter sets accepted "
          f"(loss <= {ensemble.tolerance:.2f}{', widened to min_accepted' if ensemble.widened else ''}); "
          f"{int(fit['within_interval'].sum())}/{len(fit)} targets within their interval; outputs in {out_dir}")
    if cfg.ship:
        ship(out_dir, cfg.area.name)


register_configs()


def into_run_folder(command: str, work, cfg) -> None:
    """Run `work(cfg, Hydra's run folder)`; bad input ends the command with one line and exit status 2, a failed
    read or write (a full disk) with one line and exit status 1 (anything else: `run_command`)."""
    try:
        work(cfg, Path(HydraConfig.get().runtime.output_dir))
    except InputError as e:
        print(f"{command}: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:  # a full disk, an unwritable folder: the study keeps every finished trial (SQLite)
        what = describe_os_error(e)
        if what.startswith("cannot write "):
            what = what.replace("cannot write ", "cannot write to ", 1)
        print(f"{command}: {what}; finished trials are kept in the study, and the same command continues it",
              file=sys.stderr)
        sys.exit(1)


@hydra.main(config_path=str(CONFIG_DIR), config_name="calibrate", version_base="1.3")
def calibrate_command(cfg: DictConfig) -> None:
    """Fit the free parameters to the targets; write trials, the best parameters and the fit."""
    into_run_folder("journeys-calibrate", calibrate_to_folder, cfg)


def journeys_calibrate() -> None:
    """The console command: Hydra's run, and one line for whatever stops it (`sim.config.commands`)."""
    sys.exit(run_command("journeys-calibrate", calibrate_command))


if __name__ == "__main__":
    journeys_calibrate()
