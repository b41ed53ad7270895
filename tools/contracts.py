"""Publish the contracts: AsyncAPI 3.0, one JSON Schema per event version, OpenAPI per service.

Everything here is generated from the code (the pydantic event models, the topic registry,
each service's FastAPI app), so the published files cannot say something the code does not:

    python -m tools.contracts --write   # regenerate docs/asyncapi.yaml, schemas/, openapi/
    python -m tools.contracts --check   # exit 1 and list the files that drifted

``tests/deploy/test_published_contracts.py`` runs the check.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import inspect
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shared.contracts.envelope import CONTENT_TYPE, Envelope, EventData
from shared.contracts.registry import TOPICS, Topic
from shared.kafka.admin import DLQ_PARTITIONS, DLQ_RETENTION_MS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ASYNCAPI_PATH = DOCS / "asyncapi.yaml"
SCHEMAS_DIR = DOCS / "schemas"
OPENAPI_DIR = DOCS / "openapi"
REGENERATE = "python -m tools.contracts --write"

SERVICES = ("matcher", "sessions", "notifications")
#: Topics the platform receives from outside (the HR system publishes them).
INBOUND_TOPICS = frozenset({"hr.people.v1"})
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ENVELOPE_SCHEMA_ID = "urn:mentoring:envelope:cloudevents-1.0"
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


# ---- JSON Schema -------------------------------------------------------------------


def event_models() -> list[tuple[Topic, type[EventData]]]:
    return [(topic, model) for topic in TOPICS.values() for model in topic.events]


def schema_file_name(model: type[EventData]) -> str:
    return f"{model.event_type}.v{model.version}.json"


def _description(model: type[Any]) -> str:
    doc = model.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if doc else ""


def event_json_schema(topic: Topic, model: type[EventData]) -> dict[str, Any]:
    """The schema of ``data`` for one event version; ``$id`` is its ``dataschema`` URI."""
    body = model.model_json_schema(mode="validation")
    description = _description(model) or f"Payload of `{model.event_type}` events."
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
        "description": _description(Envelope),
        **{k: v for k, v in body.items() if k not in {"title", "description"}},
    }


# ---- AsyncAPI 3.0 ------------------------------------------------------------------


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
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for topic in TOPICS.values():
        cid = _ident(topic.name)
        refs = {
            message_id(m): {"$ref": f"#/components/messages/{message_id(m)}"} for m in topic.events
        }
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
    messages["dead_letter"] = {
        "name": "dead_letter",
        "title": "Dead-lettered message",
        "summary": "The original message as read, with dlq.* headers added.",
        "headers": {
            "type": "object",
            "properties": {k: {"type": "string", "description": v} for k, v in DLQ_HEADERS.items()},
        },
        "payload": {"description": "The original value, unchanged (possibly not JSON)."},
    }
    return {
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
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": _asyncapi_schemas()},
    }


# ---- OpenAPI -----------------------------------------------------------------------


def openapi_document(service: str) -> dict[str, Any]:
    """The service's OpenAPI, from its app factory (nothing is connected or started)."""
    module = importlib.import_module(f"services.{service}.api")
    return module.create_app().openapi()


# ---- files -------------------------------------------------------------------------


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _yaml(document: dict[str, Any]) -> str:
    import yaml  # dev dependency (pyyaml)

    header = f"# Generated by `{REGENERATE}` from shared/contracts; do not edit.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def generated_files() -> Iterator[tuple[Path, str]]:
    """Every published file and its content, as the code defines them now."""
    yield ASYNCAPI_PATH, _yaml(asyncapi_document())
    yield SCHEMAS_DIR / "envelope.json", _json(envelope_json_schema())
    for topic, model in event_models():
        yield SCHEMAS_DIR / schema_file_name(model), _json(event_json_schema(topic, model))
    for service in SERVICES:
        yield OPENAPI_DIR / f"{service}.json", _json(openapi_document(service))


def _managed(directory: Path) -> set[Path]:
    return set(directory.glob("*.json")) if directory.exists() else set()


def drifted(files: list[tuple[Path, str]] | None = None) -> list[str]:
    """Relative paths that differ from the generated content, are missing, or are stale."""
    files = files if files is not None else list(generated_files())
    wanted = {path for path, _ in files}
    problems = [
        str(path.relative_to(ROOT))
        for path, text in files
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    stale = (_managed(SCHEMAS_DIR) | _managed(OPENAPI_DIR)) - wanted
    problems += [f"{path.relative_to(ROOT)} (no longer generated)" for path in sorted(stale)]
    return problems


def write() -> list[str]:
    files = list(generated_files())
    changed = drifted(files)
    wanted = {path for path, _ in files}
    for path in (_managed(SCHEMAS_DIR) | _managed(OPENAPI_DIR)) - wanted:
        path.unlink()
    for path, text in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the published files")
    mode.add_argument("--check", action="store_true", help="exit 1 if a published file drifted")
    args = parser.parse_args(argv)
    if args.write:
        changed = write()
        print("\n".join(f"wrote {p}" for p in changed) or "contracts up to date")
        return 0
    problems = drifted()
    if problems:
        print("published contracts drifted; run:", REGENERATE, file=sys.stderr)
        print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
        return 1
    print("contracts up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
