"""Dashboards and alert rules query only metric names the code exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import prometheus_client
import pytest
import yaml

import shared.metrics  # noqa: F401  (registers the platform's collectors)
from tests.deploy.rules import recorded_names

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = sorted((ROOT / "deploy" / "grafana").glob("*.json"))
RULE_FILES = sorted((ROOT / "deploy" / "prometheus").glob("*.yaml"))

#: PromQL functions, aggregations and keywords that look like names but are not metrics.
PROMQL_WORDS = {
    "sum", "min", "max", "avg", "count", "stddev", "topk", "bottomk", "quantile",
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "and", "or", "unless", "offset", "rate", "irate", "increase", "delta", "deriv",
    "histogram_quantile", "min_over_time", "max_over_time", "avg_over_time",
    "sum_over_time", "absent", "absent_over_time", "clamp_min", "clamp_max", "abs",
    "changes", "resets", "predict_linear", "label_replace", "label_values", "vector",
    "scalar", "time", "sort", "sort_desc", "round", "ceil", "floor",
}  # fmt: skip


def exported_names() -> set[str]:
    """Every sample name the default registry can expose (``_total``, ``_bucket``...),
    including prometheus_client's standard ``process_*`` and ``python_*`` collectors."""
    return set(prometheus_client.REGISTRY._names_to_collectors)


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", expr)
    expr = re.sub(r"\$\w+", "", expr)  # Grafana variables
    expr = re.sub(r"label_values\(([^,)]+),[^)]*\)", r"(\1)", expr)  # Grafana: its label
    names = set(re.findall(r"(?<![\w.])[A-Za-z_:][\w:]*", expr))
    return names - PROMQL_WORDS


def dashboard_queries() -> list[tuple[str, str]]:
    out = []
    for path in DASHBOARDS:
        board = json.loads(path.read_text())

        def walk(panels: list[dict[str, Any]], path: Path = path) -> None:
            for panel in panels:
                for target in panel.get("targets", []):
                    out.append((f"{path.name}: {panel['title']}", target["expr"]))
                walk(panel.get("panels", []))

        walk(board["panels"])
        for variable in board.get("templating", {}).get("list", []):
            if isinstance(variable.get("query"), dict):
                out.append((f"{path.name}: ${variable['name']}", variable["query"]["query"]))
    return out


def rule_queries() -> list[tuple[str, str]]:
    out = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                out.append(
                    (f"{path.name}: {rule.get('alert') or rule.get('record')}", rule["expr"])
                )
    return out


def test_there_is_a_dashboard_and_there_are_alert_rules() -> None:
    assert dashboard_queries() and rule_queries()


@pytest.mark.parametrize(("where", "expr"), dashboard_queries() + rule_queries())
def test_query_uses_only_exported_metrics(where: str, expr: str) -> None:
    names = metric_names(expr)
    assert names, f"{where}: no metric found in {expr!r}"
    unknown = names - exported_names() - recorded_names()
    assert not unknown, f"{where}: {sorted(unknown)} not exported by the code"


def test_the_extractor_catches_an_unknown_metric() -> None:
    expr = 'sum by (group) (kafka_consumergroup_lag{topic="x"}) > on (a) mentoring_outbox_backlog'
    assert metric_names(expr) == {"kafka_consumergroup_lag", "mentoring_outbox_backlog"}


def test_alert_rules_are_well_formed() -> None:
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            assert group["name"] and group["rules"]
            for rule in group["rules"]:
                assert rule["expr"].count("(") == rule["expr"].count(")")
                if "record" in rule:  # level:metric:operations, the Prometheus convention
                    assert set(rule) <= {"record", "expr", "labels"}, rule
                    assert re.fullmatch(r"\w+:\w+:\w+", rule["record"]), rule["record"]
                    continue
                assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule
                assert rule["labels"]["severity"] in {"warning", "critical"}
                assert rule["annotations"]["summary"]


def test_dashboard_panels_have_unique_ids_and_a_datasource() -> None:
    for path in DASHBOARDS:
        panels = json.loads(path.read_text())["panels"]
        ids = [p["id"] for p in panels]
        assert len(ids) == len(set(ids))
        for panel in panels:
            if panel["type"] != "row":
                assert panel["datasource"]["uid"] == "${datasource}"
