"""The tiered Southampton system, on documented (uncalibrated) parameters, lands near the documented
Southampton 2011/12 figures: the commissioning model itself, before any fitting. The shipped
calibration's fit is checked in test_shipped_calibration.py."""

import pytest

from experiments.southampton_check import compare

REQUIRED = ("planned share of", "transfers picked up", "in treatment under 1y", "in treatment 1 to",
            "in treatment 2 to", "in treatment 4 to", "in treatment 6y", "mean time in treatment")
# The under-a-year band, long at 41-43% against DOMES's 35%, is at 40% on these defaults since the 2026-12-01
# mortality and refresh changes (within its 7 points); England's fit still puts 41% there against 30%
# (calibration/targets/definitions.md).


@pytest.fixture(scope="module")
def rows():
    return compare(seeds=range(1, 5), overrides=["calibration=none"])


def test_modality_exits_transfers_and_time_in_treatment_within_tolerance(rows):
    checked = [r for r in rows if r["target"].startswith(REQUIRED) or any(k in r["target"] for k in REQUIRED)]
    assert len(checked) == 11
    missed = [(r["target"], r["documented"], r["simulated_median"], r["tolerance"]) for r in checked if not r["within"]]
    assert not missed, missed
