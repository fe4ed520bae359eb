"""The NTA's leaver cohorts: the people who left treatment in a year, followed for their return.

Seed 004: "the NTA has now accumulated enough data from NDTMS to track the careers of those who
left treatment in a single year". Of the 13,000 people successfully discharged in 2005-06, almost
a fifth relapsed the following year, a tenth the year after and nearly 5% the last; of the 30,000
people recorded as dropping out, half did not come back for further treatment over the three years.

So the cohort counts people, not discharges (calibration/targets/definitions.md): someone
discharged twice in the year counts once, by their last discharge; someone referred again by the
year's end (a new NDTMS record: waiting, in treatment, or off a waiting list) has not left. The
dead stay in the cohort (NDTMS could not see them die). A return is a new referral picked up by a
service (`wait_start`: NDTMS records a client from referral, as its waiting times show), counted
by whole years after the cohort's year ("the following year", "the year after"), so a run must
reach three years past a cohort to report its last share.

Measures (one row per drug group, at the cohort's year):
- `leavers_completed`, `leavers_dropped_out`: the cohorts (people, in real numbers);
- `completed_leavers_returned_within_{k}y_share`, `dropped_out_leavers_returned_within_{k}y_share`
  for k = 1, 2, 3: the share referred again by the end of the k-th following year.
"""

import numpy as np
import pandas as pd
from numba import njit

from sim.domain.states import State
from sim.outputs.caseload_profile import GROUP_MEMBERS, GROUP_NAMES

FOLLOW_UP_YEARS = (1, 2, 3)
_REASONS = ("completed", "dropped_out")
RETURN_SHARES = {f"{r}_leavers_returned_within_{k}y_share": k for r in _REASONS for k in FOLLOW_UP_YEARS}  # -> years
LEAVER_MEASURES = (*(f"leavers_{r}" for r in _REASONS), *RETURN_SHARES)
_TX_START, _TX_STOP = int(State.TX_START), int(State.TX_STOP)
_N_DRUGS = GROUP_MEMBERS.shape[1]


class LeaverCohorts:
    """Collects one run's leaver cohorts (call `record` at the end of every year, in order)."""

    def __init__(self, quarterly: bool):
        self.quarterly = quarterly
        self.cohorts: dict[int, dict[str, tuple[np.ndarray, np.ndarray]]] = {}  # year -> reason -> (rows, exit times)
        self.rows: list[tuple[int, str, np.ndarray]] = []  # (cohort year, measure, people by drug group)

    def record(self, state: np.ndarray, drug: np.ndarray, last_exit: np.ndarray, last_completion: np.ndarray,
               last_dropout: np.ndarray, wait_start: np.ndarray, year: int) -> None:
        """The active rows' columns at the end of calendar year `year`: its leavers, and the returns of the
        cohorts of the three years before it. The reason of a leaver's last exit needs no column of its own:
        `last_completion` and `last_dropout` are that exit's time until the next referral, which a leaver has not
        had."""
        self.cohorts[year] = {}
        rows, reasons = _leavers(state, last_exit, last_completion, last_dropout, wait_start, float(year))
        for r, reason in enumerate(_REASONS):
            rows_r = rows[reasons == r]
            self.cohorts[year][reason] = (rows_r, last_exit[rows_r])
            self.rows.append((year, f"leavers_{reason}", np.bincount(drug[rows_r], minlength=_N_DRUGS)))
        for k in FOLLOW_UP_YEARS:
            for reason, (rows, exits) in self.cohorts.get(year - k, {}).items():
                back = wait_start[rows] > exits
                self.rows.append((year - k, f"{reason}_leavers_returned_within_{k}y",
                                  np.bincount(drug[rows][back], minlength=_N_DRUGS)))
        self.cohorts.pop(year - max(FOLLOW_UP_YEARS), None)

    def table(self, population_scale: float) -> pd.DataFrame:
        """Counts in real people and return shares, by reporting group (shares only where the cohort has people)."""
        counts = {(year, measure): (by_drug @ GROUP_MEMBERS.T).astype(float) for year, measure, by_drug in self.rows}
        period = (lambda y: f"{y}-Q4") if self.quarterly else str
        out = []
        for (year, measure), by_group in counts.items():
            if measure.startswith("leavers_"):
                out += [(period(year), measure, name, by_group[j] / population_scale)
                        for j, name in enumerate(GROUP_NAMES)]
                continue
            cohort = counts[(year, "leavers_" + measure.split("_leavers_")[0])]
            out += [(period(year), measure + "_share", name, by_group[j] / cohort[j])
                    for j, name in enumerate(GROUP_NAMES) if cohort[j] > 0]
        return pd.DataFrame(out, columns=["period", "measure", "group", "value"])


@njit(cache=True)
def _leavers(state, last_exit, last_completion, last_dropout, wait_start, year):
    """Rows whose last exit from treatment fell in `year`, with no referral since, and the reason of that exit
    (0: completed, 1: dropped out; `_REASONS`), in one pass over the rows."""
    rows = np.empty(state.shape[0], dtype=np.int64)
    reasons = np.empty(state.shape[0], dtype=np.int8)
    k = 0
    for i in range(state.shape[0]):
        t = last_exit[i]
        if year <= t < year + 1.0 and wait_start[i] <= t and not _TX_START <= state[i] <= _TX_STOP:
            if last_completion[i] == t:
                reasons[k] = 0
            elif last_dropout[i] == t:
                reasons[k] = 1
            else:
                continue
            rows[k] = i
            k += 1
    return rows[:k].copy(), reasons[:k].copy()
