"""Commissioned services: providers are mesa Agents with a budget, a waiting list and hand-offs.

Each step, after people's journeys (`sim.model.kernel.step`), the people the step made ready
join their provider's queues; then every provider in turn (compiled:
`sim.model.kernel.admission.provider_phase`):
  1. takes in the clients handed off to it by a tier 2 service, if it has money free
     (each hand-off is picked up with the sending service's documented success share;
     one that is not picked up returns the person to using);
  2. admits people from its waiting list, longest-waiting first, while it has money free,
     giving each a modality from its mix for their drug group.
Money is what binds: a service is paid its share of the area's budget (GBP a year) and admits
while the care its clients get (people in each modality x the cost per client-week) costs less
than that. Its places are therefore the budget over the cost of its clients' care: a service
whose mix is dearer has fewer. The system (`system=` config group) says which providers exist,
what share of the money each is paid, which referral routes reach which of them, and who hands
off to whom; scenarios (`scenario=`) change the money and levers on top.
"""

from typing import NamedTuple

import mesa
import numpy as np

from sim.config.parameters import Parameters
from sim.config.schema import ProviderConfig, SystemConfig
from sim.domain.states import N_MODALITIES, N_ROUTES, DrugGroup, Handoff, Modality, Route, State
from sim.model.kernel.records import Services

WEEKS_PER_YEAR = 52.0
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
    weekly_cost: np.ndarray  # float64[modality]: GBP per client-week (what each admission commits)


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


def weekly_costs(p: Parameters) -> np.ndarray:
    """Cost per client-week of each modality (Modality order), GBP."""
    return np.array([getattr(p.modality, f"cost_{m.name.lower()}_per_week") for m in Modality])


class Provider(mesa.Agent):
    """A treatment service: a budget, a waiting list, a modality mix, and hand-offs to another service.

    Its terms are written into the model's `Services` arrays, where the compiled provider phase
    (`sim.model.kernel.admission.provider_phase`) reads them and keeps its queues; the agent is
    how Python sees and changes one service.
    """

    def __init__(self, model, spec: ProviderConfig, index: int, budget_share: float | None, weekly_budget: float,
                 handoff_to: int, mix_multipliers: dict[str, float], weekly_cost: np.ndarray):
        super().__init__(model)
        self.contract(spec, index, budget_share, weekly_budget, handoff_to, mix_multipliers, weekly_cost)
        arrays = model.service_arrays
        arrays.commissioned[index] = 1
        arrays.waiting_start[index] = arrays.waiting_end[index] = 0
        arrays.handoffs_start[index] = arrays.handoffs_end[index] = 0

    def contract(self, spec: ProviderConfig, index: int, budget_share: float | None, weekly_budget: float,
                 handoff_to: int, mix_multipliers: dict[str, float], weekly_cost: np.ndarray) -> None:
        """The terms the service works to: money (its share of the area's, weighted by its kind:
        `funded_shares`; GBP a week, simulated people's share), modality mix, hand-offs, unit costs (set
        again when they change)."""
        self.name = spec.name
        self.tier = spec.tier
        self.weekly_budget = weekly_budget  # inf: unfunded, unlimited places
        self.budget_share = budget_share
        self.handoff_to = handoff_to
        where = f"system.providers[{spec.name}]"
        self.tables = ServiceTables(
            index=index,
            opiate_cdf=_cdf(spec.opiate_modalities, f"{where}.opiate_modalities", mix_multipliers),
            other_cdf=_cdf(spec.non_opiate_modalities, f"{where}.non_opiate_modalities", mix_multipliers),
            hands_off=handoff_to >= 0,
            handoff_success=spec.handoff_success_share,
            after_handoff_modality=MODALITY_BY_NAME[spec.modality_after_handoff],
            weekly_cost=weekly_cost,
        )
        arrays, t = self.model.service_arrays, self.tables
        arrays.weekly_budget[index] = weekly_budget
        arrays.weekly_cost[index] = weekly_cost
        arrays.opiate_cdf[index] = t.opiate_cdf
        arrays.other_cdf[index] = t.other_cdf
        arrays.hands_off[index] = t.hands_off
        arrays.handoff_to[index] = handoff_to
        arrays.handoff_success[index] = t.handoff_success
        arrays.after_handoff_modality[index] = t.after_handoff_modality

    def _entries(self) -> tuple[np.ndarray, np.ndarray]:
        a, p = self.model.service_arrays, self.tables.index
        span = slice(a.waiting_start[p], a.waiting_end[p])
        return a.waiting[p, span].astype(np.int64), a.joined[p, span]

    def _standing(self, rows: np.ndarray, joined: np.ndarray) -> np.ndarray:
        """Which entries still stand: the person is on this list for the referral the entry was made with."""
        pp = self.model.people
        return ((pp.state[rows] == State.WAITING) & (pp.ready[rows] == 1) & (pp.provider[rows] == self.tables.index)
                & (pp.wait_start[rows] == joined))

    @property
    def waiting(self) -> np.ndarray:
        """People on the list (rows), longest-waiting first."""
        rows, joined = self._entries()
        return rows[self._standing(rows, joined)]

    @property
    def joined(self) -> np.ndarray:
        """The referral time each person on the list joined it with."""
        rows, joined = self._entries()
        return joined[self._standing(rows, joined)]

    def set_waiting_list(self, rows: np.ndarray, referred: np.ndarray) -> None:
        a, p = self.model.service_arrays, self.tables.index
        a.waiting[p, : len(rows)] = rows
        a.joined[p, : len(rows)] = referred
        a.waiting_start[p], a.waiting_end[p] = 0, len(rows)

    def caseload(self) -> np.ndarray:
        """Clients in each modality at the end of the current step (all rows blocks)."""
        return self.model.tallies.providers[:, self.model.steps - 1, self.tables.index].sum(axis=0)

    def weekly_spend(self) -> float:
        """What its clients' care costs a week now, GBP."""
        return float(self.caseload() @ self.tables.weekly_cost)

    def remove(self) -> None:
        """Decommissioned: takes no more turns; its queues are emptied (its clients have passed on)."""
        a, p = self.model.service_arrays, self.tables.index
        a.commissioned[p] = 0
        a.waiting_start[p] = a.waiting_end[p] = a.handoffs_start[p] = a.handoffs_end[p] = 0
        super().remove()


