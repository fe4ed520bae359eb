"""Every parameter says where it comes from and how far a calibration may move it."""

import csv
import subprocess
import sys
from pathlib import Path

import yaml

from sim.config.parameters import Parameters
from sim.config.paths import PROJECT_ROOT
from sim.config.provenance import ASSUMPTION, iter_parameters, seed_figure_ids


def test_every_parameter_has_provenance_and_a_range_containing_its_default():
    ids = seed_figure_ids()
    params = list(iter_parameters(Parameters()))
    assert len(params) > 50
    for name, value, prov in params:
        assert prov.unit, name
        assert prov.low <= value <= prov.high, f"{name}: default {value} outside [{prov.low}, {prov.high}]"
        if not prov.is_assumption:
            missing = [s for s in prov.sources if s not in ids]
            assert not missing, f"{name} cites unknown seed figures {missing}"
            assert ASSUMPTION not in prov.sources
    assert any(not p.is_assumption for _, _, p in params)


def test_parameter_table_is_up_to_date():
    done = subprocess.run([sys.executable, "-m", "sim.config.parameter_table", "--check"], cwd=PROJECT_ROOT)
    assert done.returncode == 0, "calibration/parameters.csv is stale: run `python -m sim.config.parameter_table`"
    with (PROJECT_ROOT / "calibration" / "parameters.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert {"parameter", "default", "unit", "low", "high", "source", "note"} <= set(rows[0])


def test_every_area_cites_existing_seed_figures():
    ids = seed_figure_ids()
    areas = sorted((PROJECT_ROOT / "configs" / "area").glob("*.yaml"))
    assert {p.stem for p in areas} >= {"england", "southampton", "bedford", "worcestershire"}
    for path in areas:
        area = yaml.safe_load(Path(path).read_text())
        assert area["name"] == path.stem
        assert area["sources"], path.name
        assert set(area["sources"]) <= ids, f"{path.name}: unknown ids {set(area['sources']) - ids}"
        for change in area.get("timeline") or []:  # documented changes cite seed figures (or say assumption)
            assert change["sources"] and set(change["sources"]) <= ids | {ASSUMPTION}, (path.name, change)


def test_every_national_history_cites_existing_seed_figures():
    ids = seed_figure_ids()
    for path in sorted((PROJECT_ROOT / "configs" / "history").glob("*.yaml")):
        history = yaml.safe_load(path.read_text())
        for period in history.get("periods") or []:
            assert set(period["sources"]) <= ids | {ASSUMPTION}, (path.name, period["from_year"])
        if history.get("ndtms_records_from") is not None:
            assert history["ndtms_records_sources"] and set(history["ndtms_records_sources"]) <= ids, path.name
