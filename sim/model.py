"""The mesa model: clock, random streams, the step order, and data collection.

The order of phases in one step is written down here, once:

    1. onset     new users whose onset time falls in the step join (rows switched on);
    2. journeys  every person: death, competing transitions, in-treatment outcomes,
                 ageing, counting (compiled, `sim.journeys.step_people`);
    3. providers each commissioned service (a mesa Agent, `sim.providers`) takes over
                 clients handed off to it and admits from its waiting list up to its places;
    4. record    model-level series into mesa's DataCollector.
"""

import mesa
import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim import rng
from sim.caseload_profile import CaseloadProfile
from sim.config import JourneysConfig
from sim.hazards import build_hazards, build_mortality, build_outcomes
from sim.fastcall import FastCall
from sim.hazards import pickup_shares
from sim.journeys import NOTES, Keys, Queues, SystemTables, Tallies, TraceLog, step_people, step_people_serial
from sim.providers import Provider, build_providers, route_provider_cdf
from sim.designs import with_design_point
from sim.parameter_sets import with_parameter_set
from sim.population import build_people
from sim.states import (
    IN_RECOVERY,
    IN_TREATMENT,
    LIVING,
    N_AGE_BANDS,
    N_DRUG_GROUPS,
    N_EVENTS,
    N_MODALITIES,
    N_STATES,
    DrugGroup,
    Event,
    Modality,
    State,
)
from sim.validation import validate

