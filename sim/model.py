"""The mesa model: clock, random streams, the step order, and data collection.

The order of phases in one step is written down here, once:

    1. onset     new users whose onset time falls in the step join (rows switched on);
    2. journeys  every person: death, competing transitions, in-treatment outcomes,
                 ageing, counting (compiled, `sim.journeys.step_people`);
    3. record    model-level series into mesa's DataCollector.

Providers and services (mesa Agents) will act between journeys and record.
"""

import mesa
import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim import rng
from sim.config import JourneysConfig
from sim.hazards import build_hazards, build_mortality, build_outcomes
from sim.journeys import Keys, Tallies, TraceLog, step_people, step_people_serial
from sim.population import build_people
from sim.states import IN_RECOVERY, IN_TREATMENT, LIVING, N_AGE_BANDS, N_DRUG_GROUPS, N_EVENTS, N_STATES, Event, State
from sim.validation import validate

PHASES = ("onset", "journeys", "record")
ROW_BLOCKS = 8  # people are stepped in this many blocks of rows (in parallel where threads allow)
PARALLEL_FROM_ROWS = 40_000  # below this, starting threads costs more than it saves (measured)
TRACE_ROWS_PER_PERSON = 400


def as_config(cfg) -> JourneysConfig:
    """A JourneysConfig dataclass from a Hydra/OmegaConf config or a dataclass."""
    if isinstance(cfg, JourneysConfig):
        return cfg
    if isinstance(cfg, DictConfig):
        obj = OmegaConf.to_object(cfg)
        if isinstance(obj, JourneysConfig):
            return obj
    raise TypeError(f"expected a JourneysConfig or its OmegaConf form, got {type(cfg).__name__}")


class JourneysModel(mesa.Model):
    """Drug treatment journeys of a whole area, people held as columns.

    `steps` (mesa) counts completed steps; step n covers calendar time
    [start_year + n*dt, start_year + (n+1)*dt).
    """

    def __init__(self, cfg):
        cfg = validate(as_config(cfg))
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.dt = 1.0 / cfg.steps_per_year
        self.start_time = float(cfg.start_year)
        self.n_steps = (cfg.end_year - cfg.start_year) * cfg.steps_per_year
        levers = dict(cfg.levers)
        self.keys = Keys(journey=rng.stream_key(cfg.seed, "journey"), outcomes=rng.stream_key(cfg.seed, "outcomes"))
        self.people, self.n_initial = build_people(
            cfg.area, cfg.params, self.start_time, float(cfg.end_year), cfg.population_scale, cfg.onset,
            rng.generator(cfg.seed, "population"), rng.generator(cfg.seed, "onset"),
        )
        self.n_active = self.n_initial
        self._future_onsets = self.people.onset_time[self.n_initial:]
        self.hazards = build_hazards(cfg.params, levers)
        self.mortality = build_mortality(cfg.params, levers)
        self.outcomes = build_outcomes(cfg.params)
        b, t, g, a = ROW_BLOCKS, self.n_steps, N_DRUG_GROUPS, N_AGE_BANDS
        self.tallies = Tallies(
            stocks=np.zeros((b, t, N_STATES, g, a), dtype=np.int32),
            flows=np.zeros((b, t, N_EVENTS, g, a), dtype=np.int32),
            tx_duration=np.zeros((b, t, g, 5), dtype=np.int32),
        )
        n_traced = min(cfg.output.trace_people, self.people.size)
        chosen = np.sort(rng.generator(cfg.seed, "trace").choice(self.people.size, size=n_traced, replace=False))
        self.people.traced[chosen] = 1
        self.people_traced_rows = chosen
        cap = (b, max(n_traced * TRACE_ROWS_PER_PERSON // b, 1))
        self.trace = TraceLog(step=np.zeros(cap, np.int32), person=np.zeros(cap, np.int64),
                              source=np.zeros(cap, np.int8), target=np.zeros(cap, np.int8),
                              count=np.zeros(b, np.int64))
        self.initial_people = {k: v[chosen].copy() for k, v in self.people._asdict().items()}
        self.datacollector = mesa.DataCollector(model_reporters={
            "year": lambda m: m.start_time + m.steps * m.dt,
            "alive": lambda m: m._stock(LIVING),
            "in_treatment": lambda m: m._stock(IN_TREATMENT),
            "in_recovery": lambda m: m._stock(IN_RECOVERY),
            "deaths": lambda m: int(m.tallies.flows[:, m.steps - 1, Event.DEATH].sum()),
        })

    def _stock(self, states) -> int:
        return int(self.tallies.stocks[:, self.steps - 1, list(states)].sum())

    @property
    def calendar_time(self) -> float:
        """Calendar time (years) at the end of the last completed step."""
        return self.start_time + self.steps * self.dt

    def step(self) -> None:
        n = self.steps - 1  # mesa has already counted this step
        if n >= self.n_steps:
            self.running = False
            return
        t = self.start_time + n * self.dt
        # 1. onset: rows whose onset time is before the end of the step switch on
        n_before = self.n_active
        self.n_active = self.n_initial + int(np.searchsorted(self._future_onsets, t + self.dt, side="left"))
        # 2. journeys
        stepper = step_people if self.n_active >= PARALLEL_FROM_ROWS else step_people_serial
        age_clock = t if self.cfg.ageing else self.start_time
        stepper(self.people, n_before, self.n_active, n, t, self.dt, self.cfg.ageing, age_clock, self.keys,
                    self.hazards, self.mortality, self.outcomes, self.tallies, self.trace)
        # 3. record
        self.datacollector.collect(self)
        if n + 1 == self.n_steps:
            self.running = False

    def run(self) -> "JourneysModel":
        while self.running:
            self.step()
        return self

    def event_log(self):
        """The logged journeys (traced people): one row per state change."""
        import pandas as pd

        used = np.minimum(self.trace.count, self.trace.step.shape[1])
        take = lambda a: np.concatenate([a[c, :k] for c, k in enumerate(used)])  # noqa: E731
        names = np.array([s.name.lower() for s in State])
        steps = take(self.trace.step)
        log = pd.DataFrame({
            "person": take(self.trace.person),
            "time": self.start_time + (steps + 1) * self.dt,
            "step": steps,
            "from_state": names[take(self.trace.source)],
            "to_state": names[take(self.trace.target)],
        })
        return log.sort_values(["person", "step"], kind="stable").reset_index(drop=True)

    @property
    def trace_overflowed(self) -> bool:
        return bool((self.trace.count > self.trace.step.shape[1]).any())
