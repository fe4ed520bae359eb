"""Compare the runs of a sweep: one tidy table, headline numbers with intervals, figures and a report.

A Hydra multirun (`journeys -m scenario=baseline,harm_reduction_plus seed=1,2,3`) leaves one
folder per run. `journeys-compare <multirun dir>` collects them, summarises each scenario across
seeds and parameter sets (median and 5-95% interval) and measures each scenario against the
baseline run by run: the same seed in two scenarios shares its random numbers (common random
numbers), so a paired difference is far narrower than either scenario's own spread.

    from sim.compare import collect, headline
    collected = collect("multirun/2026-11-23_10-00-00")
    summary = headline(collected, baseline="baseline", years="2025-2029")
"""

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.outputs import annual

KEYS = ["area", "system", "scenario", "seed", "parameter_set", "design_point"]  # what makes a run: never twice
COLUMNS = ["run", *KEYS, "period", "measure", "group", "value"]
LOW, HIGH = 0.05, 0.95  # the reported interval: 5th to 95th percentile across runs (or pairs of runs)
DEFAULT_YEARS = 5  # headline years when none are asked for: the last five of the runs


class CompareError(ValueError):
    """A sweep that cannot be compared: not a folder, no runs, the same run twice, years not run."""


# ---------------------------------------------------------------- finding and reading runs


def _is_run(folder: Path) -> bool:
    return (folder / "timeseries.csv").is_file() and (folder / "config.yaml").is_file()


def find_runs(multirun_dir: Path | str) -> list[Path]:
    """Every folder below `multirun_dir` (at any depth) holding a run's timeseries.csv and config.yaml."""
    root = Path(multirun_dir)
    if not root.is_dir():
        raise CompareError(f"{root} is not a folder")
    if _is_run(root):
        raise CompareError(f"{root} is a single run, not a sweep: point journeys-compare at the folder that holds "
                           "the runs (e.g. multirun/<date>_<time>)")
    runs = sorted({p.parent for p in root.rglob("timeseries.csv") if _is_run(p.parent)})
    if not runs:
        raise CompareError(f"no runs in {root}: no folder below it holds both timeseries.csv and config.yaml "
                           "(was it made by `journeys -m ...`, and has the sweep finished?)")
    return runs


