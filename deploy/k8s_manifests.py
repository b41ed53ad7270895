"""The Kubernetes base (``deploy/k8s/base/``), built from the code so it cannot drift from it.

Partitions and retention of the ``KafkaTopic`` resources come from the topic registry
(``shared/contracts/registry.py``) and the dead-letter defaults (``shared/kafka/admin.py``);
a worker's autoscaling ceiling is the largest partition count among the topics it
consumes (read from its handler table in ``bootstrap.py``); the Ingress routes only the
resource prefixes of each API's OpenAPI. Operational choices (ports, sizes, namespaces
of the neighbours) are the constants below. Regenerate with ``python -m deploy.generate --write``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from shared.contracts.registry import TOPICS
from shared.kafka.admin import DLQ_PARTITIONS, DLQ_RETENTION_MS

Manifest = dict[str, Any]

PART_OF = "mentoring-platform"
IMAGE = "ghcr.io/mentoring-platform/mentoring-platform:0.1.0"
RUN_AS = 10001

#: The neighbours a service may talk to (namespaces and pod labels); patch in an overlay
#: when your cluster names them differently.
KAFKA_CLUSTER = "mentoring-kafka"
KAFKA_NAMESPACE = "kafka"
KAFKA_BOOTSTRAP = f"{KAFKA_CLUSTER}-kafka-bootstrap.{KAFKA_NAMESPACE}.svc:9093"
KAFKA_PORTS = (9092, 9093)
MONGO_NAMESPACE = "mongodb"
MONGO_URL = "mongodb://mongodb-svc.mongodb.svc.cluster.local:27017/?replicaSet=rs0"
INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"
INGRESS_CLASS = "nginx"
INGRESS_HOST = "mentoring.example.com"
#: The organisation's OpenID Connect issuer (the production profile refuses the dev one).
OIDC_ISSUER = "https://login.example.com/realms/mentoring"
OIDC_JWKS_URL = f"{OIDC_ISSUER}/protocol/openid-connect/certs"
OIDC_AUDIENCE = "mentoring-platform"
PUBLIC_INTERNET = {
    "cidr": "0.0.0.0/0",
    "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
}
TOPIC_REPLICAS = 3
TOPIC_MIN_INSYNC_REPLICAS = 2

#: Paths every API serves for operations; never routed through the Ingress.
OPERATIONS_PATHS = frozenset({"healthz", "readyz", "metrics", "docs", "redoc", "openapi.json"})

#: uvicorn's graceful timeout (shared/serve.py) and the pre-stop pause that lets the
#: endpoints and the ingress controller forget a pod before it stops accepting.
API_GRACEFUL_S = 20
API_PRESTOP_S = 10
#: A worker stops its agents, finishes the batch in hand and commits; faust's own
#: shutdown and the consumer's session timeout (10 s) fit well inside this.
WORKER_GRACE_S = 60


@dataclass(frozen=True)
class Sizing:
    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    api_port: int
    metrics_port: int
    api: Sizing
    worker: Sizing
    api_max_replicas: int = 6
    #: Extra egress of the worker (e.g. SMTP and chat webhooks for notifications).
    worker_internet_ports: tuple[int, ...] = ()
    #: Service-specific, non-secret settings (names after the prefix).
    config: tuple[tuple[str, str], ...] = ()

    @property
    def prefix(self) -> str:
        return f"{self.name.upper()}_"


SMALL = Sizing("100m", "256Mi", "500m", "512Mi")
SERVICES = (
    ServiceSpec(
        "matcher",
        8001,
        9101,
        api=Sizing("200m", "384Mi", "1", "1Gi"),  # the solvers run in the API (previews)
        worker=SMALL,
    ),
    ServiceSpec("sessions", 8002, 9102, api=SMALL, worker=SMALL),
    ServiceSpec(
        "notifications",
        8003,
        9103,
        api=SMALL,
        worker=SMALL,
        worker_internet_ports=(443, 587, 465, 25),
        config=(
            ("APP_BASE_URL", f"https://{INGRESS_HOST}"),  # links in the messages
            ("SMTP_HOST", "smtp.example.com"),
            ("SMTP_PORT", "587"),
            ("SMTP_START_TLS", "true"),
        ),
    ),
)


# ---- what the code says ------------------------------------------------------------


def consumed_topics(service: str) -> list[str]:
    """The topics the service's worker consumes, read from its handler table."""
    definition = importlib.import_module(f"services.{service}.bootstrap").SERVICE
    return sorted(topic.name for topic in definition.handlers)


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
    return {"name": name, "labels": labels(service, component) if service else _part_of()}


