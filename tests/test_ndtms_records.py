"""NDTMS's "new to treatment" is new to its records: starts of people not in treatment since they began.

The measure only counts; it never changes a draw, so moving the year the records begin changes that
count and nothing else.
"""

import pandas as pd
import pytest

from sim import run
from sim.config.errors import ConfigError
from tests.helpers import compose

MEASURES = ["treatment_starts", "first_treatment_starts", "new_to_ndtms_starts"]


def _starts(*overrides: str) -> pd.DataFrame:
    ts = run(compose("area=southampton", "end_year=2012", "seed=4", *overrides)).timeseries
    return ts[ts["group"] == "all"].pivot_table(index="period", columns="measure", values="value")


@pytest.fixture(scope="module")
def by_records_year():
    return {year: _starts(f"history.ndtms_records_from={year}") for year in (2003, 2004, 2008)}


def test_records_from_the_run_start_make_new_to_ndtms_the_first_ever_starts(by_records_year):
    w = by_records_year[2003]  # the run (with its warm-up) starts in 2003: no one was treated in NDTMS's sight
    pd.testing.assert_series_equal(w["new_to_ndtms_starts"], w["first_treatment_starts"], check_names=False)


def test_a_shorter_memory_counts_returners_as_new_and_changes_nothing_else(by_records_year):
    early, late = by_records_year[2004], by_records_year[2008]
    assert (early["first_treatment_starts"] <= early["new_to_ndtms_starts"]).all()
    assert (early["new_to_ndtms_starts"] <= early["treatment_starts"]).all()
    # records from 2008: everyone last treated before 2008 is new to them in 2008, and more of the starts than
    # with records four years older
    assert late.loc["2008", "new_to_ndtms_starts"] > early.loc["2008", "new_to_ndtms_starts"]
    assert late.loc["2008", "new_to_ndtms_starts"] > late.loc["2008", "first_treatment_starts"]
    # before the records begin nobody is in them: every start is new to them
    assert late.loc["2005", "new_to_ndtms_starts"] == late.loc["2005", "treatment_starts"]
    others = [c for c in early.columns if c != "new_to_ndtms_starts"]
    pd.testing.assert_frame_equal(early[others], late[others])


def test_a_records_year_that_is_not_a_year_is_refused():
    with pytest.raises(ConfigError, match="ndtms_records_from"):
        run(compose("area=southampton", "end_year=2007", "history.ndtms_records_from=1066"))
