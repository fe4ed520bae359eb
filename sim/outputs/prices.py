"""Money in one price year: the model's, or another through a deflator the user gives.

Every money value the model holds (area budgets, unit costs of care, the value-for-money rates and the
value of a QALY) is read as 2012 prices: the NDTMS value-for-money tool's year (2012-13) and the
sources' years around it (2010-2013), taken as one price level without adjustment. Budgets of other
years (`area.budget_year`) are the documented money moved by the history, not inflated.

To report in another year's prices, give a price index for both years (`output.deflator`, e.g. HM
Treasury's GDP deflators at market prices: any base) and `output.price_year`: every money measure is
multiplied by index[price_year] / index[2012]. Counts, shares and ratios (the benefit-cost ratios
included) do not change.
"""

import math

import pandas as pd

from sim.config.errors import ConfigError

PRICE_YEAR = 2012  # the price level of every money value in the model

# measures in GBP (sim.outputs.measures, sim.outputs.value_for_money)
MONEY_MEASURES = frozenset({
    "cost", "cost_of_care", "crime_cost", "health_cost", "qalys_value", "crime_cost_averted", "health_cost_averted",
    "benefits_in_year", "benefits_from_recovery", "benefits", "harm_without_treatment", "net_benefit",
    "net_benefit_in_year", "cost_per_successful_completion",
})


def price_factor(price_year: int, deflator: dict) -> float:
    """What a 2012 pound is in `price_year`'s pounds; refused with one line when the index cannot say."""
    if price_year == PRICE_YEAR:
        return 1.0
    index = {int(k): v for k, v in deflator.items()}
    for year, value in index.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ConfigError(f"output.deflator.{year} = {value!r}: a price index must be a positive number")
    missing = [y for y in (PRICE_YEAR, price_year) if y not in index]
    if missing:
        raise ConfigError(f"output.price_year = {price_year}: money is in {PRICE_YEAR} prices; give a price index "
                          f"for {' and '.join(map(str, missing))} in output.deflator (e.g. HM Treasury's GDP deflator) "
                          f"or leave price_year at {PRICE_YEAR}")
    return index[price_year] / index[PRICE_YEAR]


def in_price_year(ts: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The tidy table with its money measures multiplied by `factor` (the table itself when it is 1)."""
    if factor == 1.0:
        return ts
    out = ts.copy()
    money = out["measure"].isin(MONEY_MEASURES)
    out.loc[money, "value"] = out.loc[money, "value"] * factor
    return out
