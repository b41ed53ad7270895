"""The Prometheus rule files of deploy/prometheus, read once for the deploy tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted(RULES_DIR.glob("*.yaml"))
RULE_TESTS = sorted((RULES_DIR / "tests").glob("*.yaml"))


def all_rules() -> list[dict[str, Any]]:
    """Every rule of every group of every rule file, in file order."""
    return [
        rule
        for path in RULE_FILES
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def alert_names() -> set[str]:
    return {rule["alert"] for rule in all_rules() if "alert" in rule}


def recorded_names() -> set[str]:
    """Series the recording rules make: usable in alerts and dashboards like a metric."""
    return {rule["record"] for rule in all_rules() if "record" in rule}
