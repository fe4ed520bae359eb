"""Slurm sweeps (`hydra/launcher=slurm`) on a cluster that keeps no accounting.

submitit learns that a job has ended from the job's result file, and asks `sacct` about the jobs
whose file has not appeared yet. Where the cluster keeps no accounting
(`AccountingStorageType=accounting_storage/none`: small clusters, scripts/slurm_local.sh's), sacct
fails; submitit then logs a warning at every poll and never learns that a job ended without a
result file (a setup line that failed, a job killed at its time or memory limit): the sweep waits
for ever. The controller knows its jobs without accounting, so on such a cluster the watcher
(`sim.sweeps.slurm_queue`) asks `squeue` instead; a job that ended without a result is then
reported, with its log, as submitit reports any failed job. With accounting, nothing changes.

The hook is a Hydra callback (configs/journeys.yaml, `hydra.callbacks`): it runs in the submitting
process before the launcher submits, and imports submitit only for a Slurm sweep.
"""

from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

SLURM_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.SlurmLauncher"


class FollowSlurmJobs(Callback):
    """Before a Slurm sweep submits: give submitit's Slurm jobs a watcher that copes without accounting."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        if config.hydra.launcher.get("_target_") == SLURM_LAUNCHER:
            from sim.sweeps.slurm_queue import follow_slurm_jobs

            follow_slurm_jobs()
