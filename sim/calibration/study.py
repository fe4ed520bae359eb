"""The search: an Optuna study (multivariate TPE) over the free parameters, stored in a database.

The study lives in a database (SQLite file by default, any SQLAlchemy URL such as PostgreSQL for
several machines): re-running with the same study name continues it, and finished trials are
never lost or repeated. A running trial beats a heartbeat into the database; one silent for
GRACE_SECONDS was left by a killed process and is marked failed (not re-run: its point is the
sampler's to propose again or not). A trial killed in the instant between its start and its
first heartbeat stays "running": never counted, never re-run. With `workers` > 1, that many
processes on this machine take trials from the same study at once, each with its own sampler
seed (so they do not propose the same points), and a resumed study gets new seeds (so it does
not propose its first points again); the order in which trials finish then depends on timing, so
the search is reproducible trial for trial only with one worker. Each trial keeps the simulated
value of every target for every seed (a user attribute), so the ensemble's predictive intervals
need no re-runs (`sim.calibration.ensemble`).
"""

import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import optuna
import pandas as pd

from sim.calibration.ensemble import Ensemble, accept
from sim.calibration.explore import MOVE, Population, Space, as_ensemble, move
from sim.calibration.objective import FreeParameter, objective_value, with_values
from sim.config.schema import SAMPLERS, JourneysConfig

HEARTBEAT_SECONDS = 10  # a running trial tells the study it is alive this often ...
GRACE_SECONDS = 60  # ... and one silent this long was left by a killed process: marked failed, never re-run


def storage_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL: a file path is a SQLite file; postgresql:// goes through psycopg (3), the driver
    the `shared` extra installs."""
    text = str(path_or_url)
    if "://" not in text:
        return f"sqlite:///{Path(text).resolve()}"
    for scheme in ("postgresql://", "postgres://"):
        if text.startswith(scheme):
            return "postgresql+psycopg://" + text[len(scheme):]
    return text


def sampler_seed(seed: int, worker: int, trials_before: int) -> int:
    """The sampler seed of a worker joining a study that already holds `trials_before` trials: its own for
    each worker, and a new one on every resume (a sampler seeded as before would propose its first
    points again: the random start-up trials of TPE)."""
    return int(np.random.SeedSequence([int(seed), int(worker), int(trials_before)]).generate_state(1)[0])




def make_sampler(kind: str, seed: int, source: list | None = None):
    """Optuna's multivariate TPE (free parameters trade off), or CMA-ES: a search that adapts a full covariance
    to the loss surface, the usual choice for 10-100 continuous parameters. CMA-ES starts from the middle of
    the ranges, or, given `source` trials (`source_trials`: an earlier calibration's), from the distribution of
    their best (warm-started CMA-ES): a refit after a small change of the model need not search from afar."""
    if kind not in SAMPLERS:
        raise ValueError(f"sampler = {kind!r}: allowed: {', '.join(SAMPLERS)}")
    with warnings.catch_warnings():  # multivariate TPE and warm starts are marked experimental (since 2.2, 2.6)
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if kind == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False,
                                                source_trials=source or None)
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)


def source_trials(table: pd.DataFrame, free: list[FreeParameter], held: dict[str, float] | None = None) -> list:
    """An earlier calibration's finished trials (`trials.csv`: a column per parameter, `loss`) as trials of this
    search space, for a warm-started CMA-ES; none unless they give every free parameter within its range.

    `held`: values the earlier calibration held a parameter at that it did not vary (a parameter added since,
    at the value that leaves the model as it was), so a refit that frees one more parameter still starts warm."""
    names = [p.name for p in free]
    table = table.assign(**{n: v for n, v in (held or {}).items() if n in names and n not in table.columns})
    if table.empty or not set(names) <= set(table.columns):
        return []
    inside = np.logical_and.reduce([table[p.name].between(p.low, p.high) for p in free])
    distributions = {p.name: optuna.distributions.FloatDistribution(p.low, p.high, log=p.log) for p in free}
    return [optuna.trial.create_trial(params={n: float(row[n]) for n in names}, distributions=distributions,
                                      value=float(row["loss"]))
            for _, row in table[inside].iterrows()]


def study(storage: str | Path, name: str, seed: int, sampler: str = "tpe", source: list | None = None):
    """Create or continue a study (its sampler seeded from `seed`; CMA-ES warm-started from `source` trials)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = make_sampler(sampler, seed, source)
    with warnings.catch_warnings():  # heartbeats are marked experimental, and have been since Optuna 2.9
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        rdb = optuna.storages.RDBStorage(storage_url(storage), heartbeat_interval=HEARTBEAT_SECONDS,
                                         grace_period=GRACE_SECONDS)
        s = optuna.create_study(study_name=name, storage=rdb, direction="minimize", sampler=sampler,
                                load_if_exists=True)
        optuna.storages.fail_stale_trials(s)  # trials a killed process left running (each later trial checks too)
    return s


def calibrate(cfg: JourneysConfig, targets: pd.DataFrame, free: list[FreeParameter], n_trials: int,
              storage: str | Path, name: str, seeds: list[int], progress: bool = False,
              start_from: dict[str, float] | None = None, workers: int = 1, sampler: str = "tpe",
              source: list | None = None):
    """Run trials until the study holds `n_trials` finished ones; return the study.

    Re-running continues where an interrupted run stopped: finished trials are kept and
    only the missing ones are run. `start_from` (e.g. the area's shipped calibration) is the
    first trial of a new study, so a recalibration starts from the previous fit. `workers`
    processes run trials at once (this one and workers - 1 more, each sampler seeded by `sampler_seed`).
    `sampler`: "tpe" or "cmaes" (`SAMPLERS`); `source`: trials CMA-ES starts from (`source_trials`).
    """
    before = len(study(storage, name, cfg.seed, sampler).trials)
    s = study(storage, name, sampler_seed(cfg.seed, 0, before), sampler, source)
    if start_from and not s.trials:  # a new study tries the previous calibration first
        s.enqueue_trial({p.name: min(max(start_from[p.name], p.low), p.high) for p in free if p.name in start_from})
    if len(searched(s)) >= n_trials:
        return s
    job = (cfg, targets, free, n_trials, seeds)
    others = []
    if workers > 1:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no forked threads or locks
        others = [context.Process(target=_work, args=(str(storage), name, sampler_seed(cfg.seed, k, before), sampler,
                                                      source, os.getpid(), *job), daemon=True)
                  for k in range(1, workers)]
        for process in others:
            process.start()
    try:
        _optimize(s, *job, progress=progress)
    finally:
        for process in others:
            process.join()
    failed = [p.exitcode for p in others if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} calibration worker(s) failed (exit codes {failed}); "
                           "the study keeps every finished trial: run the same command again to continue")
    return study(storage, name, cfg.seed, sampler)


