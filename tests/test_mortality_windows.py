"""Drug-related death risk after leaving treatment or prison falls in two-week steps, and only opioid substitution
protects while in treatment (Cornish et al. 2010; Merrall et al. 2010: calibration/sources/published_figures.csv)."""

import numpy as np

from sim import run
from sim.domain.states import Modality
from sim.model.kernel.codes import FOUR_WEEKS_YEARS, TWO_WEEKS_YEARS
from sim.model.kernel.hazards import after_window, next_window_edge, on_opioid_substitution
from tests.helpers import compose


def test_the_raised_risk_steps_down_at_two_and_four_weeks():
    hr = np.array([5.1, 4.5])
    week = 1.0 / 52.0
    assert [after_window(x * week, hr) for x in (0.0, 1.9, 2.1, 3.9, 4.1, 40.0)] == [5.1, 5.1, 4.5, 4.5, 1.0, 1.0]
    assert after_window(np.inf, hr) == 1.0  # never left (time of leaving: -inf)
    assert next_window_edge(1.0 * week, 10.0, hr) == 10.0 + TWO_WEEKS_YEARS
    assert next_window_edge(3.0 * week, 10.0, hr) == 10.0 + FOUR_WEEKS_YEARS
    assert next_window_edge(5.0 * week, 10.0, hr) == np.inf
    assert next_window_edge(1.0 * week, 10.0, np.array([4.5, 4.5])) == 10.0 + FOUR_WEEKS_YEARS  # no change at 2
    assert next_window_edge(1.0 * week, 10.0, np.array([1.0, 1.0])) == np.inf  # no window at all


def test_only_opioid_substitution_protects():
    protecting = {m for m in Modality if on_opioid_substitution(int(m))}
    assert protecting == {Modality.SPECIALIST_PRESCRIBING, Modality.GP_SHARED_CARE}


def _drug_related_deaths(*overrides):
    ts = run(compose("area=southampton", "calibration=none", "end_year=2011", "seed=5", *overrides)).timeseries
    return ts.query("measure == 'deaths_drug_related' and group == 'all'")["value"].sum()


def test_weeks_three_and_four_carry_their_own_risk():
    """The second two-week step is alive: a large ratio there kills many more people than none."""
    none = _drug_related_deaths("params.mortality.hr_after_treatment_weeks_3_4=1",
                                "params.mortality.hr_after_release_weeks_3_4=1")
    high = _drug_related_deaths("params.mortality.hr_after_treatment_weeks_3_4=300",
                                "params.mortality.hr_after_release_weeks_3_4=300")
    assert high > 1.5 * none


def test_the_first_two_weeks_after_release_carry_their_own_risk():
    """Release from prison's first window is alive: a large ratio there kills more people than none."""
    none = _drug_related_deaths("params.mortality.hr_after_release_weeks_1_2=1")
    high = _drug_related_deaths("params.mortality.hr_after_release_weeks_1_2=300")
    assert high > 1.2 * none


def test_the_first_two_weeks_after_treatment_carry_their_own_risk():
    """Leaving substitution or detox: the first window is alive, a large ratio there kills more people than none."""
    none = _drug_related_deaths("params.mortality.hr_after_treatment_weeks_1_2=1")
    high = _drug_related_deaths("params.mortality.hr_after_treatment_weeks_1_2=300")
    assert high > 1.2 * none
