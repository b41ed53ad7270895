"""An employee's view rules: the slot picker's query, slots in one's own zone,
meetings, journal entries and feedback from their forms."""

from __future__ import annotations

from datetime import date

import pytest

from services.console.employee_views import (
    feedback_payload,
    journal_payload,
    meeting_payload,
    my_zone,
    slot_label,
    slot_query,
)
from services.console.views import FormError

TODAY = date(2026, 12, 1)


def test_the_picker_looks_at_the_days_asked_from_the_first_day() -> None:
    query = slot_query({"first_day": "2026-12-02", "days": "7", "duration_minutes": "30"}, TODAY)
    assert query == {
        "first_day": "2026-12-02",
        "last_day": "2026-12-08",
        "duration_minutes": 30,
        "count": 6,
    }


def test_the_picker_starts_today_when_no_day_is_given() -> None:
    assert slot_query({}, TODAY)["first_day"] == "2026-12-01"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"first_day": "2026-11-30"}, "today or later"),
        ({"days": "15"}, "between 1 and 14"),
        ({"duration_minutes": "50"}, "one of 30, 45, 60"),
        ({"days": "a week"}, "whole numbers"),
    ],
)
def test_the_picker_refuses_what_it_cannot_ask(params: dict[str, str], says: str) -> None:
    with pytest.raises(FormError, match=says):
        slot_query(params, TODAY)


def test_a_slot_reads_in_the_readers_own_zone() -> None:
    starts, ends = "2026-12-02T00:00:00+00:00", "2026-12-02T00:45:00+00:00"
    assert slot_label(starts, ends, "Asia/Tokyo") == "Wed 2 Dec, 09:00–09:45 (Asia/Tokyo)"
    assert slot_label(starts, ends, "America/New_York") == (
        "Tue 1 Dec, 19:00–19:45 (America/New_York)"
    )


def test_a_members_zone_comes_from_the_relationship_and_defaults_to_utc() -> None:
    relationship = {"members": [{"person_id": "a", "time_zone": "Europe/London"}]}
    assert my_zone(relationship, "a") == "Europe/London"
    assert my_zone(relationship, "stranger") == "UTC"


def test_a_meeting_is_booked_at_the_picked_slot_for_its_length() -> None:
    body = meeting_payload({"slot": "2026-12-02T09:00:00+00:00", "duration_minutes": "45"})
    assert body == {"starts_at": "2026-12-02T09:00:00+00:00", "duration_minutes": 45}
    with pytest.raises(FormError, match="Choose a time"):
        meeting_payload({"duration_minutes": "45"})


def test_a_journal_entry_needs_words_and_a_kind_and_is_private_unless_shared() -> None:
    form = {"relationship_id": "rel-1", "kind": "small_win", "text": " Shipped it "}
    assert journal_payload(form) == {
        "relationship_id": "rel-1",
        "kind": "small_win",
        "text": "Shipped it",
        "shared": False,
    }
    assert journal_payload({**form, "shared": "on"})["shared"] is True
    with pytest.raises(FormError, match="write a few words"):
        journal_payload({**form, "text": "  "})
    with pytest.raises(FormError, match="Kind"):
        journal_payload({**form, "kind": "rant"})


def test_feedback_is_a_rating_from_one_to_five() -> None:
    assert feedback_payload({"rating": "4", "was_useful": "on", "comment": ""}) == {
        "rating": 4,
        "was_useful": True,
        "comment": "",
    }
    with pytest.raises(FormError, match="1 to 5"):
        feedback_payload({"rating": "6"})
