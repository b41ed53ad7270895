#!/bin/sh
# System packages `make test` uses beside the venv: Debian's `prometheus` (it ships
# `promtool`: tests/deploy/test_prometheus_*.py) and `chromium` with `chromium-driver`
# (the console's browser tests, tests/e2e/console, drive /usr/bin/chromium through
# Playwright; no browser is downloaded). Idempotent; never fails the install step:
# without apt-get or root it says what to run, and those tests skip saying why.
set -u

PACKAGES="prometheus chromium chromium-driver"
missing=""
for tool in prometheus promtool chromium chromedriver; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
    echo "install_system_packages: prometheus, promtool, chromium and chromedriver already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_system_packages: no apt-get here; install$missing yourself" \
        "to run the Prometheus and browser tests; they skip until then"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_system_packages: not root; run 'sudo apt-get install -y $PACKAGES'" \
        "to run the Prometheus and browser tests (missing:$missing); they skip until then"
    exit 0
fi
echo "install_system_packages: apt-get install $PACKAGES"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $PACKAGES; }; then
    echo "install_system_packages: apt-get failed; the Prometheus and browser tests will skip"
fi
exit 0
