"""Pseudonymisation for erasure: exact ids only, everywhere in a document, also inside
the events staged on it, and never a substring of another id."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from services.notifications.erasure import pseudonym, pseudonymised, scrub

AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_every_exact_occurrence_becomes_the_pseudonym_and_nothing_else_changes() -> None:
    doc = {
        "_id": "ntf1:abc:email",
        "recipient_id": "p-1",
        "extra": {"member_ids": ["p-1", "p-10"], "organiser_id": "p-1", "time_zone": "UTC"},
        "payload": {"counterpart_ids": ["p-1"], "note": "p-1 said hi"},
        "created_at": AT,
        "attempt": 2,
    }
    alias = pseudonym("p-1")
    new = pseudonymised(doc, "p-1", alias)
    assert new["recipient_id"] == alias
    assert new["extra"] == {
        "member_ids": [alias, "p-10"],
        "organiser_id": alias,
        "time_zone": "UTC",
    }
    assert new["payload"]["counterpart_ids"] == [alias]
    assert new["payload"]["note"] == "p-1 said hi"  # free text is not an id
    assert new["created_at"] is AT and new["attempt"] == 2 and new["_id"] == doc["_id"]
    assert doc["recipient_id"] == "p-1"  # the input is left alone


def test_staged_events_are_rewritten_as_exact_json_strings() -> None:
    value = json.dumps({"data": {"recipient_id": "p-1", "subject_id": "p-10"}})
    doc = {"_id": "d", "recipient_id": "p-1", "pending_events": [{"id": "e", "value": value}]}
    new = pseudonymised(doc, "p-1", "erased-x")
    assert json.loads(new["pending_events"][0]["value"])["data"] == {
        "recipient_id": "erased-x",
        "subject_id": "p-10",
    }


def test_pseudonyms_are_stable_distinct_and_do_not_contain_the_id() -> None:
    assert pseudonym("p-1") == pseudonym("p-1") != pseudonym("p-2")
    assert "p-1" not in pseudonym("p-1")
    assert scrub({"a": "p-1", "b": "p-2"}, {"p-1", "p-2"}) == {
        "a": pseudonym("p-1"),
        "b": pseudonym("p-2"),
    }
    assert scrub({"a": "p-1"}, frozenset()) == {"a": "p-1"}
