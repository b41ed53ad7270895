"""The Kubernetes base (``deploy/k8s/base/``), built from the code so it cannot drift from it.

Partitions and retention of the ``KafkaTopic`` resources come from the topic registry
(``shared/contracts/registry.py``) and the dead-letter defaults (``shared/kafka/admin.py``);
a worker's autoscaling ceiling is the largest partition count among the topics it
consumes (read from its handler table in ``bootstrap.py``); the Ingress routes only the
resource prefixes of each API's OpenAPI. Operational choices (ports, sizes, namespaces
of the neighbours) are the constants below. Regenerate with ``python -m deploy.generate --write``.
"""

from __future__ import annotations

from deploy.k8s_building_blocks import (
    INGRESS_CONTROLLER,
    PROMETHEUS,
    app_container,
    deployment,
    hpa,
    http_probe,
    ingress_policy,
    internet_egress,
    meta,
    pdb,
    pod_spec,
    timer_roles,
    web_container,
    web_service,
    worker_max_replicas,
)
from deploy.k8s_console import CONSOLE_PODS, console_files
from deploy.k8s_monitoring import monitoring
from deploy.k8s_platform import ingresses, kafka_topics, network_baseline
from deploy.k8s_services import (
    API_GRACEFUL_S,
    API_PRESTOP_S,
    KAFKA_BOOTSTRAP,
    MONGO_URL,
    OIDC_AUDIENCE,
    OIDC_ISSUER,
    OIDC_JWKS_URL,
    SERVICES,
    TIMER_ROLE_MAX_REPLICAS,
    WORKER_GRACE_S,
    Manifest,
    ServiceSpec,
)

# ---- per service -------------------------------------------------------------------


def service_common(spec: ServiceSpec) -> list[Manifest]:
    """ServiceAccount and ConfigMap shared by the service's API, worker and timer roles."""
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
    container = web_container(spec, spec.api, API_PRESTOP_S)
    # start-up waits for MongoDB and Kafka up to 60 s (shared/runtime.py)
    container["startupProbe"] = http_probe(
        "/healthz", "http", periodSeconds=2, failureThreshold=45, timeoutSeconds=2
    )
    pod = pod_spec(spec, "api", container, API_PRESTOP_S + API_GRACEFUL_S + 10)
    return [
        deployment(spec, "api", pod, spec.api_port),
        web_service(spec, f"{spec.name}-api"),
        hpa(spec, "api", 2, spec.api_max_replicas),
        pdb(spec, "api"),
        ingress_policy(spec, "api", [INGRESS_CONTROLLER, PROMETHEUS, CONSOLE_PODS], spec.api_port),
        # bearer tokens are checked against the issuer's JWKS, fetched over HTTPS
        # (an issuer inside the cluster needs a rule for its namespace instead)
        internet_egress(spec, "api", "issuer-egress", (443,)),
    ]


def background_workload(spec: ServiceSpec, role: str, max_replicas: int) -> list[Manifest]:
    """A process without an API (the worker, a timer role): its metrics port serves
    /metrics and the probes."""
    container = app_container(spec, role, spec.worker)
    container["ports"] = [
        {"name": "metrics", "containerPort": spec.metrics_port, "protocol": "TCP"}
    ]

    # shared/health.py: /healthz fails when the event loop stops beating, the broker is
    # not polled for the session timeout or a timer stops ticking; /readyz also when no
    # partition is assigned (a consumer) or the database does not answer.
    container["readinessProbe"] = http_probe(
        "/readyz", "metrics", timeoutSeconds=3, periodSeconds=10, failureThreshold=3
    )
    container["livenessProbe"] = http_probe(
        "/healthz", "metrics", timeoutSeconds=3, periodSeconds=15, failureThreshold=4
    )
    pod = pod_spec(spec, role, container, WORKER_GRACE_S)
    return [
        deployment(spec, role, pod, spec.metrics_port),
        hpa(spec, role, 1, max_replicas),
        pdb(spec, role),
        ingress_policy(spec, role, [PROMETHEUS], spec.metrics_port),
        *_delivery_egress(spec, role),
    ]


def worker_workload(spec: ServiceSpec) -> list[Manifest]:
    return background_workload(spec, "worker", worker_max_replicas(spec.name))


def _delivery_egress(spec: ServiceSpec, role: str) -> list[Manifest]:
    """SMTP relay and chat/generic webhooks live outside the cluster."""
    ports = dict(spec.internet_ports).get(role, ())
    return [internet_egress(spec, role, "delivery-egress", ports)] if ports else []


def base_files() -> dict[str, list[Manifest]]:
    """File name (under ``deploy/k8s/base/``) -> its resources."""
    files: dict[str, list[Manifest]] = {}
    for spec in SERVICES:
        files[f"{spec.name}.yaml"] = service_common(spec)
        files[f"{spec.name}-api.yaml"] = api_workload(spec)
        files[f"{spec.name}-worker.yaml"] = worker_workload(spec)
        for role in timer_roles(spec.name):
            files[f"{spec.name}-{role}.yaml"] = background_workload(
                spec, role, TIMER_ROLE_MAX_REPLICAS
            )
    files |= console_files()
    files["network-baseline.yaml"] = network_baseline()
    files["ingress.yaml"] = ingresses()
    files["kafka-topics.yaml"] = kafka_topics()
    files["monitoring.yaml"] = monitoring()
    return files
