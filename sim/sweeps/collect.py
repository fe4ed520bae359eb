"""Collecting a sweep: find its runs, read their labels, and gather them into one tidy table.

A Hydra multirun (`journeys -m scenario=baseline,harm_reduction_plus seed=1,2,3`) leaves one
folder per run. A run is known by its labels (area, system, scenario, seed, parameter set,
design point), read from its `config.yaml` and `run_info.json`, never by its folder's name.

    from sim.sweeps.collect import collect
    collected = collect("multirun/2026-11-23_10-00-00")
"""

import sys
from pathlib import Path

import pandas as pd
import yaml
from tqdm import tqdm

from sim.config.errors import InputError
from sim.outputs.measures import annual
from sim.projection.folder import changed_since_finished, read_run_info, unfinished_because

KEYS = ["area", "system", "scenario", "seed", "parameter_set", "design_point"]  # what makes a run: never twice
COLUMNS = ["run", *KEYS, "period", "measure", "group", "value"]


class CompareError(InputError):
    """A sweep that cannot be compared: not a folder, no runs, the same run twice, years not run."""


READ = ("timeseries.csv", "config.yaml")  # what journeys-compare reads of a run, besides its marker


def _is_run(folder: Path) -> bool:
    """A finished run: its run_info.json is written last (sim.projection.folder.write), so a run cut short
    (killed, a full disk) has none, whatever else it left; and what it reads is as the run left it."""
    return unfinished_because(folder, READ) is None


def find_runs(multirun_dir: Path | str) -> list[Path]:
    """Every folder below `multirun_dir` (at any depth) holding a run's timeseries.csv and config.yaml."""
    root = Path(multirun_dir)
    if not root.is_dir():
        raise CompareError(f"{root} is not a folder")
    if _is_run(root):
        raise CompareError(f"{root} is a single run, not a sweep: point journeys-compare at the folder that holds "
                           "the runs (e.g. multirun/<date>_<time>)")
    started = sorted({p.parent for p in root.rglob("timeseries.csv")})
    why = {r: unfinished_because(r, READ) for r in started}
    runs = [r for r in started if why[r] is None]
    unfinished = [f"{r.relative_to(root).as_posix()} ({why[r]})" for r in started if why[r] is not None]
    if unfinished:
        print(f"journeys-compare: left out {len(unfinished)} unfinished run(s): {', '.join(unfinished[:5])}"
              f"{' ...' if len(unfinished) > 5 else ''} (re-run the sweep to finish them)", file=sys.stderr)
    for r in runs:  # finished, then changed: its numbers are not the run's; never compared, never dropped silently
        changed = changed_since_finished(r, ("timeseries.csv",))
        if changed:
            raise CompareError(f"{r}: {changed}: changed since the run finished; re-run the sweep to redo it, or move "
                               "the folder out of the sweep")
    if not runs:
        raise CompareError(f"no finished runs in {root}: no folder below it holds timeseries.csv, config.yaml and "
                           "run_info.json (was it made by `journeys -m ...`, and has the sweep finished?)")
    return runs


def describe_run(run_dir: Path, root: Path) -> dict:
    """A run's labels (area, system, scenario, seed, parameter set) and its scenario's description."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: ~10x faster over many runs
    try:
        cfg = yaml.load((run_dir / "config.yaml").read_text(), Loader=loader) or {}
    except yaml.YAMLError as e:
        raise CompareError(f"{run_dir / 'config.yaml'} cannot be read: {str(e).splitlines()[0]}") from None
    if not isinstance(cfg, dict):
        raise CompareError(f"{run_dir / 'config.yaml'} cannot be read: not a mapping of settings")
    info = read_run_info(run_dir) or {}
    try:
        return run_labels(run_dir.relative_to(root).as_posix(), cfg, info)
    except (KeyError, TypeError) as e:
        raise CompareError(f"{run_dir / 'config.yaml'} does not say the run's {e}") from e


def scenario_words(name: str) -> str:
    """A scenario's name in words when its config gives no label: budget_cut_10 -> 'Budget cut 10'."""
    return name.replace("_", " ").strip().capitalize()


def area_words(name: str) -> str:
    """An area's name as written: southampton -> Southampton, isle_of_wight -> Isle Of Wight."""
    return name.replace("_", " ").strip().title()


