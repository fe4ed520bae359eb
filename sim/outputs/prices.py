"""Money in one price year: the model's (2012, `sim.config.prices`), or another through a deflator the user gives.

To report in another year's prices, give a price index for both years (`output.deflator`, e.g. HM
Treasury's GDP deflators at market prices: any base) and `output.price_year`: every money measure is
multiplied by index[price_year] / index[2012]. Counts, shares and ratios (the benefit-cost ratios
included) do not change.
"""

import pandas as pd

from sim.config.prices import PRICE_YEAR, price_factor

__all__ = ["MONEY_MEASURES", "PRICE_YEAR", "in_price_year", "price_factor"]

# measures in GBP (sim.outputs.measures, sim.outputs.value_for_money)
MONEY_MEASURES = frozenset({
    "cost", "cost_of_care", "crime_cost", "health_cost", "qalys_value", "crime_cost_averted", "health_cost_averted",
    "benefits_in_year", "benefits_from_recovery", "benefits", "harm_without_treatment", "net_benefit",
    "net_benefit_in_year", "cost_per_successful_completion",
})


def in_price_year(ts: pd.DataFrame, factor: float) -> pd.DataFrame:
    """The tidy table with its money measures multiplied by `factor` (the table itself when it is 1)."""
    if factor == 1.0:
        return ts
    out = ts.copy()
    money = out["measure"].isin(MONEY_MEASURES)
    out.loc[money, "value"] = out.loc[money, "value"] * factor
    return out
