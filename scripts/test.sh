#!/usr/bin/env bash
# Installs everything (Debian packages and .venv) and runs the whole test suite.
# Database tests also run on PostgreSQL when ANXIN_TEST_DATABASE_URL is set
# (e.g. postgresql://postgres@127.0.0.1:5432/test). Extra arguments go to pytest.
# Tests run in ANXIN_TEST_WORKERS parallel processes (default 4 on any machine: most tests wait on
# subprocesses, sockets, the database and the browser, so 4 keep 2 cores busy). A file whose tests
# share a module-scoped fixture (a live portal, a browser) or a Kivy window stays in one process;
# other tests go one by one to whichever process is free (tests/conftest.py sets the xdist groups).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
unset DISPLAY
exec .venv/bin/python -m pytest -n "${ANXIN_TEST_WORKERS:-4}" --dist loadgroup "$@"
