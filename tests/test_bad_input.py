"""Bad input, as a new user gives it, through the real commands (issue 15).

Every case checks three things: no traceback, one line (or, for a file a user brings, one
message listing every problem by row) that names the field or path, and no finished output
lost or invented. The commands run in this process (`sim.cli.main`, `journeys_calibrate`,
`journeys_validate`, `journeys-compare`'s `main`), with the model and the calibration search
replaced by a tripwire where the input must be refused before they start; a subprocess only
where the process boundary is the point (a run killed while it writes).

Kinds (the issue's): typos with or without +, unchecked config (every row of the rules table,
`sim.config.rules`, which the README lists), tracebacks, silent wrong results, writes in the
wrong place, and messages.
"""

import dataclasses
import errno
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import typing
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim.calibration.cli
import sim.calibration.validate_cli
import sim.cli
import sim.projection.simulate
import sim.sweeps.cli
from sim import load_config, run
from sim.config import rules
from sim.config.commands import redact
from sim.config.paths import CONFIG_DIR, PROJECT_ROOT
from sim.config.schema import ValidateConfig

SECRET = "hunter2-e7f3"
PROGRESS = re.compile(r"^journeys: (simulated to the end of \d{4} |simulated; |writing the outputs into )")


@dataclass
class Ended:
    """How a command ended: its exit status and what it printed."""

    status: int
    err: str
    out: str

    @property
    def lines(self) -> list[str]:
        """What it said on stderr, without the progress lines of a run that got going (sim.projection.progress)."""
        return [line for line in self.err.splitlines() if line.strip() and not PROGRESS.search(line)]

    def refused(self, *names: str, status: int = 2) -> str:
        """The command ended with `status` and one line, no traceback, naming one of `names`; the line."""
        assert "Traceback" not in self.err, self.err
        assert self.status == status, (self.status, self.err)
        assert len(self.lines) == 1, self.err
        line = self.lines[0]
        assert any(n in line for n in names), (names, line)
        return line


def _tripwire(*args, **kwargs):
    raise AssertionError("the model or the search started: this input should have been refused first")


AT_RESOLVE = {"uncertainty=posterior parameter_set=100000"}  # refused with the ensemble in hand, in the run folder


ENTRIES = {rules.JOURNEYS: lambda: sim.cli.main(), rules.CALIBRATE: lambda: sim.calibration.cli.journeys_calibrate(),
           rules.VALIDATE: lambda: sim.calibration.validate_cli.journeys_validate()}