def describe_run(run_dir: Path, root: Path) -> dict:
    """A run's labels (area, system, scenario, seed, parameter set) and its scenario's description."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser: ~10x faster over many runs
    cfg = yaml.load((run_dir / "config.yaml").read_text(), Loader=loader) or {}
    info_file = run_dir / "run_info.json"
    info = json.loads(info_file.read_text()) if info_file.is_file() else {}
    scenario = cfg.get("scenario") or {}
    parameter_set = info.get("parameter_set")  # index of a posterior draw; absent/null: calibrated point estimate
    try:
        return {
            "run": run_dir.relative_to(root).as_posix(),
            "area": str(cfg["area"]["name"]),
            "system": str(cfg["system"]["name"]),
            "scenario": str(scenario.get("name", "baseline")),
            "seed": int(cfg["seed"] if "seed" in cfg else info["seed"]),
            "parameter_set": None if parameter_set is None else int(parameter_set),
            "design_point": None if info.get("design_point") is None else int(info["design_point"]),
            "design": info.get("design"),
            "design_values": info.get("design_values") or {},
            "design_kind": str((cfg.get("design") or {}).get("kind", "none")),
            "description": str(scenario.get("description") or ""),
            "assumptions": [str(a) for a in scenario.get("assumptions") or []],
            "start_year": cfg.get("start_year"),
            "end_year": cfg.get("end_year"),
        }
    except (KeyError, TypeError) as e:
        raise CompareError(f"{run_dir / 'config.yaml'} does not say the run's {e}") from e


def run_name(area, system, scenario, seed, parameter_set, design_point=None) -> str:
    """One run in words, for messages."""
    draw = "point estimate" if pd.isna(parameter_set) else f"parameter set {int(parameter_set)}"
    point = "" if pd.isna(design_point) else f", design point {int(design_point)}"
    return f"{area} / {system} / {scenario}, seed {seed}, {draw}{point}"


def list_runs(multirun_dir: Path | str) -> pd.DataFrame:
    """One row per run, sorted by its labels; refuses a sweep holding the same run twice."""
    root = Path(multirun_dir)
    runs = pd.DataFrame([describe_run(folder, root) for folder in find_runs(root)])
    runs["parameter_set"] = runs["parameter_set"].astype("Int64")
    runs["design_point"] = runs["design_point"].astype("Int64")
    twice = runs[runs.duplicated(KEYS, keep=False)]
    if len(twice):
        lines = [f"  {run_name(*key)}: folders {', '.join(group['run'])}"
                 for key, group in twice.groupby(KEYS, dropna=False, sort=True)]
        raise CompareError(f"duplicate runs in {root}: the same area, system, scenario, seed and parameter set "
                           "appear more than once, so they would be counted twice:\n" + "\n".join(lines)
                           + "\nmove the extra folders out of the sweep (or rerun them with other seeds)")
    return runs.sort_values(KEYS, na_position="first", kind="stable").reset_index(drop=True)


def collect(multirun_dir: Path | str, progress: bool = True, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every run of a sweep in one tidy table: run, area, system, scenario, seed, parameter_set,
    period, measure, group, value (yearly; quarterly runs are made annual).

    Sorted by the labels, so the table does not depend on the order the folders are read in.
    `runs` is list_runs' table if you already have it.
    """
    from tqdm import tqdm

    root = Path(multirun_dir)
    runs = list_runs(root) if runs is None else runs
    frames = []
    rows = tqdm(runs.itertuples(index=False), total=len(runs), desc="reading runs", unit="run",
                disable=not progress, leave=False, file=sys.stderr)
    for r in rows:
        ts = pd.read_csv(root / r.run / "timeseries.csv", dtype={"period": str, "measure": str, "group": str})
        ts = annual(ts)
        frames.append(ts.assign(run=r.run, area=r.area, system=r.system, scenario=r.scenario, seed=r.seed,
                                parameter_set=r.parameter_set, design_point=r.design_point))
    out = pd.concat(frames, ignore_index=True)[COLUMNS]
    out["parameter_set"] = out["parameter_set"].astype("Int64")
    out["design_point"] = out["design_point"].astype("Int64")
    out["seed"] = out["seed"].astype(int)
    out["value"] = out["value"].astype(float)
    order = [*KEYS, "period", "measure", "group"]
    return out.sort_values(order, na_position="first", kind="stable").reset_index(drop=True)


def write_collected(collected: pd.DataFrame, path: Path) -> Path:
    """Parquet, labels as categories: a 140-run 25-year sweep is ~300 MB as CSV, a few MB here.
    Read it back with pandas.read_parquet(path)."""
    out = collected.copy()
    for column in ("run", "area", "system", "scenario", "period", "measure", "group"):
        out[column] = out[column].astype("category")
    out.to_parquet(path, index=False)
    return path


# ---------------------------------------------------------------- years


def parse_years(spec) -> list[str]:
    """'2025-2029' (inclusive), '2025', '2015,2025' or a list of ints -> year labels."""
    if spec is None:
        return []
    if not isinstance(spec, str):
        return [str(int(y)) for y in spec]
    years = []
    for part in spec.replace(" ", "").split(","):
        ends = part.split("-")
        if not part or len(ends) > 2 or not all(e.isdigit() for e in ends) or int(ends[0]) > int(ends[-1]):
            raise CompareError(f"years {spec!r}: write a year (2025), a range (2025-2029) or a list (2015,2025)")
        years += [str(y) for y in range(int(ends[0]), int(ends[-1]) + 1)]
    return list(dict.fromkeys(years))


def select_years(periods, years=None, default_last: int = DEFAULT_YEARS) -> tuple[list[str], list[str]]:
    """The asked-for years that the runs cover, and those they do not (the last few years if none asked)."""
    available = sorted({str(p) for p in periods})
    if years is None or (not isinstance(years, str) and len(years) == 0):
        return available[-default_last:], []
    wanted = parse_years(years)
    kept = [y for y in wanted if y in available]
    if not kept:
        raise CompareError(f"none of the years {years_label(wanted)} is in the runs, which cover "
                           f"{available[0]}-{available[-1]}")
    return kept, [y for y in wanted if y not in available]


def years_label(years: list[str]) -> str:
    """'2025-2029' for consecutive years, else '2015, 2025'."""
    if not years:
        return ""
    ints = [int(y) for y in years]
    if len(ints) > 1 and ints == list(range(ints[0], ints[-1] + 1)):
        return f"{ints[0]}-{ints[-1]}"
    return ", ".join(years)


# ---------------------------------------------------------------- runs, arms and pairs


