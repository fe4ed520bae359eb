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

        One pass picks the caseload; the counts by drug group come from `np.bincount` over it
        (a full-population mask per group had cost England a second a run)."""
        rows = np.flatnonzero((state >= State.TX_START) & (state <= State.TX_STOP))
        g = drug[rows]
        period = self._period(year)
        counts = _by_group(g, {"n": None, "cj": route[rows] == Route.CRIMINAL_JUSTICE,
                               "current": injecting[rows] == Injecting.CURRENT,
                               "previous": injecting[rows] == Injecting.PREVIOUS})
        for name, c in counts.items():
            if c["n"] == 0:
                continue
            n = c["n"]
            self.rows += [
                (period, "criminal_justice_share", name, float(c["cj"] / n)),
                (period, "injecting_current_share", name, float(c["current"] / n)),
                (period, "injecting_previous_share", name, float(c["previous"] / n)),
            ]
        self.entrants[year] = rows[episode_start[rows] >= year]
        for k in FOLLOW_UP_YEARS:
            cohort = self.entrants.get(year - k)
            if cohort is None or len(cohort) == 0:
                continue
            s = state[cohort]
            alive = s != State.DEAD
            recovered = (s == State.SUSTAIN) | (s == State.REMISSION)
            counts = _by_group(drug[cohort][alive], {"n": None, "recovered": recovered[alive]})
            for name, c in counts.items():
                if c["n"] > 0:
                    self.rows.append((self._period(year - k), f"entrants_in_recovery_after_{k}y_share", name,
                                      float(c["recovered"] / c["n"])))
        self.entrants.pop(year - max(FOLLOW_UP_YEARS), None)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["period", "measure", "group", "value"])


def _by_group(drug: np.ndarray, flags: dict[str, np.ndarray | None]) -> dict[str, dict[str, int]]:
    """For every reporting group (all, each drug group, each aggregate), how many people and how many
    with each flag (None: everyone)."""
    size = max(int(g) for g in DRUG_GROUP_NAMES) + 1
    per_drug = {k: np.bincount(drug, weights=None if f is None else f, minlength=size).astype(np.int64)
                for k, f in flags.items()}
    out = {}
    for name, members in _GROUPS.items():
        pick = list(range(size)) if members is None else list(members)
        out[name] = {k: int(v[pick].sum()) for k, v in per_drug.items()}
    return out
