"""Kafka client security options from settings, for kafka-python and for faust/aiokafka."""

from __future__ import annotations

import ssl
from typing import Any

import faust

from shared.settings import ServiceSettings


def kafka_python_options(settings: ServiceSettings) -> dict[str, Any]:
    """Keyword options for kafka-python's producer and admin client."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if "SASL" in settings.kafka_security_protocol:
        options |= {
            "sasl_mechanism": settings.kafka_sasl_mechanism,
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
        }
    if "SSL" in settings.kafka_security_protocol and settings.kafka_ssl_cafile:
        options["ssl_cafile"] = settings.kafka_ssl_cafile
    return options


def faust_credentials(settings: ServiceSettings) -> Any:
    """``broker_credentials`` for faust (None on PLAINTEXT)."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)
    if protocol == "SSL":
        return faust.SSLCredentials(context)
    return faust.SASLCredentials(
        username=settings.kafka_sasl_username,
        password=settings.kafka_sasl_password.get_secret_value(),
        mechanism=settings.kafka_sasl_mechanism,
        ssl_context=context if protocol == "SASL_SSL" else None,
    )
