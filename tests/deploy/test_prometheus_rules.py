"""The alert and recording rules load in Prometheus and each alert fires when it should:
``promtool check rules`` and ``promtool test rules`` (deploy/prometheus/tests/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.rules import ROOT, RULE_FILES, RULE_TESTS, alert_names

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None,
    reason="promtool is not installed: Debian's `prometheus` package ships it "
    "(`apt-get install prometheus`; make's install step does that where apt-get and root are)",
)


def alerts_tested_firing() -> set[str]:
    return {
        case["alertname"]
        for path in RULE_TESTS
        for test in yaml.safe_load(path.read_text())["tests"]
        for case in test.get("alert_rule_test", [])
        if case["exp_alerts"]
    }


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *map(str, args)], capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_every_alert_has_a_unit_test_in_which_it_fires() -> None:
    assert RULE_TESTS
    assert alert_names() - alerts_tested_firing() == set()


def test_the_unit_tests_name_only_alerts_that_exist() -> None:
    assert alerts_tested_firing() - alert_names() == set()


@needs_promtool
def test_promtool_accepts_the_rule_files() -> None:
    checked = promtool("check", "rules", *RULE_FILES)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@needs_promtool
def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    tested = promtool("test", "rules", *RULE_TESTS)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout + tested.stderr
