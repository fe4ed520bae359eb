"""treatment-journeys: an agent-based microsimulation of drug treatment journeys in England.

    import sim
    result = sim.run(sim.load_config(["area=england", "seed=7"]))
    result.plot()                                        # the run's figures, inline in a notebook
    paired = sim.compare(sim.load_config(), scenarios=["budget_cut_10"], seeds=range(1, 21))

The package is layered; each layer imports only the layers before it (tests/test_architecture.py):

    domain       states, drug groups, events, modalities, routes; the named transitions
    config       the run's configs, parameters and their provenance, designs, validation
    outputs      tallies as NDTMS / DOMES / PHOF measures; the caseload profile; figures
    model        the mesa model, people as columns, hazard tables, providers, the compiled kernel
    projection   resolve a config, run it, write its folder: the Python API
    calibration  targets, the Optuna study, the ensemble           (journeys-calibrate)
    sweeps       collect a multirun, headline numbers, figures, report  (journeys-compare)
    cli          the journeys command
"""

# The order is the architecture: lowest layer first (sweeps last: `compare` runs and summarises projections).
# isort: off
from sim.version import __version__
from sim import domain, config, outputs, model, projection, sweeps  # noqa: F401
# isort: on
from sim.config.schema import JourneysConfig
from sim.model.model import JourneysModel
from sim.projection.resolve import resolve
from sim.projection.simulate import Projection, load_config, run
from sim.sweeps.api import compare
from sim.sweeps.comparison import Comparison

__all__ = ["Comparison", "JourneysConfig", "JourneysModel", "Projection", "compare", "load_config", "resolve", "run",
           "__version__"]
