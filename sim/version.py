"""The project's version, stamped on figures, run records and calibration provenance."""

__version__ = "0.1.0"
