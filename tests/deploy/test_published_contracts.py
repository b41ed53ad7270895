"""The published contracts (AsyncAPI, JSON Schemas, OpenAPI) are exactly what the code says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator

from shared.contracts.registry import EVENT_MODELS, topic_for
from tests.contracts.samples import golden_path, sample_envelope
from tools import contracts
from tools.asyncapi import message_id
from tools.json_schemas import schema_file_name

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_SCHEMA = ROOT / "deploy" / "vendor" / "asyncapi-3.0.0.schema.json"
MODELS = sorted(EVENT_MODELS.values(), key=lambda m: (m.event_type, m.version))


@pytest.fixture(scope="module")
def generated() -> list[tuple[Path, str]]:
    return list(contracts.generated_files())


def _drift_message(problems: list[str]) -> str:
    listing = "\n  ".join(problems)
    return (
        "published files drifted from the code; regenerate with\n\n"
        f"    {contracts.REGENERATE}\n\n  {listing}"
    )


def test_asyncapi_and_event_schemas_match_the_contracts(generated) -> None:  # type: ignore[no-untyped-def]
    problems = [p for p in contracts.drifted(generated) if not p.startswith("docs/openapi/")]
    assert not problems, _drift_message(problems)


def test_openapi_documents_match_the_apps(generated) -> None:  # type: ignore[no-untyped-def]
    """The APIs change often: when this fails, regenerate (one command) and commit."""
    problems = [p for p in contracts.drifted(generated) if p.startswith("docs/openapi/")]
    assert not problems, _drift_message(problems)


def test_asyncapi_document_is_valid_asyncapi_3() -> None:
    document = yaml.safe_load(contracts.ASYNCAPI_PATH.read_text())
    validator = Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:10])


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_asyncapi_reference_resolves() -> None:
    document = yaml.safe_load(contracts.ASYNCAPI_PATH.read_text())
    broken = []
    for ref in set(_refs(document)):
        try:
            _resolve(document, ref)
        except (KeyError, IndexError, TypeError):
            broken.append(ref)
    assert not broken, broken


def test_asyncapi_channels_carry_the_registry_partitions_and_every_event() -> None:
    document = yaml.safe_load(contracts.ASYNCAPI_PATH.read_text())
    channels = {c["address"]: c for c in document["channels"].values()}
    for model in MODELS:
        topic = topic_for(model)
        kafka = channels[topic.name]["bindings"]["kafka"]
        assert kafka["partitions"] == topic.partitions
        assert kafka["topicConfiguration"]["retention.ms"] == topic.retention_ms
        assert message_id(model) in channels[topic.name]["messages"]
        assert topic.dlq in channels


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.event_type}.v{m.version}")
def test_samples_validate_against_the_published_json_schemas(model) -> None:  # type: ignore[no-untyped-def]
    """The generated sample and (where one is checked in yet) the golden file."""
    envelope_schema = json.loads((contracts.SCHEMAS_DIR / "envelope.json").read_text())
    data_schema = json.loads((contracts.SCHEMAS_DIR / schema_file_name(model)).read_text())
    Draft202012Validator.check_schema(data_schema)
    samples = [json.loads(sample_envelope(model).to_bytes())]
    if golden_path(model).exists():
        samples.append(json.loads(golden_path(model).read_text()))
    for envelope in samples:
        assert data_schema["$id"] == envelope["dataschema"]
        Draft202012Validator(envelope_schema).validate(envelope)
        Draft202012Validator(data_schema).validate(envelope["data"])
