"""Commissioned services: providers are mesa Agents with places, waiting lists and hand-offs.

Each step, after people's journeys (`sim.journeys`), every provider in turn:
  1. takes in the clients handed off to it by a tier 2 service, if it has places
     (each hand-off is picked up with the sending service's documented success share;
     one that is not picked up returns the person to using);
  2. admits people from its waiting list, longest-waiting first, up to its free places,
     giving each a modality from its mix for their drug group.
A provider never holds more clients than its places. The system (`system=` config group)
says which providers exist, which referral routes reach which of them, and who hands off
to whom; scenarios (`scenario=`) change places and levers on top.
"""

from typing import NamedTuple

import mesa
import numpy as np
from numba import njit

from sim.config import ProviderConfig, SystemConfig
from sim.fastcall import FastCall
from sim.journeys import DOMES_BAND_OF_YEAR, NOTE_HANDOFF_FAILED, _age_band, _draw, _in_treatment, _leave_treatment, _log_note
from sim.states import N_MODALITIES, N_ROUTES, DrugGroup, Event, Modality, Route, State

UNLIMITED = 2**40
MODALITY_BY_NAME = {m.name.lower(): int(m) for m in Modality}
ROUTE_BY_NAME = {r.name.lower(): int(r) for r in Route}
W_START, W_TX = int(State.WAITING), int(State.TX_START)
E_START, E_HANDOFF, E_HANDOFF_FAILED = int(Event.TREATMENT_START), int(Event.TRANSFER), int(Event.TRANSFER_FAILED)
E_UNPLANNED, E_OVER3W = int(Event.EXIT_UNPLANNED), int(Event.WAITED_OVER_3_WEEKS)
E_IN_TX_YEAR = int(Event.IN_TREATMENT_THIS_YEAR)
USING_PREVIOUS = int(State.USING_PREVIOUS)
OPIATE_ONLY, OPIATE_CRACK = int(DrugGroup.OPIATE_ONLY), int(DrugGroup.OPIATE_CRACK)
THREE_WEEKS_YEARS = 3.0 / 52.0


class ServiceTables(NamedTuple):
    """One provider as the compiled admission code sees it."""

    index: int
    opiate_cdf: np.ndarray  # float64[modality]: cumulative modality mix for opiate clients
    other_cdf: np.ndarray  # float64[modality]: for crack-only and non-opiate clients
    hands_off: bool  # opiate clients admitted here are to be handed off for prescribing
    handoff_success: float  # chance its hand-offs are picked up
    after_handoff_modality: int


def _cdf(mix: dict[str, float], field: str, multipliers: dict[str, float]) -> np.ndarray:
    shares = np.zeros(N_MODALITIES)
    for name in multipliers:
        if name not in MODALITY_BY_NAME:
            raise ValueError(f"system.modality_mix_multipliers: unknown modality {name!r}; "
                             f"allowed: {', '.join(MODALITY_BY_NAME)}")
    for name, share in mix.items():
        if name not in MODALITY_BY_NAME or name == "recovery_support":
            allowed = ", ".join(n for n in MODALITY_BY_NAME if n != "recovery_support")
            raise ValueError(f"{field}: unknown modality {name!r}; allowed: {allowed}")
        if share < 0:
            raise ValueError(f"{field}.{name} = {share}: a share must be >= 0")
        shares[MODALITY_BY_NAME[name]] = share * multipliers.get(name, 1.0)
    if shares.sum() <= 0:
        raise ValueError(f"{field}: needs at least one modality with a positive share")
    return np.cumsum(shares / shares.sum())