def service_arrays(n_providers: int, n_rows: int, n_steps: int) -> Services:
    """Empty `Services` arrays for every provider a run may commission (terms filled in by `Provider`)."""
    m = N_MODALITIES
    return Services(
        commissioned=np.zeros(n_providers, np.int8), weekly_budget=np.zeros(n_providers),
        weekly_cost=np.zeros((n_providers, m)), opiate_cdf=np.ones((n_providers, m)),
        other_cdf=np.ones((n_providers, m)), hands_off=np.zeros(n_providers, np.int8),
        handoff_to=np.full(n_providers, -1, np.int64), handoff_success=np.zeros(n_providers),
        after_handoff_modality=np.zeros(n_providers, np.int64),
        waiting=np.zeros((n_providers, n_rows), np.int32), joined=np.zeros((n_providers, n_rows)),
        waiting_start=np.zeros(n_providers, np.int64), waiting_end=np.zeros(n_providers, np.int64),
        handoffs=np.zeros((n_providers, n_rows), np.int32),
        handoffs_start=np.zeros(n_providers, np.int64), handoffs_end=np.zeros(n_providers, np.int64),
        spend=np.full((n_steps, n_providers, 2), np.nan),
    )


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


def _terms(system: SystemConfig, params: Parameters, budget_per_year: float, offset: int):
    """(spec, index, weekly budget, handoff_to, mix, unit costs) of each provider of a system; indices start
    at `offset`. `budget_per_year` is the area's money in force for the simulated people (GBP a year
    x population_scale), before the system's multiplier."""
    names = [p.name for p in system.providers]
    if not names:
        raise ValueError(f"system {system.name}: needs at least one provider")
    costs = weekly_costs(params)
    shares = funded_shares(system, params)
    for j, spec in enumerate(system.providers):
        if shares[j] is None:
            weekly = np.inf
        else:
            weekly = shares[j] * system.budget_multiplier * budget_per_year / WEEKS_PER_YEAR
        handoff_to = offset + names.index(spec.hands_off_opiate_to) if spec.hands_off_opiate_to is not None else -1
        yield spec, offset + j, shares[j], weekly, handoff_to, dict(system.modality_mix_multipliers), costs


