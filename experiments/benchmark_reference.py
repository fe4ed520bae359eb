"""The engine against a per-agent mesa reference and plain numpy columns, side by side in one run.

    python -m experiments.benchmark_reference                # 2,000 and 20,000 people, 20 years weekly
    python -m experiments.benchmark_reference --people 2000 200000 --years 20 --repeats 5

All run the same core journeys (constant hazards, no onset or ageing: `tests.helpers.markov_config`):
the engine as it runs every projection (model build, compiled step, providers, tallies; the config
composed beforehand); one `mesa.Agent` a person (experiments/reference/mesa_agents.py); plain
numpy columns (numpy_columns.py); Starsim, if installed (`pip install -e ".[bench]"`:
starsim_states.py); the references under the step matrix of the engine's generator.
Each repetition times the three back to back (engine kernels warmed first); printed: each
repetition's times and ratios, then the medians.
"""

import argparse
import statistics
import time

import numpy as np

from experiments.reference.mesa_agents import CoreJourneys
from experiments.reference.numpy_columns import CoreColumns
from experiments.reference.starsim_states import CoreStarsim, starsim_available
from sim.domain.states import N_STATES, DrugGroup
from sim.model.hazards import NO_SCHEDULE
from sim.model.markov import COHORT_STATES, cohort_index, generator
from sim.model.model import JourneysModel
from tests.helpers import markov_config

# The measure: the toy journeys over 20 years weekly (at 10 years the engine's 3 ms build weighs twice
# as much against mesa's per-step cost).
REFERENCE_YEARS = 20


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


def compare(people: int, years: int, repeats: int, mesa: bool = True) -> dict:
    """The engine and the references back to back `repeats` times (mesa agents unless `mesa=False`, numpy
    columns, and Starsim if installed: the `bench` extra); prints each repetition and the medians, returns
    the median times and the median per-repetition ratios to the engine."""
    kinds = {"mesa agents": CoreJourneys} if mesa else {}
    kinds["numpy columns"] = CoreColumns
    if starsim_available():
        kinds["starsim"] = CoreStarsim
    times = {"engine": [], **{name: [] for name in kinds}}
    for k in range(repeats):
        e, q, p0 = engine(people, years, seed=k + 1)
        times["engine"].append(e)
        line = f"{people:>7,} people, {years} years weekly, repetition {k + 1}: engine {e:.4f} s"
        for name, kind in kinds.items():
            t = reference(q, p0, people, years, seed=k + 1, kind=kind)
            times[name].append(t)
            line += f", {name} {t:.3f} s ({t / e:.1f}x)"
        print(line, flush=True)
    out = {"engine_s_median": round(statistics.median(times["engine"]), 4)}
    line = f"{people:>7,} people: median engine {out['engine_s_median']:.4f} s"
    for name in kinds:
        key = name.replace(" ", "_")
        out[f"{key}_s_median"] = round(statistics.median(times[name]), 4)
        out[f"{key}_over_engine"] = round(statistics.median(t / e for t, e in zip(times[name], times["engine"])), 1)
        line += f"; {name} {out[f'{key}_s_median']:.3f} s, {out[f'{key}_over_engine']}x the engine"
    print(line + " (median of per-repetition ratios)", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--years", type=int, default=REFERENCE_YEARS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-mesa-from", type=int, default=100_000,
                        help="leave the mesa agents out from this many people (200,000 take minutes a repetition)")
    args = parser.parse_args()
    engine(1000, 1, seed=99)  # load the compiled kernels before timing
    engine(60_000, 1, seed=99)  # ... and the parallel stepper
    for n in args.people:
        compare(n, args.years, args.repeats, mesa=n < args.no_mesa_from)


if __name__ == "__main__":
    main()
