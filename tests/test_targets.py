"""Targets and NDTMS extracts: every problem reported with its row; suppressed numbers censored."""

from pathlib import Path

import numpy as np
import pytest

from sim.calibration.targets import TargetFileError, load_extract, load_targets, parse_period, parse_value
from sim.config.paths import PROJECT_ROOT
from sim.config.provenance import seed_figure_ids


def test_documented_targets_load_and_cite_seed_figures():
    targets = load_targets(PROJECT_ROOT / "calibration" / "targets" / "documented.csv")
    assert len(targets) >= 20
    assert {"england", "southampton", "bedford", "worcestershire"} <= set(targets["area"])
    ids = seed_figure_ids()
    for source in targets["source"]:
        assert any(word in ids for word in source.replace("(", " ").split()), source
    censored = targets[targets["value"].isna()]
    assert len(censored) >= 1 and (censored["lower"] < censored["upper"]).all()
    assert set(targets["period"]) <= {str(y) for y in range(2000, 2031)}


def test_suppressed_values_are_censored_not_zero():
    assert parse_value("<3").upper == 2 and parse_value("<3").lower == 0 and np.isnan(parse_value("<3").value)
    assert parse_value("*").upper == 2 and parse_value("-").upper == 2
    assert parse_value("1,234").value == 1234
    with pytest.raises(ValueError):
        parse_value("about ten")
    assert parse_period("2011/12") == "2011" and parse_period("2011-12") == "2011"
    assert parse_period("2011-Q3") == "2011-Q3"
    with pytest.raises(ValueError):
        parse_period("2011/13")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "extract.csv"
    path.write_text(text)
    return path


def test_a_good_extract_becomes_targets(tmp_path):
    path = _write(tmp_path, "area,period,drug_group,measure,value\n"
                            "southampton,2011/12,opiate,successful_completion_rate,7\n"
                            "southampton,2011/12,all,deaths_drug_related,<3\n"
                            "southampton,2012,all,treatment_starts,350\n")
    targets = load_extract(path, area="southampton")
    assert list(targets["period"]) == ["2011", "2011", "2012"]
    row = targets.iloc[1]
    assert np.isnan(row["value"]) and row["lower"] == 0 and row["upper"] == 2


def test_a_bad_extract_lists_every_problem_with_its_row(tmp_path):
    path = _write(tmp_path, "area,period,drug_group,measure,value\n"
                            "southampton,2011/12,opiate,successful_completion_rate,107\n"   # row 2: % over 100
                            "southampton,2011/12,all,treatment_starts,-4\n"                # row 3: negative
                            "southampton,2011/12,all,happiness,3\n"                        # row 4: unknown measure
                            "southampton,2011/12,everyone,treatment_starts,3\n"            # row 5: unknown group
                            "southampton,2011/12,all,treatment_starts,12\n"                # row 6: duplicates row 3
                            "southampton,2011/13,all,deaths,1\n"                           # row 7: bad period
                            "southampton,2011/12,all,deaths,many\n"                        # row 8: not a number
                            "southampton,2011/12,all,waiting_over_3_weeks_share,3\n")      # row 9: share over 1
    with pytest.raises(TargetFileError) as err:
        load_extract(path)
    message = str(err.value)
    for expected in ("row 2: value 107 is a percentage over 100", "row 3: value -4 is negative",
                     "row 4: measure 'happiness' is unknown", "row 5: drug_group 'everyone' is unknown",
                     "row 6: duplicates row 3", "row 7: period", "row 8: value 'many'", "row 9: value 3 is a share"):
        assert expected in message, expected
    assert "8 problem(s)" in message


