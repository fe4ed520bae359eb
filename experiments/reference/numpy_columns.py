"""The core journeys as plain numpy columns: one array of states, one vectorised draw a step.

The same chain as `mesa_agents` (the step matrix expm(q dt) of the engine's generator), written
as a modeller would without a framework: per step, every person's next state is found by
comparing one uniform with the cumulative row of their current state. The middle yardstick of
`experiments.benchmark_reference`: no per-agent Python, no compiled kernel.
"""

import numpy as np

from sim.model.markov import COHORT_STATES, expm


class CoreColumns:
    def __init__(self, q: np.ndarray, p0: np.ndarray, n: int, steps_per_year: int = 52, seed: int = 1):
        self.cdf = np.cumsum(expm(q / steps_per_year), axis=1)
        self.rng = np.random.default_rng(seed)
        self.state = self.rng.choice(len(p0), size=n, p=p0 / p0.sum())
        self.counts: list[np.ndarray] = []  # people in each state at the end of each step, as the engine's stocks

    def step(self) -> None:
        u = self.rng.random(self.state.shape[0])
        nxt = (u[:, None] >= self.cdf[self.state]).sum(axis=1)
        self.state = np.minimum(nxt, self.cdf.shape[1] - 1)
        self.counts.append(np.bincount(self.state, minlength=len(COHORT_STATES)))

    def occupancy(self) -> np.ndarray:
        """Share of people in each of COHORT_STATES at the end of each step so far: float[step, state]."""
        return np.array(self.counts, dtype=float) / self.state.shape[0]
