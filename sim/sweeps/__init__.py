"""Sweeps (sixth layer, on top of `sim.projection`): comparing the runs of a Hydra multirun.

- `collect`: find a sweep's runs, read their labels, gather one tidy table;
- `summary`: arms, runs paired by seed, headline numbers with intervals, bands over time;
- `sensitivity`: one-at-a-time effects (tornado) and rank-regression coefficients;
- `figures`: fan charts and differences from the baseline; `report`: the one-file HTML report;
- `cli`: what `journeys-compare` does.
Sensitivity design points themselves are configs: `sim.config.designs`.
"""