def run_labels(run: str, cfg: dict, info: dict) -> dict:
    """A run's labels from its resolved config (as a plain dict, as config.yaml holds it) and its run_info:
    area, system, scenario (and what the scenario is called, its description and assumptions), seed,
    parameter set, design point, years. A KeyError or TypeError names what the config lacks."""
    scenario = cfg.get("scenario") or {}
    name = str(scenario.get("name", "baseline"))
    parameter_set = info.get("parameter_set")  # index of a posterior draw; absent/null: calibrated point estimate
    return {
        "run": run,
        "area": str(cfg["area"]["name"]),
        "system": str(cfg["system"]["name"]),
        "scenario": name,
        "seed": int(cfg["seed"] if "seed" in cfg else info["seed"]),
        "parameter_set": None if parameter_set is None else int(parameter_set),
        "design_point": None if info.get("design_point") is None else int(info["design_point"]),
        "design": info.get("design"),
        "design_values": info.get("design_values") or {},
        "design_kind": str((cfg.get("design") or {}).get("kind", "none")),
        "scenario_label": str(scenario.get("label") or scenario_words(name)),
        "area_label": area_words(str(cfg["area"]["name"])),
        "description": str(scenario.get("description") or ""),
        "assumptions": [str(a) for a in scenario.get("assumptions") or []],
        "start_year": cfg.get("start_year"),
        "end_year": cfg.get("end_year"),
        "policy_year": cfg.get("policy_year"),  # absent in runs made before policies had a year
    }


def run_name(area, system, scenario, seed, parameter_set, design_point=None) -> str:
    """One run in words, for messages."""
    draw = "point estimate" if pd.isna(parameter_set) else f"parameter set {int(parameter_set)}"
    point = "" if pd.isna(design_point) else f", design point {int(design_point)}"
    return f"{area} / {system} / {scenario}, seed {seed}, {draw}{point}"


def list_runs(multirun_dir: Path | str) -> pd.DataFrame:
    """One row per run, sorted by its labels; refuses a sweep holding the same run twice."""
    root = Path(multirun_dir)
    return runs_table([describe_run(folder, root) for folder in find_runs(root)], str(root))


def runs_table(labels: list[dict], where: str) -> pd.DataFrame:
    """One row per run from run_labels' dicts, sorted by the labels; refuses the same run twice (`where` the runs
    are, for the message)."""
    runs = pd.DataFrame(labels)
    runs["parameter_set"] = runs["parameter_set"].astype("Int64")
    runs["design_point"] = runs["design_point"].astype("Int64")
    twice = runs[runs.duplicated(KEYS, keep=False)]
    if len(twice):
        lines = [f"  {run_name(*key)}: folders {', '.join(group['run'])}"
                 for key, group in twice.groupby(KEYS, dropna=False, sort=True)]
        raise CompareError(f"duplicate runs in {where}: the same area, system, scenario, seed and parameter set "
                           "appear more than once, so they would be counted twice:\n" + "\n".join(lines)
                           + "\nmove the extra folders out of the sweep (or rerun them with other seeds)")
    return runs.sort_values(KEYS, na_position="first", kind="stable").reset_index(drop=True)


def collect(multirun_dir: Path | str, progress: bool = True, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every run of a sweep in one tidy table: run, area, system, scenario, seed, parameter_set,
    period, measure, group, value (yearly; quarterly runs are made annual).

    Sorted by the labels, so the table does not depend on the order the folders are read in.
    `runs` is list_runs' table if you already have it.
    """
    root = Path(multirun_dir)
    runs = list_runs(root) if runs is None else runs
    rows = tqdm(runs.itertuples(index=False), total=len(runs), desc="reading runs", unit="run",
                disable=not progress, leave=False, file=sys.stderr)
    return gather((r, read_timeseries(root / r.run / "timeseries.csv")) for r in rows)


def read_timeseries(path: Path) -> pd.DataFrame:
    """A run's timeseries.csv; one that cannot be read as one is refused, naming it."""
    try:
        ts = pd.read_csv(path, dtype={"period": str, "measure": str, "group": str})
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise CompareError(f"{path} cannot be read: {str(e).splitlines()[0]}") from None
    missing = [c for c in ("period", "measure", "group", "value") if c not in ts.columns]
    if missing:
        raise CompareError(f"{path} cannot be read: no column(s) {', '.join(missing)}; a run's timeseries.csv has "
                           "period, measure, group, value")
    return ts


def gather(runs_and_tables) -> pd.DataFrame:
    """One tidy table (COLUMNS) from (labels, timeseries) pairs: labels with attributes run, area, system,
    scenario, seed, parameter_set and design_point (a row of runs_table); yearly, sorted by the labels."""
    frames = [annual(ts).assign(run=r.run, area=r.area, system=r.system, scenario=r.scenario, seed=r.seed,
                                parameter_set=r.parameter_set, design_point=r.design_point)
              for r, ts in runs_and_tables]
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    out["parameter_set"] = out["parameter_set"].astype("Int64")
    out["design_point"] = out["design_point"].astype("Int64")
    out["seed"] = out["seed"].astype(int)
    out["value"] = out["value"].astype(float)
    order = [*KEYS, "period", "measure", "group"]
    return out.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)


def write_collected(collected: pd.DataFrame, path: Path) -> Path:
    """Parquet, labels as categories: a 140-run 25-year sweep is ~300 MB as CSV, a few MB here.
    Read it back with pandas.read_parquet(path)."""
    out = collected.copy()
    for column in ("run", "area", "system", "scenario", "period", "measure", "group"):
        out[column] = out[column].astype("category")
    out.to_parquet(path, index=False)
    return path
