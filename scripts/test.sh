#!/usr/bin/env bash
# Set up with the test tools, install Chromium for the browser tests, lint, and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
scripts/install-browser.sh || [ -z "${CI:-}" ]  # outside CI the browser tests skip without it
.venv/bin/ruff check src tests bench scripts
.venv/bin/python -m pytest -p no:cacheprovider "$@"
