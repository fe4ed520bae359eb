"""treatment-journeys: an agent-based microsimulation of drug treatment journeys in England."""

__version__ = "0.1.0"

from sim.config import JourneysConfig  # noqa: E402
from sim.model import JourneysModel  # noqa: E402
from sim.projection import Projection, load_config, run  # noqa: E402

__all__ = ["JourneysConfig", "JourneysModel", "Projection", "load_config", "run", "__version__"]
