"""Year-end profile of the caseload, and the follow-up of each year's treatment entrants.

These measures need person attributes the compiled tallies do not carry (referral route,
injecting status, the year an episode began) and are reported once a year, so they are
counted from the person columns in one compiled pass at each year end instead of being
counted every step. All values are shares, so they do not depend on `population_scale`.

Measures (README, "Measures"):
- `criminal_justice_share`: clients in treatment referred through the criminal justice system
  (arrest referral, DIP, DRR, or from prison on release), as NDTMS reports "criminal justice
  clients" in the caseload.
- `injecting_current_share`, `injecting_previous_share`: injecting status of clients in treatment.
- `entrants_in_recovery_after_1y_share`, `entrants_in_recovery_after_5y_share`: of the
  people who began a treatment episode in a year and were still in treatment at its end,
  the share of survivors in recovery (sustain or untreated remission) 1 and 5 years later,
  reported against the entry year (the "drug-free at 1 and 5 years" follow-up studies).
"""

import numpy as np
import pandas as pd
from numba import njit

from sim.domain.states import CRIMINAL_JUSTICE_ROUTES, DRUG_GROUP_AGGREGATES, DRUG_GROUP_NAMES, Injecting, State

PROFILE_MEASURES = ("criminal_justice_share", "injecting_current_share", "injecting_previous_share",
                    "entrants_in_recovery_after_1y_share", "entrants_in_recovery_after_5y_share")
FOLLOW_UP_YEARS = (1, 5)
_GROUPS = {"all": None, **{name: (int(g),) for g, name in DRUG_GROUP_NAMES.items()},
           **{name: tuple(int(g) for g in members) for name, members in DRUG_GROUP_AGGREGATES.items()}}
GROUP_NAMES = list(_GROUPS)
_N_DRUGS = max(int(g) for g in DRUG_GROUP_NAMES) + 1
GROUP_MEMBERS = np.array([[1 if members is None or d in members else 0 for d in range(_N_DRUGS)]
                     for members in _GROUPS.values()], dtype=np.int64)  # [group, drug group]


class CaseloadProfile:
    """Collects the year-end measures of one run (call `record` at the end of every year)."""

    def __init__(self, quarterly: bool):
        self.quarterly = quarterly
        # (period, measure names, counts[1 + len(measures), drug group]) in the order rows are reported
        self.counts: list[tuple[str, tuple[str, ...], np.ndarray]] = []
        self.entrants: dict[int, np.ndarray] = {}  # entry year -> rows still in treatment at its end

    def _period(self, year: int) -> str:
        return f"{year}-Q4" if self.quarterly else str(year)

    def record(self, state: np.ndarray, drug: np.ndarray, route: np.ndarray, injecting: np.ndarray,
               episode_start: np.ndarray, year: int) -> None:
        """Columns of the active rows at the end of calendar year `year`: counted by drug group in one
        compiled pass (numpy calls per measure had cost a small area a tenth of its run); shares by
        reporting group follow in `table`."""
        counts, entrants = _caseload_counts(state, drug, route, injecting, episode_start, float(year))
        self.counts.append((self._period(year), _CASELOAD_MEASURES, counts))
        self.entrants[year] = entrants
        for k in FOLLOW_UP_YEARS:
            cohort = self.entrants.get(year - k)
            if cohort is None or len(cohort) == 0:
                continue
            self.counts.append((self._period(year - k), (f"entrants_in_recovery_after_{k}y_share",),
                                _follow_up_counts(state, drug, cohort)))
        self.entrants.pop(year - max(FOLLOW_UP_YEARS), None)

    def table(self) -> pd.DataFrame:
        rows = []
        for period, measures, counts in self.counts:
            by_group = (counts @ GROUP_MEMBERS.T).astype(float)  # [count, reporting group]; exact: small whole numbers
            n = by_group[0]
            rows += [(period, measure, GROUP_NAMES[k], by_group[1 + j, k] / n[k])
                     for k in np.flatnonzero(n) for j, measure in enumerate(measures)]
        return pd.DataFrame(rows, columns=["period", "measure", "group", "value"])


_CASELOAD_MEASURES = ("criminal_justice_share", "injecting_current_share", "injecting_previous_share")
_TX_START, _TX_STOP, _DEAD = int(State.TX_START), int(State.TX_STOP), int(State.DEAD)
_SUSTAIN, _REMISSION = int(State.SUSTAIN), int(State.REMISSION)
_CJ, _PRISON_RELEASE = (int(r) for r in CRIMINAL_JUSTICE_ROUTES)
_CURRENT, _PREVIOUS = int(Injecting.CURRENT), int(Injecting.PREVIOUS)


@njit(cache=True)
def _caseload_counts(state, drug, route, injecting, episode_start, year):
    """[people, criminal-justice route, current injectors, previous injectors][drug group] of the caseload,
    and the rows of the caseload whose episode began in `year` (the year's entrants still in treatment)."""
    counts = np.zeros((4, _N_DRUGS), dtype=np.int64)
    entrants = np.empty(state.shape[0], dtype=np.int64)
    k = 0
    for i in range(state.shape[0]):
        if _TX_START <= state[i] <= _TX_STOP:
            g = drug[i]
            counts[0, g] += 1
            counts[1, g] += route[i] == _CJ or route[i] == _PRISON_RELEASE
            counts[2, g] += injecting[i] == _CURRENT
            counts[3, g] += injecting[i] == _PREVIOUS
            if episode_start[i] >= year:
                entrants[k] = i
                k += 1
    return counts, entrants[:k].copy()


@njit(cache=True)
def _follow_up_counts(state, drug, cohort):
    """[survivors, in recovery (sustain or untreated remission)][drug group] of a cohort of rows."""
    counts = np.zeros((2, _N_DRUGS), dtype=np.int64)
    for i in cohort:
        s = state[i]
        if s != _DEAD:
            counts[0, drug[i]] += 1
            counts[1, drug[i]] += s == _SUSTAIN or s == _REMISSION
    return counts
