"""Quick comparison of a projection with headline documented figures (before calibration).

    python -m experiments.diagnostics area=england [other overrides]
"""

import sys

import numpy as np

from sim import load_config, run
from sim.outputs.measures import wide


def report(overrides: list[str]) -> None:
    cfg = load_config(overrides + ["output.trace_people=0"])
    r = run(cfg)
    ts = r.timeseries
    w, op, no, ocu = wide(ts), wide(ts, "opiate"), wide(ts, "non_opiate"), wide(ts, "ocu")
    years = [y for y in w.index if int(y) in (cfg.start_year, 2008, 2010, 2011, 2015, 2020, cfg.end_year - 1)]
    rows = {
        "OCU current users": ocu["prevalent_users"],
        "in treatment (stock)": w["in_treatment"],
        "in treatment during year ~ stock + starts": w["in_treatment"].shift(1) + w["treatment_starts"],
        "OCU treatment starts": ocu["treatment_starts"],
        "non-opiate % of in treatment": 100 * no["in_treatment"] / w["in_treatment"],
        "SC % caseload opiate": 100 * op["exits_successful"] / (op["in_treatment"].shift(1) + op["treatment_starts"]),
        "SC % caseload non-opiate": (
            100 * no["exits_successful"] / (no["in_treatment"].shift(1) + no["treatment_starts"])
        ),
        "successful % of exits": (
            100 * w["exits_successful"] / (w["exits_successful"] + w["exits_unplanned"] + w["exits_transferred"])
        ),
        "re-presented 6m % of SC": 100 * w["re_presentations_within_6m"] / w["exits_successful"].shift(0),
        "in tx <1y %": 100 * w["in_treatment_under_1y"] / w["in_treatment"],
        "in tx 6y+ %": 100 * w["in_treatment_6y_plus"] / w["in_treatment"],
        "deaths": w["deaths"],
        "drug-related deaths": w["deaths_drug_related"],
        "in recovery": w["in_recovery"],
        "in prison": w["in_prison"],
        "new users": w["new_users"],
        "alive": w["alive"],
    }
    table = np.round(np.array([[rows[k].get(y, np.nan) for y in years] for k in rows], dtype=float), 1)
    print(f"{cfg.area.name}, seed {cfg.seed}, {r.wall_seconds:.1f} s")
    print(f"{'':45s}" + "".join(f"{y:>10s}" for y in years))
    for k, vals in zip(rows, table):
        print(f"{k:45s}" + "".join(f"{v:10.1f}" for v in vals))


if __name__ == "__main__":
    report(sys.argv[1:])
