"""The `journeys` command: one projection, or a Hydra sweep of them, into Hydra's output folders.

The other commands live with their layer: `journeys-calibrate` in `sim.calibration.cli`,
`journeys-compare` in `sim.sweeps.cli`.
"""

import logging
import os
import sys
from pathlib import Path

import hydra
from hydra._internal.hydra import Hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from sim.config.commands import run_command
from sim.config.errors import ConfigError
from sim.config.paths import CONFIG_DIR
from sim.config.schema import as_config, register_configs
from sim.projection.folder import finished
from sim.projection.progress import RunProgress
from sim.projection.simulate import run

register_configs()

# Overrides that may choose Hydra's run mode: the sweep configs (configs/experiment/) set `hydra.mode`.
_MAY_SET_MODE = ("experiment", "hydra")
_CONFIG_FLAGS = ("--config-name", "-cn", "--config-path", "-cp", "--config-dir", "-cd")
_probe_mode = Hydra.get_mode


def _get_mode(self, config_name, overrides):
    """Hydra composes the whole config once only to read `hydra.mode`, then again for the run (0.2 s of a
    small area's 3 s command). Only an experiment or a `hydra.` override can set it here: without one
    the answer is the base config's (none), so the probe is skipped. (hydra-core 1.3's `Hydra.get_mode`;
    tests/test_cli.py checks the answers agree.)"""
    keys = (o.lstrip("+~").split("=", 1)[0].split("/", 1)[0].split(".", 1)[0] for o in overrides)
    if any(k in _MAY_SET_MODE for k in keys) or any(a.split("=", 1)[0] in _CONFIG_FLAGS for a in sys.argv[1:]):
        return _probe_mode(self, config_name, overrides)
    return None


Hydra.get_mode = _get_mode


@hydra.main(config_path=str(CONFIG_DIR), config_name="journeys", version_base="1.3")
def journeys(cfg: DictConfig) -> None:
    """Run the projection described by the composed config; write tables and figures."""
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        if finished(out_dir, as_config(cfg)):  # a re-run sweep: keep what was finished
            print(f"journeys: {out_dir} already holds this finished run; skipped")
            return
        single = HydraConfig.get().mode != RunMode.MULTIRUN  # a sweep's runs: one line each as they finish
        result = run(cfg, out_dir, progress=RunProgress("journeys") if single else None)
    except ConfigError as e:
        print(f"journeys: invalid configuration: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:  # a full disk, a read-only folder: the run is not marked finished (no run_info.json)
        print(f"journeys: cannot write the run to {out_dir}: {e.strerror or e}"
              + (f" ({e.filename})" if e.filename else "") + "; nothing in it counts as finished", file=sys.stderr)
        sys.exit(1)
    c = result.config
    if c.output.print_summary:
        print(f"\ntreatment-journeys: {c.area.name}, {c.start_year}-{c.end_year - 1}, seed {c.seed}, "
              f"{c.steps_per_year} steps a year (computed in {result.wall_seconds:.2f} s)")
        print(result.summary.round(0).to_string())
        print(f"\noutputs in {out_dir}")


def main() -> None:
    """The console command: the run(s), then an exit that skips the interpreter's teardown.

    Unloading the 1,200 modules a run imports (mesa, pandas, scipy, matplotlib) cost a quarter
    of a second, a tenth of a small area's whole command; everything a run writes is closed by
    then and the log handlers are flushed here. An error exits as usual (SystemExit passes).
    """
    status = run_command("journeys", journeys)  # bad input, a failed write or a bug: one line and its exit status
    if status:
        sys.exit(status)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
