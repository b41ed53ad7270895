"""deploy/k8s: generated from the code, renders, validates offline, follows the conventions."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from jsonschema import Draft7Validator

from deploy import generate, k8s_manifests, kustomize
from deploy.k8s_services import SERVICES
from shared.contracts.registry import TOPICS
from shared.kafka.admin import DLQ_PARTITIONS, DLQ_RETENTION_MS
from shared.settings import ServiceSettings
from tests.deploy.test_kubernetes_monitoring import MONITORING_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
KAFKA_TOPIC_SCHEMA = ROOT / "deploy" / "vendor" / "strimzi-kafkatopic-v1beta2.schema.json"
#: Oldest and newest Kubernetes we validate against (schemas ship with kubernetes-validate).
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
CUSTOM_KINDS = {("kafka.strimzi.io/v1beta2", "KafkaTopic"), *MONITORING_SCHEMAS}

Manifest = dict[str, Any]


def key(doc: Manifest) -> tuple[str, str, str, str]:
    md = doc["metadata"]
    return (doc["apiVersion"], doc["kind"], md.get("namespace", ""), md["name"])


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Manifest]]:
    return {name: kustomize.build(K8S / "overlays" / name) for name in OVERLAYS}


def all_documents(rendered: dict[str, list[Manifest]]) -> list[tuple[str, Manifest]]:
    base = kustomize.build(K8S / "base")
    return [("base", d) for d in base] + [(o, d) for o, docs in rendered.items() for d in docs]


def test_base_and_dashboard_match_the_code() -> None:
    problems = generate.drifted()
    assert not problems, (
        f"deploy/ drifted from the code; regenerate with\n\n    {generate.REGENERATE}\n\n  "
        + "\n  ".join(problems)
    )


def test_there_are_dev_and_prod_overlays() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_strictly(rendered, version: str) -> None:  # type: ignore[no-untyped-def]
    errors = []
    for where, doc in all_documents(rendered):
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{where} {key(doc)}: {exc.message}")
    assert not errors, "\n".join(errors)


def test_strict_validation_refuses_an_unknown_field() -> None:
    doc = next(d for d in kustomize.build(K8S / "base") if d["kind"] == "Deployment")
    broken = json.loads(json.dumps(doc))
    broken["spec"]["unknownField"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_kafka_topics_validate_against_the_vendored_strimzi_schema(rendered) -> None:  # type: ignore[no-untyped-def]
    validator = Draft7Validator(json.loads(KAFKA_TOPIC_SCHEMA.read_text()))
    for where, doc in all_documents(rendered):
        if doc["kind"] == "KafkaTopic":
            errors = [e.message for e in validator.iter_errors(doc)]
            assert not errors, f"{where} {key(doc)}: {errors}"


def test_only_known_custom_resources() -> None:
    kinds = {(d["apiVersion"], d["kind"]) for d in kustomize.build(K8S / "base")}
    unknown = {
        k for k in kinds - CUSTOM_KINDS if "." in k[0].split("/")[0] and "k8s.io" not in k[0]
    }
    assert not unknown, f"custom resources need a vendored schema: {unknown}"


def test_kafka_topics_match_the_registry() -> None:
    """Checked-in KafkaTopic resources = every registered topic and its .dlq, same settings."""
    docs = kustomize.load_documents(K8S / "base" / "kafka-topics.yaml")
    declared = {d["spec"]["topicName"]: d["spec"] for d in docs}
    expected: dict[str, tuple[int, int]] = {}
    for topic in TOPICS.values():
        expected[topic.name] = (topic.partitions, topic.retention_ms)
        expected[topic.dlq] = (DLQ_PARTITIONS, DLQ_RETENTION_MS)
    assert set(declared) == set(expected), f"run {generate.REGENERATE}"
    for name, (partitions, retention_ms) in expected.items():
        assert declared[name]["partitions"] == partitions, name
        assert int(declared[name]["config"]["retention.ms"]) == retention_ms, name


def _pod_containers(doc: Manifest) -> list[Manifest]:
    return doc["spec"]["template"]["spec"]["containers"]


def test_workloads_follow_the_manifest_conventions(rendered) -> None:  # type: ignore[no-untyped-def]
    for where, doc in all_documents(rendered):
        if doc["kind"] != "Deployment":
            continue
        pod = doc["spec"]["template"]["spec"]
        name = f"{where} {doc['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"], name
        for container in _pod_containers(doc):
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), name
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], name
            assert container["resources"]["requests"] and container["resources"]["limits"], name
            assert "readinessProbe" in container and "livenessProbe" in container, name
            assert container["command"][:2] == ["python", "-m"], name


def test_api_probes_and_graceful_shutdown_fit_together(rendered) -> None:  # type: ignore[no-untyped-def]
    for where, doc in all_documents(rendered):
        if doc["kind"] != "Deployment" or not doc["metadata"]["name"].endswith("-api"):
            continue
        pod = doc["spec"]["template"]["spec"]
        container = _pod_containers(doc)[0]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
        pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
        # the pod must outlive the pre-stop pause plus uvicorn's graceful timeout
        assert pod["terminationGracePeriodSeconds"] > pre_stop + k8s_manifests.API_GRACEFUL_S


def test_background_probes_ask_the_health_of_the_loop_not_the_metrics_thread(rendered) -> None:  # type: ignore[no-untyped-def]
    """shared/health.py: liveness fails when the loop stalls or polls stop; readiness
    also needs partitions and the database. /metrics would answer either way."""
    for where, doc in all_documents(rendered):
        if doc["kind"] != "Deployment" or doc["metadata"]["name"].endswith("-api"):
            continue
        container = _pod_containers(doc)[0]
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}, (
            where
        )


def test_worker_autoscaling_is_bounded_by_partitions(rendered) -> None:  # type: ignore[no-untyped-def]
    bounds = {s.name: k8s_manifests.worker_max_replicas(s.name) for s in k8s_manifests.SERVICES}
    for where, doc in all_documents(rendered):
        if doc["kind"] == "HorizontalPodAutoscaler" and doc["metadata"]["name"].endswith("-worker"):
            service = doc["metadata"]["labels"]["app.kubernetes.io/name"]
            assert doc["spec"]["minReplicas"] <= doc["spec"]["maxReplicas"] <= bounds[service], (
                where,
                service,
            )


def test_every_workload_has_a_disruption_budget_and_an_autoscaler(rendered) -> None:  # type: ignore[no-untyped-def]
    for docs in rendered.values():
        deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
        for kind in ("PodDisruptionBudget", "HorizontalPodAutoscaler"):
            covered = {d["metadata"]["name"] for d in docs if d["kind"] == kind}
            assert deployments == covered, kind


def test_secrets_are_only_referenced(rendered) -> None:  # type: ignore[no-untyped-def]
    for _where, doc in all_documents(rendered):
        assert doc["kind"] != "Secret", "no Secret objects in git: reference one by name"
        if doc["kind"] == "ConfigMap":
            for name in doc["data"]:
                assert not any(w in name for w in ("PASSWORD", "SECRET", "TOKEN")), name
    prod = rendered["prod"]
    for doc in prod:
        if doc["kind"] == "Deployment":
            refs = [e["secretRef"] for e in _pod_containers(doc)[0]["envFrom"] if "secretRef" in e]
            assert refs and all(r["optional"] is False for r in refs), doc["metadata"]["name"]


def test_network_policies_deny_by_default_and_select_real_pods(rendered) -> None:  # type: ignore[no-untyped-def]
    for docs in rendered.values():
        policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
        deny = [p for p in policies if "default-deny" in p["metadata"]["name"]]
        assert deny and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        pod_labels = [
            d["spec"]["template"]["metadata"]["labels"] for d in docs if d["kind"] == "Deployment"
        ]
        for policy in policies:
            wanted = policy["spec"]["podSelector"].get("matchLabels", {})
            assert any(wanted.items() <= labels.items() for labels in pod_labels), policy[
                "metadata"
            ]["name"]


def test_configmap_keys_are_settings_of_the_service() -> None:
    import importlib

    for spec in k8s_manifests.SERVICES:
        module = importlib.import_module(f"services.{spec.name}.settings")
        cls = next(
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
        )
        config = next(d for d in k8s_manifests.service_common(spec) if d["kind"] == "ConfigMap")
        for name in config["data"]:
            if name == "APP_DATADIR":  # faust's own variable
                continue
            field = name.removeprefix(spec.prefix).lower()
            assert name.startswith(spec.prefix) and field in cls.model_fields, name


@pytest.mark.skipif(
    not (shutil.which("kustomize") or shutil.which("kubectl")),
    reason="neither kustomize nor kubectl installed",
)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_python_renderer_agrees_with_kustomize(rendered, overlay: str) -> None:  # type: ignore[no-untyped-def]
    tool = shutil.which("kustomize")
    command = [tool, "build"] if tool else [shutil.which("kubectl"), "kustomize"]
    out = subprocess.run(
        [*command, str(K8S / "overlays" / overlay)],  # type: ignore[list-item]
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    theirs = {key(d): d for d in yaml.safe_load_all(out) if d}
    ours = {key(d): d for d in rendered[overlay]}
    assert set(ours) == set(theirs)
    for k in ours:
        assert ours[k] == theirs[k], k


#: What each overlay expects the out-of-git Secret to hold, beyond the ConfigMap.
_DATABASE_AND_BROKER = {
    "MONGO_URL": "mongodb://svc:from-the-secret@mongodb-svc:27017/?replicaSet=rs0&tls=true",
    "KAFKA_SASL_PASSWORD": "from-the-secret",
}
#: What each service's Secret holds in production (the ConfigMap holds no credentials).
SECRET_KEYS = {
    "matcher": _DATABASE_AND_BROKER,
    "sessions": _DATABASE_AND_BROKER,
    "notifications": {**_DATABASE_AND_BROKER, "WEBHOOK_SECRET": "from-the-secret"},
}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_configmaps_pass_the_settings_checks_of_their_profile(
    rendered, overlay, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The production profile refuses insecure values at start-up; find out here instead."""
    import importlib
    import os

    for spec in k8s_manifests.SERVICES:
        module = importlib.import_module(f"services.{spec.name}.settings")
        cls = next(
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
        )
        for name in list(os.environ):
            if name.startswith(spec.prefix):
                monkeypatch.delenv(name)
        config = next(
            d
            for d in rendered[overlay]
            if d["kind"] == "ConfigMap" and d["metadata"]["name"] == f"{spec.name}-config"
        )
        for name, value in config["data"].items():
            monkeypatch.setenv(name, value)
        for name, value in SECRET_KEYS.get(spec.name, {}).items():
            monkeypatch.setenv(f"{spec.prefix}{name}", value)
        monkeypatch.setenv("MENTORING_PSEUDONYM_KEY", "from-the-secret")
        settings = cls()
        expected = "production" if overlay == "prod" else "development"
        assert settings.profile == expected, spec.name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_consoles_config_passes_its_settings_checks(rendered, overlay, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The console refuses insecure production settings at start-up (the dev issuer, no
    OIDC client, plain-HTTP cookies); its ConfigMap plus the Secret's keys must pass."""
    import os

    from services.console.settings import ConsoleSettings

    for name in list(os.environ):
        if name.startswith("CONSOLE_"):
            monkeypatch.delenv(name)
    config = next(
        d
        for d in rendered[overlay]
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "console-config"
    )
    for name, value in config["data"].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CONSOLE_SESSION_SECRET", "from-the-secret")
    monkeypatch.setenv("CONSOLE_OIDC_CLIENT_SECRET", "from-the-secret")
    settings = ConsoleSettings()
    assert settings.profile == ("production" if overlay == "prod" else "development")
    assert settings.oidc_sign_in and not settings.dev_sign_in
    assert set(settings.api_urls.values()) == {f"http://{s.name}-api" for s in SERVICES}


def test_the_console_may_reach_each_api_and_each_api_admits_it(rendered) -> None:  # type: ignore[no-untyped-def]
    docs = {(d["kind"], d["metadata"]["name"]): d for d in rendered["prod"]}
    egress = docs[("NetworkPolicy", "console-api-egress")]["spec"]["egress"]
    console = {"app.kubernetes.io/name": "console", "app.kubernetes.io/component": "api"}
    for spec in SERVICES:
        api = {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/component": "api"}
        assert {
            "to": [{"podSelector": {"matchLabels": api}}],
            "ports": [{"protocol": "TCP", "port": spec.api_port}],
        } in egress, spec.name
        admitted = docs[("NetworkPolicy", f"{spec.name}-api-ingress")]["spec"]["ingress"][0]
        assert {"podSelector": {"matchLabels": console}} in admitted["from"], spec.name
    [rule] = docs[("Ingress", "console")]["spec"]["rules"]
    assert rule["http"]["paths"][0]["path"] == "/"
