"""The notifier's REST API over a real process: inbox and preferences, own data only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from services.notifications.dispatcher import dispatch_due
from services.notifications.planner import plan_from_events
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from tests.integration.notifications.builders import add_contacts, health, work
from tests.support.auth import bearer
from tests.support.processes import running
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


async def test_inbox_and_preferences_serve_only_the_caller(
    stack: LocalStack,
    database_name: str,
    log_dir: Path,
    store: NotificationsStore,
    senders,
    settings: NotificationsSettings,
) -> None:
    await add_contacts(
        store, ("ana-1", "ana@example.org", "Europe/Lisbon"), ("bo-1", "bo@example.org", "UTC")
    )
    with running(stack, "notifications", "api", database=database_name, log_dir=log_dir) as api:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api['port']}") as client:
            ana, bo = bearer("ana-1"), bearer("bo-1")
            # Preferences: defaults first (in the contact's zone), then a full replace.
            got = await client.get("/people/ana-1/preferences", headers=ana)
            assert got.status_code == 200, got.text
            assert got.json()["time_zone"] == "Europe/Lisbon" and got.json()["version"] == 0
            wanted = {
                "time_zone": "Europe/Lisbon",
                "default_channels": ["inbox"],
                "channels": {"relationship_stalled": []},
                "opted_out": ["feedback_request"],
                "quiet_hours": {"start": "22:00", "end": "07:00"},
                "daily_digest_at": None,
            }
            put = await client.put("/people/ana-1/preferences", headers=ana, json=wanted)
            assert put.status_code == 200, put.text
            assert put.json()["version"] == 1 and put.json()["default_channels"] == ["inbox"]
            assert put.json()["view"] == "owner"
            assert (await client.get("/people/ana-1/preferences", headers=bo)).status_code == 404
            other = await client.put("/people/ana-1/preferences", headers=bo, json=wanted)
            assert other.status_code == 404
            bad = await client.put(
                "/people/ana-1/preferences", headers=ana, json={**wanted, "time_zone": "Mars/Base"}
            )
            assert bad.status_code == 422
            assert bad.json()["detail"][0]["loc"] == ["body", "time_zone"]
            assert (await client.get("/inbox")).status_code == 401  # a token is required

            # Three nudges land in Ana's inbox (09:00 Lisbon is outside her quiet hours).
            for n in range(3):
                state = "at_risk" if n % 2 == 0 else "stalled"
                event = health(state, at=T0, members=("ana-1",), relationship_id=f"rel-{n}")
                await plan_from_events(work(store, now=T0), [event])
            await dispatch_due(work(store, settings, now=T0), senders)

            page = await client.get("/inbox", headers=ana, params={"limit": 2})
            assert page.status_code == 200, page.text
            body = page.json()
            # The stalled nudge was routed nowhere by Ana's per-type channels.
            assert body["total"] == 2 and len(body["items"]) == 2
            first = body["items"][0]
            assert first["read"] is False and first["title"]
            assert (await client.get("/inbox", headers=bo)).json()["total"] == 0
            assert (await client.get(f"/inbox/{first['id']}", headers=bo)).status_code == 404
            assert (await client.post(f"/inbox/{first['id']}/read", headers=bo)).status_code == 404
            read = await client.post(f"/inbox/{first['id']}/read", headers=ana)
            assert read.status_code == 200 and read.json()["read"] is True
            unread = await client.get("/inbox", headers=ana, params={"unread_only": True})
            assert unread.json()["total"] == 1