def run_table(collected: pd.DataFrame, baseline: str = "baseline") -> pd.DataFrame:
    """One row per run (index `run`): its labels, `arm` (what is compared: the scenario, with the
    system and area when the sweep varies them) and `pair` (runs sharing random numbers), in arm order."""
    runs = collected[["run", *KEYS]].drop_duplicates("run").set_index("run")
    vary = [k for k in ("system", "area") if runs[k].nunique() > 1]
    arm = runs["scenario"].astype(str)
    if vary:
        arm = arm + " (" + runs[vary].astype(str).agg(", ".join, axis=1) + ")"
    draw = runs["parameter_set"].astype("string").fillna("point")
    point = runs["design_point"].astype("string").fillna("-")
    pair = (runs["area"].astype(str) + "|" + runs["system"].astype(str) + "|" + runs["seed"].astype(str) + "|" + draw
            + "|" + point)
    runs = runs.assign(arm=arm, pair=pair, _not_baseline=runs["scenario"] != baseline)
    runs = runs.sort_values(["area", "system", "_not_baseline", "scenario", "seed", "parameter_set", "design_point"],
                            na_position="first", kind="stable")
    return runs.drop(columns="_not_baseline")


def arms(runs: pd.DataFrame) -> list[str]:
    """Arms in order: within each area and system the baseline first, then scenarios by name."""
    return list(dict.fromkeys(runs["arm"]))


def pairs(runs: pd.DataFrame, baseline: str = "baseline") -> dict[str, pd.DataFrame]:
    """For each non-baseline arm, its runs matched to the baseline run with the same area, system,
    seed and parameter set (columns run, run_baseline). Arms with no baseline to match are left out."""
    base = runs[runs["scenario"] == baseline]
    out = {}
    for arm, members in runs[runs["scenario"] != baseline].groupby("arm", sort=False):
        matched = (members.reset_index()[["run", "pair"]]
                   .merge(base.reset_index()[["run", "pair"]], on="pair", suffixes=("", "_baseline")))
        if len(matched):
            out[arm] = matched[["run", "run_baseline"]]
    return out


# ---------------------------------------------------------------- headline numbers


@dataclass(frozen=True)
class Headline:
    """A number per run over the compared years: a measure at the last year (`end`), summed (`total`),
    averaged (`mean`) or a ratio of totals (`ratio`, over `per`). `label` is plain English."""

    name: str
    label: str  # {years}, {last} and {baseline} are filled in
    unit: str  # people, deaths, percent, share (0-1), gbp
    measure: str
    how: str
    group: str = "all"
    per: str = ""


HEADLINES = (
    Headline("in_treatment_end", "People in treatment at the end of {last}", "people", "in_treatment", "end"),
    Headline("successful_completions", "Successful completions, {years}", "people", "exits_successful", "total"),
    Headline("completion_rate_opiate", "Successful completion rate, opiate clients (average {years})", "percent",
             "successful_completion_rate", "mean", "opiate"),
    Headline("completion_rate_non_opiate", "Successful completion rate, non-opiate clients (average {years})",
             "percent", "successful_completion_rate", "mean", "non_opiate"),
    Headline("phof_non_representation_6m",
             "Completed and not back in treatment within 6 months, PHOF 2.15 (average {years})", "percent",
             "phof_non_representation_6m", "mean"),
    Headline("deaths", "Deaths from all causes, {years}", "deaths", "deaths", "total"),
    Headline("drug_related_deaths", "Drug-related deaths, {years}", "deaths", "deaths_drug_related", "total"),
    Headline("cost", "Cost of treatment, {years}", "gbp", "cost", "total"),
    # a ratio of totals: steadier than the mean of yearly ratios
    Headline("cost_per_successful_completion", "Cost per successful completion, {years}", "gbp", "cost", "ratio",
             per="exits_successful"),
    Headline("waiting_over_3_weeks_share", "Treatment starts after waiting over 3 weeks (average {years})", "share",
             "waiting_over_3_weeks_share", "mean"),
)
AVERTED = Headline("drug_related_deaths_averted", "Drug-related deaths averted, {years} ({baseline} minus scenario)",
                   "deaths", "deaths_drug_related", "total")


