"""Commissioned services: providers are mesa Agents with places, waiting lists and hand-offs.

Each step, after people's journeys (`sim.model.kernel.step`), the people the step made ready
join their provider's queues (`hand_out`); then every provider in turn (compiled part:
`sim.model.kernel.admission`):
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

from sim.config.schema import ProviderConfig, SystemConfig
from sim.domain.states import N_MODALITIES, N_ROUTES, DrugGroup, Handoff, Modality, Route, State
from sim.model.kernel.admission import admit, take_handoffs
from sim.model.kernel.fastcall import FastCall
from sim.model.kernel.records import Queues

UNLIMITED = 2**40
MODALITY_BY_NAME = {m.name.lower(): int(m) for m in Modality}
ROUTE_BY_NAME = {r.name.lower(): int(r) for r in Route}


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
        self.contract(spec, index, places, handoff_to, mix_multipliers)
        self.waiting = np.zeros(0, dtype=np.int64)  # people on the list, longest-waiting first
        self.joined = np.zeros(0, dtype=np.float64)  # the referral time each entry joined with (people.wait_start)
        self.handoffs_in = np.zeros(0, dtype=np.int64)  # clients waiting to be taken over from tier 2
        self._admit, self._take_handoffs = FastCall(admit), FastCall(take_handoffs)

    def contract(self, spec: ProviderConfig, index: int, places: int, handoff_to: int,
                 mix_multipliers: dict[str, float]) -> None:
        """The terms the service works to: places, modality mix, hand-offs (set again when they change)."""
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

    def join_waiting_list(self, rows: np.ndarray, referred: np.ndarray) -> None:
        """People assessed this step (in row order), at the back of the list, with their referral times."""
        self.waiting = np.concatenate([self.waiting, rows])
        self.joined = np.concatenate([self.joined, referred])

    def set_waiting_list(self, rows: np.ndarray, referred: np.ndarray) -> None:
        self.waiting, self.joined = rows, referred

    def receive_handoffs(self, rows: np.ndarray) -> None:
        """Clients a tier 2 service is handing on this step, after those still waiting to be taken over."""
        self.handoffs_in = np.concatenate([self.handoffs_in, rows])

    def caseload(self) -> int:
        """Clients at the end of the current step (all rows blocks)."""
        return int(self.model.tallies.providers[:, self.model.steps - 1, self.tables.index].sum())

    def step(self) -> None:
        """Take over hand-offs, then admit from the waiting list, while places last."""
        m = self.model
        n = m.steps - 1
        t_end = m.start_time + (n + 1) * m.dt
        age_clock = t_end if m.cfg.ageing else m.start_time
        free = np.array([self.places - self.caseload()], dtype=np.int64)
        n_year = np.int64(n // m.cfg.steps_per_year)
        key = m.journey_key
        if len(self.handoffs_in) and free[0] > 0:
            self.handoffs_in = self._take_handoffs(m.people, self.handoffs_in, free, m.handoff_success, self.tables, n,
                                                   t_end, age_clock, key, m.tallies, m.trace)
        if len(self.waiting):  # a full service admits no one, but its list is kept true
            self.waiting, self.joined = self._admit(m.people, self.waiting, self.joined, free, self.tables, n,
                                                    n_year, t_end, age_clock, key, m.outcomes, m.tallies)


def hand_out(services: list[Provider], queues: Queues, people, handoff_to: np.ndarray) -> None:
    """The people the step made ready join their provider's queues: the assessed join the waiting list
    of the provider they were referred to; clients ready for a hand-off, that of the service it goes to."""
    blocks = range(queues.ready_count.shape[0])
    if queues.ready_count.any():
        ready = np.concatenate([queues.ready[c, : queues.ready_count[c]] for c in blocks])
        at = people.provider[ready]
        for p in services:
            mine = ready[at == p.tables.index]
            p.join_waiting_list(mine, people.wait_start[mine])
    if queues.handoff_count.any():
        handoff = np.concatenate([queues.handoff[c, : queues.handoff_count[c]] for c in blocks])
        to = handoff_to[people.provider[handoff]]
        for p in services:
            p.receive_handoffs(handoff[to == p.tables.index])


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


def _terms(system: SystemConfig, starting_caseload: int, offset: int):
    """(spec, index, places, handoff_to, mix) of each provider of a system; indices start at `offset`."""
    names = [p.name for p in system.providers]
    if not names:
        raise ValueError(f"system {system.name}: needs at least one provider")
    if len(set(names)) != len(names):
        raise ValueError(f"system {system.name}: provider names must be unique, got {names}")
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
        handoff_to = offset + names.index(spec.hands_off_opiate_to) if spec.hands_off_opiate_to is not None else -1
        yield spec, offset + j, places, handoff_to, dict(system.modality_mix_multipliers)


def build_providers(model, system: SystemConfig, starting_caseload: int, offset: int = 0) -> list[Provider]:
    """The services of a system (mesa Agents); places are per person in treatment at the start."""
    return [Provider(model, *terms) for terms in _terms(system, starting_caseload, offset)]


def renew_contracts(services: list[Provider], system: SystemConfig, starting_caseload: int) -> None:
    """The same services under new terms (places, mixes, hand-offs): clients and waiting lists stay."""
    for service, terms in zip(services, _terms(system, starting_caseload, services[0].tables.index), strict=True):
        service.contract(*terms)


def recommission(people, n_active: int, old: list[Provider], new: list[Provider], route_provider_cdf: np.ndarray,
                 draw: np.random.Generator) -> None:
    """Hand the old services' clients and waiting lists to the new system's services.

    Each person passes to the service their referral route reaches in the new system (drawn
    with the route's shares, from a stream of its own), keeps their modality, and keeps their
    place in the queue (waiting lists are ordered by time of referral). A hand-off under way
    continues only where the new service hands clients on too.
    """
    rows = np.flatnonzero(people.provider[:n_active] >= 0)
    route = people.route[rows].astype(np.int64)
    route[route < 0] = Route.SELF
    cdf = route_provider_cdf[route]  # [person, new provider]
    j = np.minimum((draw.random(len(rows))[:, None] >= cdf).sum(axis=1), cdf.shape[1] - 1)
    offset = new[0].tables.index
    people.provider[rows] = offset + j
    hands_off = np.array([p.handoff_to >= 0 for p in new])
    people.handoff[rows] = np.where(hands_off[j] & (people.handoff[rows] != Handoff.NONE), Handoff.DUE,
                                    Handoff.NONE).astype(np.int8)
    waiting = rows[(people.state[rows] == State.WAITING) & (people.ready[rows] == 1)]
    waiting = waiting[np.lexsort((waiting, people.wait_start[waiting]))]  # longest-waiting first
    for k, service in enumerate(new):
        mine = waiting[people.provider[waiting] == offset + k]
        service.set_waiting_list(mine, people.wait_start[mine])
    for service in old:
        service.remove()


def place_starting_caseload(people, services: list[Provider], clients: np.ndarray, draw: np.random.Generator,
                            start_time: float) -> None:
    """Give today's clients a provider and modality, within places; only if every place is taken, they wait.

    Today's clients are spread in proportion to each service's places (every service starts
    equally full), so the documented caseload is in treatment on day one rather than on a
    waiting list made by the allocation. Opiate clients start with services that do not hand
    them off (they are past any tier 2 hand-off). A service drawn more clients than it has
    places passes the rest to services with places free.
    """
    places = np.array([min(p.places, len(clients)) for p in services], dtype=float)
    keeps = np.array([p.handoff_to < 0 for p in services], dtype=float)
    clients = draw.permutation(clients)
    g = people.drug[clients]
    opiate = (g == DrugGroup.OPIATE_ONLY) | (g == DrugGroup.OPIATE_CRACK)
    chosen = np.empty(len(clients), dtype=np.int64)
    for flag, weights in ((True, places * keeps if (places * keeps).any() else places), (False, places)):
        sel = opiate == flag
        chosen[sel] = draw.choice(len(services), size=int(sel.sum()), p=weights / weights.sum())
    _spill_over(chosen, opiate, places.astype(np.int64), keeps > 0)
    u = draw.random(len(clients))
    for j, service in enumerate(services):
        mine = np.flatnonzero(chosen == j)
        placed, waiting = mine[: service.places], mine[service.places:]
        rows = clients[placed]
        people.provider[rows] = j
        t = service.tables
        people.modality[rows] = np.where(opiate[placed], np.searchsorted(t.opiate_cdf, u[placed], side="right"),
                                         np.searchsorted(t.other_cdf, u[placed], side="right")
                                         ).clip(max=len(t.opiate_cdf) - 1)
        people.handoff[rows] = np.where(opiate[placed] & (service.handoff_to >= 0), Handoff.DUE,
                                        Handoff.NONE).astype(np.int8)
        rows = clients[waiting]  # no place: assessed and on the list from the start
        people.provider[rows] = j
        people.state[rows] = State.WAITING
        people.ready[rows] = 1
        people.wait_start[rows] = start_time
        rows = np.sort(rows)
        service.set_waiting_list(rows, people.wait_start[rows])


def _spill_over(chosen: np.ndarray, opiate: np.ndarray, places: np.ndarray, keeps: np.ndarray) -> None:
    """Move clients drawn beyond a service's places to services with places free (in place; no draws).

    Opiate clients move only to services that keep their clients (no hand-off), if any has room."""
    free = places - np.bincount(chosen, minlength=len(places))
    for j in np.flatnonzero(free < 0):
        for k in np.flatnonzero(chosen == j)[::-1][: -free[j]]:  # the last ones drawn
            ok = (free > 0) & (keeps | ~opiate[k] | ~keeps.any())
            if not ok.any():
                return  # every place taken: the rest wait (place_starting_caseload)
            target = int(np.argmax(np.where(ok, free, -1)))
            chosen[k], free[j], free[target] = target, free[j] + 1, free[target] - 1
