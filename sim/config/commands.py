"""Around every command (journeys, journeys-calibrate, journeys-validate, journeys-compare): what is checked
before Hydra writes anything, and the one line a failure ends with.

Hydra writes the composed config and every override into the run folder (`.hydra/`) before the
run starts, in a folder named after the area. `BeforeWriting` (a Hydra callback, `hydra.callbacks`
in configs/journeys.yaml, calibrate.yaml and validate.yaml) therefore refuses names that would
make a path leave `outputs/` or `multirun/`, validates a single run's config (so refused input
leaves no folder behind) and redacts passwords in URLs from what Hydra is about to write.

`run_command` is each command's one top-level handler: bad input ends with one line naming the
field and what is allowed (exit status 2), a file that cannot be read or written with one line
naming the path and the operation (1), and anything else with one line saying where the full
traceback was written (3).
"""

import copy
import dataclasses
import difflib
import errno
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import yaml
from hydra.core.global_hydra import GlobalHydra
from hydra.core.utils import JobReturn, JobStatus
from hydra.errors import HydraException, MissingConfigException, OverrideParseException
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, ListConfig, OmegaConf, flag_override
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, MissingMandatoryValue, OmegaConfBaseException

from sim.config.errors import ConfigError, InputError
from sim.config.redaction import has_secret, redact
from sim.config.schema import as_config, unknown_key_message
from sim.config.validation import PATH_NAMES, check_path_name, validate

BAD_INPUT, FILE_SYSTEM, UNEXPECTED, INTERRUPTED = 2, 1, 3, 130  # exit statuses


def redact_config(node) -> int:
    """Redact every string of a config in place (its `hydra` node too: the overrides, the folder names);
    how many were changed. Interpolations are left as written."""
    changed = 0
    keys = list(node.keys()) if isinstance(node, DictConfig) else range(len(node))
    for key in keys:
        child = node._get_node(key)
        if isinstance(child, (DictConfig, ListConfig)):
            if not (child._is_none() or child._is_missing() or child._is_interpolation()):
                changed += redact_config(child)
            continue
        value = child._value()
        if isinstance(value, str) and has_secret(value):
            with flag_override(node, ["readonly", "struct"], [False, False]):
                node[key] = redact(value)
            changed += 1
    return changed


def check_path_names(cfg: DictConfig) -> None:
    """Names that become folders (area, experiment) or a study's name (`validation.PATH_NAMES`), before Hydra
    makes the run folder from them: `area.name=../../x` would put it outside outputs/."""
    for path in PATH_NAMES:
        try:
            value = OmegaConf.select(cfg, path, default=None)
        except OmegaConfBaseException:
            continue  # an interpolation that does not resolve: reported where it is used
        check_path_name(path, value)


def task_part(cfg: DictConfig) -> DictConfig:
    """The run's own config (what the command receives): the composed config without its `hydra` node."""
    task = copy.deepcopy(cfg)
    with flag_override(task, ["readonly", "struct"], [False, False]):
        task.pop("hydra", None)
    return task


_run_folder: list[Path] = []  # the folder of the run under way (where an unexpected error's traceback goes)


class Stop(BaseException):
    """An error for `run_command` to report, raised by `BeforeWriting`. Hydra turns an Exception raised by a
    callback into a warning and runs on, so it travels as a BaseException (as SystemExit does)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class BeforeWriting(Callback):
    """Hydra calls this before it makes a run folder or writes anything in it."""

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        self._refuse(check_path_names, config)
        self._refuse(lambda c: validate(as_config(task_part(c))), config)  # a storage URL with a password too
        redact_config(config)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        """A sweep's base config: its runs are validated one by one (a swept value may be what makes it valid)."""
        redact_config(config)
        self._refuse(check_path_names, config)

    def on_job_start(self, config: DictConfig, **kwargs) -> None:
        _run_folder[:] = [Path(config.hydra.runtime.output_dir)]

    def on_job_end(self, config: DictConfig, job_return: JobReturn, **kwargs) -> None:
        """A single run's error goes to run_command as it is (Hydra would first print 'Error executing job with
        overrides'). A sweep's runs go on: Hydra raises the first error once every run has had its turn."""
        if config.hydra.mode == RunMode.RUN and job_return.status == JobStatus.FAILED:
            raise Stop(job_return._return_value)  # the error itself: `return_value` would print and raise it

    @staticmethod
    def _refuse(check: Callable[[DictConfig], object], config: DictConfig) -> None:
        """Run a check; bad input stops the command. Anything else is left for the run to meet and report (a
        resolver that needs the run folder, say)."""
        try:
            check(config)
        except Exception as e:  # noqa: BLE001
            known = explain(e)
            if known is not None and known[1] == BAD_INPUT:
                raise Stop(e) from e