def _part_of() -> dict[str, str]:
    return {"app.kubernetes.io/part-of": PART_OF}


def _resources(size: Sizing) -> Manifest:
    return {
        "requests": {"cpu": size.cpu_request, "memory": size.memory_request},
        "limits": {"cpu": size.cpu_limit, "memory": size.memory_limit},
    }


def _namespace_peer(namespace: str, pod_labels: dict[str, str] | None = None) -> Manifest:
    peer: Manifest = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
    }
    if pod_labels:
        peer["podSelector"] = {"matchLabels": pod_labels}
    return peer


PROMETHEUS = _namespace_peer(MONITORING_NAMESPACE, {"app.kubernetes.io/name": "prometheus"})
INGRESS_CONTROLLER = _namespace_peer(INGRESS_NAMESPACE, {"app.kubernetes.io/name": "ingress-nginx"})


def _pod_spec(spec: ServiceSpec, component: str, container: Manifest, grace_s: int) -> Manifest:
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


def _container(spec: ServiceSpec, role: str, size: Sizing) -> Manifest:
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
        "resources": _resources(size),
        "securityContext": {
            "runAsNonRoot": True,
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def _deployment(spec: ServiceSpec, component: str, pod: Manifest, port: int) -> Manifest:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(f"{spec.name}-{component}", spec.name, component),
        "spec": {
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
        },
    }


def _hpa(spec: ServiceSpec, component: str, min_replicas: int, max_replicas: int) -> Manifest:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(f"{spec.name}-{component}", spec.name, component),
        "spec": {
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
        },
    }


def _pdb(spec: ServiceSpec, component: str) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(f"{spec.name}-{component}", spec.name, component),
        "spec": {
            "maxUnavailable": 1,
            "selector": {"matchLabels": selector(spec.name, component)},
        },
    }


def _ingress_policy(spec: ServiceSpec, component: str, sources: list[Manifest], port: int):
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta(f"{spec.name}-{component}-ingress", spec.name, component),
        "spec": {
            "podSelector": {"matchLabels": selector(spec.name, component)},
            "policyTypes": ["Ingress"],
            "ingress": [{"from": sources, "ports": [{"protocol": "TCP", "port": port}]}],
        },
    }


# ---- per service -------------------------------------------------------------------


def service_common(spec: ServiceSpec) -> list[Manifest]:
    """ServiceAccount and ConfigMap shared by the service's API and worker."""
    p = spec.prefix
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta(spec.name, spec.name),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta(f"{spec.name}-config", spec.name),
            "data": {
                f"{p}PROFILE": "production",
                f"{p}LOG_LEVEL": "INFO",
                f"{p}KAFKA_BOOTSTRAP_SERVERS": KAFKA_BOOTSTRAP,
                # SCRAM over TLS as a Strimzi KafkaUser named after the service; its
                # password (<PREFIX>KAFKA_SASL_PASSWORD) comes from <service>-secrets.
                f"{p}KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                f"{p}KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                f"{p}KAFKA_SASL_USERNAME": spec.name,
                f"{p}KAFKA_REPLICATION_FACTOR": "3",
                # Strimzi's Topic Operator owns the topics (kafka-topics.yaml).
                f"{p}KAFKA_PROVISION_TOPICS": "false",
                f"{p}MONGO_URL": MONGO_URL,
                f"{p}HTTP_HOST": "0.0.0.0",
                f"{p}HTTP_PORT": str(spec.api_port),
                f"{p}WORKER_METRICS_PORT": str(spec.metrics_port),
                f"{p}AUTH_ISSUER": OIDC_ISSUER,
                f"{p}AUTH_JWKS_URL": OIDC_JWKS_URL,
                f"{p}AUTH_AUDIENCE": OIDC_AUDIENCE,
                **{f"{p}{name}": value for name, value in spec.config},
                "APP_DATADIR": "/tmp/faust-data",
            },
        },
    ]


