"""What a run is (second layer, above `sim.domain`): the structured configs and parameters,
each parameter's provenance, sensitivity designs, validation and the one error bad input raises.

- `schema`: the run, area, system, scenario, output and calibration configs (Hydra dataclasses);
- `parameters`: every hazard, ratio, share and unit cost, with `provenance` (`param(...)`);
- `parameter_table`: `calibration/parameters.csv`, generated from the parameters;
- `designs`: sensitivity design points; `validation`: `validate(cfg)`; `errors`: `ConfigError`;
- `paths`: where the project's configs and calibration records live.
"""
