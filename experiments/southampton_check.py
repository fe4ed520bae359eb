"""The default tiered system for Southampton against the documented Southampton 2011/12 figures.

    python -m experiments.southampton_check [seeds]

Prints documented value, simulated median and 5-95% range over seeds, and whether the
median lies within the stated tolerance (percentage points for shares).
"""

import sys

import numpy as np

from sim import load_config, run
from sim.outputs.measures import wide

YEAR = "2011"  # 2011/12 figures; the model's calendar year 2011 is the nearest
# (label, documented value, tolerance, function of the yearly tables -> simulated value)
MODALITIES = {"specialist_prescribing": 45, "structured_day": 51, "psychosocial": 44, "other_structured": 51}


def _planned_share(ts, modality):
    sel = ts[(ts["period"] == YEAR) & (ts["group"] == modality)]
    v = sel.set_index("measure")["value"]
    total = v["modality_exits_planned"] + v["modality_exits_unplanned"] + v["modality_exits_transferred"]
    return 100 * v["modality_exits_planned"] / total if total else np.nan


def targets():
    rows = [(f"planned share of {m.replace('_', ' ')} exits %", doc, 10.0,
             lambda ts, m=m: _planned_share(ts, m), "soton_modality_*_planned_pct_2011_12")
            for m, doc in MODALITIES.items()]
    w = lambda ts, g="all": wide(ts, g).loc[YEAR]  # noqa: E731
    rows += [
        ("tier 2 -> tier 3 transfers picked up %", 81, 10.0,
         lambda ts: 100 * w(ts)["transfers"] / (w(ts)["transfers"] + w(ts)["transfers_failed"]),
         "soton_transfer_ssj_resumed_pct"),
    ]
    for band, doc, key in (("under_1y", 35, "remainder"), ("1_to_2y", 15, "1to2y"), ("2_to_4y", 19, "2to4y"),
                           ("4_to_6y", 15, "4to6y"), ("6y_plus", 16, "6yplus")):
        rows.append((f"in treatment {band.replace('_', ' ')} %", doc, 7.0,
                     lambda ts, b=band: 100 * w(ts)[f"in_treatment_{b}"] / w(ts)["in_treatment"],
                     f"soton_time_in_tx_{key}_2011_12"))
    rows += [
        ("mean time in treatment of everyone treated in the year, years", 2.4, 0.5,
         lambda ts: w(ts)["time_in_treatment_treated_mean_years"],
         "soton_time_in_tx_avg_2011_12"),
        ("successful completions % of opiate caseload", 7, 3.0,
         lambda ts: w(ts, "opiate")["successful_completion_rate"],
         "soton_sc_opiate_pct_2011_12"),
        ("successful completions % of non-opiate caseload", 42, 10.0,
         lambda ts: w(ts, "non_opiate")["successful_completion_rate"], "soton_sc_nonopiate_pct_2011_12"),
        ("in treatment during the year", 866, 150.0, lambda ts: w(ts)["in_treatment_during_year"],
         "soton_all_in_tx_ytd_2011_12"),
        ("treatment starts (new journeys)", 352, 100.0, lambda ts: w(ts)["treatment_starts"],
         "soton_new_journeys_ytd_2011_12"),
        ("abstinent at 6-month TOP review %", 42, 10.0, lambda ts: 100 * w(ts)["top_abstinent_at_review_share"],
         "soton_top_q4_opiate_abstinent_review_pct"),
        ("waiting over 3 weeks %", 2, 5.0, lambda ts: 100 * w(ts)["waiting_over_3_weeks_share"],
         "soton_wait_over3w_pct_2011_12"),
    ]
    return rows


def compare(seeds=range(1, 11), overrides=()):
    tables = [run(load_config(["system=tiered", "area=southampton", "end_year=2013", f"seed={s}",
                               "output.trace_people=0", *overrides])).timeseries for s in seeds]
    out = []
    for label, doc, tol, f, source in targets():
        sims = np.array([f(ts) for ts in tables], dtype=float)
        med = float(np.nanmedian(sims))
        out.append({"target": label, "documented": doc, "simulated_median": round(med, 1),
                    "p5": round(float(np.nanpercentile(sims, 5)), 1),
                    "p95": round(float(np.nanpercentile(sims, 95)), 1),
                    "tolerance": tol, "within": abs(med - doc) <= tol, "source": source})
    return out


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rows = compare(range(1, n + 1))
    print(f"{'target':48s} {'documented':>10s} {'simulated (5-95%)':>22s} {'tol':>6s}  ok")
    for r in rows:
        print(f"{r['target']:48s} {r['documented']:>10} {r['simulated_median']:>8} ({r['p5']}-{r['p95']})".ljust(83)
              + f"{r['tolerance']:>6}  {'yes' if r['within'] else 'NO'}")
