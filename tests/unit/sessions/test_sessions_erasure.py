"""The pseudonymisation of one stored document (no database needed)."""

from __future__ import annotations

import json

from services.sessions.erasure import _redacted, pseudonym, pseudonymised
from services.sessions.store import FEEDBACK, MEETINGS, RELATIONSHIPS


def test_every_exact_occurrence_is_swapped_and_lookalikes_are_kept() -> None:
    alias = pseudonym("p-a")
    doc = {
        "_id": "m-1",
        "participant_ids": ["p-a", "p-ab"],
        "organiser_id": "p-a",
        "agenda": [{"id": "i", "author_id": "p-a", "text": "mentions p-a in prose"}],
        "by_person": {"p-a": 3},
        "pending_events": [
            {"id": "e", "key": "m-1", "value": json.dumps({"member_ids": ["p-a", "p-ab"]})}
        ],
    }
    new = pseudonymised(doc, "p-a", alias)
    assert new["participant_ids"] == [alias, "p-ab"]
    assert new["organiser_id"] == alias and new["by_person"] == {alias: 3}
    assert json.loads(new["pending_events"][0]["value"])["member_ids"] == [alias, "p-ab"]
    assert new["agenda"][0]["author_id"] == alias
    assert pseudonym("p-a") == alias != pseudonym("p-ab")  # stable, and per person


def test_their_own_text_is_removed_before_the_swap() -> None:
    meeting = {
        "shared_notes": [{"author_id": "p-a", "text": "x"}, {"author_id": "p-b", "text": "y"}],
        "private_notes": [{"author_id": "p-a", "text": "secret"}],
    }
    redacted = _redacted(MEETINGS, meeting, "p-a")
    assert redacted["shared_notes"] == [{"author_id": "p-b", "text": "y"}]
    assert redacted["private_notes"] == []
    assert _redacted(FEEDBACK, {"comment": "mine", "rating": 4}, "p-a") == {
        "comment": "",
        "rating": 4,
    }
    ended = _redacted(RELATIONSHIPS, {"ended_by": "p-a", "end_comment": "why"}, "p-a")
    assert ended["end_comment"] is None
