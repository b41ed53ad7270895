"""docker-compose.yml and the Dockerfile, checked without a Docker engine."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SERVICES = ("matcher", "sessions", "notifications")


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_validates_against_the_compose_specification() -> None:
    """Offline: check-jsonschema ships the Compose specification schema."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_image_is_pinned(compose) -> None:  # type: ignore[no-untyped-def]
    for name, service in compose["services"].items():
        image = service["image"]
        tag = image.rsplit(":", 1)[-1] if ":" in image else ""
        assert tag and tag != "latest", f"{name}: {image}"


def test_each_service_runs_an_api_and_a_worker_from_the_one_image(compose) -> None:  # type: ignore[no-untyped-def]
    services = compose["services"]
    for svc in SERVICES:
        for role in ("api", "worker"):
            entry = services[f"{svc}-{role}"]
            assert entry["command"] == ["python", "-m", f"services.{svc}", role]
            assert entry["image"] == services["topics"]["image"]
            assert entry["read_only"] is True and "/tmp" in entry["tmpfs"]
            deps = entry["depends_on"]
            assert deps["kafka"]["condition"] == "service_healthy"
            assert deps["mongo"]["condition"] == "service_healthy"
            assert deps["topics"]["condition"] == "service_completed_successfully"
            assert "healthcheck" in entry
        assert "/readyz" in " ".join(services[f"{svc}-api"]["healthcheck"]["test"])
        # the worker's liveness (shared/health.py), not the metrics thread's mere answer
        assert "/healthz" in " ".join(services[f"{svc}-worker"]["healthcheck"]["test"])


def test_mongo_is_a_replica_set_and_kafka_runs_kraft(compose) -> None:  # type: ignore[no-untyped-def]
    mongo = compose["services"]["mongo"]
    assert "--replSet" in mongo["command"]
    assert "rs.initiate" in " ".join(mongo["healthcheck"]["test"])
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]


def test_compose_environment_names_are_settings_of_the_service(compose) -> None:  # type: ignore[no-untyped-def]
    for svc in SERVICES:
        module = importlib.import_module(f"services.{svc}.settings")
        cls = next(
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
        )
        prefix = f"{svc.upper()}_"
        for role in ("api", "worker"):
            for name in compose["services"][f"{svc}-{role}"]["environment"]:
                assert name.startswith(prefix), name
                assert name.removeprefix(prefix).lower() in cls.model_fields, name
        mongo_url = compose["services"][f"{svc}-api"]["environment"][f"{prefix}MONGO_URL"]
        assert "replicaSet=rs0" in mongo_url


def test_dockerfile_is_multi_stage_pinned_and_non_root() -> None:
    text = DOCKERFILE.read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base.group(1))
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and re.fullmatch(r"\d+(:\d+)?", users[-1]) and not users[-1].startswith("0")
    assert "--no-cache-dir" in text and "pip install --no-cache-dir ." in text
    assert "[local" not in text  # no local broker/database in the image


def test_dockerignore_keeps_the_context_small() -> None:
    lines = (ROOT / ".dockerignore").read_text().split()
    assert lines[lines.index("*")] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "shared", "services"}


# ---- the image installs only `dependencies`: the processes must not need an extra ----

IMPORT_WITHOUT = """
import importlib, sys
blocked = set(sys.argv[1].split(","))
class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"{name} is not installed in the image (only in an extra)")
sys.meta_path.insert(0, Blocker())
for module in sys.argv[2:]:
    importlib.import_module(module)
"""


def _runtime_closure(requirements: list[str]) -> set[str]:
    """Distributions the runtime dependencies pull in, transitively (extras not taken)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen or (req.marker and not req.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in metadata.requires(req.name) or []]
        except metadata.PackageNotFoundError:
            continue
    return seen


def test_every_process_imports_with_the_runtime_dependencies_only() -> None:
    """What `pip install .` puts in the image is enough for every API and worker."""
    import tomllib
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _runtime_closure(project["dependencies"])
    extras_only = {
        canonicalize_name(Requirement(r).name)
        for extra in project.get("optional-dependencies", {}).values()
        for r in extra
    } - runtime
    blocked = sorted(
        module
        for module, dists in metadata.packages_distributions().items()
        if dists and all(canonicalize_name(d) in extras_only for d in dists)
    )
    modules = [f"services.{svc}.{part}" for svc in SERVICES for part in ("api", "bootstrap")]
    modules.append("shared.worker")
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT, ",".join(blocked), *modules],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, (
        "a process imports a package that only an extra installs; move it to "
        "[project] dependencies in pyproject.toml:\n" + result.stderr[-1500:]
    )


def _interpolate_defaults(value: object) -> str:
    """``${VAR:-default}`` as Compose resolves it when VAR is unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def test_compose_environment_passes_the_settings_checks(compose, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    for svc in SERVICES:
        module = importlib.import_module(f"services.{svc}.settings")
        cls = next(
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
        )
        prefix = f"{svc.upper()}_"
        for role in ("api", "worker"):
            for name in list(os.environ):
                if name.startswith(prefix):
                    monkeypatch.delenv(name)
            for name, value in compose["services"][f"{svc}-{role}"]["environment"].items():
                monkeypatch.setenv(name, _interpolate_defaults(value))
            settings = cls()
            assert settings.http_host == "0.0.0.0"
            assert settings.kafka_bootstrap_servers == "kafka:9092"
