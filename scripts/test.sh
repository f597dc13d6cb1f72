#!/usr/bin/env bash
# Set up with the test tools, install Chromium for the browser tests, lint, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
scripts/install-browser.sh || [ -z "${CI:-}" ]  # outside CI the browser tests skip without it
.venv/bin/ruff check src tests bench scripts
# A throw-away PostgreSQL cluster (Debian's postgresql, installed when missing) for the store's
# PostgreSQL cases; without one they skip, and under CI they fail (tests/pgserver.py).
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/jikenbo-pg-XXXXXX")
if url=$(scripts/pg.sh start "$pgdir"); then
  export JIKENBO_TEST_PG="$url"
  trap 'scripts/pg.sh stop "$pgdir"' EXIT
else
  rm -rf "$pgdir"
fi
.venv/bin/python -m pytest -p no:cacheprovider "$@"
