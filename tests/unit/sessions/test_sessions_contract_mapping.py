"""Every domain event maps to a registered ``sessions.v1`` contract, ids only, keyed by
relationship, with a deterministic envelope id."""

from __future__ import annotations

from services.sessions.domain.meetings import Meeting
from services.sessions.domain.relationships import Relationship
from services.sessions.mapping import from_doc, to_doc
from services.sessions.outgoing import event_id, to_envelope
from shared.contracts.registry import SESSIONS, parse_event

from .builders import make_meeting, make_pair
from .test_sessions_event_contracts import SECRET, _all_events


def test_every_domain_event_becomes_a_valid_sessions_v1_event_without_free_text() -> None:
    for event in _all_events():
        envelope = to_envelope(event, source="/test", member_ids=("p-mentor", "p-mentee"))
        parsed = parse_event(SESSIONS.name, envelope.to_bytes())
        assert parsed.data.event_type.startswith("sessions."), event.type
        assert envelope.subject == event.data["relationship_id"]
        assert SECRET not in envelope.model_dump_json(), event.type


def test_the_same_fact_gets_the_same_envelope_id() -> None:
    events = _all_events()
    assert [event_id(e) for e in events] == [event_id(e) for e in events]
    assert len({event_id(e) for e in events}) == len(events)


def test_domain_objects_round_trip_through_documents() -> None:
    rel = make_pair()
    meeting = make_meeting(rel)
    assert from_doc(Relationship, to_doc(rel)) == rel
    assert from_doc(Meeting, to_doc(meeting)) == meeting
