#!/usr/bin/env bash
# Installs everything (Debian packages and .venv) and runs the whole test suite.
# Database tests also run on PostgreSQL when ANXIN_TEST_DATABASE_URL is set
# (e.g. postgresql://postgres@127.0.0.1:5432/test). Extra arguments go to pytest.
# Test files run in ANXIN_TEST_WORKERS parallel processes (default 2; most tests wait on
# subprocesses, sockets and the browser); a file's tests stay together in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
unset DISPLAY
exec .venv/bin/python -m pytest -n "${ANXIN_TEST_WORKERS:-2}" --dist loadfile "$@"
