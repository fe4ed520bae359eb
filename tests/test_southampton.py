"""The tiered Southampton system, on documented (uncalibrated) parameters, lands near the documented
Southampton 2011/12 figures: the commissioning model itself, before any fitting. The shipped
calibration's fit is checked in test_shipped_calibration.py."""

import pytest

from experiments.southampton_check import compare

REQUIRED = ("planned share of", "transfers picked up", "in treatment 1 to", "in treatment 2 to",
            "in treatment 4 to", "in treatment 6y")
# Every calibration of both areas puts 41-43% of the caseload under a year into its episode against
# DOMES's 35% (England 30%), whatever the parameters: what DOMES counts as time in treatment (the
# episode, or the journey across transfers and quick returns) is the calibration issue's question.
OPEN = "in treatment under 1y"


@pytest.fixture(scope="module")
def rows():
    return compare(seeds=range(1, 5), overrides=["calibration=none"])


def test_modality_exits_transfers_and_time_in_treatment_within_tolerance(rows):
    checked = [r for r in rows if r["target"].startswith(REQUIRED) or any(k in r["target"] for k in REQUIRED)]
    assert len(checked) == 9
    missed = [(r["target"], r["documented"], r["simulated_median"], r["tolerance"]) for r in checked if not r["within"]]
    assert not missed, missed


@pytest.mark.xfail(strict=True, reason="DOMES under-1y band: what DOMES measures is open (calibration issue)")
def test_the_under_a_year_band_of_the_caseload(rows):
    (row,) = [r for r in rows if r["target"].startswith(OPEN)]
    assert row["within"], (row["documented"], row["simulated_median"])