def _objective(cfg, targets, free, seeds):
    def objective(trial):
        values = {p.name: trial.suggest_float(p.name, p.low, p.high, log=p.log) for p in free}
        loss, simulated = _score(cfg, targets, seeds, values)
        trial.set_user_attr("simulated", simulated)
        return loss
    return objective


def _score(cfg, targets, seeds, values: dict[str, float]) -> tuple[float, dict[str, list[float | None]]]:
    """A parameter set's loss and its simulated value of every target for every seed (kept with the trial)."""
    loss, frame = objective_value(with_values(cfg, values), targets, seeds)
    return loss, {k: [None if np.isnan(v) else float(v) for v in row] for k, row in zip(frame.index, frame.to_numpy())}


_JOB: tuple = ()  # a move worker's (cfg, targets, seeds), set once when its process starts


def _start_move_worker(*job) -> None:
    global _JOB
    _JOB = job


def _score_move(values: dict[str, float]):
    return _score(*_JOB, values)


def move_ensemble(cfg: JourneysConfig, targets: pd.DataFrame, free: list[FreeParameter], storage: str | Path,
                  name: str, seeds: list[int], search: pd.DataFrame, accepted: pd.DataFrame, tolerance: float,
                  particles: int, rounds: int, workers: int = 1, progress: bool = False) -> Population:
    """Spread `particles` of the search's accepted sets over the likelihood-ratio region (`sim.calibration.explore`),
    each proposal a trial of the study (tagged `MOVE`), so an interrupted run continues where it stopped.

    The chain is named by the number of search trials it started from: more search trials later start a new one."""
    chain = len(search)
    rdb = optuna.storages.RDBStorage(storage_url(storage))
    study_id = rdb.get_study_id_from_name(name)
    done = {}
    for t in rdb.get_all_trials(study_id, deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        tag = str(t.user_attrs.get(MOVE, "")).split(":")
        if len(tag) == 3 and int(tag[0]) == chain:
            done[(int(tag[1]), int(tag[2]))] = (float(t.value), t.number)
    distributions = {p.name: optuna.distributions.FloatDistribution(p.low, p.high, log=p.log) for p in free}

    def record(round_: int, particle: int, values: dict[str, float], loss: float, simulated) -> int:
        trial = optuna.trial.create_trial(params=values, distributions=distributions, value=loss,
                                          user_attrs={MOVE: f"{chain}:{round_}:{particle}", "simulated": simulated})
        return rdb.get_trial_number_from_id(rdb.create_new_trial(study_id, template_trial=trial))

    pool = None
    if workers > 1:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_move_worker, initargs=(cfg, targets, seeds))

    def evaluate(round_: int, todo):
        if pool is None:
            for k, values in todo:
                loss, simulated = _score(cfg, targets, seeds, values)
                yield k, loss, record(round_, k, values, loss, simulated)
            return
        futures = {pool.submit(_score_move, values): (k, values) for k, values in todo}
        for future in as_completed(futures):
            k, values = futures[future]
            loss, simulated = future.result()
            yield k, loss, record(round_, k, values, loss, simulated)

    try:
        return move(accepted, Space.of(free), tolerance, particles, rounds, cfg.seed, chain, done, evaluate,
                    report=print if progress else (lambda line: None))
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def settle_ensemble(s, cfg: JourneysConfig, targets: pd.DataFrame, free: list[FreeParameter], storage: str | Path,
                    name: str, seeds: list[int], min_accepted: int, rounds: int, workers: int = 1,
                    progress: bool = False):
    """(every finished trial, the ensemble, the study): the search's accepted trials (`accept`), then `rounds`
    rounds of moves spreading `min_accepted` of them over the likelihood-ratio region (`move_ensemble`)."""
    table = trials_table(s)
    search = search_rows(table)
    ensemble = accept(search, [p.name for p in free], min_accepted)
    if rounds < 1 or len(ensemble.accepted) < 2:
        return table, ensemble, s
    if progress:
        print(f"spreading {min(min_accepted, len(ensemble.accepted))} of the {len(ensemble.accepted)} accepted sets "
              f"over the region (loss <= {ensemble.tolerance:.2f}): {rounds} rounds of moves")
    pop = move_ensemble(cfg, targets, free, storage, name, seeds, search, ensemble.accepted, ensemble.tolerance,
                        min_accepted, rounds, workers, progress)
    ensemble = Ensemble(as_ensemble(pop, Space.of(free)), ensemble.tolerance, ensemble.widened, tuple(pop.acceptance))
    s = study(storage, name, cfg.seed)  # anew: the moves were written through storage of their own
    return trials_table(s), ensemble, s


