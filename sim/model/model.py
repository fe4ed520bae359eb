"""The mesa model: clock, random streams, the step order, and data collection.

The order of phases in one step is written down here, once (`JourneysModel.step`):

    0. changes   on Jan 1 of a year in which what is in force changes (`sim.config.policy`):
                 a documented change of the area (`area.timeline`), the policy year (the
                 chosen system and the scenario take over from the documented history), a
                 stage of a phased change; everyone's next event is drawn afresh;
    1. onset     new users whose onset time falls in the step join (rows switched on);
    2. journeys  every person: death, competing transitions, in-treatment outcomes,
                 ageing, counting (compiled: `sim.model.kernel.step.step_people`);
    3. providers the people the step made ready join their provider's queues; each
                 commissioned service (a mesa Agent, `sim.model.providers`) takes over
                 clients handed off to it and admits from its waiting list while its money lasts
                 (compiled: `sim.model.kernel.admission.provider_phase`);
    4. record    the stocks are counted as people change (`sim.model.kernel.counts`), flows as
                 they happen; at each year end the caseload profile (`sim.outputs.caseload_profile`) and
                 the NTA's leaver cohorts (`sim.outputs.leaver_cohorts`).

Phases 1-3 of a stretch of steps run in one compiled call (`sim.model.kernel.advance`): a
stretch ends where Python has work to do (a change of what is in force, a year end). `run()`
advances stretch by stretch; `step()` advances one step (interactive use), with the same result.

The model is built from a resolved config: validated, with its design point and parameter
set applied (`sim.projection.resolve`); `sim.run` does both.
"""

import warnings
from collections.abc import Callable
from contextlib import nullcontext

import mesa
import numpy as np
import pandas as pd

from sim.config.errors import ConfigError
from sim.config.policy import Regime, change_years, money_index, policy_step, regime_in
from sim.config.schema import JourneysConfig, as_config, is_resolved
from sim.domain.states import (
    IN_RECOVERY,
    IN_TREATMENT,
    LIVING,
    N_AGE_BANDS,
    N_DOMES_BANDS,
    N_DRUG_GROUPS,
    N_EVENTS,
    N_MODALITIES,
    N_STATES,
    Event,
    ExitReason,
    State,
)
from sim.model import rng
from sim.model.compile_notice import announce_compiling
from sim.model.hazards import build_hazards, build_mortality, build_outcomes, pickup_shares
from sim.model.kernel.advance import advance_steps
from sim.model.kernel.fastcall import FastCall
from sim.model.kernel.records import (
    TRACE_NOTES,
    Queues,
    Records,
    SystemTables,
    Tables,
    Tallies,
    TraceLog,
)
from sim.model.kernel.step import MAX_COMPETING
from sim.model.population import build_people
from sim.model.providers import (
    Provider,
    build_providers,
    place_starting_caseload,
    recommission,
    renew_contracts,
    route_provider_cdf,
    service_arrays,
    weekly_costs,
)
from sim.outputs.caseload_profile import CaseloadProfile
from sim.outputs.leaver_cohorts import LeaverCohorts

ROW_BLOCKS = 8  # people are stepped in this many blocks of rows (in parallel where threads allow) ...
PARALLEL_FROM_ROWS = 40_000  # ... from this many rows; below it, starting threads costs more than it saves
# (measured), and the rows are one block (every step adds up fewer block tallies)
TRACE_ROWS_PER_PERSON = 400


