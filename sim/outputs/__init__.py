"""Measures (third layer, above `sim.domain`): the model's tallies as named NDTMS, DOMES and PHOF
measures in one tidy table, the year-end caseload profile, and the figures of one run.

- `measures`: `timeseries`, `system_measures`, `derived_measures`, `annual`, `wide`;
- `caseload_profile`: year-end shares the compiled tallies do not carry (route, injecting, follow-up);
- `figures`: the PNG figures of one projection.
Measure names are stable: the README documents them and calibration targets use them.
"""
