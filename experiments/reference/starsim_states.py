"""The core journeys written the idiomatic Starsim way: one module, one state array, one `ss.Sim`.

The same chain as `mesa_agents` and `numpy_columns` (the step matrix expm(q dt) of the engine's
generator), written as a Starsim (https://starsim.org, 3.x) modeller would: a `ss.Disease` subclass,
`Journeys`, holds every person's state in one `ss.IntArr` (initialised from `ss.choice` over the
starting shares), draws one `ss.random()` uniform per person per step (Starsim's own random streams,
common random numbers by default) and moves each person to the first state whose cumulative row
value exceeds it; per-state counts are recorded as module results every step, as Starsim modules
do. The module runs in an `ss.Sim` with no networks, no demographics and no ageing, and a timestep
of 1/steps_per_year years; the step matrix is built from the module's own dt. "dead" is a state
of the chain (absorbing), not Starsim's death, so every person stays active, as in the others.

`CoreStarsim` has the other references' interface: `step()` advances the sim one timestep
(`ss.Sim.run_one_step`), so `experiments.benchmark_reference.reference(..., kind=CoreStarsim)`
works unchanged; `run(steps)` runs several timesteps in one pass of Starsim's integration loop
(the usual `sim.run()`, stopped early), which is the same work with one call. The sim's horizon,
set when it is built, is `horizon_years` (100 by default): step past it and Starsim raises.

Starsim is optional (not a project dependency); it is imported only when `CoreStarsim` is built:

    pip install starsim          # 3.7.x; alongside the project, e.g. into a separate environment
"""

import functools

import numpy as np

from sim.model.markov import COHORT_STATES, expm

INSTALL_HINT = "CoreStarsim needs Starsim, which is not installed: pip install starsim (3.x)"


def starsim_available() -> bool:
    try:
        import starsim  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _journeys_class():
    """The Starsim module class, defined on first use so that this file imports without Starsim."""
    try:
        import starsim as ss
    except ImportError as err:
        raise ImportError(INSTALL_HINT) from err

    class Journeys(ss.Disease):
        """Each person's state in COHORT_STATES; every timestep one uniform a person picks the next state."""

        def __init__(self, q: np.ndarray, p0: np.ndarray, **kwargs):
            super().__init__()
            q, p0 = np.asarray(q, dtype=float), np.asarray(p0, dtype=float) / np.sum(p0)  # update_pars reads these
            self.define_pars(q=q, p0=p0)
            self.update_pars(**kwargs)
            self.define_states(ss.IntArr("state", default=ss.choice(a=len(COHORT_STATES), p=self.pars.p0),
                                         label="State in the core journeys"))
            self.next_draw = ss.random(name="next_draw")  # one uniform per person per step
            self.cdf = None  # cumulative rows of the step matrix, once the timestep is known

        def init_pre(self, sim):
            super().init_pre(sim)
            self.cdf = np.cumsum(expm(self.pars.q * self.t.dt_year), axis=1)

        def init_results(self):
            super().init_results()
            self.define_results(*(ss.Result(f"n_{name}", dtype=int, label=name) for name in COHORT_STATES))

        def step(self):
            uids = self.sim.people.auids
            u = self.next_draw.rvs(uids)
            nxt = (u[:, None] >= self.cdf[self.state[uids]]).sum(axis=1)
            self.state[uids] = np.minimum(nxt, self.cdf.shape[1] - 1)

        def update_results(self):
            super().update_results()
            counts = self.counts()
            for name, c in zip(COHORT_STATES, counts):
                self.results[f"n_{name}"][self.ti] = c

        def counts(self) -> np.ndarray:
            return np.bincount(self.state.values, minlength=len(COHORT_STATES))

    return Journeys


class CoreStarsim:
    """`n` people starting with state shares `p0`, stepped `steps_per_year` times a year under generator `q`,
    as a Starsim sim (`self.sim`; the module is `self.journeys`)."""

    def __init__(self, q: np.ndarray, p0: np.ndarray, n: int, steps_per_year: int = 52, seed: int = 1, *,
                 horizon_years: float = 100):
        journeys = _journeys_class()  # raises ImportError with the install hint when Starsim is absent
        import starsim as ss

        self.sim = ss.Sim(n_agents=n, diseases=journeys(q, p0, name="journeys"), start=0, dur=horizon_years,
                          dt=ss.years(1 / steps_per_year), rand_seed=seed, verbose=0)
        self.sim.init()
        self.journeys = self.sim.diseases.journeys  # the sim's own copy of the module

    def step(self) -> None:
        """One timestep of the sim."""
        self.sim.run_one_step()

    def run(self, steps: int) -> None:
        """`steps` timesteps in one pass of the integration loop (ends early, at the horizon, if it comes first)."""
        t = self.sim.t
        last = min(t.ti + steps, t.npts) - 1  # the time of the last step to run
        self.sim.run(until=t.timevec[last])

    def occupancy(self) -> np.ndarray:
        """Share of people in each of COHORT_STATES at the end of each step so far (its results): float[step, state]."""
        steps = self.sim.t.ti
        counts = np.column_stack([self.journeys.results[f"n_{name}"][:steps] for name in COHORT_STATES])
        return counts / counts[0].sum()
