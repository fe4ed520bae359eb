"""Calibration targets: documented figures as data, and NDTMS-style extracts turned into targets.

Two CSV schemas, both checked row by row; every problem is reported with its row number
before anything is used.

Targets (calibration/targets/*.csv):
    id, area, period, measure, group, value, lower, upper, source
`measure` and `group` are the model's own output names (README, "Measures"), so a target
is compared with exactly the simulated quantity of the same name. `lower`/`upper` give
the interval the source states (a censored value has lower < upper and no point value); a
figure the source gives without one has lower = upper = value. An optional `denominator`
column gives the people a share or percentage is of. Each target gets its kind of likelihood
(`sim.calibration.likelihood`) and, when it came without one, the 95% range that kind implies
(reported as its interval: "within" means inside it).

NDTMS extracts (what a researcher brings): area, period, drug_group, measure, value[, denominator, source]
`period` is a calendar year (2011), a financial year (2011/12 or 2011-12, read as the
calendar year it starts in) or a quarter (2011-Q3). Published tables suppress small
numbers: `<3` (any `<k`), `*` and `-` are read as censored counts 0..k-1 (0..2 for `*` and
`-`), never as zero and never as an error. An extract's figures carry no interval: each is scored
by its kind (a count, a share with its denominator, another value) with the stated relative error.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.likelihood import RELATIVE_ERROR, TargetKind, deviance, interval_95
from sim.config.errors import InputError
from sim.domain.states import MODALITY_NAMES
from sim.outputs.caseload_profile import PROFILE_MEASURES
from sim.outputs.leaver_cohorts import LEAVER_MEASURES
from sim.outputs.measures import BAND_GROUPS, DERIVED, DURATION_BANDS, FLOWS, GROUPS, STOCKS, SYSTEM_FLOWS, VALUE_FLOWS

TARGET_COLUMNS = ["id", "area", "period", "measure", "group", "value", "lower", "upper", "source"]
EXTRACT_COLUMNS = ["area", "period", "drug_group", "measure", "value"]
PERCENT_MEASURES = ("successful_completion_rate", "phof_non_representation_6m")
SHARE_MEASURES = tuple(m for m in (*DERIVED, *PROFILE_MEASURES, *LEAVER_MEASURES) if m.endswith("_share"))
MEASURES = tuple(sorted({*STOCKS, *FLOWS, *SYSTEM_FLOWS, *VALUE_FLOWS, *DERIVED, *PROFILE_MEASURES, *LEAVER_MEASURES,
                         "time_in_treatment_mean_years", "time_in_treatment_treated_mean_years", *DURATION_BANDS}))
# groups a target may name: drug groups and age bands, DOMES time bands, modalities
TARGET_GROUPS = (*GROUPS, *BAND_GROUPS, *MODALITY_NAMES.values())
SUPPRESSED_DEFAULT_UPPER = 2.0  # `*` and `-`: a suppressed small count, read as 0..2
COUNT_MEASURES = frozenset({*STOCKS, *FLOWS, *DURATION_BANDS, "modality_exits_planned", "modality_exits_unplanned",
                            "modality_exits_transferred", "leavers_completed",
                            "leavers_dropped_out"})  # people or events


def scale_of(measure: str) -> float:
    """The ceiling of a measure's values: 100 for a percentage, 1 for a share, none otherwise."""
    return 100.0 if measure in PERCENT_MEASURES else 1.0 if measure in SHARE_MEASURES else np.inf


def kind_of(measure: str, value: float, lower: float, upper: float, denominator: float) -> TargetKind:
    """How a figure is scored (`sim.calibration.likelihood`): by its stated range if it has one, else by what it
    counts."""
    if np.isnan(value):
        return TargetKind.CENSORED
    if lower < upper:
        return TargetKind.INTERVAL
    if measure in COUNT_MEASURES:
        return TargetKind.COUNT
    if np.isfinite(scale_of(measure)) and np.isfinite(denominator) and denominator > 0:
        return TargetKind.SHARE
    return TargetKind.VALUE


