"""Every way out of sessions, read back for the data firewall test: the broker's topics
(all of the registry's and their dead letters, and any other the broker holds), the HR
reports (JSON, and the CSV the console makes of them), the notifier's inboxes, delivery
ledgers and database. Each source is named, so a sighting says where it leaked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer
from bson import json_util
from pymongo import AsyncMongoClient

from services.console.report_views import aggregates_csv
from services.sessions.store import OUTBOX_COLLECTIONS
from shared.contracts.registry import SESSIONS, TOPICS
from tests.integration.safety_platform import Cast, SafetyPlatform
from tests.support.waiting import eventually
from tools.topics import read_topic


async def database_dump(platform: SafetyPlatform, database: str) -> str:
    """Every document of every collection of ``database``, as extended JSON."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(platform.stack.mongo_url)
    try:
        db = client[database]
        names = await db.list_collection_names()
        return json_util.dumps({n: await db[n].find().to_list() for n in names})
    finally:
        await client.close()


async def everything_published(platform: SafetyPlatform, cast: Cast, rel: str) -> None:
    """Sessions' outboxes empty, the flag on its topic and the junior's prompt delivered:
    whatever sessions had to say has reached the notifier."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(platform.stack.mongo_url)
    db = client[f"{platform.database}_sessions"]

    async def drained() -> bool:
        pending = [
            await db[c].count_documents({"outbox_pending": True}) for c in OUTBOX_COLLECTIONS
        ]
        return sum(pending) == 0

    try:
        await eventually(drained, what="sessions' outboxes published")
    finally:
        await client.close()

    async def flagged_and_prompted() -> bool:
        records = await read_topic(platform.stack.bootstrap_servers, SESSIONS.name)
        flagged = any(
            b"sessions.pulse.flagged" in r.value and r.key == rel.encode() for r in records
        )
        inbox = await platform.inbox(cast.junior)
        return flagged and any(m["type"] == "pulse_check_request" for m in inbox)

    await eventually(flagged_and_prompted, what="the flag published and the prompt delivered")


async def every_topic(platform: SafetyPlatform) -> dict[str, bytes]:
    """Every record of every topic from its start: keys, values and headers."""
    bootstrap = platform.stack.bootstrap_servers
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        on_broker = {t for t in await consumer.topics() if not t.startswith("__")}
    finally:
        await consumer.stop()
    names = on_broker | {n for t in TOPICS.values() for n in (t.name, t.dlq)}
    sources = {}
    for name in sorted(names):
        records = await read_topic(bootstrap, name)
        sources[f"topic {name}"] = b"\n".join(
            b"%s %s %r" % (r.key or b"", r.value or b"", r.headers) for r in records
        )
    return sources


async def every_report(platform: SafetyPlatform, cast: Cast) -> dict[str, Any]:
    """The program's HR aggregates as its admin, an HR analyst and a service read them,
    by week and by month, and the CSV export of each."""
    sources: dict[str, Any] = {}
    today, month = date.today(), timedelta(days=31)
    path = f"/hr/programs/{cast.program_id}/aggregates"
    readers = ((cast.admin, "admin"), (f"{cast.tag}-analyst", "hr"), ("svc-reports", "service"))
    for who, role in readers:
        for period in ("iso_week", "month"):
            query = {"first_day": str(today - month), "last_day": str(today + month)}
            query["period"] = period
            answer = await platform.call("sessions", "GET", path, who, role, params=query)
            assert answer.status_code == 200, answer.text
            sources[f"report {role} {period}"] = answer.text
            sources[f"report {role} {period} csv"] = aggregates_csv(answer.json())
    return sources


async def every_inbox_and_delivery(platform: SafetyPlatform, cast: Cast) -> dict[str, Any]:
    """The junior's, the senior's and the admin's inboxes and delivery ledgers."""
    sources: dict[str, Any] = {}
    people = ((cast.junior, "employee"), (cast.senior, "employee"), (cast.admin, "admin"))
    for who, role in people:
        for path in ("/inbox", "/deliveries"):
            answer = await platform.call(
                "notifications", "GET", path, who, role, params={"limit": 200}
            )
            assert answer.status_code == 200, answer.text
            sources[f"{path} of {who}"] = answer.text
    return sources
