"""Building blocks of the Kubernetes base: what the code says (consumed topics, public
route prefixes) and the pieces every workload is made of (labels, pod spec, container,
Deployment, HPA, PDB, probes, network policies)."""

from __future__ import annotations

import importlib

from deploy.k8s_services import (
    IMAGE,
    INGRESS_NAMESPACE,
    MONITORING_NAMESPACE,
    OPERATIONS_PATHS,
    PART_OF,
    PUBLIC_INTERNET,
    RUN_AS,
    Manifest,
    ServiceSpec,
    Sizing,
)
from shared.contracts.registry import TOPICS

# ---- what the code says ------------------------------------------------------------


def consumed_topics(service: str) -> list[str]:
    """The topics the service's worker consumes, read from its handler table."""
    definition = importlib.import_module(f"services.{service}.bootstrap").SERVICE
    return sorted(topic.name for topic in definition.handlers)


def timer_roles(service: str) -> list[str]:
    """The service's processes that run only timers (``ServiceDefinition.timer_roles``)."""
    definition = importlib.import_module(f"services.{service}.bootstrap").SERVICE
    return sorted(definition.timer_roles)


def worker_max_replicas(service: str) -> int:
    """More consumers than partitions would sit idle: the largest consumed topic bounds it."""
    topics = consumed_topics(service)
    return max((TOPICS[t].partitions for t in topics), default=1)


def public_prefixes(service: str) -> list[str]:
    """First path segments of the API's routes, less the operations endpoints."""
    app = importlib.import_module(f"services.{service}.api").create_app()
    segments = {path.split("/")[1] for path in app.openapi().get("paths", {})}
    return sorted(segments - OPERATIONS_PATHS - {""})


# ---- helpers -----------------------------------------------------------------------


def labels(service: str, component: str | None = None) -> dict[str, str]:
    out = {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": PART_OF}
    if component:
        out["app.kubernetes.io/component"] = component
    return out


def selector(service: str, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/component": component}


def meta(name: str, service: str | None = None, component: str | None = None) -> Manifest:
    return {"name": name, "labels": labels(service, component) if service else part_of()}


def part_of() -> dict[str, str]:
    return {"app.kubernetes.io/part-of": PART_OF}


def resources(size: Sizing) -> Manifest:
    return {
        "requests": {"cpu": size.cpu_request, "memory": size.memory_request},
        "limits": {"cpu": size.cpu_limit, "memory": size.memory_limit},
    }


def namespace_peer(namespace: str, pod_labels: dict[str, str] | None = None) -> Manifest:
    peer: Manifest = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
    }
    if pod_labels:
        peer["podSelector"] = {"matchLabels": pod_labels}
    return peer


PROMETHEUS = namespace_peer(MONITORING_NAMESPACE, {"app.kubernetes.io/name": "prometheus"})
INGRESS_CONTROLLER = namespace_peer(INGRESS_NAMESPACE, {"app.kubernetes.io/name": "ingress-nginx"})


def pod_spec(spec: ServiceSpec, component: str, container: Manifest, grace_s: int) -> Manifest:
    return {
        "serviceAccountName": spec.name,
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": grace_s,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": RUN_AS,
            "runAsGroup": RUN_AS,
            "fsGroup": RUN_AS,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector(spec.name, component)},
            }
        ],
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}],
    }


def app_container(spec: ServiceSpec, role: str, size: Sizing) -> Manifest:
    return {
        "name": role,
        "image": IMAGE,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "-m", f"services.{spec.name}", role],
        "envFrom": [
            {"configMapRef": {"name": f"{spec.name}-config"}},
            # Secrets (e.g. a MONGO_URL with credentials, the webhook secret) come from a
            # Secret created outside git; keys there override the ConfigMap's.
            {"secretRef": {"name": f"{spec.name}-secrets", "optional": True}},
        ],
        "resources": resources(size),
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def component_resource(
    api_version: str, kind: str, spec: ServiceSpec, component: str, body: Manifest, name: str = ""
) -> Manifest:
    """A resource of one component of a service, named ``<service>-<component>[-<name>]``."""
    suffix = f"-{name}" if name else ""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": meta(f"{spec.name}-{component}{suffix}", spec.name, component),
        "spec": body,
    }


