"""prometheus-operator resources (``monitoring.coreos.com/v1``) beside the scrape
annotations: a ServiceMonitor per API Service, a PodMonitor per worker and per timer role
such as the notifier's dispatcher (they have no Service) and a PrometheusRule holding
``deploy/prometheus/mentoring-alerts.yaml``.

``honorLabels``: the platform's metrics carry their own ``service`` label (matcher,
sessions, notifications), which the operator's target label of the same name (the
Kubernetes Service) would otherwise push aside as ``exported_service``, breaking every
dashboard query and alert. Prometheus picks these up when its ``serviceMonitorSelector``
/ ``podMonitorSelector`` / ``ruleSelector`` match ``app.kubernetes.io/part-of`` (or is
empty) and its namespace selectors include the application namespace.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from deploy.k8s_building_blocks import meta, selector, timer_roles
from deploy.k8s_services import SERVICES, Manifest, ServiceSpec

API_VERSION = "monitoring.coreos.com/v1"
RULE_FILE = Path(__file__).resolve().parent / "prometheus" / "mentoring-alerts.yaml"
SCRAPE_INTERVAL = "30s"


def _monitor(spec: ServiceSpec, component: str) -> Manifest:
    """The API through its Service (ServiceMonitor), the worker's pods directly (PodMonitor)."""
    kind, endpoints, port = (
        ("ServiceMonitor", "endpoints", "http")
        if component == "api"
        else ("PodMonitor", "podMetricsEndpoints", "metrics")
    )
    endpoint = {"port": port, "path": "/metrics", "interval": SCRAPE_INTERVAL, "honorLabels": True}
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": meta(f"{spec.name}-{component}", spec.name, component),
        "spec": {
            "selector": {"matchLabels": selector(spec.name, component)},
            endpoints: [endpoint],
        },
    }


def prometheus_rule() -> Manifest:
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": meta("mentoring-alerts"),
        "spec": {"groups": yaml.safe_load(RULE_FILE.read_text())["groups"]},
    }


def monitoring() -> list[Manifest]:
    return [
        *(_monitor(spec, "api") for spec in SERVICES),
        *(_monitor(spec, "worker") for spec in SERVICES),
        *(_monitor(spec, role) for spec in SERVICES for role in timer_roles(spec.name)),
        prometheus_rule(),
    ]