def _optimize(s, cfg, targets, free, n_trials, seeds, progress=False, parent: int | None = None) -> None:
    """Take trials from the study until it holds n_trials finished ones (whoever finished them); a worker
    (`parent`: its command's process id) also stops after the trial in hand once that process is gone."""
    remaining = max(n_trials - len(searched(s)), 0)
    if remaining:
        callbacks = [_stop_at(n_trials)]
        if parent is not None:
            callbacks.append(_stop_when_orphaned(parent))
        s.optimize(_objective(cfg, targets, free, seeds), n_trials=remaining, callbacks=callbacks,
                   show_progress_bar=progress)


def _stop_at(n_trials: int):
    """Stop once the study holds `n_trials` finished search trials (whoever finished them; the ensemble's moves,
    trials of the same study, do not count)."""
    def callback(study, trial):
        if len(searched(study)) >= n_trials:
            study.stop()
    return callback


def _stop_when_orphaned(parent: int):
    """A killed command (SIGTERM, SIGKILL) cannot stop its workers; each notices it has lost its parent and stops
    after its trial in hand (finished, and kept in the study) rather than running on unseen."""
    def callback(study, trial):
        if os.getppid() != parent:
            study.stop()
    return callback


def _work(storage: str, name: str, sampler_seed: int, sampler: str, source: list | None, parent: int, *job) -> None:
    """A worker process: the same study, its own sampler seed."""
    _optimize(study(storage, name, sampler_seed, sampler, source), *job, parent=parent)


def finished(s) -> list:
    """The study's finished trials."""
    return s.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def searched(s) -> list:
    """The study's finished trials of the search (not the ensemble's moves, `sim.calibration.explore`)."""
    return [t for t in finished(s) if MOVE not in t.user_attrs]


def search_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `trials_table` that are the search's own trials (not the ensemble's moves), best first."""
    return table[table[MOVE].isna()]


def trials_table(s) -> pd.DataFrame:
    """Finished trials: parameter values and loss, best first; `move` tags the ensemble's moves
    (`sim.calibration.explore`: chain, round, particle), empty for the search's own trials."""
    rows = [{**t.params, "loss": t.value, "trial": t.number, MOVE: t.user_attrs.get(MOVE)} for t in finished(s)]
    if not rows:  # a study with nothing finished yet
        return pd.DataFrame(columns=["loss", "trial", MOVE])
    return pd.DataFrame(rows).sort_values(["loss", "trial"]).reset_index(drop=True)


def simulated_by_trial(s) -> dict[int, dict[str, list[float]]]:
    """Each finished trial's simulated value of every target, one per seed."""
    return {t.number: t.user_attrs.get("simulated", {}) for t in finished(s)}