def run_headlines(collected: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """Each headline number for each run (index `run`); one whose measure the runs lack is left out.
    A total over years some run lacks is missing (NaN) for that run."""
    needed = {h.measure for h in HEADLINES} | {h.per for h in HEADLINES if h.per}
    sub = collected[collected["measure"].isin(needed) & collected["period"].isin(years)]

    def per_year(measure: str, group: str) -> pd.DataFrame | None:
        sel = sub[(sub["measure"] == measure) & (sub["group"] == group)]
        return None if sel.empty else sel.pivot(index="run", columns="period", values="value").reindex(columns=years)

    out = {}
    for h in HEADLINES:
        w = per_year(h.measure, h.group)
        if w is None:
            continue
        if h.how == "end":
            out[h.name] = w[years[-1]]
        elif h.how == "mean":
            out[h.name] = w.mean(axis=1)
        else:
            out[h.name] = w.sum(axis=1, min_count=len(years))
        if h.how == "ratio":
            per = per_year(h.per, h.group)
            if per is None:
                del out[h.name]
                continue
            out[h.name] = (out[h.name] / per.sum(axis=1, min_count=len(years))).replace([np.inf, -np.inf], np.nan)
    return pd.DataFrame(out)


def _interval(values) -> dict:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if not len(v):
        return {"median": np.nan, "low": np.nan, "high": np.nan, "n": 0}
    low, median, high = np.quantile(v, [LOW, 0.5, HIGH])
    return {"median": median, "low": low, "high": high, "n": len(v)}


def headline(collected: pd.DataFrame, baseline: str = "baseline", years=None) -> pd.DataFrame:
    """Headline numbers per arm (kind `level`: median and 5-95% interval across seeds and parameter
    sets) and per non-baseline arm its difference from the baseline (kind `difference`: scenario
    minus baseline, paired by seed and parameter set; plus drug-related deaths averted).

    `width_ratio` (difference rows): width of the paired interval / width of the arm's own interval.
    Differences are left out when the baseline scenario is not in the sweep.
    """
    years, _ = select_years(collected["period"].unique(), years)
    runs = run_table(collected, baseline)
    values = run_headlines(collected, years)
    fill = {"years": years_label(years), "last": years[-1], "baseline": baseline}
    rows, own = [], {}
    for arm in arms(runs):
        members = runs[runs["arm"] == arm]
        first = members.iloc[0]
        for h in HEADLINES:
            if h.name not in values:
                continue
            stats = _interval(values.loc[members.index, h.name])
            own[arm, h.name] = stats["high"] - stats["low"]
            rows.append({"area": first["area"], "system": first["system"], "scenario": first["scenario"], "arm": arm,
                         "kind": "level", "headline": h.name, "label": h.label.format(**fill), "unit": h.unit,
                         "years": fill["years"], **stats, "width_ratio": np.nan})
    for arm, matched in pairs(runs, baseline).items():
        first = runs.loc[matched["run"].iloc[0]]
        for h in (*HEADLINES, AVERTED):
            source = "drug_related_deaths" if h is AVERTED else h.name
            if source not in values:
                continue
            diff = (values.loc[matched["run"], source].to_numpy()
                    - values.loc[matched["run_baseline"], source].to_numpy())
            stats = _interval(-diff if h is AVERTED else diff)
            width = own.get((arm, source), np.nan)
            ratio = (stats["high"] - stats["low"]) / width if width and width > 0 else np.nan
            rows.append({"area": first["area"], "system": first["system"], "scenario": first["scenario"], "arm": arm,
                         "kind": "difference", "headline": h.name, "label": h.label.format(**fill), "unit": h.unit,
                         "years": fill["years"], **stats, "width_ratio": ratio})
    return pd.DataFrame(rows, columns=["area", "system", "scenario", "arm", "kind", "headline", "label", "unit",
                                       "years", "median", "low", "high", "n", "width_ratio"])


# ---------------------------------------------------------------- series over time

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BAND_COLUMNS = ["q05", "q25", "q50", "q75", "q95"]


def _per_run(collected: pd.DataFrame, measure: str, group: str) -> pd.DataFrame | None:
    sel = collected[(collected["measure"] == measure) & (collected["group"] == group)]
    return None if sel.empty else sel.pivot(index="run", columns="period", values="value")


def _bands(block: pd.DataFrame, arm: str) -> pd.DataFrame:
    q = block.quantile(list(QUANTILES)).T  # periods x quantiles, NaNs skipped
    q.columns = BAND_COLUMNS
    return q.assign(n=block.notna().sum(), arm=arm).rename_axis("period").reset_index()


def fan(collected: pd.DataFrame, measure: str, group: str = "all", baseline: str = "baseline") -> pd.DataFrame:
    """Per arm and period: quantiles 5, 25, 50, 75, 95% across seeds and parameter sets (empty if absent)."""
    w = _per_run(collected, measure, group)
    if w is None:
        return pd.DataFrame(columns=["period", *BAND_COLUMNS, "n", "arm"])
    runs = run_table(collected, baseline)
    return pd.concat([_bands(w.reindex(runs.index[runs["arm"] == arm]), arm) for arm in arms(runs)], ignore_index=True)


def paired_differences(collected: pd.DataFrame, measure: str, group: str = "all",
                       baseline: str = "baseline") -> pd.DataFrame:
    """Per non-baseline arm and period: quantiles of scenario minus baseline over runs paired by seed
    and parameter set (empty when there is no baseline or the measure is absent)."""
    w = _per_run(collected, measure, group)
    matched = pairs(run_table(collected, baseline), baseline)
    if w is None or not matched:
        return pd.DataFrame(columns=["period", *BAND_COLUMNS, "n", "arm"])
    frames = []
    for arm, m in matched.items():
        diff = w.reindex(m["run"]).to_numpy() - w.reindex(m["run_baseline"]).to_numpy()
        frames.append(_bands(pd.DataFrame(diff, columns=w.columns), arm))
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- the whole comparison


@dataclass
class Comparison:
    """What journeys-compare made: the tables, the files written and notes for the reader."""

    collected: pd.DataFrame
    runs: pd.DataFrame
    summary: pd.DataFrame
    years: list[str]
    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def compare(multirun_dir: Path | str, baseline: str = "baseline", years=None, age_years=None,
            progress: bool = True) -> Comparison:
    """Collect a sweep and write collected.parquet, summary.csv, figures/ and report.html into it."""
    from sim.fan_charts import write_figures  # matplotlib only when figures are made
    from sim.report import write_report

    root = Path(multirun_dir)
    runs = list_runs(root)
    collected = collect(root, progress=progress, runs=runs)
    periods = collected["period"].unique()
    years, missing = select_years(periods, years)
    notes = []
    if missing:
        notes.append(f"years {years_label(missing)} are not in the runs: headline numbers cover {years_label(years)}")
    ages, missing_ages = select_years(periods, age_years) if age_years else (sorted({min(periods), max(periods)}), [])
    if missing_ages:
        notes.append(f"age-profile years {years_label(missing_ages)} are not in the runs")
    scenarios = sorted(runs["scenario"].unique())
    if baseline not in scenarios:
        names = ", ".join(scenarios)
        notes.append(f"no runs of the baseline scenario {baseline!r} in this sweep (scenarios: {names}): "
                     "differences from the baseline are skipped; name another with --baseline")
    everything, compared_runs = collected, runs
    one_at_a_time = (runs["design_kind"] == "one_at_a_time").any()
    if one_at_a_time:  # scenarios are compared at the reference point
        collected = collected[collected["design_point"].fillna(0) == 0]
        compared_runs = runs[runs["design_point"].fillna(0) == 0]
        notes.append("a one-at-a-time sensitivity sweep: scenario figures and headline numbers use the reference "
                     "runs (design point 0); the sensitivity section shows every factor")
    summary = headline(collected, baseline, years)
    result = Comparison(everything, runs, summary, years, notes=notes)
    result.files["collected"] = root / "collected.parquet"
    write_collected(everything, result.files["collected"])
    result.files["summary"] = root / "summary.csv"
    summary.to_csv(result.files["summary"], index=False)
    figures = write_figures(collected, root / "figures", baseline=baseline, years=years, age_years=ages)
    extra_html = ""
    if (runs["design_kind"] != "none").any():
        charts, extra_html, table = sensitivity_outputs(everything, runs, years, root)
        figures = [*figures, *charts]
        result.files["sensitivity"] = root / "sensitivity.csv"
        table.to_csv(result.files["sensitivity"], index=False)
    result.files.update({f"figure {f.name}": f.path for f in figures})
    result.files["report"] = write_report(summary, compared_runs, figures, root / "report.html", baseline=baseline,
                                          years=years, notes=notes, extra_html=extra_html)
    return result


def sensitivity_outputs(collected: pd.DataFrame, runs: pd.DataFrame, years: list[str], root: Path):
    """The sensitivity figure (tornado, or rank-regression bars), its table and a report section."""
    import html

    from sim.fan_charts import Chart
    from sim import sensitivity

    values = run_headlines(collected, years)
    indexed = runs.set_index("run")
    fill = {"years": years_label(years), "last": years[-1], "baseline": "baseline"}
    labels = {h.name: h.label.format(**fill) for h in HEADLINES}
    (root / "figures").mkdir(exist_ok=True)
    if (runs["design_kind"] == "one_at_a_time").any():
        table = sensitivity.one_at_a_time(values, indexed)
        path = sensitivity.tornado(table, labels, root / "figures" / "tornado.png")
        title, caption = "Which assumptions matter most (one at a time)", (
            "Each bar shows how much a headline number changes when one lever or parameter alone is set to the low "
            "(blue) or high (red) end of its plausible range, everything else as in the reference run with the same "
            "random numbers. The widest bars, at the top, are the assumptions the results depend on most.")
        shown = table.assign(effect=[f"{m:+,.3g} ({lo:+,.3g} to {hi:+,.3g})" for m, lo, hi in
                                     zip(table["median"], table["low"], table["high"])])
        shown = shown.pivot_table(index=["factor", "level"], columns="headline", values="effect", aggfunc="first")
    else:
        table = sensitivity.rank_regression(values, indexed)
        path = sensitivity.srrc_chart(table, labels, root / "figures" / "sensitivity.png")
        title, caption = "Which assumptions matter most (all varied together)", (
            "Standardised rank regression coefficients: how strongly each headline number moves with each lever or "
            "parameter when all of them vary together across their plausible ranges (Latin hypercube). Near +1 or "
            "-1: that assumption drives the result; R² says how much of the spread the assumptions explain.")
        shown = table.pivot_table(index="factor", columns="headline", values="srrc").round(2)
    charts = [Chart("sensitivity", path, title, caption)] if path is not None else []
    section = (f"<h2>{html.escape(title)}: table</h2>"
               + shown.to_html(classes="sensitivity", border=0, escape=True))
    return charts, section, table


def print_summary(result: Comparison, out=None) -> None:
    """The headline numbers and the files written, for the terminal (or `out`)."""
    from sim.report import ratio_sentence, table

    out = out or sys.stdout
    runs = result.runs
    counts = {"scenario": runs["scenario"].nunique(), "seed": runs["seed"].nunique(),
              "parameter set": runs["parameter_set"].astype("string").fillna("point").nunique()}
    counted = ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for what, n in counts.items())
    print(f"\njourneys-compare: {len(runs)} runs ({counted}), {', '.join(runs['area'].unique())}, "
          f"{', '.join(runs['system'].unique())}; headline years {years_label(result.years)}", file=out)
    for note in result.notes:
        print(f"note: {note}", file=out)
    with pd.option_context("display.max_colwidth", 60, "display.width", 200):
        print("\nmedian (5% to 95%) across seeds and parameter sets", file=out)
        print(table(result.summary, "level").to_string(), file=out)
        diff = table(result.summary, "difference")
        if len(diff):
            print("\ndifference from baseline, paired by seed and parameter set", file=out)
            print(diff.to_string(), file=out)
            sentence = ratio_sentence(result.summary)
            if sentence:
                print(sentence, file=out)
    print("\nwritten:", file=out)
    for path in result.files.values():
        print(f"  {path}", file=out)


def main(argv: list[str] | None = None) -> int:
    """journeys-compare <multirun dir> [--baseline baseline] [--years 2025-2029] [--age-years 2015,2025]"""
    parser = argparse.ArgumentParser(
        prog="journeys-compare",
        description="Compare the runs of a sweep (journeys -m ...): collected.parquet, summary.csv, figures/ and "
                    "report.html are written into the sweep folder.")
    parser.add_argument("multirun_dir", type=Path, help="the sweep folder, e.g. multirun/2026-11-23_10-00-00")
    parser.add_argument("--baseline", default="baseline", help="scenario the others are compared with (baseline)")
    parser.add_argument("--years", help="years the headline numbers cover, inclusive, e.g. 2025-2029 "
                                        f"(default: the last {DEFAULT_YEARS} years of the runs)")
    parser.add_argument("--age-years", help="years of the age profile, e.g. 2015,2025 (default: first and last)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    try:
        result = compare(args.multirun_dir, baseline=args.baseline, years=args.years, age_years=args.age_years,
                         progress=not args.no_progress)
    except CompareError as e:
        print(f"journeys-compare: {e}", file=sys.stderr)
        return 2
    print_summary(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
