"""No start-up transients: the first reported year's flows are in line with the years after it.

The documented state is set `warm_up_years` before the first reported year and simulated,
unreported, until then. Without the warm-up the first year shows the artefacts of a starting
state the model cannot sustain (a burst of exits of short non-opiate episodes). The national
history is held constant here (`history=none`): its 2007 period changes the flows by design.
"""

import numpy as np

from sim import run
from sim.outputs.measures import wide
from tests.helpers import compose

FLOWS = ("treatment_starts", "exits_successful", "exits_unplanned", "presentations")


def first_year_excess(*overrides: str, seeds=(1, 2, 3)) -> dict[str, float]:
    """For each flow, averaged over seeds: |first year - mean of the next three| in units of 3 Poisson standard
    errors plus 10% (where money binds, starts vary from year to year more than Poisson: several seeds)."""
    tables = [wide(run(compose("area=southampton", "end_year=2009", "population_scale=2", "history=none",
                               f"seed={seed}", *overrides)).timeseries) for seed in seeds]
    out = {}
    for flow in FLOWS:
        first = np.mean([w[flow].iloc[0] for w in tables])
        later = np.mean([w[flow].iloc[1:4].mean() for w in tables])
        scale = 2 * len(seeds)  # population_scale 2 and the seeds: that much less variance
        out[flow] = abs(first - later) / (3 * np.sqrt(later / scale) + 0.1 * later)
    return out


def test_the_first_reported_year_is_no_outlier():
    excess = first_year_excess()
    assert max(excess.values()) <= 1.0, excess


def test_without_the_warm_up_the_first_year_is_an_outlier():
    """The test above has power: reporting from the documented state itself shows the transient."""
    assert max(first_year_excess("warm_up_years=0").values()) > 1.0