def classify(targets: pd.DataFrame, relative_error: float = RELATIVE_ERROR) -> pd.DataFrame:
    """Targets with their kind, denominator and ceiling (`scale`); a figure that came without a range gets the
    95% range its kind implies (never of zero width)."""
    out = targets.copy()
    if "denominator" not in out.columns:
        out["denominator"] = np.nan
    out["denominator"] = pd.to_numeric(out["denominator"], errors="coerce")
    out["scale"] = [scale_of(m) for m in out["measure"]]
    stated = pd.to_numeric(out["relative_error"], errors="coerce") if "relative_error" in out.columns else np.nan
    out["relative_error"] = pd.Series(stated, index=out.index, dtype=float).fillna(relative_error)
    kinds = [kind_of(m, v, lo, hi, d) for m, v, lo, hi, d in
             zip(out["measure"], out["value"], out["lower"], out["upper"], out["denominator"])]
    out["kind"] = [str(k) for k in kinds]
    for i, k in enumerate(kinds):
        if k in (TargetKind.COUNT, TargetKind.SHARE, TargetKind.VALUE):
            lo, hi = interval_95(k, out["value"].iat[i], out["denominator"].iat[i], out["scale"].iat[i],
                                 out["relative_error"].iat[i])
            out.iloc[i, out.columns.get_loc("lower")] = lo
            out.iloc[i, out.columns.get_loc("upper")] = hi
    return out


class TargetFileError(InputError):
    """A targets or extract file with problems; the message lists every one with its row."""


@dataclass(frozen=True)
class Parsed:
    value: float  # nan when censored
    lower: float
    upper: float


def parse_value(text: str) -> Parsed:
    """A number, or a suppressed small count (`<k`, `*`, `-`) as a censored interval."""
    t = str(text).strip()
    m = re.fullmatch(r"<\s*(\d+(?:\.\d+)?)", t)
    if m:
        if float(m.group(1)) < 1:
            raise ValueError(f"{t!r}: a suppressed count is below a positive number (<3)")
        return Parsed(np.nan, 0.0, float(m.group(1)) - 1.0)
    if t in ("*", "-"):
        return Parsed(np.nan, 0.0, SUPPRESSED_DEFAULT_UPPER)
    x = float(t.replace(",", ""))  # ValueError for anything else
    if not np.isfinite(x):
        raise ValueError(f"{t!r} is not a finite number")
    return Parsed(x, x, x)


def parse_period(text: str) -> str:
    """'2011' | '2011/12' | '2011-12' (financial year: its first calendar year) | '2011-Q3'."""
    t = str(text).strip()
    if re.fullmatch(r"\d{4}", t) or re.fullmatch(r"\d{4}-Q[1-4]", t):
        return t
    m = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", t)
    if m and int(m.group(2)[-2:]) == (int(m.group(1)) + 1) % 100:
        return m.group(1)
    raise ValueError(f"period {t!r}: expected a year (2011), a financial year (2011/12) or a quarter (2011-Q3)")


LARGEST_COUNT = 1e8  # people or events in a year: more than England's population
LARGEST_VALUE = 1e12  # anything else (GBP a year included)


def _check_range(measure: str, p: Parsed) -> str | None:
    if p.lower < 0:
        return f"value {p.lower:g} is negative"
    if measure in COUNT_MEASURES and p.upper > LARGEST_COUNT:
        return f"value {p.upper:g} is more people or events than England has (at most {LARGEST_COUNT:,.0f})"
    if p.upper > LARGEST_VALUE:
        return f"value {p.upper:g} is implausibly large (at most {LARGEST_VALUE:g})"
    if measure in PERCENT_MEASURES and p.upper > 100:
        return f"value {p.upper:g} is a percentage over 100"
    if measure in SHARE_MEASURES and p.upper > 1:
        return f"value {p.upper:g} is a share over 1 (shares are in [0, 1])"
    return None


SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "bars"}


@dataclass(frozen=True)
class Rows:
    """A CSV file read as text: its header, its well-formed rows with their line numbers, and the lines whose
    shape is wrong (a row with more or fewer fields than the header), each named."""

    header: list[str]
    rows: list[tuple[int, dict]]  # (line in the file, column -> text)
    problems: list[str]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([row for _, row in self.rows], columns=self.header, dtype=str)