def funded_shares(system: SystemConfig, params: Parameters) -> list[float | None]:
    """Each provider's share of the money: its budget share times the `params.capacity` weight of its kind,
    scaled so the shares sum as the system's do (None: unfunded)."""
    raw = [None if p.budget_share is None else p.budget_share * (1.0 if p.capacity is None
                                                                   else getattr(params.capacity, p.capacity))
           for p in system.providers]
    weighted = sum(r for r in raw if r is not None)
    total = sum(p.budget_share for p in system.providers if p.budget_share is not None)
    return [None if r is None else (r * total / weighted if weighted > 0 else r) for r in raw]


def build_providers(model, system: SystemConfig, params: Parameters, budget_per_year: float,
                    offset: int = 0) -> list[Provider]:
    """The services of a system (mesa Agents), each paid its share of the budget."""
    return [Provider(model, *terms) for terms in _terms(system, params, budget_per_year, offset)]


def renew_contracts(services: list[Provider], system: SystemConfig, params: Parameters,
                    budget_per_year: float) -> None:
    """The same services under new terms (money, mixes, hand-offs, unit costs): clients and waiting lists stay."""
    for service, terms in zip(services, _terms(system, params, budget_per_year, services[0].tables.index),
                              strict=True):
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


def place_starting_caseload(people, services: list[Provider], clients: np.ndarray, draw: np.random.Generator) -> None:
    """Give today's clients a provider and a modality from its mix.

    They were admitted before the start, so they are in treatment whatever the money: each is
    placed with a service in proportion to the places its money buys for clients of their drug
    group (its budget share over the mean weekly cost of its modality mix; unfunded services, if
    any, weigh as much as the average funded one). Opiate clients start with services that do
    not hand them off (they are past any tier 2 hand-off). A service that starts over its budget
    admits no one until its clients' care costs less than its money.
    """
    shares = np.array([np.nan if p.budget_share is None else p.budget_share for p in services], dtype=float)
    if np.isnan(shares).all():
        shares[:] = 1.0
    shares[np.isnan(shares)] = np.nanmean(shares)
    keeps = np.array([p.handoff_to < 0 for p in services], dtype=float)
    clients = draw.permutation(clients)
    g = people.drug[clients]
    opiate = (g == DrugGroup.OPIATE_ONLY) | (g == DrugGroup.OPIATE_CRACK)
    chosen = np.empty(len(clients), dtype=np.int64)
    for flag in (True, False):
        cost = np.array([_mean_cost(p.tables.opiate_cdf if flag else p.tables.other_cdf, p.tables.weekly_cost)
                         for p in services])
        weights = shares / cost
        if flag and (weights * keeps).any():
            weights = weights * keeps
        sel = opiate == flag
        chosen[sel] = draw.choice(len(services), size=int(sel.sum()), p=weights / weights.sum())
    u = draw.random(len(clients))
    for j, service in enumerate(services):
        mine = np.flatnonzero(chosen == j)
        rows = clients[mine]
        people.provider[rows] = service.tables.index
        t = service.tables
        people.modality[rows] = np.where(opiate[mine], np.searchsorted(t.opiate_cdf, u[mine], side="right"),
                                         np.searchsorted(t.other_cdf, u[mine], side="right")
                                         ).clip(max=len(t.opiate_cdf) - 1)
        people.handoff[rows] = np.where(opiate[mine] & (service.handoff_to >= 0), Handoff.DUE,
                                        Handoff.NONE).astype(np.int8)


def _mean_cost(cdf: np.ndarray, weekly_cost: np.ndarray) -> float:
    """Mean weekly cost of a client admitted with a modality mix (given as its cumulative shares)."""
    return float(np.diff(cdf, prepend=0.0) @ weekly_cost[: len(cdf)])
