"""An employee's inbox, notification preferences and calendar download."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.fake_apis import FakeApis, N, S, sign_in

STORED: dict[str, Any] = {
    "view": "owner",
    "person_id": "s-ny",
    "time_zone": "America/New_York",
    "default_channels": ["email", "inbox"],
    "channels": {"meeting_reminder": ["slack"]},
    "opted_out": [],
    "quiet_hours": None,
    "daily_digest_at": None,
    "webhook_url": None,
    "slack_webhook_url": "https://hooks.slack.example/T1",
    "teams_webhook_url": None,
    "version": 3,
}


def message(mid: str, *, read: bool) -> dict[str, Any]:
    return {
        "id": mid,
        "type": "match_proposed",
        "subject_id": "m-1",
        "title": f"Title {mid}",
        "body": "You have a new match.",
        "action_label": None,
        "action_url": None,
        "created_at": "2030-01-07T09:00:00+00:00",
        "read": read,
    }


def test_the_inbox_shows_unread_messages_first_with_a_way_to_mark_them_read(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.page(f"GET {N}/inbox", [message("n-1", read=False), message("n-2", read=True)])
    apis.answer(f"GET {N}/people/s-ny/preferences", STORED)
    page = client.get("/me/inbox").text
    assert "Messages (1 unread of 2)" in page
    assert page.count('action="/me/inbox/n-1/read"') == 1
    assert 'action="/me/inbox/n-2/read"' not in page
    apis.answer(f"POST {N}/inbox/n-1/read", message("n-1", read=True))
    answer = client.post("/me/inbox/n-1/read", follow_redirects=False)
    assert answer.headers["location"] == "/me/inbox?notice=Marked+as+read"


def test_saving_preferences_keeps_what_the_form_does_not_show(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"GET {N}/people/s-ny/preferences", STORED)
    apis.answer(f"PUT {N}/people/s-ny/preferences", STORED)
    form = {
        "channel_inbox": "on",
        "channel_slack": "on",
        "opt_out_journal_prompt": "on",
        "time_zone": "Europe/Paris",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "daily_digest_at": "",
    }
    answer = client.post("/me/preferences", data=form, follow_redirects=False)
    assert answer.headers["location"] == "/me/inbox?notice=Preferences+saved"
    assert apis.bodies(f"PUT {N}/people/s-ny/preferences") == [
        {
            "channels": {"meeting_reminder": ["slack"]},
            "slack_webhook_url": "https://hooks.slack.example/T1",
            "time_zone": "Europe/Paris",
            "default_channels": ["inbox", "slack"],
            "opted_out": ["journal_prompt"],
            "quiet_hours": {"start": "22:00", "end": "07:00"},
            "daily_digest_at": None,
        }
    ]


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"quiet_start": "22:00"}, "Quiet hours: give both a start and an end, or neither"),
        ({"quiet_start": "25:00", "quiet_end": "07:00"}, "Quiet hours start: a time as HH:MM"),
        ({"quiet_start": "07:00", "quiet_end": "07:00"}, "the start and the end must differ"),
        ({"channel_inbox": ""}, "Channels: pick at least one"),
    ],
)
def test_a_preferences_form_the_api_would_refuse_is_explained_and_not_sent(
    client: TestClient, apis: FakeApis, form: dict[str, str], why: str
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"GET {N}/people/s-ny/preferences", STORED)
    answer = client.post(
        "/me/preferences", data={"channel_inbox": "on", **form}, follow_redirects=True
    )
    assert why in answer.text
    assert apis.bodies(f"PUT {N}/people/s-ny/preferences") == []


def test_a_meeting_invitation_downloads_as_a_calendar_file(
    client: TestClient, apis: FakeApis
) -> None:
    sign_in(client, "s-ny", "employee")
    apis.answer(f"GET {S}/meetings/mtg-1/invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    answer = client.get("/me/meetings/mtg-1/invite.ics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    assert 'filename="meeting-mtg-1.ics"' in answer.headers["content-disposition"]
    assert answer.text.startswith("BEGIN:VCALENDAR")
    assert apis.sent[-1].headers["authorization"].startswith("Bearer ")