def api_workload(spec: ServiceSpec) -> list[Manifest]:
    container = _container(spec, "api", spec.api)
    container["ports"] = [{"name": "http", "containerPort": spec.api_port, "protocol": "TCP"}]
    container["startupProbe"] = {
        # start-up waits for MongoDB and Kafka up to 60 s (shared/runtime.py)
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 2,
        "failureThreshold": 45,
        "timeoutSeconds": 2,
    }
    container["readinessProbe"] = {
        "httpGet": {"path": "/readyz", "port": "http"},
        "periodSeconds": 5,
        "timeoutSeconds": 3,
        "failureThreshold": 2,
        "successThreshold": 1,
    }
    container["livenessProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }
    container["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", str(API_PRESTOP_S)]}}}
    pod = _pod_spec(spec, "api", container, API_PRESTOP_S + API_GRACEFUL_S + 10)
    return [
        _deployment(spec, "api", pod, spec.api_port),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(f"{spec.name}-api", spec.name, "api"),
            "spec": {
                "type": "ClusterIP",
                "selector": selector(spec.name, "api"),
                "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
            },
        },
        _hpa(spec, "api", 2, spec.api_max_replicas),
        _pdb(spec, "api"),
        _ingress_policy(spec, "api", [INGRESS_CONTROLLER, PROMETHEUS], spec.api_port),
        {
            # bearer tokens are checked against the issuer's JWKS, fetched over HTTPS
            # (an issuer inside the cluster needs a rule for its namespace instead)
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(f"{spec.name}-api-issuer-egress", spec.name, "api"),
            "spec": {
                "podSelector": {"matchLabels": selector(spec.name, "api")},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [{"ipBlock": PUBLIC_INTERNET}],
                        "ports": [{"protocol": "TCP", "port": 443}],
                    }
                ],
            },
        },
    ]


def worker_workload(spec: ServiceSpec) -> list[Manifest]:
    container = _container(spec, "worker", spec.worker)
    container["ports"] = [
        {"name": "metrics", "containerPort": spec.metrics_port, "protocol": "TCP"}
    ]
    # The worker serves only /metrics (prometheus_client, its own thread): liveness and
    # readiness are an HTTP GET there. It proves the process is up, not that the event
    # loop is healthy; faust's own supervisor restarts crashed agents.
    probe = {"httpGet": {"path": "/metrics", "port": "metrics"}, "timeoutSeconds": 3}
    container["readinessProbe"] = {**probe, "periodSeconds": 10, "failureThreshold": 3}
    container["livenessProbe"] = {**probe, "periodSeconds": 15, "failureThreshold": 4}
    pod = _pod_spec(spec, "worker", container, WORKER_GRACE_S)
    worker_max = worker_max_replicas(spec.name)
    return [
        _deployment(spec, "worker", pod, spec.metrics_port),
        _hpa(spec, "worker", 1, worker_max),
        _pdb(spec, "worker"),
        _ingress_policy(spec, "worker", [PROMETHEUS], spec.metrics_port),
        *_worker_internet_egress(spec),
    ]


def _worker_internet_egress(spec: ServiceSpec) -> list[Manifest]:
    if not spec.worker_internet_ports:
        return []
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta(f"{spec.name}-worker-delivery-egress", spec.name, "worker"),
            "spec": {
                "podSelector": {"matchLabels": selector(spec.name, "worker")},
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        # SMTP relay and chat/generic webhooks live outside the cluster
                        "to": [{"ipBlock": PUBLIC_INTERNET}],
                        "ports": [
                            {"protocol": "TCP", "port": port} for port in spec.worker_internet_ports
                        ],
                    }
                ],
            },
        }
    ]


# ---- platform-wide -----------------------------------------------------------------