class Provider(mesa.Agent):
    """A treatment service: places, a waiting list, a modality mix, and hand-offs to another service."""

    def __init__(self, model, spec: ProviderConfig, index: int, places: int, handoff_to: int,
                 mix_multipliers: dict[str, float]):
        super().__init__(model)
        self.name = spec.name
        self.tier = spec.tier
        self.places = places
        self.handoff_to = handoff_to
        where = f"system.providers[{spec.name}]"
        self.tables = ServiceTables(
            index=index,
            opiate_cdf=_cdf(spec.opiate_modalities, f"{where}.opiate_modalities", mix_multipliers),
            other_cdf=_cdf(spec.non_opiate_modalities, f"{where}.non_opiate_modalities", mix_multipliers),
            hands_off=handoff_to >= 0,
            handoff_success=spec.handoff_success_share,
            after_handoff_modality=MODALITY_BY_NAME[spec.modality_after_handoff],
        )
        self.waiting = np.zeros(0, dtype=np.int64)  # people on the list, longest-waiting first
        self.handoffs_in = np.zeros(0, dtype=np.int64)  # clients waiting to be taken over from tier 2
        self._admit, self._take_handoffs = FastCall(admit), FastCall(take_handoffs)

    def caseload(self) -> int:
        """Clients at the end of the current step (all rows blocks)."""
        return int(self.model.tallies.providers[:, self.model.steps - 1, self.tables.index].sum())

    def step(self) -> None:
        m = self.model
        n = m.steps - 1
        t_end = m.start_time + (n + 1) * m.dt
        age_clock = t_end if m.cfg.ageing else m.start_time
        free = np.array([self.places - self.caseload()], dtype=np.int64)
        n_year = np.int64(n // m.cfg.steps_per_year)
        if len(self.handoffs_in) and free[0] > 0:
            self.handoffs_in = self._take_handoffs(m.people, self.handoffs_in, free, m.handoff_success, self.tables, n,
                                             t_end, age_clock, m.keys, m.tallies, m.trace)
        if len(self.waiting) and free[0] > 0:  # a full service admits no one (its list is tidied when it can)
            self.waiting = self._admit(m.people, self.waiting, free, self.tables, n, n_year, t_end,
                                 age_clock, m.keys, m.outcomes, m.tallies)


@njit(cache=True)
def admit(people, waiting, free, service, n, year, t_end, age_clock, keys, outcomes, tallies):
    """Admit from the waiting list (longest-waiting first) up to the free places; return who still waits."""
    keep = np.empty_like(waiting)
    kept = 0
    for j in range(waiting.shape[0]):
        i = waiting[j]
        if people.state[i] != W_START or people.ready[i] == 0 or people.provider[i] != service.index:
            continue  # left the list: dropped out, died, imprisoned
        if free[0] <= 0:
            keep[kept] = i
            kept += 1
            continue
        free[0] -= 1
        g = people.drug[i]
        band = _age_band(age_clock - people.birth_time[i])
        opiate = g == OPIATE_ONLY or g == OPIATE_CRACK
        cdf = service.opiate_cdf if opiate else service.other_cdf
        u = _draw(people, i, keys)
        m = 0
        while m < cdf.shape[0] - 1 and u >= cdf[m]:
            m += 1
        people.state[i] = W_TX
        people.since[i] = t_end
        people.ready[i] = 0
        people.modality[i] = m
        people.handoff[i] = 1 if (service.hands_off and opiate) else 0
        people.episodes[i] += 1
        people.episode_start[i] = t_end
        people.still_using[i] = 1
        people.reviewed[i] = 0
        people.maintenance[i] = 1 if _draw(people, i, keys) < outcomes.maintenance_share[g] else 0
        people.refresh_step[i] = n + 1
        people.next_check[i] = n + 1
        f = tallies.flows[0]
        f[n, E_START, g, band] += 1
        if t_end - people.wait_start[i] > THREE_WEEKS_YEARS + 1e-9:
            f[n, E_OVER3W, g, band] += 1
        if people.counted_year[i] != year:
            people.counted_year[i] = year
            f[n, E_IN_TX_YEAR, g, band] += 1
        tallies.stocks[0, n, W_START, g, band] -= 1
        tallies.stocks[0, n, W_TX, g, band] += 1
        tallies.tx_duration[0, n, g, 0] += 1
        tallies.providers[0, n, service.index] += 1
        tallies.modalities[0, n, m] += 1
    return keep[:kept].copy()


@njit(cache=True)
def take_handoffs(people, queue, free, handoff_success, service, n, t_end, age_clock, keys, tallies, log):
    """Take over clients handed off by tier 2 services while places last; failed hand-offs return to using."""
    keep = np.empty_like(queue)
    kept = 0
    for j in range(queue.shape[0]):
        i = queue[j]
        s = people.state[i]
        if people.handoff[i] != 2 or not _in_treatment(s):
            continue  # left treatment meanwhile
        if free[0] <= 0:
            keep[kept] = i
            kept += 1
            continue
        sender = people.provider[i]
        g = people.drug[i]
        band = _age_band(age_clock - people.birth_time[i])
        old_modality = people.modality[i]
        f = tallies.flows[0]
        tallies.providers[0, n, sender] -= 1
        tallies.modalities[0, n, old_modality] -= 1
        if _draw(people, i, keys) < handoff_success[sender]:
            free[0] -= 1
            tallies.modality_exits[0, n, 0, old_modality] += 1  # a planned modality exit
            people.provider[i] = service.index
            people.modality[i] = service.after_handoff_modality
            people.handoff[i] = 0
            tallies.providers[0, n, service.index] += 1
            tallies.modalities[0, n, service.after_handoff_modality] += 1
            f[n, E_HANDOFF, g, band] += 1
        else:  # not picked up: back to using, an unplanned exit from the system
            f[n, E_HANDOFF_FAILED, g, band] += 1
            f[n, E_UNPLANNED, g, band] += 1
            _leave_treatment(people, i, 2, n, tallies, 0)
            tallies.tx_duration[0, n, g, DOMES_BAND_OF_YEAR[min(int(t_end - people.episode_start[i]), 7)]] -= 1
            tallies.stocks[0, n, s, g, band] -= 1
            tallies.stocks[0, n, USING_PREVIOUS, g, band] += 1
            people.state[i] = USING_PREVIOUS
            people.since[i] = t_end
            _log_note(log, 0, people.traced[i], n, i, s, USING_PREVIOUS, NOTE_HANDOFF_FAILED)
            people.last_exit[i] = t_end
            people.refresh_step[i] = n + 1
            people.next_check[i] = n + 1
    return keep[:kept].copy()


def route_provider_cdf(system: SystemConfig) -> np.ndarray:
    """[route, provider] cumulative shares: where a referral by each route goes."""
    names = [p.name for p in system.providers]
    table = np.zeros((N_ROUTES, len(names)))
    for j, spec in enumerate(system.providers):
        for route, share in spec.routes.items():
            if route not in ROUTE_BY_NAME:
                raise ValueError(f"system.providers[{spec.name}].routes: unknown route {route!r}; "
                                 f"allowed: {', '.join(ROUTE_BY_NAME)}")
            table[ROUTE_BY_NAME[route], j] = share
    for r in Route:
        if table[r].sum() <= 0:
            raise ValueError(f"system {system.name}: no provider receives the {r.name.lower()} route; "
                             f"give it a share in some provider's routes")
    return np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)