PHASES = ("onset", "journeys", "providers", "record")
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
        cfg, self.parameter_set = with_parameter_set(with_design_point(validate(as_config(cfg))))
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.dt = 1.0 / cfg.steps_per_year
        self.start_time = float(cfg.start_year)
        self.n_steps = (cfg.end_year - cfg.start_year) * cfg.steps_per_year
        levers = dict(cfg.levers)
        self.keys = Keys(journey=rng.stream_key(cfg.seed, "journey"))
        self.people, self.n_initial = build_people(
            cfg.area, cfg.params, self.start_time, float(cfg.end_year), cfg.population_scale, cfg.onset,
            rng.generator(cfg.seed, "population"), rng.generator(cfg.seed, "onset"),
        )
        self.n_active = self.n_initial
        self._future_onsets = self.people.onset_time[self.n_initial:]
        self._parallel, self._serial = FastCall(step_people), FastCall(step_people_serial)
        self.hazards = build_hazards(cfg.params, levers, cfg.system.handoff_per_year)
        self.mortality = build_mortality(cfg.params, levers)
        self.outcomes = build_outcomes(cfg.params)
        b, t, g, a = ROW_BLOCKS, self.n_steps, N_DRUG_GROUPS, N_AGE_BANDS
        n_providers = len(cfg.system.providers)
        self.tallies = Tallies(
            stocks=np.zeros((b, t, N_STATES, g, a), dtype=np.int32),
            flows=np.zeros((b, t, N_EVENTS, g, a), dtype=np.int32),
            tx_duration=np.zeros((b, t, g, 5), dtype=np.int32),
            providers=np.zeros((b, t, max(n_providers, 1)), dtype=np.int32),
            modalities=np.zeros((b, t, N_MODALITIES), dtype=np.int32),
            modality_exits=np.zeros((b, t, 3, N_MODALITIES), dtype=np.int32),
            tx_elapsed=np.zeros((b, t, g), dtype=np.float64),
        )
        self._build_system(cfg)
        self.profile = CaseloadProfile(quarterly=cfg.output.period == "quarter")
        n_traced = min(cfg.output.trace_people, self.people.size)
        chosen = np.sort(rng.generator(cfg.seed, "trace").choice(self.people.size, size=n_traced, replace=False))
        self.people.traced[chosen] = 1
        self.people_traced_rows = chosen
        cap = (b, max(n_traced * TRACE_ROWS_PER_PERSON // b, 1))
        self.trace = TraceLog(step=np.zeros(cap, np.int32), person=np.zeros(cap, np.int64),
                              source=np.zeros(cap, np.int8), target=np.zeros(cap, np.int8),
                              note=np.zeros(cap, np.int8),
                              count=np.zeros(b, np.int64))
        self.initial_people = {k: v[chosen].copy() for k, v in self.people._asdict().items()}
        self.datacollector = mesa.DataCollector(model_reporters={
            "year": lambda m: m.start_time + m.steps * m.dt,
            "alive": lambda m: m._stock(LIVING),
            "in_treatment": lambda m: m._stock(IN_TREATMENT),
            "in_recovery": lambda m: m._stock(IN_RECOVERY),
            "deaths": lambda m: int(m.tallies.flows[:, m.steps - 1, Event.DEATH].sum()),
            "waiting_list": lambda m: int(m.waiting_list[m.steps - 1].sum()),
        })

    def _build_system(self, cfg) -> None:
        """Providers (mesa Agents) with their places; today's clients placed with them."""
        people = self.people
        in_tx = np.isin(people.state[: self.n_initial], [int(x) for x in IN_TREATMENT])
        starting_caseload = int(in_tx.sum())
        self.services: list[Provider] = build_providers(self, cfg.system, starting_caseload)
        self.system = SystemTables(
            dt=self.dt,
            pickup=pickup_shares(cfg.params),
            route_provider_cdf=route_provider_cdf(cfg.system),
            aftercare_share=cfg.params.modality.aftercare_share,
            aftercare_years=cfg.params.modality.aftercare_weeks / 52.0,
        )
        self.handoff_success = np.array([p.tables.handoff_success for p in self.services])
        self._handoff_to = np.array([p.handoff_to for p in self.services], dtype=np.int64)
        self.waiting_list = np.zeros((self.n_steps, len(self.services)), dtype=np.int64)
        mp = cfg.params.modality
        self.cost_per_week = np.array([getattr(mp, f"cost_{m.name.lower()}_per_week") for m in Modality])
        rows = int(np.ceil(people.size / ROW_BLOCKS)) + 1
        self.queues = Queues(ready=np.zeros((ROW_BLOCKS, rows), np.int64), ready_count=np.zeros(ROW_BLOCKS, np.int64),
                             handoff=np.zeros((ROW_BLOCKS, rows), np.int64),
                             handoff_count=np.zeros(ROW_BLOCKS, np.int64))
        place_starting_caseload(self, np.flatnonzero(in_tx))

    def _stock(self, states) -> int:
        """People in `states` at the end of the last step (for the DataCollector)."""
        return int(self._by_state[list(states)].sum())

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
        stepper = self._parallel if self.n_active >= PARALLEL_FROM_ROWS else self._serial
        age_clock = t if self.cfg.ageing else self.start_time
        q = self.queues
        q.ready_count[:] = 0
        q.handoff_count[:] = 0
        stepper(self.people, n_before, self.n_active, n, n // self.cfg.steps_per_year, t, self.dt, self.cfg.ageing,
                age_clock, self.keys,
                self.hazards, self.mortality, self.outcomes, self.system, self.tallies, q, self.trace)
        # 3. providers: new waiting-list entries and hand-offs join their provider's queue, then providers act
        if q.ready_count.any():
            ready = np.concatenate([q.ready[c, : q.ready_count[c]] for c in range(ROW_BLOCKS)])
            at = self.people.provider[ready]
            for p in self.services:
                p.waiting = np.concatenate([p.waiting, ready[at == p.tables.index]])
        if q.handoff_count.any():
            handoff = np.concatenate([q.handoff[c, : q.handoff_count[c]] for c in range(ROW_BLOCKS)])
            to = self._handoff_to[self.people.provider[handoff]]
            for p in self.services:
                p.handoffs_in = np.concatenate([p.handoffs_in, handoff[to == p.tables.index]])
        self.agents_by_type[Provider].do("step")
        self.waiting_list[n] = [len(p.waiting) for p in self.services]
        self._by_state = self.tallies.stocks[:, n].sum(axis=(0, 2, 3))
        # 4. record
        self.datacollector.collect(self)
        if (n + 1) % self.cfg.steps_per_year == 0:
            a, pp = self.n_active, self.people
            self.profile.record(pp.state[:a], pp.drug[:a], pp.route[:a], pp.injecting[:a], pp.episode_start[:a],
                                self.cfg.start_year + n // self.cfg.steps_per_year)
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
            "note": np.array(NOTES)[take(self.trace.note)],
        })
        return log.sort_values(["person", "step"], kind="stable").reset_index(drop=True)

    @property
    def trace_overflowed(self) -> bool:
        return bool((self.trace.count > self.trace.step.shape[1]).any())


def place_starting_caseload(model: JourneysModel, clients: np.ndarray) -> None:
    """Give today's clients a provider and modality, within places; the rest wait, assessed.

    Opiate clients start with services that do not hand them off (they are already past
    any tier 2 hand-off); everyone else is spread by each service's share of referrals.
    """
    people, services = model.people, model.services
    draw = rng.generator(model.cfg.seed, "placement")
    cdf = model.system.route_provider_cdf
    intake = np.diff(cdf, axis=1, prepend=0.0).sum(axis=0)
    keeps = np.array([p.handoff_to < 0 for p in services], dtype=float)
    clients = draw.permutation(clients)
    g = people.drug[clients]
    opiate = (g == DrugGroup.OPIATE_ONLY) | (g == DrugGroup.OPIATE_CRACK)
    chosen = np.empty(len(clients), dtype=np.int64)
    for flag, weights in ((True, intake * keeps if keeps.any() else intake), (False, intake)):
        sel = opiate == flag
        chosen[sel] = draw.choice(len(services), size=int(sel.sum()), p=weights / weights.sum())
    u = draw.random(len(clients))
    for j, service in enumerate(services):
        mine = np.flatnonzero(chosen == j)
        placed, waiting = mine[: service.places], mine[service.places:]
        rows = clients[placed]
        people.provider[rows] = j
        t = service.tables
        people.modality[rows] = np.where(opiate[placed], np.searchsorted(t.opiate_cdf, u[placed], side="right"),
                                         np.searchsorted(t.other_cdf, u[placed], side="right")).clip(max=len(t.opiate_cdf) - 1)
        people.handoff[rows] = (opiate[placed] & (service.handoff_to >= 0)).astype(np.int8)
        rows = clients[waiting]  # no place: assessed and on the list from the start
        people.provider[rows] = j
        people.state[rows] = State.WAITING
        people.ready[rows] = 1
        people.wait_start[rows] = model.start_time
        service.waiting = np.sort(rows)
