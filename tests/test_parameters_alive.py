"""Every parameter is alive: moving any one of them alone changes the outputs of a short run.

Each parameter listed in calibration/parameters.csv is moved to the end of its documented range
farthest from its default (or by half its value when the range is a single value) and a short
Southampton run with the same seed is compared with the reference run. A parameter that
changes nothing is dead code or a wiring mistake.
"""

import copy

import pandas as pd
import pytest

from sim import run
from sim.config.paths import PARAMETERS_CSV
from sim.config.provenance import get_parameter, set_parameter
from tests.helpers import compose

TABLE = pd.read_csv(PARAMETERS_CSV)
# Parameters whose effect the short run is too small to show: name -> why, and where they are tested instead.
_WEEKS_3_4 = ("acts only in weeks 3-4 after an exit from substitution or detox (or a release): too few deaths in "
              "the short run to move; tests/test_mortality_windows.py")
_RELEASE_WEEKS_1_2 = ("acts only in the two weeks after a release from prison: the short run may have no death "
                      "there; tests/test_mortality_windows.py")
_TREATMENT_WEEKS_1_2 = ("acts only in the two weeks after an exit from substitution or detox: the short run, whose "
                        "caseload fills the places of 2003, may have no death there; tests/test_mortality_windows.py")
ONLY_IN_RARE_CONFIGURATIONS: dict[str, str] = {"params.mortality.hr_after_treatment_weeks_3_4": _WEEKS_3_4,
                                               "params.mortality.hr_after_treatment_weeks_1_2": _TREATMENT_WEEKS_1_2,
                                               "params.mortality.hr_after_release_weeks_3_4": _WEEKS_3_4,
                                               "params.mortality.hr_after_release_weeks_1_2": _RELEASE_WEEKS_1_2}
SHORT_RUN = ("area=southampton", "calibration=none", "end_year=2009", "seed=5")


def moved(value: float, low: float, high: float) -> float:
    if low < high:
        return low if abs(value - low) > abs(high - value) else high
    return value * 1.5 if value else 1.0


@pytest.fixture(scope="module")
def reference():
    cfg = compose(*SHORT_RUN)
    return cfg, run(cfg).timeseries


def test_the_table_lists_every_parameter_once():
    names = TABLE["parameter"]
    assert names.is_unique and len(names) > 80
    assert set(ONLY_IN_RARE_CONFIGURATIONS) <= set(names)


@pytest.mark.slow
@pytest.mark.parametrize("row", list(TABLE.itertuples(index=False)), ids=list(TABLE["parameter"]))
def test_moving_a_parameter_changes_the_outputs(row, reference):
    if row.parameter in ONLY_IN_RARE_CONFIGURATIONS:
        pytest.skip(ONLY_IN_RARE_CONFIGURATIONS[row.parameter])
    cfg, base = reference
    name = row.parameter.removeprefix("params.")
    changed = copy.deepcopy(cfg)
    before = get_parameter(changed.params, name)
    set_parameter(changed.params, name, moved(before, row.low, row.high))
    assert get_parameter(changed.params, name) != before
    ts = run(changed).timeseries
    assert not (ts.shape == base.shape and ts.equals(base)), f"{row.parameter}: moving it changed no output"
