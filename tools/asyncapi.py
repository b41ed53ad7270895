"""The AsyncAPI 3.0 document of every topic: channels, operations and messages, with the
payload schemas hoisted under ``components.schemas``. Generated from the topic registry
and the event models by ``tools.contracts``."""

from __future__ import annotations

import copy
from typing import Any

from shared.contracts.envelope import CONTENT_TYPE, Envelope, EventData
from shared.contracts.registry import TOPICS, Topic
from shared.kafka.admin import DLQ_PARTITIONS, DLQ_RETENTION_MS
from tools.json_schemas import description_of as _description
from tools.json_schemas import event_models, schema_file_name

REGENERATE = "python -m tools.contracts --write"
#: Topics the platform receives from outside (the HR system publishes them).
INBOUND_TOPICS = frozenset({"hr.people.v1"})
DLQ_HEADERS = {
    "dlq.origin.topic": "Topic the message was read from.",
    "dlq.origin.partition": "Partition it was read from.",
    "dlq.origin.offset": "Offset it was read at.",
    "dlq.consumer.group": "Consumer group that gave up on it.",
    "dlq.error.reason": "empty_message, invalid_envelope, unknown_schema, type_mismatch, "
    "wrong_topic, invalid_data or handler_error.",
    "dlq.error.detail": "The error, truncated to 2,000 characters.",
    "dlq.failed_at": "When it was dead-lettered (ISO 8601).",
}


def _ident(name: str) -> str:
    """AsyncAPI keys allow ``[A-Za-z0-9_-]``: ``a.b.v1`` becomes ``a_b_v1``."""
    return name.replace(".", "_")


def message_id(model: type[EventData]) -> str:
    return _ident(f"{model.event_type}.v{model.version}")


def _rewrite_refs(node: Any, mapping: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (mapping[v] if k == "$ref" and isinstance(v, str) else _rewrite_refs(v, mapping))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(v, mapping) for v in node]
    return node


def _asyncapi_schemas() -> dict[str, Any]:
    """Payload schemas under ``components.schemas``; nested ``$defs`` are hoisted there too
    (qualified by the event when two events define a same-named type differently)."""
    schemas: dict[str, Any] = {}
    bodies: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    shared_defs: dict[str, list[Any]] = {}
    for _topic, model in event_models():
        body = model.model_json_schema(mode="validation")
        defs = body.pop("$defs", {})
        bodies.append((message_id(model), body, defs))
        for name, definition in defs.items():
            variants = shared_defs.setdefault(name, [])
            if definition not in variants:
                variants.append(definition)
    for mid, body, defs in bodies:
        mapping: dict[str, str] = {}
        for name in defs:
            key = name if len(shared_defs[name]) == 1 else f"{mid}.{name}"
            mapping[f"#/$defs/{name}"] = f"#/components/schemas/{key}"
        for name, definition in defs.items():
            key = mapping[f"#/$defs/{name}"].rsplit("/", 1)[-1]
            schemas[key] = _rewrite_refs(definition, mapping)
        schemas[f"{mid}.data"] = _rewrite_refs(body, mapping)
    return dict(sorted(schemas.items()))


def _envelope_payload(model: type[EventData]) -> dict[str, Any]:
    envelope = copy.deepcopy(Envelope.model_json_schema(mode="validation"))
    envelope.pop("title", None)
    envelope.pop("description", None)
    props = envelope["properties"]
    props["type"] = {**props["type"], "const": model.event_type}
    props["dataschema"] = {**props["dataschema"], "const": model.schema_uri()}
    props["data"] = {"$ref": f"#/components/schemas/{message_id(model)}.data"}
    return envelope


def _message(topic: Topic, model: type[EventData]) -> dict[str, Any]:
    summary = _description(model).split("\n\n")[0].replace("\n", " ")
    return {
        "name": model.event_type,
        "title": f"{model.event_type} v{model.version}",
        "summary": summary or f"`{model.event_type}` on `{topic.name}`.",
        "contentType": CONTENT_TYPE,
        "headers": {
            "type": "object",
            "properties": {"content-type": {"type": "string", "const": CONTENT_TYPE}},
        },
        "payload": _envelope_payload(model),
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"The {topic.key} (envelope subject)."},
                "bindingVersion": "0.5.0",
            }
        },
        "externalDocs": {
            "description": "JSON Schema of data",
            "url": f"schemas/{schema_file_name(model)}",
        },
    }


