"""One JSON Schema per event version (``docs/schemas/<type>.v<version>.json``) and the
envelope's, generated from the pydantic event models by ``tools.contracts``."""

from __future__ import annotations

import inspect
from typing import Any

from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import TOPICS, Topic

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_ID = "urn:mentoring:envelope:cloudevents-1.0"


def event_models() -> list[tuple[Topic, type[EventData]]]:
    return [(topic, model) for topic in TOPICS.values() for model in topic.events]


def schema_file_name(model: type[EventData]) -> str:
    return f"{model.event_type}.v{model.version}.json"


def description_of(model: type[Any]) -> str:
    doc = model.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else ""


def event_json_schema(topic: Topic, model: type[EventData]) -> dict[str, Any]:
    """The schema of ``data`` for one event version; ``$id`` is its ``dataschema`` URI."""
    body = model.model_json_schema(mode="validation")
    description = description_of(model) or f"Payload of `{model.event_type}` events."
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": model.schema_uri(),
        "title": f"{model.event_type} v{model.version}",
        "description": description,
        "x-event-type": model.event_type,
        "x-event-version": model.version,
        "x-topic": topic.name,
        "x-message-key": topic.key,
        **{k: v for k, v in body.items() if k not in {"title", "description"}},
    }


def envelope_json_schema() -> dict[str, Any]:
    body = Envelope.model_json_schema(mode="validation")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": ENVELOPE_SCHEMA_ID,
        "title": "Event envelope (CloudEvents 1.0, structured JSON mode)",
        "description": description_of(Envelope),
        **{k: v for k, v in body.items() if k not in {"title", "description"}},
    }
