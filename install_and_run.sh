#!/usr/bin/env bash
# Set up everything (a .venv with the project and its test tools) and run the default projection.
# Extra arguments are Hydra overrides for `journeys`, e.g. ./install_and_run.sh area=england seed=7
set -euo pipefail
cd "$(dirname "$0")"
PY="$(scripts/find_python.sh)"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/journeys "$@"