def _channel(name: str, partitions: int, retention_ms: int, description: str) -> dict[str, Any]:
    return {
        "address": name,
        "description": description,
        "bindings": {
            "kafka": {
                "topic": name,
                "partitions": partitions,
                "topicConfiguration": {"retention.ms": retention_ms},
                "bindingVersion": "0.5.0",
            }
        },
    }


def asyncapi_document() -> dict[str, Any]:
    """The whole document: every topic and its dead-letter twin, with their messages."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS.values():
        _add_topic(topic, channels, operations, messages)
        _add_dead_letters(topic, channels, operations)
    messages["dead_letter"] = DEAD_LETTER_MESSAGE
    return {
        **DOCUMENT_HEADER,
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _asyncapi_schemas()},
    }


def _add_topic(
    topic: Topic, channels: dict[str, Any], operations: dict[str, Any], messages: dict[str, Any]
) -> None:
    cid = _ident(topic.name)
    refs = {message_id(m): {"$ref": f"#/components/messages/{message_id(m)}"} for m in topic.events}
    channels[cid] = {
        **_channel(
            topic.name,
            topic.partitions,
            topic.retention_ms,
            f"{topic.description} Message key: {topic.key}; one aggregate's events "
            "stay in order on one partition.",
        ),
        "messages": refs,
    }
    for model in topic.events:
        messages[message_id(model)] = _message(topic, model)
    inbound = topic.name in INBOUND_TOPICS
    operations[f"{'receive' if inbound else 'send'}_{cid}"] = {
        "action": "receive" if inbound else "send",
        "channel": {"$ref": f"#/channels/{cid}"},
        "summary": (
            f"The platform consumes {topic.name} (published by the HR system)."
            if inbound
            else f"The platform publishes {topic.name} (outbox, idempotent, acks=all)."
        ),
        "messages": [{"$ref": f"#/channels/{cid}/messages/{mid}"} for mid in refs],
    }


def _add_dead_letters(topic: Topic, channels: dict[str, Any], operations: dict[str, Any]) -> None:
    dlq_id = _ident(topic.dlq)
    channels[dlq_id] = {
        **_channel(
            topic.dlq,
            DLQ_PARTITIONS,
            DLQ_RETENTION_MS,
            f"Dead letters of {topic.name}: the original key, value and headers, plus "
            "dlq.* headers naming the origin and the error. The value may be any bytes.",
        ),
        "messages": {"dead_letter": {"$ref": "#/components/messages/dead_letter"}},
    }
    operations[f"send_{dlq_id}"] = {
        "action": "send",
        "channel": {"$ref": f"#/channels/{dlq_id}"},
        "summary": f"A consumer of {topic.name} dead-letters what it cannot apply.",
        "messages": [{"$ref": f"#/channels/{dlq_id}/messages/dead_letter"}],
    }


DEAD_LETTER_MESSAGE = {
    "name": "dead_letter",
    "title": "Dead-lettered message",
    "summary": "The original message as read, with dlq.* headers added.",
    "headers": {
        "type": "object",
        "properties": {k: {"type": "string", "description": v} for k, v in DLQ_HEADERS.items()},
    },
    "payload": {"description": "The original value, unchanged (possibly not JSON)."},
}
DOCUMENT_HEADER = {
    "asyncapi": "3.0.0",
    "info": {
        "title": "Mentoring platform events",
        "version": "1.0.0",
        "description": (
            "Events the mentoring platform publishes and consumes on Apache Kafka. "
            "Every message is a CloudEvents 1.0 envelope in structured JSON mode; the "
            "envelope `id` is the de-duplication key, the message key is the aggregate "
            "id (`subject`), and `dataschema` (`urn:mentoring:event:<type>:v<version>`) "
            "names the payload's JSON Schema (`docs/schemas/<type>.v<version>.json`). "
            f"Generated by `{REGENERATE}`; do not edit by hand."
        ),
        "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
    },
    "defaultContentType": CONTENT_TYPE,
    "servers": {
        "production": {
            "host": "kafka:9092",
            "protocol": "kafka",
            "description": "The deployment's Kafka bootstrap servers (replace the host).",
        }
    },
}
