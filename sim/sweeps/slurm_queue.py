"""submitit's Slurm watcher, asking `squeue` where the cluster keeps no accounting (see `sim.sweeps.slurm`).

submitit 1.5 keeps one watcher for all Slurm jobs of a process, `SlurmJob.watcher`: a
`SlurmInfoWatcher` that runs the command of `_make_command` and reads its output with `read_info`
into `{job id: {"State": ...}}`. This subclass keeps those two steps and changes the command and its
reading when the controller says accounting is off. tests/test_slurm.py runs it on a real cluster.
"""

import logging
import os
import subprocess

from submitit.slurm import slurm

log = logging.getLogger(__name__)

# squeue forgets a job MinJobAge (default 300 s) after it ended; submitit asks for a job's state only
# while its result file is missing, so a job it asks about and squeue no longer shows has ended without one
LEFT_THE_QUEUE = "LEFT_THE_QUEUE"
# the states squeue shows for a job that has ended. submitit counts any state it does not wait for as ended, so
# squeue's other states of a job still there (CONFIGURING while a node boots, SUSPENDED, ...) are passed on as RUNNING
ENDED = {"COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY"}
WAITED_FOR = {"PENDING", "RUNNING", "COMPLETING", "REQUEUED", "PREEMPTED"}  # submitit's own list, less UNKNOWN


def accounting_is_off() -> bool:
    """The controller's word (`scontrol show config`); if it cannot be asked, submitit's sacct calls stay."""
    try:
        shown = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return False
    for line in shown.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "AccountingStorageType":
            return value.strip() == "accounting_storage/none"
    return False


class QueueWatcher(slurm.SlurmInfoWatcher):
    """submitit's watcher, with squeue in place of sacct on a cluster without accounting."""

    def __init__(self, delay_s: int = 600, no_accounting: bool | None = None) -> None:
        super().__init__(delay_s=delay_s)
        self._no_accounting = no_accounting  # None: ask the controller once, at the first poll

    def no_accounting(self) -> bool:
        if self._no_accounting is None:
            self._no_accounting = accounting_is_off()
            if self._no_accounting:
                log.info("This Slurm cluster keeps no accounting (sacct is off): following the jobs with squeue")
        return self._no_accounting

    def _make_command(self) -> list[str] | None:
        command = super()._make_command()
        if command is None or not self.no_accounting():
            return command
        # every job of this user, one array task a line, including those that ended a moment ago
        return ["squeue", "--noheader", "--array", "--states=all", "--format=%i|%T", f"--user={os.getuid()}"]

    def read_info(self, string: bytes | str) -> dict[str, dict[str, str]]:
        if not self.no_accounting():
            return super().read_info(string)
        text = string.decode() if isinstance(string, bytes) else string
        info: dict[str, dict[str, str]] = {}
        for line in text.splitlines():
            job_id, _, state = line.strip().partition("|")
            if not job_id:
                continue
            state = state.strip() if state.strip() in ENDED | WAITED_FOR else "RUNNING"
            for parts in slurm.read_job_id(job_id):  # "12", "12_3", or a range "12_[4-7]"
                ids = ([f"{parts[0]}_{k}" for k in range(int(parts[1]), int(parts[2]) + 1)] if len(parts) == 3
                       else ["_".join(parts)])
                for one in ids:
                    info[one] = {"JobID": one, "State": state}
        for job_id in self._registered - self._finished:
            info.setdefault(job_id, {"JobID": job_id, "State": LEFT_THE_QUEUE})
        return info


def follow_slurm_jobs() -> None:
    """Give every Slurm job of this process the watcher above (once)."""
    if not isinstance(slurm.SlurmJob.watcher, QueueWatcher):
        slurm.SlurmJob.watcher = QueueWatcher(delay_s=slurm.SlurmJob.watcher._delay_s)