@pytest.fixture
def command(tmp_path, monkeypatch, capsys):
    """Run a command in this process: `command(name, *args)` -> Ended. The working directory is tmp_path, so Hydra's
    run folders (outputs/...) land there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "_exit", lambda status: (_ for _ in ()).throw(SystemExit(status)))

    def invoke(name: str, *args: str, trip: bool = True) -> Ended:
        if trip:
            monkeypatch.setattr(sim.projection.simulate, "JourneysModel", _tripwire)
            monkeypatch.setattr(sim.calibration.cli, "calibrate", _tripwire)
            monkeypatch.setattr(sim.calibration.validate_cli, "calibrate", _tripwire)
        capsys.readouterr()
        if name == rules.COMPARE:
            status = sim.sweeps.cli.main([*args, "--no-progress"])
        else:
            monkeypatch.setattr(sys, "argv", [name, *args])
            try:
                ENTRIES[name]()
                status = 0
            except SystemExit as e:
                status = e.code
        out = capsys.readouterr()
        return Ended(status, out.err, out.out)

    return invoke


def written(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- a small sweep, made once: two finished runs of the Python API --------------------------------------------------

SWEEP_CONFIG = ["end_year=2007", "policy_year=2006", "population_scale=0.2", "output.figures=false",
                "output.trace_people=0"]


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    for seed in (1, 2):
        run(load_config([*SWEEP_CONFIG, f"seed={seed}"]), root / f"seed={seed}")
    return root


@pytest.fixture
def sweep(finished_sweep, tmp_path) -> Path:
    """A copy of the finished sweep this test may damage."""
    return Path(shutil.copytree(finished_sweep, tmp_path / "sweep"))


def counted(sweep: Path) -> set[str]:
    """The runs journeys-compare counts as finished."""
    from sim.sweeps.collect import list_runs

    return set(list_runs(sweep)["run"])


# --- unchecked config: every row of the rules table, each refused example through its real command ------------------

EXAMPLES = [pytest.param(rule, example, id=f"{rule.command}:{example}", marks=[pytest.mark.slow] if k else [])
            for rule in rules.RULES for k, example in enumerate(rule.refused)]  # a row's first example runs always


@pytest.mark.parametrize("rule, example", EXAMPLES)
def test_every_rule_refuses_its_examples_with_one_line_before_writing(rule, example, command, tmp_path, request):
    if "<sweep>" in example:
        example = example.replace("<sweep>", str(request.getfixturevalue("finished_sweep")))
    ended = command(rule.command, *example.split())
    line = ended.refused(*rule.names.split("|"))
    assert line.startswith(f"{rule.command}: ")
    if example not in AT_RESOLVE:
        assert written(tmp_path) == [], "refused input left files behind"


def _schema_fields(cls, prefix: str = "") -> list[str]:
    """Every setting of a config dataclass as the rules table writes it (a list's items as [], a mapping's keys as
    .*); params stand as params.* (one rule, by each parameter's documented unit)."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        path, kind = f"{prefix}{f.name}", hints[f.name]
        args = typing.get_args(kind)
        item = next((a for a in args if dataclasses.is_dataclass(a)), None)
        if path == "params":
            out.append("params.*")
        elif dataclasses.is_dataclass(kind):
            out += _schema_fields(kind, path + ".")
        elif item is not None:
            out += _schema_fields(item, path + "[].")
        elif typing.get_origin(kind) is dict:
            out.append(path + ".*")
        else:
            out.append(path)
    return out


def test_every_setting_of_the_schema_has_a_rule_in_the_table():
    """A setting without a row would be a setting nobody decided the allowed values of."""
    patterns = [s for rule in rules.RULES for s in rule.settings] + list(rules.FREE_TEXT)
    fields = _schema_fields(ValidateConfig)
    assert len(fields) > 100
    missing = [f for f in fields if not any(fnmatchcase(f, p.replace("[]", "[[]]")) for p in patterns)]
    assert not missing, f"settings without a rule in sim/config/rules.py: {missing}"


def test_the_readme_lists_the_rules_table_as_generated():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert rules.markdown() in readme, "README.md: paste the output of `python -m sim.config.rules`"


# --- typos, with and without + --------------------------------------------------------------------------------------

TYPOS = [  # (command, override, the name the line gives, the closest real name it suggests)
    (rules.JOURNEYS, "+seeed=3", "seeed", "did you mean seed"),
    (rules.JOURNEYS, "seeed=3", "seeed", "did you mean seed"),
    (rules.JOURNEYS, "+params.treatment.planed_exit_per_year=0.4", "planed_exit_per_year", "planned_exit_per_year"),
    (rules.JOURNEYS, "params.treatment.planed_exit_per_year=0.4", "planed_exit_per_year", "planned_exit_per_year"),
    (rules.JOURNEYS, "+lever.unplanned_exit=0.8", "lever", "did you mean levers"),
    (rules.JOURNEYS, "+area.male_shar=0.5", "area.male_shar", "male_share"),
    (rules.JOURNEYS, "+system.providers.0.budgetshare=0.2", "budgetshare", "budget_share"),
    (rules.JOURNEYS, "system.capacity_multiplier=-1", "system.capacity_multiplier", "budget_multiplier"),
    (rules.JOURNEYS, "+levers.unplaned_exit=0.8", "levers.unplaned_exit", "did you mean unplanned_exit"),
    (rules.JOURNEYS, "output.perod=quarter", "output.perod", "did you mean period"),
    (rules.JOURNEYS, "area=southamptn", "area=southamptn", "did you mean southampton"),
    (rules.JOURNEYS, "+experiment=scenario", "experiment=scenario", "did you mean scenarios"),
    (rules.JOURNEYS, "+scenario.params.treatment.planed_exit_per_year=0.4", "planed_exit_per_year",
     "did you mean planned_exit_per_year"),
    (rules.CALIBRATE, "+n_trial=5", "n_trial", "did you mean n_trials"),
    (rules.CALIBRATE, "free=[treatment.planed_exit_per_year]", "planed_exit_per_year", "planned_exit_per_year"),
    (rules.VALIDATE, "transfer=[bedfrod]", "bedfrod", "did you mean bedford"),
]


@pytest.mark.parametrize("name, override, named, suggested", TYPOS, ids=[t[1] for t in TYPOS])
def test_a_typo_is_refused_with_the_closest_names_never_run_as_the_default(name, override, named, suggested, command,
                                                                           tmp_path):
    line = command(name, override).refused(named)
    assert suggested in line
    assert written(tmp_path) == []


# --- area files -----------------------------------------------------------------------------------------------------

def _area_dir(tmp_path: Path, name: str, text: str) -> Path:
    """A config folder holding one more area file (journeys --config-dir adds it to the search path)."""
    folder = tmp_path / "more_configs"
    (folder / "area").mkdir(parents=True, exist_ok=True)
    (folder / "area" / f"{name}.yaml").write_text(text)
    return folder


@pytest.mark.parametrize("drop, named", [("ocu_users", "area.ocu_users"),
                                         ("other_drug_users", "area.other_drug_users")])
def test_an_area_file_without_its_users_is_refused_not_run_with_none(drop, named, command, tmp_path):
    base = yaml.safe_load((CONFIG_DIR / "area" / "bedford.yaml").read_text())
    del base[drop]
    folder = _area_dir(tmp_path, "sparse", yaml.safe_dump(base))
    line = command(rules.JOURNEYS, f"--config-dir={folder}", "area=sparse").refused(named)
    assert "required" in line and not (tmp_path / "outputs").exists()


def _bedford_with(**changes) -> str:
    base = yaml.safe_load((CONFIG_DIR / "area" / "bedford.yaml").read_text())
    return yaml.safe_dump({**base, **changes})


@pytest.mark.parametrize("text, named", [
    ("- a list\n- not a mapping\n", "area"),
    (_bedford_with(male_shar=0.5), "male_shar"),
    (_bedford_with(age_profile=[{"lower": 15, "upper": 40, "share": 0.5}, {"lower": 30, "upper": 65, "share": 0.5}]),
     "area.age_profile"),
    (_bedford_with(timeline=[{"year": 2010, "sources": ["assumption"], "levers": {"relaps": 0.9}}]), "relaps"),
    (_bedford_with(ocu_users="many"), "area.ocu_users"),
    (_bedford_with() + "male_share: 0.7\n", "odd.yaml line"),
    (_bedford_with() + "description: [unclosed\n", "odd.yaml line"),
], ids=["not a mapping", "unknown key", "overlapping bands", "timeline lever typo", "a word for a count",
        "a key twice", "broken YAML"])
def test_a_bad_area_file_is_one_line(text, named, command, tmp_path):
    folder = _area_dir(tmp_path, "odd", text)
    command(rules.JOURNEYS, f"--config-dir={folder}", "area=odd").refused(named)
    assert not (tmp_path / "outputs").exists()


# --- Hydra's own errors, which had reached the user as tracebacks or pages of text ----------------------------------

@pytest.mark.parametrize("override, named", [
    ("foo", "'foo'"),
    ("seed=[1,", "seed=[1,"),
    ("seed=abc", "seed"),
    ("levers=5", "levers"),
    ("area=null", "Config group override"),
    ("system.providers.x.tier=3", "'x'"),
    ("seed=${oops}", "seed"),
    ("+area.timeline.0.year=1800", "area.timeline.0.year"),
    ("params.treatment=5", "params.treatment"),
], ids=["no equals", "unclosed list", "not a whole number", "a number for a mapping", "null group", "index by name",
        "unknown interpolation", "+ on an existing key", "a number for a section"])
def test_hydras_own_errors_are_one_line_naming_the_override(override, named, command, tmp_path):
    line = command(rules.JOURNEYS, override).refused(named)
    assert "invalid configuration" in line and "HYDRA_FULL_ERROR" not in line


# --- files a user brings: extracts and targets, read in one pass before any trial -----------------------------------

def _extract(tmp_path: Path, text: str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


HEADER = "area,period,drug_group,measure,value\n"


def test_an_extract_with_every_kind_of_problem_lists_each_with_its_row_before_any_trial(command, tmp_path):
    path = _extract(tmp_path, "# exported 2026-11-02\n" + HEADER
                    + "southampton,2011,all,treatment_starts\n"              # line 3: short
                    + "southampton,2011,all,treatment_starts,350,extra\n"     # line 4: long
                    + "southampton,2011,all,deaths,nan\n"                     # line 5: not finite
                    + "southampton,2011,all,presentations,1e308\n"            # line 6: absurd
                    + "southampton,2011,all,deaths_drug_related,<0\n"         # line 7: malformed suppressed cell
                    + "southampton,2011,all,in_treatment,-3\n"                # line 8: negative
                    + "southampton,2011-Q3,all,exits_successful,40\n"         # line 9: quarterly, run reports years
                    + "southampton,2011,all,happiness,3\n")                   # line 10: unknown measure
    ended = command(rules.CALIBRATE, f"targets_file={path}")
    assert ended.status == 2 and "Traceback" not in ended.err
    message = ended.err
    assert "8 problem(s)" in message and str(path) in message
    for expected in ("row 3: 4 field(s)", "row 4: 6 field(s)", "row 5: value 'nan'", "row 6: value 1e+308",
                     "row 7: value '<0'", "row 8: value -3 is negative", "row 9: period '2011-Q3' is a quarter",
                     "row 10: measure 'happiness'"):
        assert expected in message, expected
    rows = [int(m) for m in re.findall(r"row (\d+):", message)]
    assert rows == sorted(rows)  # in the order of the file


@pytest.mark.parametrize("separator, called", [(";", "semicolons"), ("\t", "tabs")])
def test_an_extract_separated_otherwise_is_named_so_with_the_extracts_columns(separator, called, command, tmp_path):
    path = _extract(tmp_path, (HEADER + "southampton,2011,all,deaths,3\n").replace(",", separator))
    line = command(rules.CALIBRATE, f"targets_file={path}").refused(str(path))
    assert f"separated by {called}" in line and "area, period, drug_group, measure, value" in line
    assert "lower" not in line  # not the targets schema's columns


@pytest.mark.parametrize("text, named", [
    ("", "no header"),
    ("area,period,measure,value\nsouthampton,2011,deaths,3\n", "missing column(s) drug_group"),
    ("\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a text"),
], ids=["empty", "missing column", "not text"])
def test_an_unreadable_extract_is_one_line_naming_the_file(text, named, command, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes(text.encode("latin-1"))
    line = command(rules.CALIBRATE, f"targets_file={path}").refused(str(path))
    assert named in line


def test_an_extract_of_another_area_or_years_outside_the_run_says_so(command, tmp_path):
    path = _extract(tmp_path, HEADER + "bedford,2011,all,deaths,3\n")
    line = command(rules.CALIBRATE, f"targets_file={path}").refused("bedford")
    assert "not the area being calibrated" in line
    path = _extract(tmp_path, HEADER + "southampton,2019,all,deaths,3\n", "late.csv")
    assert "no targets for area 'southampton' in 2005-2012" in command(rules.VALIDATE, f"targets_file={path}").refused(
        str(path))


# --- tracebacks: file-system failures and bugs ----------------------------------------------------------------------

def test_an_output_folder_under_a_file_is_one_line_naming_the_folder_and_the_operation(command, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for name in (rules.JOURNEYS, rules.CALIBRATE):
        line = command(name, f"hydra.run.dir={blocker / 'run'}").refused(str(blocker / "run"), status=1)
        assert "cannot create the folder" in line and "Not a directory" in line
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders: the file case above stands in")
def test_a_read_only_output_folder_is_one_line(command, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        command(rules.JOURNEYS, f"hydra.run.dir={locked / 'run'}").refused(str(locked / "run"), status=1)
    finally:
        locked.chmod(0o700)


def test_an_unexpected_error_says_where_its_traceback_is_with_secrets_redacted(command, tmp_path, monkeypatch):
    def broken(cfg, out_dir, **kwargs):
        raise ZeroDivisionError("a bug in the model")

    monkeypatch.setattr(sim.cli, "run", broken)
    note = f"see postgresql://analyst:{SECRET}@db.example/runs"
    line = command(rules.JOURNEYS, f"experiment.description='{note}'", f"hydra.run.dir={tmp_path / 'run'}",
                   trip=False).refused("traceback", status=3)
    assert "ZeroDivisionError: a bug in the model" in line
    where = Path(re.search(r"the full traceback is in (\S+);", line)[1])
    assert where.parent == tmp_path / "run" and "ZeroDivisionError" in where.read_text()
    assert all(SECRET.encode() not in p.read_bytes() for p in written(tmp_path))
    assert "analyst:***@" in (tmp_path / "run" / ".hydra" / "overrides.yaml").read_text()


@pytest.mark.parametrize("text", ["area: {name: southampton\nsystem: [", "- a list\n- of things\n", "seed: 1\n"],
                         ids=["cut short", "not a mapping", "no labels"])
def test_a_corrupt_sweep_config_is_one_line_naming_the_file(text, command, sweep):
    (sweep / "seed=2" / "config.yaml").write_text(text)
    command(rules.COMPARE, str(sweep)).refused("seed=2/config.yaml")


def test_a_timeseries_garbled_after_it_finished_is_one_line_naming_it(command, sweep):
    path = sweep / "seed=2" / "timeseries.csv"
    path.write_bytes(b"\x00" * path.stat().st_size)  # the same size: only reading it can tell
    command(rules.COMPARE, str(sweep)).refused(str(path))


def test_a_comparison_that_cannot_write_its_report_names_the_file(command, sweep, monkeypatch):
    def full(self, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_parquet", full)
    line = command(rules.COMPARE, str(sweep)).refused("collected.parquet", status=1)
    assert line.startswith("journeys-compare: cannot write") and "the disk is full" in line


# --- silent wrong results: nothing unfinished counts, nothing finished is lost --------------------------------------

def test_a_disk_full_rerun_of_a_finished_folder_leaves_nothing_counted_and_keeps_the_other_runs(command, sweep,
                                                                                                  monkeypatch):
    """A run that fails writing people.csv, in a folder that held another finished run: the old marker goes first,
    so neither the old run nor the partial new one counts; the sweep's other run is untouched."""
    original = pd.DataFrame.to_csv

    def fills_up(self, path, *args, **kwargs):
        if str(path).endswith("people.csv"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fills_up)
    before = (sweep / "seed=1" / "timeseries.csv").read_bytes()
    target = sweep / "seed=2"
    line = command(rules.JOURNEYS, *SWEEP_CONFIG, "seed=3", f"hydra.run.dir='{target}'", trip=False).refused(
        str(target), status=1)
    assert "No space left on device" in line and "nothing in it counts as finished" in line
    assert not (target / "run_info.json").exists() and (target / "timeseries.csv").exists()
    assert counted(sweep) == {"seed=1"}
    assert (sweep / "seed=1" / "timeseries.csv").read_bytes() == before
    monkeypatch.setattr(pd.DataFrame, "to_csv", original)
    assert command(rules.COMPARE, str(sweep)).status == 0  # the finished run is compared; the other named


def test_a_run_killed_while_it_writes_leaves_nothing_counted(sweep):
    """SIGKILL at the worst moment: the tables half written, over a folder that held a finished run."""
    target = sweep / "seed=2"
    code = ("import os, signal, sys, pandas\n"
            "to_csv = pandas.DataFrame.to_csv\n"
            "def dies(self, path, *a, **k):\n"
            "    if str(path).endswith('people.csv'):\n"
            "        os.kill(os.getpid(), signal.SIGKILL)\n"
            "    return to_csv(self, path, *a, **k)\n"
            "pandas.DataFrame.to_csv = dies\n"
            "from sim.cli import main\n"
            f"sys.argv = ['journeys', *{SWEEP_CONFIG!r}, 'seed=3', \"hydra.run.dir='{target}'\"]\n"
            "main()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          cwd=PROJECT_ROOT, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    assert (target / "events.csv").exists() and not (target / "run_info.json").exists()
    assert counted(sweep) == {"seed=1"}


def test_a_timeseries_cut_short_under_its_marker_is_refused_not_compared(command, sweep):
    path = sweep / "seed=2" / "timeseries.csv"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    line = command(rules.COMPARE, str(sweep)).refused("seed=2")
    assert "changed since the run finished" in line and "timeseries.csv" in line


def test_unfinished_runs_are_left_out_and_named_and_a_re_run_redoes_them(command, sweep):
    from sim.projection.folder import finished

    (sweep / "seed=2" / "run_info.json").unlink()
    (sweep / "partial").mkdir()
    (sweep / "partial" / "timeseries.csv").write_text("period,measure,group,value\n2005,alive,all,")
    (sweep / "garbled").mkdir()
    for name in ("timeseries.csv", "config.yaml"):
        shutil.copy(sweep / "seed=1" / name, sweep / "garbled" / name)
    (sweep / "garbled" / "run_info.json").write_text('{"seed": 1,')
    ended = command(rules.COMPARE, str(sweep))
    assert ended.status == 0 and "Traceback" not in ended.err
    assert counted(sweep) == {"seed=1"}
    assert "left out 3 unfinished run(s)" in ended.err and "garbled (run_info.json cannot be read)" in ended.err
    assert not finished(sweep / "seed=2", load_config([*SWEEP_CONFIG, "seed=2"]))


def test_a_finished_run_is_not_redone_and_a_changed_one_is(sweep):
    from sim.projection.folder import finished

    cfg = load_config([*SWEEP_CONFIG, "seed=1"])
    assert finished(sweep / "seed=1", cfg)
    events = sweep / "seed=1" / "events.csv"
    events.write_text(events.read_text()[:-10])
    assert not finished(sweep / "seed=1", cfg)


def test_quarterly_figures_for_a_yearly_run_are_refused_before_any_trial(command, tmp_path):
    path = _extract(tmp_path, HEADER + "southampton,2011-Q1,all,treatment_starts,90\n")
    line = command(rules.VALIDATE, f"targets_file={path}").refused("2011-Q1")
    assert "output.period=quarter" in line


def test_a_design_point_without_a_design_is_refused_not_run_as_the_reference(command):
    line = command(rules.JOURNEYS, "design.point=4").refused("design")
    assert "one_at_a_time or latin_hypercube" in line


# --- writes in the wrong place --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, args", [
    (rules.JOURNEYS, ["area.name=../../x"]),
    (rules.JOURNEYS, ["area.name=/tmp/elsewhere"]),
    (rules.JOURNEYS, ["+experiment=scenarios", "experiment.name=../../x"]),
    (rules.CALIBRATE, ["area.name=../x"]),
    (rules.VALIDATE, ["study_name=../../studies"]),
], ids=["area up", "area absolute", "experiment up (a sweep)", "calibrate area", "validate study"])
def test_a_name_that_would_climb_out_of_outputs_is_refused_before_anything_is_written(name, args, command, tmp_path):
    """Hydra names the run folder after the area (a sweep's after the experiment and the area) and writes into it
    before the run starts: refused before that, nothing is written anywhere."""
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    os.chdir(work)  # the fixture's monkeypatch.chdir restores the working directory
    command(name, *args, "hydra.run.dir=outputs/${area.name}/run").refused("name")
    assert written(tmp_path) == []


def test_a_password_in_a_storage_url_is_refused_before_anything_is_written(command, tmp_path):
    url = f"postgresql://someone:{SECRET}@127.0.0.1:1/db"
    for name in (rules.CALIBRATE, rules.VALIDATE):
        line = command(name, f"storage={url}").refused("no password in the URL")
        assert SECRET not in line and "someone:***@" in line
    assert written(tmp_path) == []


def test_a_password_in_a_sweeps_overrides_is_redacted_in_every_file_hydra_writes(command, tmp_path):
    """A sweep's base config is written (multirun.yaml) before its runs are checked one by one."""
    ended = command(rules.JOURNEYS, "-m", f"+storage=postgresql://someone:{SECRET}@host/db", "seed=1,2",
                    f"hydra.sweep.dir={tmp_path / 'sweep'}")
    ended.refused("storage")
    files = written(tmp_path)
    assert files and all(SECRET.encode() not in p.read_bytes() for p in files)
    assert "someone:***@host" in (tmp_path / "sweep" / "multirun.yaml").read_text()


def test_redaction_covers_urls_and_query_strings():
    assert redact(f"postgresql+psycopg://u:{SECRET}@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    assert redact(f"mysql://h/db?user=u&password={SECRET}&x=1") == "mysql://h/db?user=u&password=***&x=1"
    assert redact("sqlite:////tmp/study.db") == "sqlite:////tmp/study.db"
    assert redact("postgresql://user@host/db") == "postgresql://user@host/db"


# --- messages -------------------------------------------------------------------------------------------------------

def test_the_four_acceptance_lines(command, tmp_path):
    """Issue 15's acceptance: each refused with one line, nothing written."""
    lines = [command(rules.JOURNEYS, "+seeed=3").refused("seeed"),
             command(rules.JOURNEYS, "+lever.unplanned_exit=0.8").refused("lever"),
             command(rules.JOURNEYS, "system.capacity_multiplier=-1").refused("system.capacity_multiplier"),
             command(rules.JOURNEYS, "area.name=../../x").refused("area.name")]
    assert all(line.startswith("journeys: invalid configuration: ") for line in lines)
    assert written(tmp_path) == []


def test_a_long_list_of_names_comes_with_the_closest_ones_first(command):
    line = command(rules.JOURNEYS, "+levers.relaps=0.8").refused("levers.relaps")
    assert line.index("did you mean relapse") < line.index("allowed:")


def test_an_unknown_sweep_folder_and_a_single_run_are_named(command, finished_sweep):
    command(rules.COMPARE, str(finished_sweep / "nothing")).refused("is not a folder")
    command(rules.COMPARE, str(finished_sweep / "seed=1")).refused("a single run, not a sweep")


def test_the_run_info_marker_is_valid_json_with_the_files_it_vouches_for(finished_sweep):
    info = json.loads((finished_sweep / "seed=1" / "run_info.json").read_text())
    assert set(info["file_bytes"]) == {"timeseries.csv", "events.csv", "people.csv", "summary.csv", "config.yaml"}
    assert all(info["file_bytes"][n] == (finished_sweep / "seed=1" / n).stat().st_size for n in info["file_bytes"])
