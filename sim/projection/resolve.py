"""Resolving a config before a run: validated, its design point and its parameter set applied.

`JourneysModel` is built from a resolved config only, so the order is written once, here:
1. `validate` refuses bad values, naming the field and what is allowed;
2. a sensitivity design point sets its factor values (`sim.config.designs`);
3. `uncertainty=posterior` replaces calibrated values with one ensemble row (`parameter_sets`).
"""

import copy

from sim.config.designs import with_design_point
from sim.config.schema import JourneysConfig, as_config, mark_resolved
from sim.config.validation import validate
from sim.projection.parameter_sets import with_parameter_set


def resolve(cfg) -> JourneysConfig:
    """The config a run actually uses: a new object (`parameter_set` set when one was drawn)."""
    requested = as_config(cfg)
    resolved, _ = with_parameter_set(with_design_point(validate(requested)))
    return mark_resolved(copy.deepcopy(resolved) if resolved is requested else resolved)
