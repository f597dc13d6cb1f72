#!/bin/sh
# Install Debian's Chromium for the browser tests (tests/test_browser*.py) and the casebook's
# PDF output (jikenbo write/report --format pdf), a Japanese font so the pages (and their
# screenshots) are readable rather than boxes, and poppler-utils (pdftoppm) for the PDF tests.
# Playwright drives /usr/bin/chromium; it never downloads a browser of its own.
# Needs root (as in CI). Does nothing when both are already there.
set -eu
need=""
[ -x /usr/bin/chromium ] || need="chromium"
if ! fc-list :lang=ja 2>/dev/null | grep -q .; then
    need="$need fonts-ipafont-gothic"
fi
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
if [ -z "$need" ]; then
    echo "chromium, a Japanese font and pdftoppm are already installed"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-browser.sh: needs root to install:$need (try: sudo $0)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086  # $need is a list of package names
apt-get install -y $need
/usr/bin/chromium --version 2>/dev/null || true
