"""The published event contract: envelope, registry, golden samples, CloudEvents conformance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cloudevents.core.formats.json import JSONFormat
from pydantic import ValidationError

from shared.contracts import TOPICS, ContractViolation, Envelope, parse_event, topic_for
from shared.contracts.matching import ProgramOpened
from shared.contracts.registry import EVENT_MODELS
from tests.contracts.samples import golden_path, sample_envelope

MODELS = sorted(EVENT_MODELS.values(), key=lambda m: (m.event_type, m.version))
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: f"{m.event_type}.v{m.version}")
def test_every_event_version_has_a_golden_sample_that_round_trips(model) -> None:  # type: ignore[no-untyped-def]
    path = golden_path(model)
    assert path.exists(), "no golden sample: run python -m tests.contracts.samples --write"
    raw = path.read_bytes()
    parsed = parse_event(topic_for(model).name, raw)
    assert isinstance(parsed.data, model)
    assert json.loads(parsed.envelope.model_dump_json()) == json.loads(raw)
    assert parsed.data.model_dump(mode="json") == parsed.envelope.data


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.event_type)
def test_wire_format_is_a_valid_cloudevent(model) -> None:  # type: ignore[no-untyped-def]
    envelope = sample_envelope(model)
    event = JSONFormat().read(None, envelope.to_bytes())
    assert event.get_id() == envelope.id
    assert event.get_type() == model.event_type
    assert event.get_source() == envelope.source
    assert event.get_subject() == envelope.subject
    assert event.get_specversion() == "1.0"
    assert event.get_dataschema() == model.schema_uri()
    assert event.get_data() == envelope.data


def test_every_event_type_is_registered_on_exactly_one_topic() -> None:
    seen: dict[str, str] = {}
    for topic in TOPICS.values():
        for model in topic.events:
            assert model.event_type not in seen, f"{model.event_type} on two topics"
            seen[model.event_type] = topic.name
    assert len(seen) == len(EVENT_MODELS)


def test_topic_names_are_versioned_and_have_a_dead_letter_twin() -> None:
    for name, topic in TOPICS.items():
        assert name.rsplit(".", 1)[-1].startswith("v"), name
        assert topic.dlq == f"{name}.dlq"


def test_readme_lists_every_topic() -> None:
    text = README.read_text()
    missing = [name for name in TOPICS if f"`{name}`" not in text]
    assert not missing, f"README topics table lacks {missing}"


def test_envelope_is_frozen_and_closed_to_unknown_fields() -> None:
    envelope = sample_envelope(ProgramOpened)
    with pytest.raises(ValidationError):
        envelope.id = "other"  # type: ignore[misc]
    body = json.loads(envelope.to_bytes())
    with pytest.raises(ValidationError):
        Envelope.model_validate({**body, "unexpected": 1})
    with pytest.raises(ValidationError):
        Envelope.model_validate({**body, "time": "2027-01-04T09:30:00"})  # naive time


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b"", "empty_message"),
        (lambda b: b"{not json", "invalid_envelope"),
        (
            lambda b: _edit(b, dataschema="urn:mentoring:event:mentoring.program.opened:v9"),
            "unknown_schema",
        ),
        (lambda b: _edit(b, type="mentoring.program.closed"), "type_mismatch"),
        (lambda b: _edit(b, data={"program_id": "p", "kind": "chess_club"}), "invalid_data"),
    ],
)
def test_messages_no_contract_accepts_are_rejected_with_a_reason(mutate, reason) -> None:  # type: ignore[no-untyped-def]
    good = sample_envelope(ProgramOpened).to_bytes()
    with pytest.raises(ContractViolation) as caught:
        parse_event("mentoring.programs.v1", mutate(good))
    assert caught.value.reason == reason


def test_an_event_on_the_wrong_topic_is_rejected() -> None:
    good = sample_envelope(ProgramOpened).to_bytes()
    with pytest.raises(ContractViolation) as caught:
        parse_event("sessions.v1", good)
    assert caught.value.reason == "wrong_topic"


def _edit(raw: bytes, **changes: object) -> bytes:
    return json.dumps({**json.loads(raw), **changes}).encode()


def test_a_field_added_by_a_newer_producer_is_ignored_not_dead_lettered() -> None:
    body = json.loads(sample_envelope(ProgramOpened).to_bytes())
    body["data"]["added_in_a_later_release"] = {"anything": 1}
    parsed = parse_event("mentoring.programs.v1", json.dumps(body).encode())
    assert isinstance(parsed.data, ProgramOpened)
