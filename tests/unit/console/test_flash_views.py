"""What the flash mentoring page sends: slots in the host's zone, refused fields named."""

from __future__ import annotations

import pytest

from services.console.flash_views import (
    booked_offer_id,
    my_flash_sessions,
    offer_payload,
    offered,
    offers_query,
    open_flash_programs,
    when,
    zone_to_offer_in,
)
from services.console.views import FormError

FORM = {
    "topic": "Kafka basics",
    "time_zone": "Europe/Paris",
    "minutes": "30",
    "start_1": "2030-01-07T09:00",
    "start_2": "",
    "start_3": "2030-07-08T09:00",
}


def test_each_start_filled_in_is_one_slot_with_the_offset_of_the_hosts_zone() -> None:
    body = offer_payload(FORM)
    assert body == {
        "topic": "Kafka basics",
        "time_zone": "Europe/Paris",
        "slots": [  # winter, then summer time in Paris
            {"starts_at": "2030-01-07T09:00:00+01:00", "minutes": 30},
            {"starts_at": "2030-07-08T09:00:00+02:00", "minutes": 30},
        ],
    }
    assert offered(body) == "Offered 2 slots on Kafka basics"


def test_a_note_is_sent_only_when_written() -> None:
    assert offer_payload({**FORM, "note": " Bring questions "})["note"] == "Bring questions"
    assert "note" not in offer_payload({**FORM, "note": "  "})


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"start_1": "", "start_3": ""}, "Start 1: choose when"),
        ({"start_3": "next monday"}, "Start 3: choose a date"),
        ({"start_1": "2030-01-07T09:00+01:00"}, "without an offset"),
        ({"time_zone": "Mars/Olympus"}, "not a time zone"),
        ({"minutes": "5"}, "Minutes: between 15 and 120"),
        ({"topic": " "}, "Topic: required"),
    ],
)
def test_an_offer_that_cannot_be_sent_names_the_field(change: dict[str, str], says: str) -> None:
    with pytest.raises(FormError, match=says):
        offer_payload({**FORM, **change})


def test_a_flash_relationship_names_the_offer_it_was_booked_on() -> None:
    assert booked_offer_id({"id": "flash-offer-abc-2.3"}) == "offer-abc-2"


def test_my_sessions_are_the_active_flash_relationships_only() -> None:
    relationships = [
        {"id": "flash-o-1.1", "kind": "flash", "status": "active"},
        {"id": "flash-o-2.1", "kind": "flash", "status": "ended"},
        {"id": "rel-1", "kind": "peer_coaching", "status": "active"},
    ]
    assert [r["id"] for r in my_flash_sessions(relationships)] == ["flash-o-1.1"]


def test_the_offer_form_starts_in_my_zone_as_sessions_knows_it_else_my_relationships() -> None:
    listed = [{"viewer_time_zone": "Asia/Tokyo"}]
    assert zone_to_offer_in(listed, ["Europe/Paris"]) == "Asia/Tokyo"
    assert zone_to_offer_in([], ["UTC", "Europe/Paris"]) == "Europe/Paris"
    assert zone_to_offer_in([], []) == "UTC"


def test_only_open_flash_programs_are_offered() -> None:
    programs = [
        {"id": "p-1", "kind": "flash", "status": "open"},
        {"id": "p-2", "kind": "flash", "status": "closed"},
        {"id": "p-3", "kind": "peer_group", "status": "open"},
    ]
    assert [p["id"] for p in open_flash_programs(programs)] == ["p-1"]


def test_a_slot_is_shown_on_its_day_and_time_in_the_viewers_zone() -> None:
    assert when({"viewer_starts_at": "2030-01-07T17:00:00+09:00"}) == ("Mon 07 Jan 2030", "17:00")


def test_the_open_slots_are_read_by_topic_and_day_a_page_at_a_time() -> None:
    query = offers_query({"topic": " Kafka ", "on": "2030-01-07"}, offset=20)
    assert query == {"limit": 20, "offset": 20, "topic": "Kafka", "on": "2030-01-07"}
    assert offers_query({"topic": "", "on": ""}, offset=0) == {"limit": 20, "offset": 0}
    with pytest.raises(FormError, match="Day: choose a date"):
        offers_query({"on": "monday"}, offset=0)
