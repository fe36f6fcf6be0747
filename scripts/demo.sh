#!/usr/bin/env bash
# Installs everything (Debian packages and .venv) and runs the whole system: `anxin demo`.
# Extra arguments go to `anxin demo` (e.g. --headless, --port 8080, --wristbands 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/anxin demo "$@"
