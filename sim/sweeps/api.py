"""Compare scenarios from Python, without the shell: a paired set of runs made in this process (or in
worker processes), summarised as `journeys-compare` summarises a sweep.

    import sim
    cfg = sim.load_config(["area=southampton"])
    result = sim.compare(cfg, scenarios=["budget_cut_10", "recovery_orientated"], seeds=range(1, 21),
                         launcher="processes")
    result.summary            # headline numbers, differences from the baseline, value for money
    result.value_for_money()  # one row per scenario
    result.plot()             # figures, inline in a notebook
    result.write("out/compare")   # the same files as journeys-compare, report.html included

Every scenario runs with every seed, and the baseline is always among them: runs with the same seed
share their random numbers, so they are compared pair by pair (common random numbers), and every
year before the policy year is identical in all of them.
"""

import copy
import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context

import pandas as pd
from omegaconf import OmegaConf
from tqdm import tqdm

from sim.config.errors import ConfigError
from sim.config.paths import CONFIG_DIR
from sim.config.schema import JourneysConfig, ScenarioConfig
from sim.projection.folder import run_info
from sim.projection.simulate import load_config, run
from sim.sweeps.collect import gather, run_labels, runs_table
from sim.sweeps.comparison import Comparison, summarise

LAUNCHERS = ("serial", "processes")


def shipped_scenarios() -> list[str]:
    """The scenarios in configs/scenario/, by name."""
    return sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))


def scenario_config(scenario) -> ScenarioConfig:
    """A scenario by name (configs/scenario/<name>.yaml, composed as `journeys scenario=<name>` would) or a
    ScenarioConfig made in Python; anything else is refused, naming the shipped scenarios."""
    if isinstance(scenario, ScenarioConfig):
        return copy.deepcopy(scenario)
    names = shipped_scenarios()
    if not isinstance(scenario, str) or scenario not in names:
        raise ConfigError(f"scenario {scenario!r}: not a shipped scenario; choose from {', '.join(names)} "
                          "(or pass a sim.config.schema.ScenarioConfig)")
    return load_config([f"scenario={scenario}"]).scenario


def run_for_comparison(cfg: JourneysConfig) -> tuple[dict, pd.DataFrame]:
    """One run, in memory: its labels (as collect reads them from a run folder) and its timeseries."""
    result = run(cfg)
    name = f"scenario={result.config.scenario.name},seed={result.config.seed}"
    if result.config.parameter_set is not None:
        name += f",parameter_set={result.config.parameter_set}"
    labels = run_labels(name, OmegaConf.to_container(OmegaConf.structured(result.config)),
                        run_info(result, config_hash=False))
    return labels, result.timeseries


def compare(cfg: JourneysConfig | list[str] | tuple[str, ...] = (), scenarios=("baseline",), seeds=range(1, 6),
            launcher: str | Executor = "serial", n_jobs: int | None = None, baseline: str = "baseline", years=None,
            progress: bool = True) -> Comparison:
    """Run every scenario with every seed on `cfg` (a config from `sim.load_config`, or its overrides) and
    compare them with the baseline, run by run.

    scenarios: names of shipped scenarios or ScenarioConfig objects; the baseline (a shipped scenario's name, or
        the name of one of `scenarios`) is added if missing.
    seeds: the seeds each scenario runs with (a range or a list).
    launcher: "serial" (one after another in this process), "processes" (a pool of `n_jobs` worker
        processes, default one per core), or any concurrent.futures.Executor (e.g. a ThreadPoolExecutor,
        or a submitit executor for a cluster).
    years: the years the headline numbers cover (default: from the policy year to the end).
    Returns a `Comparison`: `.collected`, `.summary`, `.value_for_money()`, `.plot()`, `.write(folder)`.
    """
    base = cfg if isinstance(cfg, JourneysConfig) else load_config(list(cfg))
    chosen = [scenario_config(s) for s in scenarios]
    if baseline not in [s.name for s in chosen]:  # a shipped one by name (refused, naming them, if not shipped)
        chosen.insert(0, scenario_config(baseline))
    names = [s.name for s in chosen]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"scenarios: {', '.join(repeated)} named more than once; give each scenario its own name")
    if n_jobs is not None and n_jobs < 1:
        raise ConfigError(f"n_jobs = {n_jobs}: must be 1 or more (or None: one worker per core)")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ConfigError("seeds: give at least one seed, e.g. seeds=range(1, 21)")
    jobs = []
    for scenario in chosen:
        for seed in seeds:
            job = copy.deepcopy(base)
            job.scenario, job.seed = copy.deepcopy(scenario), seed
            jobs.append(job)
    done = list(_launch(jobs, launcher, n_jobs, progress))
    runs = runs_table([labels for labels, _ in done], "this comparison")
    by_run = {labels["run"]: ts for labels, ts in done}
    collected = gather((r, by_run[r.run]) for r in runs.itertuples(index=False))
    return summarise(collected, runs, baseline=baseline, years=years)


def _launch(jobs: list[JourneysConfig], launcher, n_jobs: int | None, progress: bool):
    """Each job's (labels, timeseries), in the order of `jobs`, run as `launcher` says."""
    bar = tqdm(total=len(jobs), desc="running", unit="run", disable=not progress, file=sys.stderr)
    try:
        if isinstance(launcher, Executor) or (hasattr(launcher, "submit") and not isinstance(launcher, str)):
            yield from _through(launcher, jobs, bar)
        elif launcher == "serial":
            for job in jobs:
                out = run_for_comparison(job)
                bar.update()
                yield out
        elif launcher == "processes":
            workers = n_jobs or os.cpu_count() or 1
            # spawn, not fork: a worker starts clean (no copied threads or open figures), on every platform
            with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=get_context("spawn")) as pool:
                yield from _through(pool, jobs, bar)
        else:
            raise ConfigError(f"launcher {launcher!r}: use one of {', '.join(LAUNCHERS)} or a "
                              "concurrent.futures.Executor")
    finally:
        bar.close()


def _through(executor, jobs: list[JourneysConfig], bar):
    futures = [executor.submit(run_for_comparison, job) for job in jobs]
    results = []
    for future in futures:
        results.append(future.result())
        bar.update()
    yield from results
