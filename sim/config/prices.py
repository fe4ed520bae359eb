"""The model's price year, and what a pound of it is in another year's prices (a user-given index).

Every money value the model holds (area budgets, unit costs of care, the value-for-money rates and the
value of a QALY) is read as 2012 prices: the NDTMS value-for-money tool's year (2012-13) and the
sources' years around it (2010-2013), taken as one price level without adjustment. Budgets of other
years (`area.budget_year`) are the documented money moved by the history, not inflated.
`sim.outputs.prices` applies the factor to the money measures.
"""

import math

from sim.config.errors import ConfigError

PRICE_YEAR = 2012  # the price level of every money value in the model


def price_factor(price_year: int, deflator: dict) -> float:
    """What a 2012 pound is in `price_year`'s pounds; refused with one line when the index cannot say (every
    index is checked, used or not)."""
    index = {int(k): v for k, v in deflator.items()}
    for year, value in index.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ConfigError(f"output.deflator.{year} = {value!r}: a price index must be a positive number")
    if price_year == PRICE_YEAR:
        return 1.0
    missing = [y for y in (PRICE_YEAR, price_year) if y not in index]
    if missing:
        raise ConfigError(f"output.price_year = {price_year}: money is in {PRICE_YEAR} prices; give a price index "
                          f"for {' and '.join(map(str, missing))} in output.deflator (e.g. HM Treasury's GDP deflator) "
                          f"or leave price_year at {PRICE_YEAR}")
    return index[price_year] / index[PRICE_YEAR]
