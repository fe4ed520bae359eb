"""Parameter provenance: every model parameter says where its default comes from.

A parameter is declared with `param(...)` inside a structured-config dataclass. The
metadata travels with the field (Hydra ignores it) and is gathered into one table,
`calibration/parameters.csv`, by `python -m sim.config.parameter_table`. A test checks that every
parameter has provenance, that cited seed-figure ids exist, and that each default lies
inside the range a calibration may move it in.
"""

import csv
import dataclasses
from dataclasses import dataclass, field
from typing import Any

import yaml

from sim.config.paths import PUBLISHED_FIGURES, SEED_FIGURES

ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Provenance:
    unit: str
    sources: tuple[str, ...]  # seed-figure ids, or ("assumption",)
    low: float
    high: float
    note: str = ""

    @property
    def is_assumption(self) -> bool:
        return self.sources == (ASSUMPTION,)


def param(default: float, unit: str, source: str, low: float, high: float, note: str = "") -> Any:
    """A documented parameter: default, unit, seed figures it is derived from, calibration range.

    `source` is "assumption" or a space-separated list of ids in seed_figures.csv or published_figures.csv.
    """
    sources = tuple(source.split())
    return field(
        default=default,
        metadata={"provenance": Provenance(unit=unit, sources=sources, low=low, high=high, note=note)},
    )


def iter_parameters(node: Any, prefix: str = ""):
    """Yield (dotted name, value, Provenance) for every documented parameter under a dataclass."""
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        name = f"{prefix}{f.name}"
        prov = f.metadata.get("provenance")
        if prov is not None:
            yield name, value, prov
        elif dataclasses.is_dataclass(value):
            yield from iter_parameters(value, prefix=name + ".")


def _parent(params: Any, name: str) -> tuple[Any, str]:
    *path, last = name.split(".")
    for part in path:
        params = getattr(params, part)
    if not hasattr(params, last):
        raise AttributeError(name)
    return params, last


def get_parameter(params: Any, name: str) -> Any:
    """The value of a parameter by its dotted name under `params` (AttributeError if there is none)."""
    node, last = _parent(params, name)
    return getattr(node, last)


def set_parameter(params: Any, name: str, value: float) -> None:
    """Set a parameter by its dotted name under `params`, e.g. "treatment.planned_exit_per_year"."""
    node, last = _parent(params, name)
    setattr(node, last, float(value))


def calibration_values(path) -> dict[str, float]:
    """The parameter values a calibration config sets (its `params:` tree, as configs/calibration/<area>.yaml and a
    record's calibrated_params.yaml write it), by dotted name; empty if the file does not exist."""
    out: dict[str, float] = {}
    if not path.exists():
        return out

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out[prefix + key] = float(value)

    walk(yaml.safe_load(path.read_text()).get("params") or {}, "")
    return out


def seed_figure_ids() -> set[str]:
    """Ids a parameter or area may cite: the seed documents' figures, and published figures beyond them
    (PUBLISHED_FIGURES: the study in `seed_file`, e.g. the mortality windows)."""
    ids = set()
    for path in (SEED_FIGURES, PUBLISHED_FIGURES):
        with path.open(newline="") as fh:
            ids |= {row["id"] for row in csv.DictReader(fh)}
    return ids
