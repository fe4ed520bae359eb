"""Console entry points (Hydra apps). `journeys` runs one projection into its output folder."""

import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from sim.config import register_configs
from sim.provenance import PROJECT_ROOT
from sim.validation import ConfigError

register_configs()
CONFIG_DIR = str(PROJECT_ROOT / "configs")  # the project's configs/ (editable install: pip install -e .)


@hydra.main(config_path=CONFIG_DIR, config_name="journeys", version_base="1.3")
def journeys(cfg: DictConfig) -> None:
    """Run the projection described by the composed config; write tables and figures."""
    from sim.model import as_config
    from sim.projection import finished, run

    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        if finished(out_dir, as_config(cfg)):  # a re-run sweep: keep what was finished
            print(f"journeys: {out_dir} already holds this finished run; skipped")
            return
        result = run(cfg, out_dir)
    except ConfigError as e:
        print(f"journeys: invalid configuration: {e}", file=sys.stderr)
        sys.exit(2)
    c = result.config
    if c.output.print_summary:
        print(f"\ntreatment-journeys: {c.area.name}, {c.start_year}-{c.end_year - 1}, seed {c.seed}, "
              f"{c.steps_per_year} steps a year ({result.wall_seconds:.2f} s simulated)")
        print(result.summary.round(0).to_string())
        print(f"\noutputs in {out_dir}")


@hydra.main(config_path=CONFIG_DIR, config_name="calibrate", version_base="1.3")
def journeys_calibrate(cfg: DictConfig) -> None:
    """Fit the free parameters to the targets; write trials, the best parameters and the fit."""
    from sim.calibration_run import calibrate_to_folder

    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        calibrate_to_folder(cfg, out_dir)
    except (ConfigError, ValueError) as e:
        print(f"journeys-calibrate: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    journeys()
