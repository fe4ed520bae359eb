"""Calibration (sixth layer, on top of `sim.projection`): fitting parameters to documented figures.

- `targets`: documented figures and NDTMS extracts as targets, and the misfit of one target;
- `objective`: the free parameters (with their documented ranges) and a parameter set's misfit;
- `study`: the Optuna search, stored in a database and resumable;
- `ensemble`: accepted parameter sets (ABC rejection on the trials) and predictive intervals;
- `figures`: the fit figure; `record`: provenance and shipping a calibration to an area;
- `cli`: what `journeys-calibrate` does.
"""
