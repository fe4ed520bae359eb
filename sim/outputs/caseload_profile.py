"""Year-end profile of the caseload, and the follow-up of each year's treatment entrants.

These measures need person attributes the compiled tallies do not carry (referral route,
injecting status, the year an episode began) and are reported once a year, so they are
read from the person columns with a few numpy calls at each year end instead of being
counted every step. All values are shares, so they do not depend on `population_scale`.

Measures (README, "Measures"):
- `criminal_justice_share`: clients in treatment referred by the criminal-justice route
  (DIP, arrest referral, DRR), as NDTMS reports "criminal justice clients" in the caseload.
- `injecting_current_share`, `injecting_previous_share`: injecting status of clients in treatment.
- `entrants_in_recovery_after_1y_share`, `entrants_in_recovery_after_5y_share`: of the
  people who began a treatment episode in a year and were still in treatment at its end,
  the share of survivors in recovery (sustain or untreated remission) 1 and 5 years later,
  reported against the entry year (the "drug-free at 1 and 5 years" follow-up studies).
"""

import numpy as np
import pandas as pd

from sim.domain.states import DRUG_GROUP_AGGREGATES, DRUG_GROUP_NAMES, Injecting, Route, State

PROFILE_MEASURES = ("criminal_justice_share", "injecting_current_share", "injecting_previous_share",
                    "entrants_in_recovery_after_1y_share", "entrants_in_recovery_after_5y_share")
FOLLOW_UP_YEARS = (1, 5)
_GROUPS = {"all": None, **{name: (int(g),) for g, name in DRUG_GROUP_NAMES.items()},
           **{name: tuple(int(g) for g in members) for name, members in DRUG_GROUP_AGGREGATES.items()}}
_NAMES = list(_GROUPS)
_N_DRUGS = max(int(g) for g in DRUG_GROUP_NAMES) + 1
_MEMBERS = np.array([[1 if members is None or d in members else 0 for d in range(_N_DRUGS)]
                     for members in _GROUPS.values()], dtype=np.int64)  # [group, drug group]


class CaseloadProfile:
    """Collects the year-end measures of one run (call `record` at the end of every year)."""

    def __init__(self, quarterly: bool):
        self.quarterly = quarterly
        self.rows: list[tuple[str, str, str, float]] = []
        self.entrants: dict[int, np.ndarray] = {}  # entry year -> rows still in treatment at its end

    def _period(self, year: int) -> str:
        return f"{year}-Q4" if self.quarterly else str(year)

    def record(self, state: np.ndarray, drug: np.ndarray, route: np.ndarray, injecting: np.ndarray,
               episode_start: np.ndarray, year: int) -> None:
        """Columns of the active rows at the end of calendar year `year`.

        One pass picks the caseload; every count by reporting group is one `np.bincount` by drug
        group times the group membership matrix (a full-population mask per group had cost England
        a second a run, and a Python loop per group a small area a tenth of its run)."""
        rows = np.flatnonzero((state >= State.TX_START) & (state <= State.TX_STOP))
        g = drug[rows]
        period = self._period(year)
        n, cj, current, previous = _by_group(g, route[rows] == Route.CRIMINAL_JUSTICE,
                                             injecting[rows] == Injecting.CURRENT,
                                             injecting[rows] == Injecting.PREVIOUS)
        for k in np.flatnonzero(n):
            self.rows += [(period, "criminal_justice_share", _NAMES[k], cj[k] / n[k]),
                          (period, "injecting_current_share", _NAMES[k], current[k] / n[k]),
                          (period, "injecting_previous_share", _NAMES[k], previous[k] / n[k])]
        self.entrants[year] = rows[episode_start[rows] >= year]
        for k in FOLLOW_UP_YEARS:
            cohort = self.entrants.get(year - k)
            if cohort is None or len(cohort) == 0:
                continue
            s = state[cohort]
            alive = s != State.DEAD
            recovered = (s == State.SUSTAIN) | (s == State.REMISSION)
            n, back = _by_group(drug[cohort][alive], recovered[alive])
            measure, entry = f"entrants_in_recovery_after_{k}y_share", self._period(year - k)
            self.rows += [(entry, measure, _NAMES[j], back[j] / n[j]) for j in np.flatnonzero(n)]
        self.entrants.pop(year - max(FOLLOW_UP_YEARS), None)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["period", "measure", "group", "value"])


def _by_group(drug: np.ndarray, *flags: np.ndarray) -> np.ndarray:
    """[1 + len(flags), reporting group]: for every group (all, each drug group, each aggregate; `_NAMES`),
    how many people, then how many with each flag."""
    per_drug = np.stack([np.bincount(drug, minlength=_N_DRUGS)]
                        + [np.bincount(drug[f], minlength=_N_DRUGS) for f in flags])  # [count, drug group]
    return (per_drug @ _MEMBERS.T).astype(float)  # exact: small whole numbers
