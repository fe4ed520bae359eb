"""Money in one price year: 2012's unless asked otherwise, another year's through the index the user gives."""

import numpy as np
import pytest

from sim import resolve, run
from sim.config.errors import ConfigError
from sim.outputs.prices import MONEY_MEASURES, PRICE_YEAR
from tests.helpers import compose

SHORT = ("area=southampton", "end_year=2008", "seed=3")


def _table(*overrides):
    ts = run(compose(*SHORT, *overrides)).timeseries
    return ts.set_index(["period", "measure", "group"])["value"]


def test_another_price_year_scales_money_and_nothing_else():
    base = _table()
    later = _table("output.price_year=2020", "+output.deflator={2012: 80.0, 2020: 100.0}")
    assert base.index.equals(later.index)
    money = base.index.get_level_values("measure").isin(MONEY_MEASURES)
    assert money.sum() > 0 and {"cost", "benefits", "crime_cost"} <= set(base.index.get_level_values("measure")[money])
    assert np.allclose(later[money], base[money] * 1.25)
    assert later[~money].equals(base[~money])  # people, shares and the benefit-cost ratios unchanged


def test_a_price_year_without_its_index_is_refused_with_one_line():
    assert PRICE_YEAR == 2012
    with pytest.raises(ConfigError, match="output.price_year = 2024.*2012 and 2024"):
        resolve(compose(*SHORT, "output.price_year=2024"))
    with pytest.raises(ConfigError, match=r"output.deflator.2020 = -1.0"):
        resolve(compose(*SHORT, "output.price_year=2020", "+output.deflator={2012: 100.0, 2020: -1.0}"))
