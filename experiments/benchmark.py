"""Speed benchmark: the simulation, the whole `journeys` command, calibration, and a per-agent mesa reference.

    python -m experiments.benchmark            # everything below, 3+ repeats each
    python -m experiments.benchmark --quick    # fewer repeats
    python -m experiments.benchmark --only areas --scales 0.1 0.5 1 2   # England's time per person-step by size

Sections (`--only` picks some):
- areas: England and Southampton, 20 years weekly: medians of the simulation's wall time (model
  build + steps, compiled code loaded), ns per living person-step, and of the whole console
  command (a fresh process: imports, compiled-code cache load, outputs and figures) with its
  peak memory;
- calibration: `journeys-calibrate area=southampton` with 20 and 60 trials on every core (without the
  ensemble's moves): the seconds each further trial costs, and what 700 trials take, with and without the
  default moves (`min_accepted` sets times `ensemble_rounds` rounds, each move a trial's cost);
- reference: the engine against one mesa Agent per person and plain numpy columns (and Starsim,
  with the `bench` extra) on the same core journeys (experiments/reference), side by side, at
  2,000 and 20,000 people; at 200,000 without the mesa agents.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim import JourneysModel, load_config, resolve
from sim.config.schema import CalibrateConfig
from sim.domain.states import LIVING

YEARS = 20


def simulate(area: str, seed: int, scale: float = 1.0) -> dict:
    cfg = resolve(load_config([f"area={area}", f"seed={seed}", f"end_year={2005 + YEARS}", "output.trace_people=0",
                               f"population_scale={scale}"]))
    t0 = time.perf_counter()
    model = JourneysModel(cfg)
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    living = model.tallies.stocks.sum(axis=0)[:, list(LIVING)].sum()
    return {"build_s": t1 - t0, "steps_s": t2 - t1, "total_s": t2 - t0, "living_person_steps": int(living),
            "rows_end": int(model.n_active), "steps": model.n_steps}


# Runs a command as its own child and prints its wall time and peak memory (KiB): a child's peak counts the
# memory of the process that forked it (Linux carries it across exec), so the command is started from this
# small launcher, not from the benchmark holding England in memory.
_LAUNCHER = ("import resource, subprocess, sys, time; t = time.perf_counter(); code = subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL).returncode; print(time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def command(area: str) -> dict:
    """One `journeys` command: its wall time and its own peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "sim.cli", f"area={area}",
                               f"end_year={2005 + YEARS}", f"hydra.run.dir={tmp}"], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr)
    wall, peak_kib = done.stdout.split()[-2:]
    return {"wall_s": float(wall), "peak_rss_mb": int(peak_kib) / 1024}  # KiB on Linux


