"""Speed benchmark: simulation time per person-step, and the whole `journeys` command.

    python -m experiments.benchmark            # england and southampton, 20 years, weekly steps
    python -m experiments.benchmark --quick    # fewer repeats
    python -m experiments.benchmark --quick --scales 0.1 0.5 1 2   # and England's time per person-step by size

Reports medians over repeats: wall time of the simulation (model build + steps, after the
compiled code is loaded), ns per person-step (per living person and per row stepped), and
for the whole console command its wall time and peak memory (a fresh process each time,
imports, compiled-code cache load, outputs and figures included).
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim import JourneysModel, load_config, resolve
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


def command(area: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "sim.cli", f"area={area}", f"end_year={2005 + YEARS}",
                               f"hydra.run.dir={tmp}"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children so far
    if done.returncode:
        raise RuntimeError(done.stderr)
    return {"wall_s": wall, "peak_rss_mb": max(peak, before) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--scales", type=float, nargs="*", default=None,
                        help="also England at these population scales (e.g. 0.1 0.5 1 2): is the time per "
                             "person-step constant, i.e. the run time linear in people?")
    args = parser.parse_args()
    repeats = {"england": 2 if args.quick else 3, "southampton": 5 if args.quick else 20}
    simulate("southampton", 0)  # load the compiled code once (first use in a process)
    results = {}
    for area, n in repeats.items():
        runs = [simulate(area, seed) for seed in range(1, n + 1)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        cmd = [command(area) for _ in range(1 if args.quick else 2)]
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
    if args.scales:
        simulate("england", 0, scale=max(args.scales))  # the parallel stepper: warm at the largest size
        results["england_by_scale"] = {}
        for scale in args.scales:
            runs = [simulate("england", seed, scale) for seed in (1, 2)]
            steps_s = statistics.median(r["steps_s"] for r in runs)
            living = statistics.median(r["living_person_steps"] for r in runs)
            results["england_by_scale"][str(scale)] = {"simulation_s_median": round(statistics.median(
                r["total_s"] for r in runs), 3), "ns_per_living_person_step": round(1e9 * steps_s / living, 1)}
            print(f"england at population_scale {scale}: {results['england_by_scale'][str(scale)]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
