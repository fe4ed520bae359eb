"""The engine against a per-agent mesa reference and plain numpy columns, side by side in one run.

    python -m experiments.benchmark_reference                # 2,000 and 20,000 people, 10 years weekly
    python -m experiments.benchmark_reference --people 2000 200000 --years 20 --repeats 5

All run the same core journeys (constant hazards, no onset or ageing: `tests.helpers.markov_config`):
the engine as it runs every projection (model build, compiled step, providers, tallies; the config
composed beforehand); one `mesa.Agent` a person (experiments/reference/mesa_agents.py); plain
numpy columns (numpy_columns.py); the last two under the step matrix of the engine's generator.
Each repetition times the three back to back (engine kernels warmed first); printed: each
repetition's times and ratios, then the medians.
"""

import argparse
import statistics
import time

import numpy as np

from experiments.reference.mesa_agents import CoreJourneys
from experiments.reference.numpy_columns import CoreColumns
from sim.domain.states import N_STATES, DrugGroup
from sim.model.hazards import NO_SCHEDULE
from sim.model.markov import COHORT_STATES, cohort_index, generator
from sim.model.model import JourneysModel
from tests.helpers import markov_config


def engine(people: int, years: int, seed: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Seconds to build and run the engine; the chain's generator and starting shares for the reference."""
    cfg = markov_config(n_users=people, years=years, seed=seed)  # composing the config is not the simulation
    t0 = time.perf_counter()
    model = JourneysModel(cfg)
    model.tables = model.tables._replace(hazards=model.hazards._replace(scheduled_target=np.full(N_STATES,
                                                                                              NO_SCHEDULE)))
    model.run()
    seconds = time.perf_counter() - t0
    q = generator(model.hazards, model.mortality, DrugGroup.OPIATE_ONLY, mask=0, age=30.5, pickup=model.system.pickup)
    p0 = np.zeros(len(COHORT_STATES))
    for s, c in enumerate(np.bincount(model.people.state[: model.n_initial], minlength=N_STATES)):
        if s:
            p0[cohort_index(s)] += c
    return seconds, q, p0


def reference(q: np.ndarray, p0: np.ndarray, people: int, years: int, seed: int, kind=CoreJourneys) -> float:
    t0 = time.perf_counter()
    model = kind(q, p0, n=people, seed=seed)
    for _ in range(years * 52):
        model.step()
    return time.perf_counter() - t0


def compare(people: int, years: int, repeats: int) -> dict:
    """Engine, mesa agents and numpy columns back to back `repeats` times; prints each repetition and the
    medians, returns the median times and the median per-repetition ratios to the engine."""
    times = {"engine": [], "mesa agents": [], "numpy columns": []}
    for k in range(repeats):
        e, q, p0 = engine(people, years, seed=k + 1)
        r = reference(q, p0, people, years, seed=k + 1)
        c = reference(q, p0, people, years, seed=k + 1, kind=CoreColumns)
        for name, t in zip(times, (e, r, c)):
            times[name].append(t)
        print(f"{people:>7,} people, {years} years weekly, repetition {k + 1}: engine {e:.4f} s, "
              f"mesa agents {r:.2f} s ({r / e:.0f}x the engine), numpy columns {c:.3f} s ({c / e:.1f}x)",
              flush=True)
    med = {name: statistics.median(t) for name, t in times.items()}
    mesa_ratio = statistics.median(r / e for r, e in zip(times["mesa agents"], times["engine"]))
    numpy_ratio = statistics.median(c / e for c, e in zip(times["numpy columns"], times["engine"]))
    print(f"{people:>7,} people: medians engine {med['engine']:.4f} s, mesa agents {med['mesa agents']:.2f} s, "
          f"numpy columns {med['numpy columns']:.3f} s; median ratios to the engine: mesa agents "
          f"{mesa_ratio:.0f}x, numpy columns {numpy_ratio:.1f}x", flush=True)
    return {"engine_s_median": round(med["engine"], 4), "mesa_agents_s_median": round(med["mesa agents"], 3),
            "numpy_columns_s_median": round(med["numpy columns"], 4), "mesa_agents_over_engine": round(mesa_ratio, 1),
            "numpy_columns_over_engine": round(numpy_ratio, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    engine(1000, 1, seed=99)  # load the compiled kernels before timing
    for n in args.people:
        compare(n, args.years, args.repeats)


if __name__ == "__main__":
    main()