def _first_line(text: str) -> str:
    return next((line.strip() for line in str(text).splitlines() if line.strip()), "")


def _omegaconf_line(e: OmegaConfBaseException) -> str:
    """An OmegaConf error as one line: the key it is about, then its message without the detail lines."""
    what = _first_line(getattr(e, "msg", None) or str(e))
    where = getattr(e, "full_key", None)
    kind = getattr(e, "object_type", None)
    if isinstance(e, MissingMandatoryValue) and where:
        return f"{where}: required, and not set (a config file of its group must give it, or set {where}=...)"
    if isinstance(e, (ConfigAttributeError, ConfigKeyError)) and where and dataclasses.is_dataclass(kind):
        key = str(getattr(e, "key", where)).rsplit(".", 1)[-1]
        if key not in {f.name for f in dataclasses.fields(kind)}:
            return unknown_key_message(where, [f.name for f in dataclasses.fields(kind)])
    return f"{where}: {what}" if where and str(where) not in what else what


def _hydra_line(e: Exception) -> str:
    """Hydra's errors (override grammar, a config group option that does not exist, a struct error) as one line."""
    if isinstance(e, OverrideParseException):
        detail = "; ".join(line for line in e.message.splitlines()[1 if "Error parsing" in e.message else 0:]
                           if line.strip() and not line.startswith("See "))
        return (f"cannot read the override {e.override!r}: {detail}; an override is key=value, key=[a,b] or "
                "+key=value, and a value holding =, spaces or brackets is quoted: key='a=b' "
                "(https://hydra.cc/docs/1.2/advanced/override_grammar/basic)")
    if isinstance(e, MissingConfigException) and e.options is not None and e.missing_cfg_file:
        group, _, name = e.missing_cfg_file.rpartition("/")
        close = difflib.get_close_matches(name, list(e.options), n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"{group}={name}: no such {group} config; allowed: {', '.join(e.options)}{hint}"
    cause = e.__cause__
    if isinstance(cause, OmegaConfBaseException):
        return _omegaconf_line(cause)
    return " ".join(line.strip() for line in str(e).splitlines() if line.strip())


def _raised_by_hydra(e: BaseException) -> bool:
    """Whether a plain ValueError or TypeError came out of Hydra or OmegaConf reading the command line (`area=null`,
    `system.providers.x.tier=3`), not out of the model."""
    frames = traceback.extract_tb(e.__traceback__)
    return bool(frames) and any(f"{os.sep}{lib}{os.sep}" in frames[-1].filename for lib in ("hydra", "omegaconf"))


_OPERATIONS = (("create the folder", r"mkdir|makedirs"), ("remove", r"rmtree|unlink|remove|rmdir"),
               ("move", r"rename|replace"), ("copy", r"copy\w*"), ("read", r"read\w*|load\w*"),
               ("write", r"write\w*|to_\w+|save\w*|savefig|dump\w*"))


def operation(e: OSError) -> str:
    """What was being done when a file-system error happened: from the innermost function, or line of code, that
    says so (`Path.mkdir`, `frame.to_csv(...)`); 'open' if none does."""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        for doing, names in _OPERATIONS:
            if re.fullmatch(rf"_*(?:{names})", frame.name) or re.search(rf"[.\s(](?:{names})\(", frame.line or ""):
                return doing
    return "open"


def describe_os_error(e: OSError) -> str:
    """'cannot write /x/timeseries.csv: No space left on device': the operation, the path and the reason."""
    reason = e.strerror or str(e)
    if e.errno == errno.ENOSPC:
        reason += " (the disk is full)"
    path = "" if e.filename is None else f" {e.filename}"
    also = f" -> {e.filename2}" if getattr(e, "filename2", None) else ""
    return f"cannot {operation(e)}{path}{also}: {reason}"


def explain(e: Exception) -> tuple[str, int] | None:
    """The line and exit status for a failure whose cause a user can fix; None for anything else (a bug)."""
    if isinstance(e, ConfigError):
        return f"invalid configuration: {e}", BAD_INPUT
    if isinstance(e, InputError):
        return str(e), BAD_INPUT
    if isinstance(e, (HydraException, OmegaConfBaseException)):  # before OSError: a missing config is an IOError
        line = _omegaconf_line(e) if isinstance(e, OmegaConfBaseException) else _hydra_line(e)
        return f"invalid configuration: {line}", BAD_INPUT
    if isinstance(e, yaml.YAMLError):  # a config file a user wrote (an area, a scenario)
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f"{mark.name} line {mark.line + 1}" if mark is not None else "a YAML file"
        what = " ".join(str(part) for part in (getattr(e, "context", None), getattr(e, "problem", None)) if part)
        return f"invalid configuration: cannot read {where}: {what or _first_line(str(e))}", BAD_INPUT
    if isinstance(e, OSError):
        return describe_os_error(e), FILE_SYSTEM
    if isinstance(e, (ValueError, TypeError)) and _raised_by_hydra(e):
        return f"invalid configuration: {_first_line(str(e))}", BAD_INPUT
    return None


def write_traceback(command: str, e: BaseException) -> Path | None:
    """The full traceback (secrets redacted) in the run's folder if there is one, else in the temporary folder."""
    text = redact(f"{command} {' '.join(sys.argv[1:])}\n\n" + "".join(traceback.format_exception(e)))
    stamp = f"{time.strftime('%Y-%m-%d_%H-%M-%S')}-{os.getpid()}"
    places = [folder / f"{command}-traceback-{stamp}.txt" for folder in _run_folder if folder.is_dir()]
    places.append(Path(tempfile.gettempdir()) / f"{command}-traceback-{stamp}.txt")
    for path in places:
        try:
            path.write_text(text)
            return path
        except OSError:
            continue
    return None


def run_command(command: str, body: Callable[[], object]) -> int:
    """Run a command's body and return its exit status: body's own (an int), 0, or the status of its failure after
    printing one line to stderr. Hydra is asked to raise its errors here instead of printing its own report
    (HYDRA_FULL_ERROR); SystemExit passes through."""
    GlobalHydra.instance().clear()  # a command run again in one process (tests) starts afresh
    _run_folder.clear()
    previous = os.environ.get("HYDRA_FULL_ERROR")
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        status = body()
        return status if isinstance(status, int) else 0
    except KeyboardInterrupt:
        print(f"{command}: interrupted; a run cut short is not marked finished (no run_info.json)", file=sys.stderr)
        return INTERRUPTED
    except (Exception, Stop) as caught:  # noqa: BLE001 - the command's one top-level handler
        e = caught.error if isinstance(caught, Stop) else caught
        known = explain(e)
        if known is not None:
            line, status = known
            print(f"{command}: {redact(line)}", file=sys.stderr)
            return status
        where = write_traceback(command, e)
        if where is None:
            traceback.print_exception(e)
        print(f"{command}: unexpected error ({type(e).__name__}: {redact(_first_line(str(e)))}); "
              + (f"the full traceback is in {where}" if where else "the traceback is above")
              + "; please report it", file=sys.stderr)
        return UNEXPECTED
    finally:
        if previous is None:
            os.environ.pop("HYDRA_FULL_ERROR", None)
        else:
            os.environ["HYDRA_FULL_ERROR"] = previous
        GlobalHydra.instance().clear()