def calibration(trials: tuple[int, int] = (20, 60), repeats: int = 5) -> dict:
    """`journeys-calibrate area=southampton` on every core with few and more trials, each `repeats` times
    alternately: seconds per further trial from the medians (the difference over the extra trials: start-up
    and the final ensemble cancel out; one pair of runs differs by more than the trials between them)."""
    wall: dict[int, list[float]] = {n: [] for n in trials}
    for _ in range(repeats):
        for n in trials:
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "sim.calibration.cli", "area=southampton",
                                       f"n_trials={n}", "min_accepted=10", "ensemble_rounds=0",
                                       f"hydra.run.dir={tmp}", f"storage={tmp}/study.db"],
                                      capture_output=True, text=True)  # a study of its own, not the default's
                wall[n].append(time.perf_counter() - t0)
            if done.returncode:
                raise RuntimeError(done.stderr)
    few, more = (statistics.median(wall[n]) for n in trials)
    per_trial = (more - few) / (trials[1] - trials[0])
    fixed = few - trials[0] * per_trial
    defaults = CalibrateConfig()
    moves = defaults.min_accepted * defaults.ensemble_rounds
    return {"command_s_median": {str(n): round(statistics.median(w), 1) for n, w in wall.items()},
            "command_s_range": {str(n): [round(min(w), 1), round(max(w), 1)] for n, w in wall.items()},
            "repeats": repeats,
            "seconds_per_trial": round(per_trial, 3),
            "projected_700_trials_min": round((fixed + 700 * per_trial) / 60, 2),
            "default_moves": moves,
            "projected_700_trials_and_moves_min": round((fixed + (700 + moves) * per_trial) / 60, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", choices=("areas", "calibration", "reference"),
                        default=("areas", "calibration", "reference"))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--scales", type=float, nargs="*", default=None,
                        help="also England at these population scales (e.g. 0.1 0.5 1 2): is the time per "
                             "person-step constant, i.e. the run time linear in people?")
    args = parser.parse_args()
    results = {}
    if "areas" in args.only:
        results.update(areas(args.quick, args.scales))
    if "calibration" in args.only:
        results["calibration"] = calibration(repeats=3 if args.quick else 5)
        print("calibration:", json.dumps(results["calibration"]), flush=True)
    if "reference" in args.only:
        from experiments.benchmark_reference import REFERENCE_YEARS, compare, engine
        engine(1000, 1, seed=99)  # load the compiled kernels before timing
        years, repeats = REFERENCE_YEARS, 3 if args.quick else 5
        results["reference"] = {str(n): compare(n, years=years, repeats=repeats) for n in (2000, 20000)}
        results["reference"]["200000"] = compare(200_000, years=years, repeats=3, mesa=False)  # mesa: minutes a run
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def areas(quick: bool, scales: list[float] | None) -> dict:
    repeats = {"england": 2 if quick else 3, "southampton": 5 if quick else 20}
    simulate("southampton", 0)  # load the compiled code once (first use in a process) ...
    simulate("england", 0, scale=0.1)  # ... and the parallel stepper (large areas)
    results = {}
    for area, n in repeats.items():
        runs = [simulate(area, seed) for seed in range(1, n + 1)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        cmd = [command(area) for _ in range(2 if quick else 3)]
        results[area] = {
            "repeats": n,
            "simulation_s_median": round(med["total_s"], 3),
            "build_s_median": round(med["build_s"], 3),
            "ns_per_living_person_step": round(1e9 * med["steps_s"] / med["living_person_steps"], 1),
            "mean_people_alive": round(med["living_person_steps"] / med["steps"]),
            "rows_at_end": int(med["rows_end"]),
            "command_wall_s_median": round(statistics.median(c["wall_s"] for c in cmd), 2),
            "command_peak_rss_mb": round(max(c["peak_rss_mb"] for c in cmd)),
        }
    warm = load_config([]).warm_up_years
    print(f"{YEARS} years reported, weekly steps, 2005-{2005 + YEARS - 1}, after {warm} warm-up years "
          f"(simulated from {2005 - warm}; times and person-steps include them)")
    print(json.dumps(results, indent=2))
    ratio = results["england"]["simulation_s_median"] / results["southampton"]["simulation_s_median"]
    print(f"england / southampton simulation time: {ratio:.0f}x for "
          f"{results['england']['mean_people_alive'] / results['southampton']['mean_people_alive']:.0f}x the people")
    if scales:
        simulate("england", 0, scale=max(scales))  # the parallel stepper: warm at the largest size
        results["england_by_scale"] = {}
        for scale in scales:
            runs = [simulate("england", seed, scale) for seed in (1, 2)]
            steps_s = statistics.median(r["steps_s"] for r in runs)
            living = statistics.median(r["living_person_steps"] for r in runs)
            results["england_by_scale"][str(scale)] = {"simulation_s_median": round(statistics.median(
                r["total_s"] for r in runs), 3), "ns_per_living_person_step": round(1e9 * steps_s / living, 1)}
            print(f"england at population_scale {scale}: {results['england_by_scale'][str(scale)]}", flush=True)
    return results


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
