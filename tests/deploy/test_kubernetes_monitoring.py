"""prometheus-operator resources in deploy/k8s: valid against the vendored CRD schemas,
each API Service and each worker's pods scraped on a port they expose, and the
PrometheusRule carrying exactly the rule file that promtool tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from deploy import kustomize
from deploy.k8s_building_blocks import timer_roles
from deploy.k8s_services import SERVICES
from tests.deploy.rules import RULE_FILES
from tools.crd_schema import crd_schema

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
VENDOR = ROOT / "deploy" / "vendor"
MONITORING = "monitoring.coreos.com/v1"
#: (apiVersion, kind) -> the JSON Schema made from prometheus-operator's CRD (vendor/README.md)
MONITORING_SCHEMAS = {
    (MONITORING, "ServiceMonitor"): VENDOR / "prometheus-operator-servicemonitor-v1.schema.json",
    (MONITORING, "PodMonitor"): VENDOR / "prometheus-operator-podmonitor-v1.schema.json",
    (MONITORING, "PrometheusRule"): VENDOR / "prometheus-operator-prometheusrule-v1.schema.json",
}
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())

Manifest = dict[str, Any]


def validator(kind: str) -> Draft7Validator:
    return Draft7Validator(json.loads(MONITORING_SCHEMAS[(MONITORING, kind)].read_text()))


@pytest.fixture(scope="module", params=["base", *OVERLAYS])
def docs(request: pytest.FixtureRequest) -> list[Manifest]:
    where = K8S / "base" if request.param == "base" else K8S / "overlays" / request.param
    return kustomize.build(where)


def of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_monitoring_resources_validate_against_the_vendored_crd_schemas(docs) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for doc in docs:
        if doc["apiVersion"] == MONITORING:
            errors = [e.message for e in validator(doc["kind"]).iter_errors(doc)]
            assert not errors, f"{doc['kind']} {doc['metadata']['name']}: {errors}"
            checked += 1
    assert checked == 2 * len(SERVICES) + len(_timer_processes()) + 1


def test_the_vendored_schemas_refuse_a_misspelt_field(docs) -> None:  # type: ignore[no-untyped-def]
    monitor = json.loads(json.dumps(next(iter(of_kind(docs, "ServiceMonitor").values()))))
    monitor["spec"]["endpoints"][0]["honourLabels"] = True
    assert list(validator("ServiceMonitor").iter_errors(monitor))


def test_each_api_service_is_scraped_on_a_port_it_exposes(docs) -> None:  # type: ignore[no-untyped-def]
    services = of_kind(docs, "Service")
    monitors = of_kind(docs, "ServiceMonitor")
    assert set(monitors) == {f"{spec.name}-api" for spec in SERVICES}
    for name, monitor in monitors.items():
        service = services[name]
        wanted = monitor["spec"]["selector"]["matchLabels"]
        assert wanted.items() <= service["metadata"]["labels"].items()
        assert monitor["metadata"].get("namespace") == service["metadata"].get("namespace")
        ports = {port["name"] for port in service["spec"]["ports"]}
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["port"] in ports and endpoint["path"] == "/metrics"
            assert endpoint["honorLabels"], "the metrics' own `service` label must win"


def _timer_processes() -> set[str]:
    """Processes that only run timers (the notifier's dispatcher): pods without a Service."""
    return {f"{spec.name}-{role}" for spec in SERVICES for role in timer_roles(spec.name)}


def test_each_worker_and_timer_process_is_scraped_on_its_metrics_port(docs) -> None:  # type: ignore[no-untyped-def]
    deployments = of_kind(docs, "Deployment")
    monitors = of_kind(docs, "PodMonitor")
    workers = {f"{spec.name}-worker" for spec in SERVICES}
    assert set(monitors) == workers | _timer_processes()
    assert "notifications-dispatcher" in monitors
    for name, monitor in monitors.items():
        pod = deployments[name]["spec"]["template"]
        assert (
            monitor["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
        )
        ports = {p["name"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
        for endpoint in monitor["spec"]["podMetricsEndpoints"]:
            assert endpoint["port"] in ports and endpoint["honorLabels"]


def test_the_prometheus_rule_holds_the_tested_rule_file(docs) -> None:  # type: ignore[no-untyped-def]
    (rule,) = of_kind(docs, "PrometheusRule").values()
    groups = [g for path in RULE_FILES for g in yaml.safe_load(path.read_text())["groups"]]
    assert rule["spec"]["groups"] == groups


def test_the_crd_converter_closes_listed_objects_and_leaves_open_ones_open() -> None:
    crd = {
        "spec": {
            "group": "example.com",
            "names": {"kind": "Thing"},
            "versions": [
                {
                    "name": "v1",
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {
                                        "size": {"type": "integer"},
                                        "labels": {"additionalProperties": {"type": "string"}},
                                        "raw": {
                                            "type": "object",
                                            "properties": {"a": {"type": "string"}},
                                            "x-kubernetes-preserve-unknown-fields": True,
                                        },
                                    },
                                },
                                "status": {"type": "object"},
                            },
                        }
                    },
                }
            ],
        }
    }
    check = Draft7Validator(crd_schema(crd, "v1"))
    thing = {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}}
    fine = {**thing, "spec": {"size": 1, "labels": {"x": "y"}, "raw": {"anything": 1}}}
    assert not list(check.iter_errors(fine))
    assert list(check.iter_errors({**thing, "spec": {"sise": 1}}))
    assert list(check.iter_errors({**thing, "status": {}}))
    assert list(check.iter_errors({**thing, "kind": "Other"}))
