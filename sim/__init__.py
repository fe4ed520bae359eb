"""treatment-journeys: an agent-based microsimulation of drug treatment journeys in England.

    from sim import load_config, run
"""

__version__ = "0.1.0"

_API = {
    "JourneysConfig": "sim.config",
    "JourneysModel": "sim.model",
    "Projection": "sim.projection",
    "load_config": "sim.projection",
    "run": "sim.projection",
}
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    """Import the public API on first use, so `python -m sim.<module>` stays light."""
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