def _read(path: Path, required: list[str]) -> Rows:
    """Every line of a CSV (blank lines and `#` comment lines left out, line numbers kept), checked for shape in the
    same pass as its values (`load_extract`, `load_targets`), so one reading names every problem."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise TargetFileError(f"{path}: not a text (UTF-8) CSV file: {e.reason} at byte {e.start}") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise TargetFileError(f"{path}: no header and no rows; required columns: {', '.join(required)}")
    parsed = list(csv.reader(line for _, line in lines))
    header = [h.strip() for h in parsed[0]]
    if len(header) == 1:
        used = [name for sep, name in SEPARATORS.items() if sep in header[0]]
        if used:
            raise TargetFileError(f"{path}: the columns are separated by {used[0]}, not commas; save it as "
                                  f"comma-separated CSV with the columns {', '.join(required)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise TargetFileError(f"{path}: missing column(s) {', '.join(missing)}; required: {', '.join(required)}")
    rows, problems = [], []
    for (n, _), fields in zip(lines[1:], parsed[1:], strict=True):
        if len(fields) != len(header):
            problems.append(f"row {n}: {len(fields)} field(s), the header has {len(header)}")
        else:
            rows.append((n, dict(zip(header, fields, strict=True))))
    return Rows(header, rows, problems)


def _quarter_problem(period: str | None, quarters: bool) -> str | None:
    if period is not None and not quarters and "-Q" in period:
        return (f"period {period!r} is a quarter, but the projection reports years; allowed: yearly figures, or "
                "output.period=quarter")
    return None


def load_extract(path: Path | str, area: str | None = None, quarters: bool = True) -> pd.DataFrame:
    """Read an NDTMS-style extract and return it as targets (TARGET_COLUMNS), or raise with every problem (quarterly
    rows are one when `quarters` is false: a projection that reports years)."""
    path = Path(path)
    read = _read(path, EXTRACT_COLUMNS)
    problems, rows, seen = list(read.problems), [], {}
    for line, row in read.rows:
        where = f"row {line}"
        measure, group = row["measure"].strip(), row["drug_group"].strip()
        if measure not in MEASURES:
            problems.append(f"{where}: measure {measure!r} is unknown; allowed: {', '.join(MEASURES)}")
        if group not in TARGET_GROUPS:
            problems.append(f"{where}: drug_group {group!r} is unknown; allowed: {', '.join(TARGET_GROUPS)}")
        try:
            period = parse_period(row["period"])
        except ValueError as e:
            problems.append(f"{where}: {e}")
            period = None
        why = _quarter_problem(period, quarters)
        if why:
            problems.append(f"{where}: {why}")
        try:
            parsed = parse_value(row["value"])
        except ValueError as e:
            why = str(e) if "finite" in str(e) or "suppressed" in str(e) else "not a number"
            problems.append(f"{where}: value {row['value']!r}: {why}; allowed: a number or a suppressed count "
                            "(<3, *, -)")
            parsed = None
        if parsed is not None and measure in MEASURES:
            why = _check_range(measure, parsed)
            if why:
                problems.append(f"{where}: {why}")
        if area is not None and row["area"].strip() != area:
            problems.append(f"{where}: area {row['area']!r} is not the area being calibrated ({area!r})")
        why = _denominator_problem(row.get("denominator", ""))
        if why:
            problems.append(f"{where}: {why}")
        key = (row["area"].strip(), period, group, measure)
        if key in seen:
            problems.append(f"{where}: duplicates row {seen[key]} (same area, period, drug_group and measure)")
        else:
            seen[key] = line
        if parsed is not None and period is not None:
            rows.append({"id": f"{path.stem}_{line}", "area": row["area"].strip(), "period": period,
                         "measure": measure, "group": group, "value": parsed.value, "lower": parsed.lower,
                         "upper": parsed.upper, "source": row.get("source", "") or f"{path.name} row {line}",
                         "denominator": row.get("denominator", "")})
    _raise_problems(path, problems)
    return pd.DataFrame(rows, columns=[*TARGET_COLUMNS, "denominator"])


def _raise_problems(path: Path, problems: list[str]) -> None:
    """Every problem of a file at once, in the order of its rows."""
    if len(problems) == 1:
        raise TargetFileError(f"{path}: {problems[0]}")
    if problems:
        problems = sorted(problems, key=lambda p: int(m[1]) if (m := re.match(r"row (\d+)", p)) else 0)
        raise TargetFileError(f"{path}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))


def _denominator_problem(text: str) -> str | None:
    if str(text).strip() == "":
        return None
    try:
        d = float(str(text).replace(",", ""))
    except ValueError:
        return f"denominator {text!r} is not a number (people a share is of; empty when unknown)"
    return None if 0 < d < np.inf else f"denominator {d:g} must be a positive finite number"


def load_targets(path: Path | str, quarters: bool = True) -> pd.DataFrame:
    """Read a targets file (TARGET_COLUMNS), or raise with every problem (quarterly rows are one when `quarters` is
    false)."""
    path = Path(path)
    read = _read(path, TARGET_COLUMNS)
    frame = read.frame()
    problems, seen = list(read.problems), {}
    out = frame[TARGET_COLUMNS + (["denominator"] if "denominator" in frame.columns else [])].copy()
    for k, (line, row) in enumerate(read.rows):
        where = f"row {line} ({row['id']})"
        if row["id"] in seen:
            problems.append(f"{where}: id repeats row {seen[row['id']]}")
        seen[row["id"]] = line
        if row["measure"] not in MEASURES:
            problems.append(f"{where}: measure {row['measure']!r} is unknown; allowed: {', '.join(MEASURES)}")
        if row["group"] not in TARGET_GROUPS:
            problems.append(f"{where}: group {row['group']!r} is unknown; allowed: {', '.join(TARGET_GROUPS)}")
        try:
            out.loc[k, "period"] = parse_period(row["period"])
            why = _quarter_problem(out.loc[k, "period"], quarters)
            if why:
                problems.append(f"{where}: {why}")
        except ValueError as e:
            problems.append(f"{where}: {e}")
        try:
            value = float(row["value"]) if row["value"] != "" else np.nan
            lower, upper = float(row["lower"]), float(row["upper"])
        except ValueError:
            problems.append(f"{where}: value, lower and upper must be numbers (value may be empty when censored)")
            continue
        if not lower <= upper or (np.isfinite(value) and not lower <= value <= upper):
            problems.append(f"{where}: need lower <= value <= upper, got {lower:g} <= {value:g} <= {upper:g}")
        why = _check_range(row["measure"], Parsed(value, lower, upper))
        if why:
            problems.append(f"{where}: {why}")
        why = _denominator_problem(row.get("denominator", ""))
        if why:
            problems.append(f"{where}: {why}")
        if not row["source"].strip():
            problems.append(f"{where}: source is empty: name the seed document and table")
    _raise_problems(path, problems)
    for c in ("value", "lower", "upper"):
        out[c] = pd.to_numeric(out[c], errors="coerce")
    return out


def simulated(ts: pd.DataFrame, targets: pd.DataFrame) -> pd.Series:
    """The simulated value of each target: the same measure, group and period of a projection.

    Targets whose period the projection does not cover come back as NaN.
    """
    table = ts.assign(period=ts["period"].astype(str)).set_index(["period", "measure", "group"])["value"]
    table = table[~table.index.duplicated()]
    keys = list(zip(targets["period"].astype(str), targets["measure"], targets["group"]))
    return pd.Series(table.reindex(keys).to_numpy(), index=targets["id"], name="simulated")


def discrepancy(values: pd.Series, targets: pd.DataFrame) -> pd.Series:
    """Per-target misfit: the deviance of its kind (`sim.calibration.likelihood`), 0 at a perfect fit, about 1 a
    standard error off. `values` is indexed by target id; targets not yet classified get the default error."""
    t = targets if "kind" in targets.columns else classify(targets)
    t = t.set_index("id").loc[values.index]
    return pd.Series(deviance(values.to_numpy(dtype=float), t), index=values.index, name="discrepancy")


def read_targets(path: Path, area: str, start_year: int, end_year: int,
                 relative_error: float = RELATIVE_ERROR, period: str = "year") -> pd.DataFrame:
    """Targets for `area` within the projection, classified (`classify`): from a targets file or an NDTMS
    extract (told apart by its `drug_group` column, whatever separates the columns). `period` is the projection's
    output.period: a quarterly figure is a problem of a yearly one."""
    header = path.read_text(encoding="utf-8-sig", errors="replace").lstrip().splitlines()
    columns = next((line for line in header if not line.startswith("#")), "")
    quarters = period == "quarter"
    named = {c.strip() for c in re.split(r"[,;\t|]", columns)}
    # the schema it is nearer to (an extract on a tie: what a researcher brings), so a missing column is named
    # against the right list
    is_extract = len(set(EXTRACT_COLUMNS) - named) <= len(set(TARGET_COLUMNS) - named)
    targets = load_extract(path, area=area, quarters=quarters) if is_extract else load_targets(path, quarters)
    targets = targets[targets["area"] == area]
    years = targets["period"].str.slice(0, 4).astype(int)
    inside = (years >= start_year) & (years < end_year)
    left_out = list(targets.loc[~inside, "id"])
    targets = targets[inside]
    if targets.empty:
        raise TargetFileError(f"{path}: no targets for area {area!r} in {start_year}-{end_year - 1}")
    targets = classify(targets.reset_index(drop=True), relative_error)
    targets.attrs["left_out"] = left_out  # outside the years calibrated: the caller says which
    return targets