def network_baseline() -> list[Manifest]:
    """Deny by default; allow DNS, Kafka and MongoDB out of every platform pod."""
    pods = {"matchLabels": _part_of()}
    return [
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("mentoring-default-deny"),
            "spec": {"podSelector": pods, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("mentoring-backbone-egress"),
            "spec": {
                "podSelector": pods,
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [_namespace_peer("kube-system", {"k8s-app": "kube-dns"})],
                        "ports": [
                            {"protocol": "UDP", "port": 53},
                            {"protocol": "TCP", "port": 53},
                        ],
                    },
                    {
                        "to": [
                            _namespace_peer(KAFKA_NAMESPACE, {"strimzi.io/cluster": KAFKA_CLUSTER})
                        ],
                        "ports": [{"protocol": "TCP", "port": port} for port in KAFKA_PORTS],
                    },
                    {
                        "to": [_namespace_peer(MONGO_NAMESPACE)],
                        "ports": [{"protocol": "TCP", "port": 27017}],
                    },
                ],
            },
        },
    ]


def ingresses() -> list[Manifest]:
    """``/api/<service>/<resource>...`` -> ``/<resource>...`` of that service (ingress-nginx
    regex + rewrite); only resource prefixes are routed, never the operations endpoints."""
    out: list[Manifest] = []
    for spec in SERVICES:
        prefixes = public_prefixes(spec.name)
        if not prefixes:
            continue
        alternatives = "|".join(p.replace(".", "\\.") for p in prefixes)
        out.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": {
                    **meta(f"{spec.name}-api", spec.name, "api"),
                    "annotations": {
                        "nginx.ingress.kubernetes.io/use-regex": "true",
                        "nginx.ingress.kubernetes.io/rewrite-target": "/$1",
                        "nginx.ingress.kubernetes.io/proxy-body-size": "16m",
                    },
                },
                "spec": {
                    "ingressClassName": INGRESS_CLASS,
                    "tls": [{"hosts": [INGRESS_HOST], "secretName": "mentoring-tls"}],
                    "rules": [
                        {
                            "host": INGRESS_HOST,
                            "http": {
                                "paths": [
                                    {
                                        "path": f"/api/{spec.name}/((?:{alternatives})(?:/.*)?)$",
                                        "pathType": "ImplementationSpecific",
                                        "backend": {
                                            "service": {
                                                "name": f"{spec.name}-api",
                                                "port": {"name": "http"},
                                            }
                                        },
                                    }
                                ]
                            },
                        }
                    ],
                },
            }
        )
    return out


def kafka_topic_name(topic: str) -> str:
    """A DNS-1123 resource name for a topic (the topic name itself is kept in spec)."""
    return topic.lower().replace("_", "-")


def kafka_topics() -> list[Manifest]:
    """Strimzi ``KafkaTopic`` for every registered topic and its dead-letter twin."""
    wanted: list[tuple[str, int, int, str]] = []
    for topic in TOPICS.values():
        wanted.append((topic.name, topic.partitions, topic.retention_ms, topic.description))
        wanted.append(
            (topic.dlq, DLQ_PARTITIONS, DLQ_RETENTION_MS, f"Dead letters of {topic.name}.")
        )
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {
                "name": kafka_topic_name(name),
                "labels": {**_part_of(), "strimzi.io/cluster": KAFKA_CLUSTER},
                "annotations": {"mentoring.io/description": description},
            },
            "spec": {
                "topicName": name,
                "partitions": partitions,
                "replicas": TOPIC_REPLICAS,
                "config": {
                    "retention.ms": retention_ms,
                    "cleanup.policy": "delete",
                    "min.insync.replicas": TOPIC_MIN_INSYNC_REPLICAS,
                },
            },
        }
        for name, partitions, retention_ms, description in wanted
    ]


def base_files() -> dict[str, list[Manifest]]:
    """File name (under ``deploy/k8s/base/``) -> its resources."""
    files: dict[str, list[Manifest]] = {}
    for spec in SERVICES:
        files[f"{spec.name}.yaml"] = service_common(spec)
        files[f"{spec.name}-api.yaml"] = api_workload(spec)
        files[f"{spec.name}-worker.yaml"] = worker_workload(spec)
    files["network-baseline.yaml"] = network_baseline()
    files["ingress.yaml"] = ingresses()
    files["kafka-topics.yaml"] = kafka_topics()
    return files
