"""The table of every parameter with its provenance: `calibration/parameters.csv`.

    python -m sim.config.parameter_table            # rewrite it
    python -m sim.config.parameter_table --check    # exit 1 if it is stale (a test runs this)
"""

import csv
import io
import sys
from pathlib import Path
from typing import Any

from sim.config.parameters import Parameters
from sim.config.paths import PARAMETERS_CSV
from sim.config.provenance import iter_parameters


def parameter_table(root: Any | None = None) -> list[dict[str, Any]]:
    """Rows of the provenance table for the default parameters (or those of `root`)."""
    rows = []
    for name, value, prov in iter_parameters(Parameters() if root is None else root):
        rows.append({"parameter": f"params.{name}", "default": value, "unit": prov.unit, "low": prov.low,
                     "high": prov.high, "source": " ".join(prov.sources), "note": prov.note})
    return rows


def _csv_text(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_parameter_table(path: Path = PARAMETERS_CSV) -> Path:
    path.write_bytes(_csv_text(parameter_table()).encode())
    return path


def is_current(path: Path = PARAMETERS_CSV) -> bool:
    current = path.read_text() if path.exists() else ""
    return current.replace("\r\n", "\n") == _csv_text(parameter_table()).replace("\r\n", "\n")


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if is_current() else 1)
    print(f"wrote {write_parameter_table()}")