def build_providers(model, system: SystemConfig, starting_caseload: int) -> list[Provider]:
    names = [p.name for p in system.providers]
    if not names:
        raise ValueError(f"system {system.name}: needs at least one provider")
    if len(set(names)) != len(names):
        raise ValueError(f"system {system.name}: provider names must be unique, got {names}")
    providers = []
    for j, spec in enumerate(system.providers):
        if spec.hands_off_opiate_to is not None and spec.hands_off_opiate_to not in names:
            raise ValueError(f"system.providers[{spec.name}].hands_off_opiate_to = {spec.hands_off_opiate_to!r}: "
                             f"not a provider; allowed: {', '.join(names)}")
        if spec.modality_after_handoff not in MODALITY_BY_NAME:
            raise ValueError(f"system.providers[{spec.name}].modality_after_handoff: unknown modality "
                             f"{spec.modality_after_handoff!r}; allowed: {', '.join(MODALITY_BY_NAME)}")
        if spec.capacity_ratio is None:
            places = UNLIMITED
        else:
            places = int(round(spec.capacity_ratio * system.capacity_multiplier * starting_caseload))
        handoff_to = names.index(spec.hands_off_opiate_to) if spec.hands_off_opiate_to is not None else -1
        providers.append(Provider(model, spec, j, places, handoff_to, dict(system.modality_mix_multipliers)))
    return providers
