"""Markov cohort solution of the journey model, where one exists.

With constant hazards (no duration dependence, no scheduled moves, no ageing, fixed
attributes) the journey of one kind of person is a continuous-time Markov chain on the
states. Its generator Q is built here from the same hazard tables the simulation uses;
state occupancy is p(t) = p(0) expm(Q t). Tests use it to check the simulation; it is
also a quick way to see what a set of hazards implies.

The two using states are lumped into one (USING) because, when their outgoing hazards are
equal, which of them a person returns to does not change the chain. Providers are taken to
have places for everyone (assessment leads straight to a start) and referrals to be picked up
with the given shares; modality ratios are those of "no modality" (set them to 1 to match).
"""

import numpy as np

from sim.domain.states import State
from sim.domain.transitions import Destination
from sim.model.hazards import NO_SCHEDULE, HazardTables, MortalityTables

USING, READY = Destination.USING, Destination.READY
NO_MOVE = (Destination.HANDOFF, Destination.STEP_DOWN, Destination.STEP_UP)  # a change within the same state

COHORT_STATES = ("using", "waiting", "tx_start", "tx_stay", "tx_stop", "sustain", "remission", "prison", "dead")
_INDEX = {
    State.USING_NAIVE: 0, State.USING_PREVIOUS: 0, State.WAITING: 1, State.TX_START: 2, State.TX_STAY: 3,
    State.TX_STOP: 4, State.SUSTAIN: 5, State.REMISSION: 6, State.PRISON: 7, State.DEAD: 8,
}


def cohort_index(state: int) -> int:
    return _INDEX[State(state)]


def _rates(haz: HazardTables, mort: MortalityTables, s: State, drug: int, mask: int, a: int,
           pickup: np.ndarray) -> np.ndarray:
    rates = np.zeros(len(COHORT_STATES))
    for k in range(haz.ptr[s], haz.ptr[s + 1]):
        target = int(haz.target[k])
        if target in NO_MOVE:  # no change of state
            continue
        j = 0 if target == USING else _INDEX[State.TX_START] if target == READY else _INDEX[State(target)]
        rate = haz.base[k, drug] * haz.hr_table[k, mask] * haz.dur_mult[k, 0] * haz.modality_hr[k, 0]
        route = int(haz.route[k])
        if route >= 0:  # a referral not picked up leaves the person where they were (or using, after prison)
            rates[j] += rate * pickup[route]
            if s == State.PRISON:
                rates[0] += rate * (1.0 - pickup[route])
        else:
            rates[j] += rate
    drd = mort.drug_related_base[drug] * mort.drug_related_state[s] * mort.drug_related_age[a]
    rates[_INDEX[State.DEAD]] += drd + mort.other_cause_age[a]
    rates[_INDEX[s]] = 0.0
    return rates


def generator(haz: HazardTables, mort: MortalityTables, drug: int, mask: int, age: float,
              pickup: np.ndarray | None = None) -> np.ndarray:
    """Generator matrix (per year) over COHORT_STATES for one kind of person (attribute pattern `mask`)."""
    pickup = np.ones(len(haz.route)) if pickup is None else pickup
    if (haz.scheduled_target != NO_SCHEDULE).any():
        raise ValueError("scheduled (fixed-duration) moves are not Markov: switch them off first")
    if not np.allclose(haz.dur_mult, haz.dur_mult[:, :1]):
        raise ValueError("duration-dependent hazards are not Markov: make every band equal first")
    a = min(int(age / mort.age_step_years), mort.other_cause_age.shape[0] - 1)
    naive = _rates(haz, mort, State.USING_NAIVE, drug, mask, a, pickup)
    if not np.allclose(naive, _rates(haz, mort, State.USING_PREVIOUS, drug, mask, a, pickup)):
        raise ValueError("using-naive and using-previous hazards differ: they cannot be lumped")
    n = len(COHORT_STATES)
    q = np.zeros((n, n))
    for s in State:
        if s in (State.NOT_YET, State.DEAD, State.USING_PREVIOUS):
            continue
        i = _INDEX[s]
        q[i] = _rates(haz, mort, s, drug, mask, a, pickup)
        q[i, i] = -q[i].sum()
    return q


def expm(a: np.ndarray) -> np.ndarray:
    """Matrix exponential by scaling and squaring of a Taylor series (ample for small generators)."""
    norm = np.abs(a).sum(axis=1).max()
    squarings = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0 else 0
    b = a / 2.0 ** squarings
    result = np.eye(a.shape[0])
    term = np.eye(a.shape[0])
    for k in range(1, 30):
        term = term @ b / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


def occupancy(q: np.ndarray, p0: np.ndarray, times: np.ndarray) -> np.ndarray:
    """State occupancy at each time: p0 expm(Q t) (rows: times, columns: COHORT_STATES)."""
    return np.array([p0 @ expm(q * t) for t in times])
