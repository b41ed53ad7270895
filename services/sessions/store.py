"""MongoDB adapter of the sessions service: collections, indexes, queries (no domain rules).

Array membership is queried with ``$in`` (portable subset, see docs/SERVICE_GUIDE.md).
Hot reads use single-field equality on a scalar: the local server answers those from
an index, but scans for compound indexes and for ``$in`` on anything but ``_id``.
Hence ``agenda_rows``: one row per (person, meeting) with the meeting's summary, keyed
for ``person_id`` equality, rewritten (idempotent upsert) after every meeting write.
The meeting document stays the source of truth (a crash between the two writes leaves
a stale row until that meeting's next write; a rebuild job is still to be written).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.audit import AUDIT_INDEXES
from shared.mongo import Document, IndexSpec, VersionedCollection

PROGRAMS = "programs"
RELATIONSHIPS = "relationships"
MEETINGS = "meetings"
SERIES = "series"
FEEDBACK = "feedback"
TIME_LOGS = "time_logs"
GOALS = "goals"
ACTION_ITEMS = "action_items"
JOURNAL = "journal_entries"
AGENDA = "agenda_rows"

INDEXES: list[IndexSpec] = [
    IndexSpec(RELATIONSHIPS, [("member_ids", 1)]),
    IndexSpec(RELATIONSHIPS, [("program_id", 1)]),
    IndexSpec(RELATIONSHIPS, [("status", 1)]),
    IndexSpec(MEETINGS, [("relationship_id", 1)]),
    IndexSpec(MEETINGS, [("program_id", 1)]),
    IndexSpec(MEETINGS, [("series_id", 1)]),
    IndexSpec(AGENDA, [("person_id", 1)]),
    IndexSpec(SERIES, [("relationship_id", 1)]),
    IndexSpec(FEEDBACK, [("meeting_id", 1)]),
    IndexSpec(FEEDBACK, [("relationship_id", 1)]),
    IndexSpec(TIME_LOGS, [("relationship_id", 1)]),
    IndexSpec(GOALS, [("relationship_id", 1)]),
    IndexSpec(ACTION_ITEMS, [("relationship_id", 1)]),
    IndexSpec(ACTION_ITEMS, [("status", 1), ("overdue_announced", 1), ("due_at", 1)]),
    IndexSpec(JOURNAL, [("author_id", 1)]),
    IndexSpec(JOURNAL, [("relationship_id", 1)]),
    *AUDIT_INDEXES,
]
OUTBOX_COLLECTIONS: list[str] = [
    RELATIONSHIPS,
    MEETINGS,
    SERIES,
    FEEDBACK,
    TIME_LOGS,
    GOALS,
    ACTION_ITEMS,
    JOURNAL,
]


AGENDA_FIELDS = (
    "relationship_id",
    "program_id",
    "organiser_id",
    "participant_ids",
    "time_zone",
    "starts_at",
    "duration_minutes",
    "status",
    "sequence",
    "series_id",
)


def agenda_row(meeting: Document, person_id: str) -> Document:
    return {
        "_id": f"{meeting['_id']}:{person_id}",
        "person_id": person_id,
        "meeting_id": meeting["_id"],
        **{k: meeting.get(k) for k in AGENDA_FIELDS},
    }


class SessionsStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.programs = db[PROGRAMS]
        self.relationships = VersionedCollection(db[RELATIONSHIPS])
        self.meetings = VersionedCollection(db[MEETINGS])
        self.series = VersionedCollection(db[SERIES])
        self.feedback = VersionedCollection(db[FEEDBACK])
        self.time_logs = VersionedCollection(db[TIME_LOGS])
        self.goals = VersionedCollection(db[GOALS])
        self.action_items = VersionedCollection(db[ACTION_ITEMS])
        self.journal = VersionedCollection(db[JOURNAL])

    async def page(
        self,
        collection: str,
        query: dict[str, Any],
        *,
        sort: Sequence[tuple[str, int]],
        limit: int,
        offset: int,
        projection: dict[str, Any] | None = None,
    ) -> tuple[list[Document], int]:
        # the ``count`` command: count_documents' aggregation is a full scan locally
        counted = await self.db.command("count", collection, query=query)
        total = int(counted["n"])
        docs = (
            await self.db[collection]
            .find(query, projection)
            .sort([*sort, ("_id", 1)])
            .skip(offset)
            .limit(limit)
            .to_list()
        )
        return docs, total

    async def find_all(
        self, collection: str, query: dict[str, Any], *, limit: int = 10_000
    ) -> list[Document]:
        return await self.db[collection].find(query).limit(limit).to_list()

    async def relationship_ids_of(self, person_id: str) -> list[str]:
        docs = (
            await self.db[RELATIONSHIPS]
            .find({"member_ids": {"$in": [person_id]}}, {"_id": 1})
            .to_list()
        )
        return [d["_id"] for d in docs]

    async def write_agenda_rows(self, meetings: Sequence[Document]) -> None:
        """Upsert each participant's row for each meeting (summary fields only)."""
        ops = [
            ReplaceOne({"_id": f"{m['_id']}:{person}"}, agenda_row(m, person), upsert=True)
            for m in meetings
            for person in m["participant_ids"]
        ]
        if ops:
            await self.db[AGENDA].bulk_write(ops, ordered=False)

    async def agenda_of(self, person_id: str) -> list[Document]:
        return await self.db[AGENDA].find({"person_id": person_id}).to_list()

    async def due_action_items(self, now: datetime, *, limit: int = 1000) -> list[Document]:
        """Open items past due and not yet announced as overdue."""
        return (
            await self.db[ACTION_ITEMS]
            .find({"status": "open", "overdue_announced": False, "due_at": {"$lte": now}})
            .limit(limit)
            .to_list()
        )
