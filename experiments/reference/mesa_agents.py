"""The core journeys written the idiomatic mesa way: one `mesa.Agent` per person.

Using, waiting, in treatment (start, stay, stop), sustained recovery, remission, prison and
death, with constant hazards: a continuous-time Markov chain whose generator `q` comes from
the engine's own hazard tables (`sim.model.markov.generator`). Each step every agent draws
its next state from its row of the step's transition matrix expm(q dt), exactly as a
per-agent model would be written. It is the yardstick for the engine: the same journeys,
the same occupancy within Monte Carlo error (tests/test_reference.py), and a speed
comparison side by side in one benchmark run (experiments/benchmark_reference.py). Like the
engine (its stocks) and the other references, it records every state's count at the end of
each step, with mesa's DataCollector as mesa's own examples do.
"""

import mesa
import numpy as np

from sim.model.markov import COHORT_STATES, expm


class Person(mesa.Agent):
    """One person: a state index into COHORT_STATES."""

    def __init__(self, model: "CoreJourneys", state: int):
        super().__init__(model)
        self.state = state

    def step(self) -> None:
        self.state = self.random.choices(self.model.states, cum_weights=self.model.cdf[self.state])[0]


class CoreJourneys(mesa.Model):
    """`n` people starting with state shares `p0`, stepped `steps_per_year` times a year under generator `q`."""

    def __init__(self, q: np.ndarray, p0: np.ndarray, n: int, steps_per_year: int = 52, seed: int = 1):
        super().__init__(rng=seed)
        self.cdf = np.cumsum(expm(q / steps_per_year), axis=1).tolist()  # plain lists: what random.choices takes
        self.states = list(range(len(p0)))
        draws = np.random.default_rng(seed).choice(len(p0), size=n, p=p0 / p0.sum())
        for state in draws:
            Person(self, int(state))
        self.datacollector = mesa.DataCollector(model_reporters={"counts": CoreJourneys.counts})

    def step(self) -> None:
        self.agents.do("step")
        self.datacollector.collect(self)

    def counts(self) -> np.ndarray:
        """People in each of COHORT_STATES now."""
        states = np.fromiter((a.state for a in self.agents), dtype=np.int64, count=len(self.agents))
        return np.bincount(states, minlength=len(COHORT_STATES))

    def occupancy(self) -> np.ndarray:
        """Share of people in each of COHORT_STATES at the end of each step so far: float[step, state]."""
        counts = np.array(self.datacollector.model_vars["counts"], dtype=float)
        return counts / len(self.agents)
