"""Several workers on one calibration study in a real PostgreSQL server (the README's several-machines path).

`.ci/run` starts the server (scripts/start_postgres.sh: Debian's package, loopback only) and sets
TJ_POSTGRES_URL (no password in it: libpq reads PGPASSWORD) and TJ_REQUIRE_POSTGRES, so in CI the
test runs or fails; elsewhere, without a server, it is skipped with the command that starts one.
"""

import os
import subprocess
import sys
import uuid

import pandas as pd
import pytest

URL = os.environ.get("TJ_POSTGRES_URL")
CALIBRATE = [sys.executable, "-c", "from sim.calibration.cli import journeys_calibrate; journeys_calibrate()"]


@pytest.fixture
def server():
    if not URL:
        if os.environ.get("TJ_REQUIRE_POSTGRES"):
            pytest.fail("TJ_REQUIRE_POSTGRES is set but TJ_POSTGRES_URL is not: the server did not start")
        pytest.skip("no PostgreSQL server: export PGPASSWORD=...; export TJ_POSTGRES_URL=$(scripts/start_postgres.sh)")
    return URL


@pytest.mark.slow
def test_two_workers_share_one_study_on_a_postgresql_server(server, tmp_path):
    name = f"shared-{uuid.uuid4().hex[:8]}"
    args = ["area=southampton", "seeds_per_trial=1", "min_accepted=4", "ensemble_rounds=0", f"storage={server}",
            f"study_name={name}"]
    first = subprocess.run(CALIBRATE + args + ["n_trials=6", "workers=2", f"hydra.run.dir={tmp_path / 'a'}"],
                           capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    trials = pd.read_csv(tmp_path / "a" / "trials.csv")
    assert 6 <= len(trials) <= 7 and trials["trial"].is_unique  # a worker may finish one past the target
    free = trials.columns.drop(["loss", "trial", "move"])
    assert len(trials[free].round(12).drop_duplicates()) == len(trials)  # no point evaluated twice
    # another machine (here: another process) continues the same study on the server
    second = subprocess.run(CALIBRATE + args + ["n_trials=9", "workers=1", f"hydra.run.dir={tmp_path / 'b'}"],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    more = pd.read_csv(tmp_path / "b" / "trials.csv")
    assert len(more) >= 9 and set(trials["trial"]) <= set(more["trial"])
    # no password lands in any output file (it is PGPASSWORD's: the URL carries none)
    password = os.environ.get("PGPASSWORD", "")
    assert password, "the test role's password comes in PGPASSWORD"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path


def test_a_password_in_the_storage_url_is_refused_and_scrubbed_from_the_run_folder(tmp_path):
    secret = "hunter2-" + uuid.uuid4().hex[:6]
    done = subprocess.run(CALIBRATE + [f"storage=postgresql://someone:{secret}@127.0.0.1:1/db", "n_trials=1",
                                       f"hydra.run.dir={tmp_path / 'run'}"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 2 and "no password in the URL" in done.stderr and secret not in done.stderr
    assert not (tmp_path / "run").exists()  # refused before Hydra wrote the overrides into a run folder
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(secret.encode() in p.read_bytes() for p in written)
