"""How far a run or a sweep has got, on stderr, for a reader waiting at the terminal.

- `RunProgress`: a single run that takes longer than a few seconds (England, a long projection)
  says which year it has simulated to, every few seconds, then when it writes its outputs. A run
  quicker than that prints nothing.
- `SweepProgress`: a Hydra callback (configs/journeys.yaml, `hydra.callbacks`) that prints a line
  as each run of a sweep finishes: how many of how many, how long it took and about how long the
  rest will take. Runs may finish in other processes (the joblib launcher) or on other machines
  sharing the sweep folder (submitit): each takes its number by creating the next free file in
  `<sweep dir>/.progress/`, so no two lines carry the same count.
"""

import json
import os
import sys
import time
from pathlib import Path

from hydra.core.utils import JobStatus
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig

BASIC_SWEEPER = "hydra._internal.core_plugins.basic_sweeper.BasicSweeper"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class RunProgress:
    """Lines on stderr once a run has taken `after` seconds, then at most every `every` seconds."""

    def __init__(self, label: str, after: float = 3.0, every: float = 3.0):
        self.label = label
        self.after = after
        self.every = every
        self.started = time.perf_counter()
        self.last: float | None = None

    def _due(self, force: bool = False) -> float | None:
        """Seconds since the run began if a line is due now (None: not yet)."""
        now = time.perf_counter()
        elapsed = now - self.started
        if elapsed < self.after or (not force and self.last is not None and now - self.last < self.every):
            return None
        self.last = now
        return elapsed

    def year_end(self, year: int, done: int, total: int) -> None:
        """`JourneysModel.run`'s `on_year_end`: the calendar year just simulated, years done of the run's."""
        elapsed = self._due()
        if elapsed is not None:
            print(f"{self.label}: simulated to the end of {year} ({done} of {total} years, {_duration(elapsed)})",
                  file=sys.stderr, flush=True)

    def stage(self, what: str) -> None:
        """A step after the simulation (the tables, the outputs), if the run has been long enough to report."""
        elapsed = self._due(force=True)
        if elapsed is not None:
            print(f"{self.label}: {what} ({_duration(elapsed)})", file=sys.stderr, flush=True)


def sweep_plan(config: DictConfig) -> tuple[int | None, list[str]]:
    """How many runs a sweep launches and the overrides that vary between them, read as Hydra's basic sweeper
    reads its parameters and the command line. (None, []) for another sweeper, or a sweep that needs the config
    loader to expand (`glob(...)`): the lines then give the count without the total."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    sweeper = config.hydra.sweeper
    if sweeper.get("_target_") != BASIC_SWEEPER:
        return None, []
    params = [f"{k}={v}" for k, v in (sweeper.get("params") or {}).items()]
    try:
        overrides = OverridesParser.create().parse_overrides([*params, *config.hydra.overrides.task])
        jobs = [job for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]
    except Exception:  # the sweeper itself reports a bad sweep; the plan is only for display
        return None, []
    values: dict[str, set[str]] = {}
    for job in jobs:
        for override in job:
            key, _, value = override.partition("=")
            values.setdefault(key, set()).add(value)
    return len(jobs), [k for k, v in values.items() if len(v) > 1]


class SweepProgress(Callback):
    """A line as each run of a sweep finishes: "run 12 of 140 done (scenario=budget_cut_10 seed=12, 2.1 s); 40 s so
    far, about 7 min to go". Single runs (not a sweep) print nothing here."""

    def __init__(self) -> None:
        self.job_started: float | None = None

    @staticmethod
    def _folder(config: DictConfig) -> Path:
        return Path(config.hydra.sweep.dir) / ".progress"

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        folder = self._folder(config)
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():  # a re-run sweep counts afresh
            old.unlink()
        size, swept = sweep_plan(config)
        (folder / "sweep.json").write_text(json.dumps({"started": time.time(), "runs": size, "swept": swept}))

    def on_job_start(self, config: DictConfig, **kwargs) -> None:
        self.job_started = time.perf_counter()

    def on_job_end(self, config: DictConfig, job_return, **kwargs) -> None:
        if config.hydra.mode != RunMode.MULTIRUN:
            return
        folder = self._folder(config)
        try:
            sweep = json.loads((folder / "sweep.json").read_text())
        except OSError:  # the sweep did not start here (a job re-run by hand): nothing to count against
            return
        done = len([p for p in folder.iterdir() if p.name.isdigit()]) + 1
        while True:  # take the next free number: two runs finishing together get two
            try:
                os.close(os.open(folder / str(done), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                break
            except FileExistsError:
                done += 1
        size = sweep["runs"]
        which = " ".join(o for o in config.hydra.overrides.task if o.partition("=")[0] in sweep["swept"])
        took = time.perf_counter() - self.job_started if self.job_started is not None else float("nan")
        elapsed = time.time() - sweep["started"]
        line = (f"run {done}{f' of {size}' if size else ''} "
                f"{'done' if job_return.status == JobStatus.COMPLETED else 'FAILED'} "
                f"({which + ', ' if which else ''}{took:.1f} s); {_duration(elapsed)} so far")
        if size and size > done:
            line += f", about {_duration(elapsed / done * (size - done))} to go"
        print(line, file=sys.stderr, flush=True)
