"""An employee's flash sessions page: open slots, offer, book, withdraw, cancel; and the
admin's flash program, which has no rounds."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.unit.console.answers import PROGRAM, RELATIONSHIP
from tests.unit.console.fake_apis import FakeApis, M, S, sign_in

FLASH = {**PROGRAM, "id": "prg-f", "name": "Flash Fridays", "kind": "flash"}
HERE = "/me/flash?program_id=prg-f"


def offer(oid: str, host: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": oid,
        "program_id": "prg-f",
        "host_id": host,
        "topic": "Kafka basics",
        "note": None,
        "starts_at": "2030-01-07T08:00:00+00:00",
        "ends_at": "2030-01-07T08:30:00+00:00",
        "minutes": 30,
        "time_zone": "Europe/Paris",
        "local_starts_at": "2030-01-07T09:00:00+01:00",
        "viewer_time_zone": "America/New_York",
        "viewer_starts_at": "2030-01-07T03:00:00-05:00",
        "status": "open",
        "booking": None,
        **changes,
    }


def the_page(apis: FakeApis, offers: list[Any], relationships: list[Any]) -> None:
    closed = {**FLASH, "id": "prg-x", "name": "Old flash", "status": "closed"}
    apis.page(f"GET {M}/programs", [FLASH, closed])
    apis.page(f"GET {S}/relationships", relationships)
    apis.answer(
        f"GET {S}/programs/prg-f/offers",
        {"items": offers, "total": 45, "limit": 20, "offset": 20},
    )


def test_open_slots_show_in_my_zone_with_book_on_others_and_withdraw_on_mine(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    the_page(apis, [offer("o-1", "m-tokyo"), offer("o-2", "s-ny", topic="Go")], [RELATIONSHIP])
    page = client.get("/me/flash", params={"topic": "kafka", "offset": "20"}).text
    assert "Old flash" not in page and "Flash Fridays" in page
    assert 'action="/me/flash/programs/prg-f/offers/o-1/book"' in page
    assert 'action="/me/flash/programs/prg-f/offers/o-2/withdraw"' in page
    assert "/offers/o-1/withdraw" not in page and "/offers/o-2/book" not in page
    assert "Time (America/New_York)" in page and "03:00" in page
    assert 'value="America/New_York"' in page  # my zone, as sessions holds it
    assert "21–40 of 45" in page and "offset=40" in page
    (read,) = [r for r in apis.sent if r.url.path == "/programs/prg-f/offers"]
    assert dict(read.url.params) == {"topic": "kafka", "limit": "20", "offset": "20"}


def test_offering_sends_one_slot_per_start_in_my_zone(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {S}/programs/prg-f/offers", [offer("o-1", "s-ny")], status=201)
    form = {"topic": "Kafka basics", "time_zone": "America/New_York", "minutes": "30"}
    form |= {"start_1": "2030-01-07T09:00", "start_2": "2030-01-08T09:00"}
    answer = client.post("/me/flash/programs/prg-f/offers", data=form, follow_redirects=False)
    assert answer.headers["location"] == f"{HERE}&notice=Offered+2+slots+on+Kafka+basics"
    (sent,) = apis.bodies(f"POST {S}/programs/prg-f/offers")
    assert [s["starts_at"] for s in sent["slots"]] == [
        "2030-01-07T09:00:00-05:00",
        "2030-01-08T09:00:00-05:00",
    ]


def test_an_offer_without_a_start_is_refused_before_the_api(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    form = {"topic": "Kafka basics", "time_zone": "UTC", "minutes": "30", "start_1": ""}
    answer = client.post("/me/flash/programs/prg-f/offers", data=form, follow_redirects=False)
    assert "error=Start+1" in answer.headers["location"]
    assert apis.bodies(f"POST {S}/programs/prg-f/offers") == []


def test_booking_sends_the_booking_and_says_where_the_meeting_is(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {S}/offers/o-1/booking", offer("o-1", "m-tokyo"), status=201)
    answer = client.post("/me/flash/programs/prg-f/offers/o-1/book", follow_redirects=False)
    assert answer.headers["location"].startswith(f"{HERE}&notice=Booked")
    assert "My+mentoring" in answer.headers["location"]


def test_a_slot_booked_by_someone_else_or_my_own_is_refused_with_a_sentence(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    url = "/me/flash/programs/prg-f/offers/o-1/book"
    apis.answer(f"POST {S}/offers/o-1/booking", {"detail": "this offer is booked"}, status=409)
    taken = client.post(url, follow_redirects=False).headers["location"]
    assert taken.startswith(f"{HERE}&error=Someone+else+booked+this+slot+first")
    apis.answer(f"POST {S}/offers/o-1/booking", {"detail": "own offer"}, status=422)
    mine = client.post(url, follow_redirects=False).headers["location"]
    assert mine.startswith(f"{HERE}&error=You+cannot+book+your+own+slot")


def test_withdrawing_and_cancelling_go_to_the_offer(client: TestClient, apis: FakeApis) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"POST {S}/offers/o-2/withdraw", offer("o-2", "s-ny", status="withdrawn"))
    apis.answer(f"POST {S}/offers/o-1/booking/cancel", offer("o-1", "m-tokyo"))
    base = "/me/flash/programs/prg-f/offers"
    withdrawn = client.post(f"{base}/o-2/withdraw", follow_redirects=False)
    assert withdrawn.headers["location"] == f"{HERE}&notice=Offer+withdrawn"
    cancelled = client.post(f"{base}/o-1/cancel", follow_redirects=False)
    assert cancelled.headers["location"].startswith(f"{HERE}&notice=Booking+cancelled")
    assert apis.bodies(f"POST {S}/offers/o-1/booking/cancel") == [{}]
    apis.answer(f"POST {S}/offers/o-2/withdraw", {"detail": "cancel its booking first"}, 409)
    refused = client.post(f"{base}/o-2/withdraw", follow_redirects=False)
    assert refused.headers["location"] == f"{HERE}&error=cancel+its+booking+first"


def test_my_booked_session_links_to_my_mentoring_and_can_be_cancelled(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    members = [{"person_id": p, "role": "peer", "time_zone": "UTC"} for p in ("m-tokyo", "s-ny")]
    booked = {**RELATIONSHIP, "id": "flash-o-1.1", "kind": "flash", "members": members}
    the_page(apis, [], [booked])
    apis.answer(f"GET {S}/offers/o-1", offer("o-1", "m-tokyo", status="booked"))
    page = client.get("/me/flash").text
    assert "with m-tokyo" in page and 'href="/me/mentoring"' in page
    assert 'action="/me/flash/programs/prg-f/offers/o-1/cancel"' in page
    apis.answer(f"GET {S}/offers/o-1", {"detail": "offer o-1 not found"}, status=404)
    unreadable = client.get("/me/flash")
    assert unreadable.status_code == 200 and "No booked session to come" in unreadable.text


def test_an_admin_creates_a_flash_program_whose_page_has_no_round_preview(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "adm-1", "program_admin")
    apis.page(f"GET {M}/programs", [])
    assert 'value="flash"' in client.get("/admin/programs").text
    apis.answer(f"GET {M}/programs/prg-f", FLASH)
    for listed in ("programs/prg-f/enrollments", "matches", "programs/prg-f/concerns"):
        apis.page(f"GET {M}/{listed}", [])
    apis.page(f"GET {S}/relationships", [])
    page = client.get("/admin/programs/prg-f").text
    assert "Preview a round" not in page and "book each other" in page
