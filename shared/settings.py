"""Settings base: twelve-factor, one pydantic-settings class per service with its env prefix."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.privacy import DEVELOPMENT_KEY, KEY_VARIABLE

DEV_ISSUER = "mentoring-dev-issuer"
DEV_ISSUER_DIR = Path(__file__).resolve().parent.parent / ".local" / "dev-issuer"


PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "password", "secret", "placeholder", "example"}
)


def _placeholder(secret: SecretStr) -> bool:
    value = secret.get_secret_value().strip().lower()
    return value in PLACEHOLDER_SECRETS or value.startswith(("replace", "todo", "xxx"))


class Profile(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """What every service needs; subclasses set ``env_prefix`` (``MATCHER_``, ...)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    profile: Profile = Profile.DEVELOPMENT
    log_level: str = "INFO"

    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    kafka_client_id: str = ""
    kafka_consumer_group: str = ""
    kafka_session_timeout_s: float = Field(default=10.0, gt=0)
    kafka_rebalance_timeout_s: float = Field(default=6.0, gt=0)
    kafka_heartbeat_interval_s: float = Field(default=1.0, gt=0)
    kafka_provision_topics: bool = True
    kafka_replication_factor: int = Field(default=1, ge=1, le=5)
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = SecretStr("")
    kafka_ssl_cafile: str = Field(default="", description="CA bundle; empty = system CAs.")

    mongo_url: SecretStr = Field(
        default=SecretStr("mongodb://127.0.0.1:37017"),
        description="Connection string; may hold credentials, so it is never logged.",
    )
    mongo_database: str = ""
    mongo_timeout_ms: int = Field(default=5000, gt=0)

    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=1, le=65535)
    http_keep_alive_s: int = Field(
        default=75,
        ge=1,
        description=(
            "How long an idle client connection stays open. Longer than clients' and load"
            " balancers' own idle limits (httpx 5 s, AWS ALB 60 s): a server closing first"
            " races the next request sent on that connection, which then fails unanswered."
        ),
    )
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    health_loop_max_age_s: float = Field(
        default=5.0, gt=0, description="Liveness fails once the event loop is stalled this long."
    )
    health_tick_slack_s: float = Field(
        default=60.0, gt=0, description="A timer is stale after two intervals and this."
    )
    debug_loop_stall_s: float = Field(
        default=0.0, ge=0, description="Tests only: POST /debug/stall-loop blocks the loop."
    )

    auth_issuer: str = "mentoring-dev-issuer"
    auth_audience: str = "mentoring-platform"
    auth_jwks_url: str = Field(
        default="",
        description="The issuer's JWKS URL; empty in development means the local dev issuer.",
    )
    auth_roles_claim: str = "roles"

    outbox_poll_interval_s: float = Field(
        default=1.0,
        gt=0,
        description="The relay's safety net: work that stages events nudges it at once; the "
        "poll finds what another process staged without relaying it (each pass reads every "
        "outbox collection, so a short poll is a steady load on the database).",
    )
    outbox_relay_enabled: bool = Field(
        default=True, description="Run an outbox relay in this process (off: others relay)."
    )
    consumer_batch_size: int = Field(default=500, ge=1, le=10_000)
    consumer_batch_window_s: float = Field(default=0.1, gt=0)

    otel_exporter: Literal["none", "otlp", "console", "jsonfile"] = Field(
        default="none",
        description="Where spans go; none: tracing off. jsonfile is for tests (one JSON a line).",
    )
    otel_exporter_otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"
    otel_jsonfile_path: str = ""

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> ServiceSettings:
        if self.profile is not Profile.PRODUCTION:
            return self
        problems = []
        if self.kafka_security_protocol != "SASL_SSL":
            problems.append("KAFKA_SECURITY_PROTOCOL must be SASL_SSL (SCRAM over TLS)")
        if not self.kafka_sasl_username or _placeholder(self.kafka_sasl_password):
            problems.append("KAFKA_SASL_USERNAME/PASSWORD must be set to real credentials")
        mongo = urlsplit(self.mongo_url.get_secret_value())
        if not mongo.username or _placeholder(SecretStr(mongo.password or "")):
            problems.append("MONGO_URL must carry real credentials (user:password@)")
        if "tls=true" not in mongo.query.lower() and mongo.scheme != "mongodb+srv":
            problems.append("MONGO_URL must use TLS (tls=true, or mongodb+srv)")
        if not self.auth_jwks_url.startswith("https://"):
            problems.append("AUTH_JWKS_URL must be an https:// URL of the real issuer")
        if os.environ.get(KEY_VARIABLE, DEVELOPMENT_KEY) == DEVELOPMENT_KEY:
            problems.append(f"{KEY_VARIABLE} must be set (the key of erased people's pseudonyms)")
        if self.auth_issuer == DEV_ISSUER:
            problems.append("the development token issuer is refused in production")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def jwks_url(self) -> str:
        return self.auth_jwks_url or f"file://{DEV_ISSUER_DIR / 'jwks.json'}"

    @property
    def consumer_group(self) -> str:
        return self.kafka_consumer_group or f"{self.service_name}-worker"

    @property
    def database_name(self) -> str:
        return self.mongo_database or self.service_name

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of everything this service publishes."""
        return f"/services/{self.service_name}"
