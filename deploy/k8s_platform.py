"""Platform-wide resources of the Kubernetes base: the network baseline, the Ingresses
and the Kafka topics (partitions and retention from the topic registry)."""

from __future__ import annotations

from deploy.k8s_building_blocks import (
    meta,
    namespace_peer,
    part_of,
    public_prefixes,
    tcp,
)
from deploy.k8s_services import (
    INGRESS_CLASS,
    INGRESS_HOST,
    KAFKA_CLUSTER,
    KAFKA_NAMESPACE,
    KAFKA_PORTS,
    MONGO_NAMESPACE,
    SERVICES,
    TOPIC_MIN_INSYNC_REPLICAS,
    TOPIC_REPLICAS,
    Manifest,
)
from shared.contracts.registry import TOPICS
from shared.kafka.admin import DLQ_PARTITIONS, DLQ_RETENTION_MS


def network_baseline() -> list[Manifest]:
    """Deny by default; allow DNS, Kafka and MongoDB out of every platform pod."""
    pods = {"matchLabels": part_of()}
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
                        "to": [namespace_peer("kube-system", {"k8s-app": "kube-dns"})],
                        "ports": [
                            {"protocol": "UDP", "port": 53},
                            {"protocol": "TCP", "port": 53},
                        ],
                    },
                    {
                        "to": [
                            namespace_peer(KAFKA_NAMESPACE, {"strimzi.io/cluster": KAFKA_CLUSTER})
                        ],
                        "ports": [tcp(port) for port in KAFKA_PORTS],
                    },
                    {
                        "to": [namespace_peer(MONGO_NAMESPACE)],
                        "ports": [tcp(27017)],
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
        annotations = {
            "nginx.ingress.kubernetes.io/use-regex": "true",
            "nginx.ingress.kubernetes.io/rewrite-target": "/$1",
            "nginx.ingress.kubernetes.io/proxy-body-size": "16m",
        }
        path = {
            "path": f"/api/{spec.name}/((?:{alternatives})(?:/.*)?)$",
            "pathType": "ImplementationSpecific",
        }
        out.append(host_ingress(meta(f"{spec.name}-api", spec.name, "api"), annotations, path))
    return out


def host_ingress(metadata: Manifest, annotations: dict[str, str], path: Manifest) -> Manifest:
    """One path of the platform's host, over TLS, to the Service named as the Ingress."""
    backend = {"service": {"name": metadata["name"], "port": {"name": "http"}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {**metadata, "annotations": annotations},
        "spec": {
            "ingressClassName": INGRESS_CLASS,
            "tls": [{"hosts": [INGRESS_HOST], "secretName": "mentoring-tls"}],
            "rules": [{"host": INGRESS_HOST, "http": {"paths": [{**path, "backend": backend}]}}],
        },
    }


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
                "labels": {**part_of(), "strimzi.io/cluster": KAFKA_CLUSTER},
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
