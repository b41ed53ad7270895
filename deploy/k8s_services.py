"""What the Kubernetes base runs: the image, the services and their sizes, and the
neighbours (Kafka, MongoDB, ingress, monitoring, the OIDC issuer) it talks to. These are
operational choices; ``k8s_manifests`` turns them into resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
#: A role that runs only timers (the notifier's dispatcher) shares its work out by leases,
#: so a few replicas are enough and more only contend.
TIMER_ROLE_MAX_REPLICAS = 3


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
    #: Extra egress of a role's pods, ``(role, ports)`` (e.g. the notifier's dispatcher
    #: reaches the SMTP relay and chat webhooks).
    internet_ports: tuple[tuple[str, tuple[int, ...]], ...] = ()
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
        internet_ports=(("dispatcher", (443, 587, 465, 25)),),
        config=(
            ("APP_BASE_URL", f"https://{INGRESS_HOST}"),  # links in the messages
            ("SMTP_HOST", "smtp.example.com"),
            ("SMTP_PORT", "587"),
            ("SMTP_START_TLS", "true"),
        ),
    ),
)