def http_probe(path: str, port: str, **timing: int) -> Manifest:
    """A probe on one of the container's named ports; ``timing`` in Kubernetes' own words."""
    return {"httpGet": {"path": path, "port": port}, **timing}


def web_container(spec: ServiceSpec, size: Sizing, prestop_s: int) -> Manifest:
    """An HTTP process's container (an API, the console): its port, probes of its own
    health, and a pause before stopping so endpoints forget the pod first."""
    container = app_container(spec, "api", size)
    container["ports"] = [{"name": "http", "containerPort": spec.api_port, "protocol": "TCP"}]
    container["readinessProbe"] = http_probe(
        "/readyz", "http", periodSeconds=5, timeoutSeconds=3, failureThreshold=2, successThreshold=1
    )
    container["livenessProbe"] = http_probe(
        "/healthz", "http", periodSeconds=10, timeoutSeconds=3, failureThreshold=3
    )
    container["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", str(prestop_s)]}}}
    return container


def web_service(spec: ServiceSpec, name: str) -> Manifest:
    """The in-cluster address of an HTTP process: port 80 to its ``http`` port."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, spec.name, "api"),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(spec.name, "api"),
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def deployment(spec: ServiceSpec, component: str, pod: Manifest, port: int) -> Manifest:
    body = {
        # no `replicas`: the HorizontalPodAutoscaler owns it
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": selector(spec.name, component)},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
        },
        "template": {
            "metadata": {
                "labels": labels(spec.name, component),
                "annotations": {
                    "prometheus.io/scrape": "true",
                    "prometheus.io/port": str(port),
                    "prometheus.io/path": "/metrics",
                },
            },
            "spec": pod,
        },
    }
    return component_resource("apps/v1", "Deployment", spec, component, body)


def hpa(spec: ServiceSpec, component: str, min_replicas: int, max_replicas: int) -> Manifest:
    body = {
        "scaleTargetRef": {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": f"{spec.name}-{component}",
        },
        "minReplicas": min_replicas,
        "maxReplicas": max_replicas,
        "metrics": [
            {
                "type": "Resource",
                "resource": {
                    "name": "cpu",
                    "target": {"type": "Utilization", "averageUtilization": 70},
                },
            }
        ],
        "behavior": {
            "scaleDown": {
                "stabilizationWindowSeconds": 300,
                "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
            }
        },
    }
    return component_resource("autoscaling/v2", "HorizontalPodAutoscaler", spec, component, body)


def pdb(spec: ServiceSpec, component: str) -> Manifest:
    body = {"maxUnavailable": 1, "selector": {"matchLabels": selector(spec.name, component)}}
    return component_resource("policy/v1", "PodDisruptionBudget", spec, component, body)


def network_policy(
    spec: ServiceSpec, component: str, name: str, direction: str, rules: list[Manifest]
) -> Manifest:
    """The component's pods may take (``Ingress``) or open (``Egress``) only these flows."""
    body = {
        "podSelector": {"matchLabels": selector(spec.name, component)},
        "policyTypes": [direction],
        direction.lower(): rules,
    }
    return component_resource("networking.k8s.io/v1", "NetworkPolicy", spec, component, body, name)


def ingress_policy(
    spec: ServiceSpec, component: str, sources: list[Manifest], port: int
) -> Manifest:
    rule = {"from": sources, "ports": [tcp(port)]}
    return network_policy(spec, component, "ingress", "Ingress", [rule])


def internet_egress(
    spec: ServiceSpec, component: str, name: str, ports: tuple[int, ...]
) -> Manifest:
    rule = {"to": [{"ipBlock": PUBLIC_INTERNET}], "ports": [tcp(port) for port in ports]}
    return network_policy(spec, component, name, "Egress", [rule])


def tcp(port: int) -> Manifest:
    return {"protocol": "TCP", "port": port}