class JourneysModel(mesa.Model):
    """Drug treatment journeys of a whole area, people held as columns.

    `steps` (mesa) counts completed steps; step n covers calendar time
    [t0 + n*dt, t0 + (n+1)*dt), t0 = start_year - warm_up_years: the documented state is set at t0
    and the first `warm_up_steps` steps let it settle under the model's own dynamics before the
    reported years (`reported` slices them off).
    """

    def __init__(self, cfg: JourneysConfig):
        cfg = as_config(cfg)
        if not is_resolved(cfg):
            raise ConfigError("JourneysModel needs a resolved config (validated, design point and parameter set "
                              "applied): JourneysModel(sim.projection.resolve(cfg)), or sim.run(cfg)")
        super().__init__(rng=cfg.seed)
        self.cfg = cfg
        self.dt = 1.0 / cfg.steps_per_year
        first_year = cfg.start_year - cfg.warm_up_years  # the documented state is set here, then settles
        self.start_time = float(first_year)
        self.warm_up_steps = cfg.warm_up_years * cfg.steps_per_year
        # the year index NDTMS's records begin in (none in the history: before the run)
        records = cfg.history.ndtms_records_from
        self.ndtms_records_from = 0 if records is None else records - first_year
        self.n_steps = (cfg.end_year - first_year) * cfg.steps_per_year
        self.journey_key = rng.stream_key(cfg.seed, "journey")
        # What is in force: at the start, and from Jan 1 of each year it changes (documented changes of the
        # area, the policy year, the stages of a phased change): step -> regime.
        self.initial_regime = regime_in(cfg, first_year)
        self._changes = {(y - first_year) * cfg.steps_per_year: regime_in(cfg, y)
                         for y in change_years(cfg, first_year)}
        step = policy_step(cfg)
        self.policy_step = None if step is None else step + self.warm_up_steps
        names = [p.name for p in self.initial_regime.system.providers]
        policy = self._changes.get(self.policy_step)
        self._new_providers = policy is not None and names != [p.name for p in policy.system.providers]
        self.provider_names = names + ([p.name for p in policy.system.providers] if self._new_providers else [])
        self.people, self.n_initial = build_people(
            cfg.area, self.initial_regime.params, self.start_time, float(cfg.end_year), cfg.population_scale, cfg.onset,
            rng.generator(cfg.seed, "population"), rng.generator(cfg.seed, "onset"),
            places=money_index(cfg, self.initial_regime.params, first_year),
            propensity_key=rng.stream_key(cfg.seed, "propensity"),
        )
        self.n_active = self.n_initial
        self._future_onsets = self.people.onset_time[self.n_initial:]
        self.row_blocks = ROW_BLOCKS if self.people.size >= PARALLEL_FROM_ROWS else 1
        self._advance = FastCall(advance_steps)
        self._hazard_scratch = np.empty((self.row_blocks, MAX_COMPETING))  # each block's hazards in the step
        b, t, g, a = self.row_blocks, self.n_steps, N_DRUG_GROUPS, N_AGE_BANDS
        self.tallies = Tallies(
            stocks=np.zeros((b, t, N_STATES, g, a), dtype=np.int32),
            flows=np.zeros((b, t, N_EVENTS, g, a), dtype=np.int32),
            tx_duration=np.zeros((b, t, g, N_DOMES_BANDS), dtype=np.int32),
            providers=np.zeros((b, t, len(self.provider_names), N_MODALITIES), dtype=np.int32),
            modalities=np.zeros((b, t, N_MODALITIES), dtype=np.int32),
            modality_exits=np.zeros((b, t, len(ExitReason), N_MODALITIES), dtype=np.int32),
            tx_elapsed=np.zeros((b, t, g), dtype=np.float64),
            tx_start_sum=np.zeros((b, t, g), dtype=np.float64),
            waiting=np.zeros((b, t, len(self.provider_names)), dtype=np.int32),
            tx_ends=np.zeros((b, t, g, 2), dtype=np.float64),
        )
        self._build_system(cfg)
        self.tables = self._tables(self.initial_regime, provider_offset=0)
        self.profile = CaseloadProfile(quarterly=cfg.output.period == "quarter")
        self.leavers = LeaverCohorts(quarterly=cfg.output.period == "quarter")
        self._trace(cfg)
        self.records = Records(tallies=self.tallies, queues=self.queues, log=self.trace)

    def _tables(self, regime: Regime, provider_offset: int) -> Tables:
        """What the compiled step reads under a regime (the documented history, or the policy)."""
        p, levers = regime.params, regime.levers
        return Tables(
            hazards=build_hazards(p, levers, handoff_per_year=regime.system.handoff_per_year,
                                  criminal_justice_share=self.cfg.area.criminal_justice_share),
            mortality=build_mortality(p, levers),
            outcomes=build_outcomes(p, self.ndtms_records_from),
            system=SystemTables(pickup=pickup_shares(p), route_provider_cdf=route_provider_cdf(regime.system),
                                provider_offset=provider_offset, aftercare_share=p.modality.aftercare_share,
                                aftercare_years=p.modality.aftercare_weeks / 52.0),
        )

    def _build_system(self, cfg: JourneysConfig) -> None:
        """Providers (mesa Agents) of the documented system with their money; today's clients placed with them."""
        people = self.people
        in_tx = np.isin(people.state[: self.n_initial], [int(x) for x in IN_TREATMENT])
        self.budget_per_year = cfg.area.budget_per_year * cfg.population_scale  # the simulated people's money
        regime = self.initial_regime
        n_providers = len(self.provider_names)
        self.service_arrays = service_arrays(n_providers, people.size + 1, self.n_steps)
        self.services: list[Provider] = build_providers(self, regime.system, regime.params, self.budget_per_year)
        self.commissioned = np.zeros((self.n_steps, n_providers), dtype=bool)  # [step, provider]
        self.commissioned[:, : len(self.services)] = True
        self.funding = np.zeros((self.n_steps, n_providers))  # [step, provider]: GBP paid (simulated people)
        self._funded(0)
        b = self.row_blocks
        rows = int(np.ceil(people.size / b)) + 1
        self.queues = Queues(ready=np.zeros((b, rows), np.int64), ready_count=np.zeros(b, np.int64),
                             handoff=np.zeros((b, rows), np.int64), handoff_count=np.zeros(b, np.int64),
                             step_up=np.zeros((b, rows), np.int64), step_up_count=np.zeros(b, np.int64))
        place_starting_caseload(people, self.services, np.flatnonzero(in_tx), rng.generator(cfg.seed, "placement"))

    def _funded(self, n: int) -> None:
        """The money each service is paid from step n on (GBP a step; unfunded services cost nothing here)."""
        weeks = 52.0 / self.cfg.steps_per_year
        self.funding[n:] = 0.0
        for p in self.services:
            if np.isfinite(p.weekly_budget):
                self.funding[n:, p.tables.index] = p.weekly_budget * weeks

    def _trace(self, cfg: JourneysConfig) -> None:
        """Choose the people whose journeys are logged (events.csv) and keep their starting attributes."""
        b = self.row_blocks
        n_traced = min(cfg.output.trace_people, self.people.size)
        chosen = (np.sort(rng.generator(cfg.seed, "trace").choice(self.people.size, size=n_traced, replace=False))
                  if n_traced else np.zeros(0, dtype=np.int64))  # (the trace stream is its own: nothing else moves)
        self.people.traced[chosen] = 1
        self.people_traced_rows = chosen
        cap = (b, max(n_traced * TRACE_ROWS_PER_PERSON // b, 1))
        self.trace = TraceLog(step=np.zeros(cap, np.int32), person=np.zeros(cap, np.int64),
                              source=np.zeros(cap, np.int8), target=np.zeros(cap, np.int8),
                              note=np.zeros(cap, np.int8), phase=np.zeros(cap, np.int8), count=np.zeros(b, np.int64))
        self.initial_people = {k: v[chosen].copy() for k, v in self.people._asdict().items()}

    @property
    def waiting_list(self) -> np.ndarray:
        """int[step, provider]: people assessed and waiting on each provider's list at the end of each step."""
        return self.tallies.waiting.sum(axis=0)

    def step_series(self) -> pd.DataFrame:
        """Model-level series, one row per step (time at the step's end): people alive, in treatment, in
        recovery, deaths in the step, people on waiting lists (`Projection.steps`)."""
        by_state = self.tallies.stocks.sum(axis=(0, 3, 4))
        stock = lambda states: by_state[:, [int(s) for s in states]].sum(axis=1)  # noqa: E731
        return pd.DataFrame({
            "year": self.start_time + np.arange(1, self.n_steps + 1) * self.dt,
            "alive": stock(LIVING),
            "in_treatment": stock(IN_TREATMENT),
            "in_recovery": stock(IN_RECOVERY),
            "deaths": self.tallies.flows[:, :, Event.DEATH].sum(axis=(0, 2, 3)),
            "waiting_list": self.waiting_list.sum(axis=1),
        }).iloc[: self.steps]

    # ------------------------------------------------------------------ the step, phase by phase

    def step(self) -> None:
        """One step (mesa counts it before calling this)."""
        n = self.steps - 1
        if n >= self.n_steps:
            self.running = False
            return
        self._advance_to(n, n + 1)
        if n + 1 == self.n_steps:
            self.running = False

    def run(self, on_year_end: Callable[[int, int, int], None] | None = None) -> "JourneysModel":
        """Every remaining step, a stretch at a time (between changes and year ends) in one compiled call;
        the same result as `step()` repeated. mesa's step count and clock are brought up to date.

        `on_year_end(year, years_done, years_in_run)`, if given, is called at each year end (warm-up years
        included): how a long run reports progress."""
        n = self.steps
        spy = self.cfg.steps_per_year
        while n < self.n_steps:
            end = min(self.n_steps, (n // spy + 1) * spy)  # the year end ...
            end = min([end] + [c for c in self._changes if n < c < end])  # ... or the next change before it
            self._advance_to(n, end)
            n = end
            if on_year_end is not None and n % spy == 0:
                on_year_end(int(self.start_time) + n // spy - 1, n // spy, self.n_steps // spy)
        self.steps = n
        self.time = float(n)
        self._default_schedule.stop()  # a finished run: mesa's step events no longer apply
        self.running = False
        return self

    def _advance_to(self, n: int, end: int) -> None:
        """Steps [n, end): nothing changes from outside the compiled code within them."""
        if n in self._changes:
            self._change(n)
        first_call = self._advance.entry is None  # numba compiles the step here if its cache has no copy
        with announce_compiling("the step kernel") if first_call else nullcontext():
            self.n_active = self._advance(self.people, n, end, self.n_initial, self.n_active, self._future_onsets,
                                          self.start_time, self.dt, self.cfg.steps_per_year, self.cfg.ageing,
                                          self.journey_key, self.tables, self.records, self.service_arrays,
                                          PARALLEL_FROM_ROWS, self._hazard_scratch)
        if end % self.cfg.steps_per_year == 0:  # a year end: the caseload profile and the leaver cohorts
            a, pp = self.n_active, self.people
            year = int(self.start_time) + (end - 1) // self.cfg.steps_per_year
            self.profile.record(pp.state[:a], pp.drug[:a], pp.route[:a], pp.injecting[:a], pp.episode_start[:a], year)
            self.leavers.record(pp.state[:a], pp.drug[:a], pp.last_exit[:a], pp.last_completion[:a],
                                pp.last_dropout[:a], pp.wait_start[:a], year)

    def _change(self, n: int) -> None:
        """0. From Jan 1 of a year in which what is in force changes: a documented change of the area, the
        policy year (the chosen system and the scenario), a stage of a phased change.

        A system with other services is re-commissioned at the policy year; otherwise the same
        services get new terms. Every run redraws everyone's next event at the policy year and at
        every change, whatever changed (waits are memoryless between changes of hazard, so this is
        exact): two scenarios run with the same seed keep identical journeys wherever the policy
        does not reach.
        """
        regime = self._changes[n]
        offset = self.services[0].tables.index
        if n == self.policy_step and self._new_providers:
            old, offset = self.services, len(self.services)
            self.services = build_providers(self, regime.system, regime.params, self.budget_per_year, offset)
            recommission(self.people, self.n_active, old, self.services, route_provider_cdf(regime.system),
                         rng.generator(self.cfg.seed, "recommissioning"))
            self.commissioned[n:, : len(old)] = False
            self.commissioned[n:, offset:] = True
        else:
            renew_contracts(self.services, regime.system, regime.params, self.budget_per_year)
        self._funded(n)
        self.tables = self._tables(regime, provider_offset=offset)
        a = self.n_active
        self.people.refresh_step[:a] = n
        self.people.next_check[:a] = n

    def cost_of_care_per_step(self) -> np.ndarray:
        """GBP of care delivered in each step: people in each modality x its cost per client-week (the
        regime's unit costs), recovery support after treatment included."""
        weeks = 52.0 / self.cfg.steps_per_year
        modalities = self.tallies.modalities.sum(axis=0)
        cost = modalities @ weekly_costs(self.initial_regime.params) * weeks
        for start, regime in sorted(self._changes.items()):  # steps not yet run have no one to cost
            cost[start:] = modalities[start:] @ weekly_costs(regime.params) * weeks
        return cost

    # What the compiled step reads, by name (replace `tables` to change them: a test swaps the hazards).
    hazards = property(lambda self: self.tables.hazards)
    mortality = property(lambda self: self.tables.mortality)
    outcomes = property(lambda self: self.tables.outcomes)
    system = property(lambda self: self.tables.system)

    def reported(self, per_step: np.ndarray) -> np.ndarray:
        """The steps of the reported years (from start_year) of an array whose first axis is the step."""
        return per_step[self.warm_up_steps:]

    def event_log(self) -> pd.DataFrame:
        """The logged journeys (traced people): one row per state change, and per change of service or modality
        within treatment (from_state = to_state; `note` says which), in the order they happened.

        A person's rows chain: each starts in the state the one before ended in, and the first in the state they
        began the run in (`initial_people["state"]`, people.csv; `not_yet` for someone whose use starts during the
        run: their first row is that onset). Rows of one step are in the order of its phases (journeys, then
        providers: an admission, a hand-off); the rows a phase logs of one person are in one block of the log, in
        the order they happened.
        """
        used = np.minimum(self.trace.count, self.trace.step.shape[1])
        if (self.trace.count > used).any():  # never expected (TRACE_ROWS_PER_PERSON is generous): say so if it is
            warnings.warn(f"journey log full: {int((self.trace.count - used).sum())} state changes of traced people "
                          f"not logged; trace fewer people (output.trace_people)", RuntimeWarning, stacklevel=2)
        take = lambda a: np.concatenate([a[c, :k] for c, k in enumerate(used)])  # noqa: E731
        names = np.array([s.name.lower() for s in State])
        steps = take(self.trace.step)
        phase = take(self.trace.phase)
        log = pd.DataFrame({
            "person": take(self.trace.person),
            "time": self.start_time + (steps + 1) * self.dt,
            "step": steps,
            "from_state": names[take(self.trace.source)],
            "to_state": names[take(self.trace.target)],
            "note": np.array(TRACE_NOTES)[take(self.trace.note)],
        })
        order = np.lexsort((phase, steps, log["person"].to_numpy()))  # stable: a block's rows keep their order
        return log.iloc[order].reset_index(drop=True)