def test_values_no_count_or_number_can_have_are_refused_before_a_trial(tmp_path):
    """NaN, infinity, a count beyond England's people and a suppressed count below 1 each had run a
    calibration (NaN and infinity failed only at its figure; 1e308 and <0 fitted to nonsense)."""
    path = _write(tmp_path, "area,period,drug_group,measure,value,denominator\n"
                            "southampton,2011/12,all,treatment_starts,nan,\n"      # row 2
                            "southampton,2011/12,all,deaths,inf,\n"                # row 3
                            "southampton,2011/12,all,presentations,1e308,\n"       # row 4
                            "southampton,2011/12,all,deaths_drug_related,<0,\n"    # row 5
                            "southampton,2011/12,all,waiting_over_3_weeks_share,0.1,inf\n")  # row 6
    with pytest.raises(TargetFileError) as err:
        load_extract(path)
    message = str(err.value)
    for expected in ("row 2: value 'nan': 'nan' is not a finite number", "row 3: value 'inf'",
                     "row 4: value 1e+308 is more people", "row 5: value '<0'", "row 6: denominator inf"):
        assert expected in message, expected


def test_a_short_row_is_named_not_padded_with_blanks(tmp_path):
    path = _write(tmp_path, "area,period,drug_group,measure,value\nsouthampton,2011/12,all,deaths,3\n"
                            "southampton,2011/12,all,treatment_starts\n")
    with pytest.raises(TargetFileError, match="row 3: 4 field.*header has 5"):
        load_extract(path)


def test_missing_columns_are_named(tmp_path):
    with pytest.raises(TargetFileError, match="missing column.*drug_group"):
        load_extract(_write(tmp_path, "area,period,measure,value\nsouthampton,2011,deaths,3\n"))


def test_targets_map_to_the_same_simulated_measure_and_misfit_counts_in_uncertainty_units():
    import pandas as pd

    from sim.calibration.targets import discrepancy, simulated

    ts = pd.DataFrame({"period": ["2011", "2011", "2011"], "measure": ["treatment_starts", "deaths_drug_related",
                                                                       "successful_completion_rate"],
                       "group": ["all", "all", "opiate"], "value": [352.0, 5.0, 7.0]})
    targets = pd.DataFrame({"id": ["starts", "drd", "sc", "later"], "area": "southampton",
                            "period": ["2011", "2011", "2011", "2040"],
                            "measure": ["treatment_starts", "deaths_drug_related", "successful_completion_rate",
                                        "treatment_starts"],
                            "group": ["all", "all", "opiate", "all"], "value": [352.0, np.nan, 9.0, 1.0],
                            "lower": [313.0, 0.0, 7.04, 0.0], "upper": [391.0, 2.0, 10.96, 2.0], "source": "test"})
    sim = simulated(ts, targets)
    assert list(sim.iloc[:3]) == [352.0, 5.0, 7.0] and np.isnan(sim["later"])
    d = discrepancy(sim.iloc[:3], targets)
    assert d["starts"] == 0  # on the documented value
    assert d["sc"] == pytest.approx(((7 - 9) / ((10.96 - 7.04) / 3.92)) ** 2)  # two sd below
    assert d["drd"] == pytest.approx((3 / (2 / 3.92)) ** 2)  # censored 0-2, simulated 5: 3 above the bound
    inside = discrepancy(pd.Series([1.0], index=["drd"]), targets)
    assert inside["drd"] == 0


def test_every_measure_a_projection_writes_can_be_a_target():
    """A target names a measure of `timeseries.csv`; each measure written, derived ones included, is known to the
    targets reader (a measure missing from its list would be refused in a targets file)."""
    from sim import run
    from sim.calibration.targets import MEASURES
    from tests.helpers import compose

    written = set(run(compose("area=southampton", "end_year=2008")).timeseries["measure"])
    by_service = {"waiting_list", "in_modality", "in_treatment_provider",  # grouped by provider or modality, and
                  "time_in_treatment_band"}  # the band counts (their shares are targets): no target group names them
    assert written - set(MEASURES) == by_service
    assert {"criminal_justice_share_of_starts", "dropouts_returned_within_3y_share"} <= written
