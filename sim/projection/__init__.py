"""Running a projection (fifth layer, above `sim.model` and `sim.outputs`): the Python API and what
the `journeys` command calls.

- `resolve`: a config validated, with its design point and parameter set applied;
- `parameter_sets`: a calibrated parameter set drawn from the area's ensemble (`uncertainty=posterior`);
- `simulate`: `load_config`, `run` and the `Projection` it returns;
- `folder`: the run's output folder, and whether it already holds a finished run.
"""
