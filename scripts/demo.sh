#!/usr/bin/env bash
# Set up, ingest the bundled sample notices into the default store, and serve the web UI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/jikenbo demo "$@"
