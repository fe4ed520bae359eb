"""Parameter recovery: calibrate to targets simulated from known parameters, and check the ensemble covers them.

The targets are the area's documented targets (same measures, groups, periods and relative
interval widths) with values replaced by the simulation's own output at known "true"
parameters (mean of 4 seeds other than the calibration's). The calibration then starts from
the documented prior ranges; the truth should lie within the ensemble's range.

    python -m experiments.parameter_recovery [--trials 300] [--out outputs/parameter_recovery]
    python -m experiments.parameter_recovery --area england --trials 800 --workers 2

Southampton: five parameters at hand-picked values. England: every free parameter of its shipped
calibration (calibration/england), the truth its best trial, at population_scale 0.05 as it was fitted.

Writes recovery.csv (per parameter: truth, prior, best, ensemble median and 90% range,
covered) and recovery.png (each parameter on its prior range: truth, best, ensemble).
"""

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from sim import load_config  # noqa: E402
from sim.calibration.ensemble import posterior_table  # noqa: E402
from sim.calibration.objective import free_parameters, objective_value, with_values  # noqa: E402
from sim.calibration.record import shipped_values  # noqa: E402
from sim.calibration.study import calibrate, settle_ensemble  # noqa: E402
from sim.calibration.targets import read_targets  # noqa: E402
from sim.config.paths import PROJECT_ROOT  # noqa: E402

TRUTH = {
    "presentation.naive_per_year": 0.12,
    "presentation.previous_per_year": 0.35,
    "treatment.planned_exit_per_year": 0.30,
    "treatment.unplanned_exit_per_year": 0.45,
    "recovery.represent_first_6m_per_year": 0.35,
}


def synthetic_targets(cfg, truth: dict[str, float], seeds=(901, 902, 903, 904)) -> pd.DataFrame:
    documented = read_targets(PROJECT_ROOT / "calibration/targets/documented.csv", cfg.area.name, 2005, 2013)
    documented = documented[documented["value"].notna()].reset_index(drop=True)  # point targets only
    wide_open = documented.assign(lower=-1e12, upper=1e12)
    _, frame = objective_value(with_values(cfg, truth), wide_open, list(seeds))
    truth = frame.mean(axis=1).to_numpy()
    rel_half = ((documented["upper"] - documented["lower"]) / 2 / documented["value"].abs()).to_numpy()
    return documented.assign(value=truth, lower=truth * (1 - rel_half), upper=truth * (1 + rel_half),
                             source="synthetic: simulated at known parameters")


def figure(table: pd.DataFrame, path: Path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(table) + 1.5))
    for y, r in enumerate(table.itertuples()):
        scale = lambda x, r=r: (x - r.prior_low) / (r.prior_high - r.prior_low)  # noqa: E731
        ax.hlines(y, 0, 1, color="#dddddd", lw=8)
        ax.hlines(y, scale(r.q05), scale(r.q95), color="#1f77b4", lw=4, label="ensemble 90%" if y == 0 else None)
        ax.plot(scale(r.best), y, "D", color="#1f77b4", label="best" if y == 0 else None)
        ax.plot(scale(r.truth), y, "|", color="red", ms=22, mew=2.5, label="truth" if y == 0 else None)
    ax.set_yticks(range(len(table)), table["parameter"])
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("position within the documented prior range (0 = low, 1 = high)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=300)
    ap.add_argument("--seeds-per-trial", type=int, default=2)
    ap.add_argument("--min-accepted", type=int, default=100)
    ap.add_argument("--area", choices=("southampton", "england"), default="southampton")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--sampler", choices=("tpe", "cmaes"), default="tpe", help="the search (sim.calibration.study)")
    ap.add_argument("--ensemble-rounds", type=int, default=8,
                    help="moves spreading the ensemble over the region (sim.calibration.explore); 0: none")
    ap.add_argument("--continue", dest="resume", action="store_true",
                    help="continue the study in --out (more trials or rounds) instead of starting afresh")
    ap.add_argument("--out", type=Path, default=None, help="default: outputs/parameter_recovery/<area>")
    args = ap.parse_args(argv)
    out = args.out or PROJECT_ROOT / "outputs" / "parameter_recovery" / args.area
    out.mkdir(parents=True, exist_ok=True)
    overrides = [f"area={args.area}", "calibration=none", "end_year=2013", "output.figures=false",
                 "output.trace_people=0"]
    if args.area == "england":
        overrides.append("population_scale=0.05")
        truth = shipped_values("england")
    else:
        truth = TRUTH
    cfg = load_config(overrides)
    t0 = time.perf_counter()
    targets = synthetic_targets(cfg, truth)
    targets.to_csv(out / "synthetic_targets.csv", index=False)
    free = free_parameters(cfg, list(truth))
    if not args.resume:
        (out / "study.db").unlink(missing_ok=True)  # a recovery is a fresh search
    seeds = list(range(1, args.seeds_per_trial + 1))
    s = calibrate(cfg, targets, free, args.trials, out / "study.db", "recovery", seeds=seeds, progress=True,
                  workers=args.workers, sampler=args.sampler)
    _, ensemble, _ = settle_ensemble(s, cfg, targets, free, out / "study.db", "recovery", seeds, args.min_accepted,
                                     args.ensemble_rounds, args.workers, progress=True)
    table = posterior_table(ensemble, free)
    table.insert(1, "truth", table["parameter"].map(truth))
    table["covered"] = (table["q05"] <= table["truth"]) & (table["truth"] <= table["q95"])
    table["covered_by_range"] = [ensemble.accepted[p].min() <= t <= ensemble.accepted[p].max()
                                 for p, t in zip(table["parameter"], table["truth"])]
    table.to_csv(out / "recovery.csv", index=False)
    n_cov = int(table["covered"].sum())
    figure(table, out / "recovery.png", f"Parameter recovery, {args.area} targets: truth inside the ensemble's "
           f"90% range for {n_cov} of {len(table)}\n({args.trials} trials, {len(ensemble.accepted)} accepted)")
    pd.set_option("display.width", 160)
    print(table.round(4).to_string(index=False))
    print(f"\n{n_cov}/{len(table)} truths inside the 90% range; {int(table['covered_by_range'].sum())} inside the "
          f"accepted range; {len(ensemble.accepted)} accepted (tolerance {ensemble.tolerance:.2f}); "
          f"{time.perf_counter() - t0:.0f} s; outputs in {out}")


if __name__ == "__main__":
    main()
