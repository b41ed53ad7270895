#!/bin/sh
# System packages `make test` uses beside the venv: Debian's `prometheus` (it ships
# `promtool`; tests/deploy/test_prometheus_rules.py and tests/deploy/test_prometheus_live.py
# skip, saying why, without it). Idempotent; never fails the install step: without
# apt-get or root it says what to run and carries on.
set -u

PACKAGES="prometheus"
missing=""
for tool in prometheus promtool; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -z "$missing" ]; then
    echo "install_system_packages: prometheus and promtool already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_system_packages: no apt-get here; install Prometheus (it ships promtool) yourself" \
        "to run the Prometheus tests (missing:$missing); they skip until then"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_system_packages: not root; run 'sudo apt-get install -y $PACKAGES'" \
        "to run the Prometheus tests (missing:$missing); they skip until then"
    exit 0
fi
echo "install_system_packages: apt-get install $PACKAGES"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $PACKAGES; }; then
    echo "install_system_packages: apt-get failed; the Prometheus tests will skip"
fi
exit 0
