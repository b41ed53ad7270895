"""The production profile refuses to start with anything insecure or left as a placeholder."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.kafka.security import kafka_python_options
from shared.logging import redact_secrets
from shared.settings import ServiceSettings

SECURE = {
    "profile": "production",
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_username": "matcher",
    "kafka_sasl_password": "s3cr3t-from-the-vault",
    "mongo_url": "mongodb://matcher:pa55-from-vault@mongo-0:27017/?replicaSet=rs0&tls=true",
    "auth_issuer": "https://login.example.com",
    "auth_jwks_url": "https://login.example.com/.well-known/jwks.json",
}


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORING_PSEUDONYM_KEY", "from-the-vault-too")


def test_a_fully_secured_production_configuration_is_accepted() -> None:
    settings = ServiceSettings(**SECURE)
    assert kafka_python_options(settings)["sasl_mechanism"] == "SCRAM-SHA-512"
    assert "pa55" not in repr(settings), "secrets must not show in reprs or logs"


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"kafka_security_protocol": "PLAINTEXT"}, "SASL_SSL"),
        ({"kafka_sasl_password": "changeme"}, "KAFKA_SASL"),
        ({"mongo_url": "mongodb://mongo-0:27017/?tls=true"}, "credentials"),
        ({"mongo_url": "mongodb://u:password@mongo-0:27017/?tls=true"}, "credentials"),
        ({"mongo_url": "mongodb://u:v4ult@mongo-0:27017/"}, "TLS"),
        ({"auth_jwks_url": ""}, "AUTH_JWKS_URL"),
        ({"auth_issuer": "mentoring-dev-issuer"}, "development token issuer"),
    ],
)
def test_production_refuses_insecure_or_placeholder_settings(change, complaint) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=complaint):
        ServiceSettings(**{**SECURE, **change})


def test_production_refuses_the_development_pseudonym_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MENTORING_PSEUDONYM_KEY")
    with pytest.raises(ValidationError, match="MENTORING_PSEUDONYM_KEY"):
        ServiceSettings(**SECURE)


def test_development_keeps_the_easy_local_defaults() -> None:
    settings = ServiceSettings()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert kafka_python_options(settings) == {"security_protocol": "PLAINTEXT"}


def test_log_lines_never_show_tokens_or_passwords() -> None:
    event = redact_secrets(
        None,
        "info",
        {"event": "call", "password": "hunter2", "headers": "Authorization: Bearer abc.def.ghi"},
    )
    assert event["password"] == "[redacted]"
    assert "abc.def.ghi" not in event["headers"]
