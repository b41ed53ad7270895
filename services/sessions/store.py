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

from pymongo import DeleteOne, ReplaceOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.sessions.mapping import agenda_row
from services.sessions.store_flash import FLASH_LOOKED_UP_BY, OFFERS, FlashQueries
from shared.audit import AUDIT_INDEXES
from shared.audit import COLLECTION as AUDIT_LOG
from shared.mongo import Document, IndexSpec, VersionedCollection, page_of

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
SURVEYS = "surveys"
PEOPLE_ZONES = "people_zones"
PULSES = "pulses"

#: The fields each collection is looked up by (one ascending index each).
LOOKED_UP_BY: dict[str, tuple[str, ...]] = {
    RELATIONSHIPS: ("member_ids", "program_id", "status"),
    MEETINGS: ("relationship_id", "program_id", "series_id"),
    AGENDA: ("person_id",),
    SERIES: ("relationship_id",),
    FEEDBACK: ("meeting_id", "relationship_id"),
    TIME_LOGS: ("relationship_id",),
    GOALS: ("relationship_id",),
    ACTION_ITEMS: ("relationship_id",),
    JOURNAL: ("author_id", "relationship_id"),
    SURVEYS: ("relationship_id",),
    PULSES: ("person_id", "relationship_id"),
    **FLASH_LOOKED_UP_BY,
}
INDEXES: list[IndexSpec] = [
    *(IndexSpec(name, [(key, 1)]) for name, keys in LOOKED_UP_BY.items() for key in keys),
    # the overdue sweep: open items not yet announced, by due instant
    IndexSpec(ACTION_ITEMS, [("status", 1), ("overdue_announced", 1), ("due_at", 1)]),
    *AUDIT_INDEXES,
]
OUTBOX_COLLECTIONS = [
    RELATIONSHIPS,
    MEETINGS,
    SERIES,
    FEEDBACK,
    TIME_LOGS,
    GOALS,
    ACTION_ITEMS,
    JOURNAL,
    SURVEYS,
    PULSES,
]


class SessionsStore(FlashQueries):
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
        self.surveys = VersionedCollection(db[SURVEYS])
        self.pulses = VersionedCollection(db[PULSES])
        self.offers = VersionedCollection(db[OFFERS])

    # ---- whole aggregates ----------------------------------------------------------------

    @staticmethod
    async def insert_new(collection: VersionedCollection, doc: Document) -> tuple[Document, bool]:
        """Insert a new aggregate with a deterministic id: (the stored one, whether it was
        new). A retried request finds the first one written."""
        try:
            return await collection.insert(doc), True
        except DuplicateKeyError:
            return await collection.require(doc["_id"]), False

    # ---- programs (the projection) ----------------------------------------------------

    async def program(self, program_id: str) -> Document | None:
        return await self.programs.find_one({"_id": program_id})

    async def put(self, collection: str, docs: Sequence[Document]) -> None:
        """Whole rows of a projection (programs, people's zones), upserted by id."""
        ops = [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs]
        if ops:
            await self.db[collection].bulk_write(ops, ordered=True)

    async def close_program(self, program_id: str, as_of: str) -> None:
        await self.programs.update_one(
            {"_id": program_id}, {"$set": {"status": "closed", "as_of": as_of}}
        )

    # ---- relationships ----------------------------------------------------------------

    async def by_id(self, collection: str, ids: Sequence[str]) -> dict[str, Document]:
        """The documents of ``collection`` with these ids, by id (a batch's one read)."""
        docs = await self.db[collection].find({"_id": {"$in": list(ids)}}).to_list()
        return {d["_id"]: d for d in docs}

    async def zoned(self, docs: list[Document]) -> list[Document]:
        """Relationships with each member's zone as HR last told it (``people_zones``; a
        member HR never named keeps the stored one)."""
        ids = list({m["person_id"] for d in docs for m in d.get("members", [])})
        zones = await self.by_id(PEOPLE_ZONES, ids) if ids else {}
        for doc in docs:
            doc["members"] = [
                {**m, "time_zone": zones.get(m["person_id"], m).get("time_zone", "UTC")}
                for m in doc.get("members", [])
            ]
        return docs

    async def relationship(self, relationship_id: str) -> Document | None:
        """One relationship, its members' zones current (``zoned``)."""
        doc = await self.relationships.get(relationship_id)
        return None if doc is None else (await self.zoned([doc]))[0]

    async def relationships_of(self, person_id: str) -> list[Document]:
        found = await self.find_all(RELATIONSHIPS, {"member_ids": {"$in": [person_id]}})
        return await self.zoned(found)

    async def relationships_in_program(self, program_id: str) -> list[Document]:
        return await self.find_all(RELATIONSHIPS, {"program_id": program_id}, limit=100_000)

    async def active_relationship_ids(self, after: str, limit: int) -> list[str]:
        """Ids of active relationships after ``after``, in id order (a sweep's page)."""
        query = {"status": "active", "_id": {"$gt": after}}
        cursor = self.db[RELATIONSHIPS].find(query, {"_id": 1}).sort([("_id", 1)]).limit(limit)
        return [d["_id"] for d in await cursor.to_list()]

    async def page_relationships(
        self, query: dict[str, Any], *, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        """Newest first."""
        return await self.page(
            RELATIONSHIPS, query, sort=[("started_on", -1)], limit=limit, offset=offset
        )

    # ---- what belongs to one relationship ----------------------------------------------

    async def in_relationship(self, collection: str, relationship_id: str) -> list[Document]:
        """Every meeting, feedback, action item or time log of one relationship."""
        return await self.find_all(collection, {"relationship_id": relationship_id})

    async def page_in_relationship(
        self, collection: str, relationship_id: str, filters: dict[str, Any], **window: Any
    ) -> tuple[list[Document], int]:
        """A page of one relationship's goals, action items or meetings (``filters``
        with a ``None`` value are left out); ``window`` as ``page`` takes it."""
        query = {"relationship_id": relationship_id}
        query.update({k: v for k, v in filters.items() if v is not None})
        return await self.page(collection, query, **window)

    async def feedback_on(self, meeting_id: str) -> list[Document]:
        return await self.find_all(FEEDBACK, {"meeting_id": meeting_id})

    async def meetings_of_series(self, series_id: str) -> list[Document]:
        return await self.find_all(MEETINGS, {"series_id": series_id})

    async def busy_times(self, person_ids: Sequence[str], since: datetime) -> list[Document]:
        """Start and length of the scheduled meetings of any of ``person_ids`` from ``since``."""
        query = {"participant_ids": {"$in": list(person_ids)}, "status": "scheduled"}
        query["starts_at"] = {"$gte": since}
        found = self.db[MEETINGS].find(query, {"starts_at": 1, "duration_minutes": 1})
        return await found.to_list()

    # ---- the journal --------------------------------------------------------------------

    async def journal_of(self, author_id: str) -> list[Document]:
        return await self.find_all(JOURNAL, {"author_id": author_id})

    async def journal_shared_in(self, relationship_ids: Sequence[str]) -> list[Document]:
        query = {"relationship_id": {"$in": list(relationship_ids)}, "shared": True}
        return await self.find_all(JOURNAL, query)

    # ---- HR aggregates: counts only, the text is never read ----------------------------

    async def meetings_to_count(self, program_id: str) -> list[Document]:
        hidden = {"private_notes": 0, "shared_notes": 0, "agenda": 0}
        return await self.db[MEETINGS].find({"program_id": program_id}, hidden).to_list()

    async def to_count(
        self, collection: str, relationship_ids: Sequence[str], hidden: Sequence[str] = ()
    ) -> list[Document]:
        """Feedback, action items or journal entries of these relationships, without
        the fields in ``hidden`` (their text)."""
        query = {"relationship_id": {"$in": list(relationship_ids)}}
        projection = {name: 0 for name in hidden} or None
        return await self.db[collection].find(query, projection).to_list()

    async def record_audit(self, entry: Document) -> None:
        """An audit entry on its own: for an audited read, which changes no document."""
        await self.db[AUDIT_LOG].insert_one(entry)

    # ---- erasure ------------------------------------------------------------------------

    async def delete_where(self, collection: str, field: str, value: str) -> int:
        result = await self.db[collection].delete_many({field: value})
        return int(result.deleted_count)

    async def naming(self, collection: str, field: str, person_id: str) -> list[Document]:
        """Documents whose ``field`` is or (an array) holds ``person_id``."""
        return await self.db[collection].find({field: {"$in": [person_id]}}).to_list()

    async def rekey(self, collection: str, moves: Sequence[tuple[str, Document]]) -> None:
        """Each ``(old id, new document)``: the new one written, then the old one deleted."""
        ops: list[Any] = []
        for old_id, new in moves:
            ops += [ReplaceOne({"_id": new["_id"]}, new, upsert=True), DeleteOne({"_id": old_id})]
        if ops:
            await self.db[collection].bulk_write(ops, ordered=True)

    async def replace_over(self, collection: str, docs: Sequence[Document]) -> int:
        """Replace each document by id, on its version where it has one (a concurrent
        change makes that one miss: the caller reads again); returns how many matched."""
        ops = []
        for doc in docs:
            if "version" not in doc:
                ops.append(ReplaceOne({"_id": doc["_id"]}, doc))
            else:
                new = {**doc, "version": doc["version"] + 1}
                ops.append(ReplaceOne({"_id": doc["_id"], "version": doc["version"]}, new))
        result = await self.db[collection].bulk_write(ops, ordered=False)
        return int(result.matched_count)

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
        return await page_of(
            self.db, collection, query, sort=sort, limit=limit, offset=offset, projection=projection
        )

    async def find_all(
        self, collection: str, query: dict[str, Any], *, limit: int = 10_000
    ) -> list[Document]:
        return await self.db[collection].find(query).limit(limit).to_list()

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
        query = {"status": "open", "overdue_announced": False, "due_at": {"$lte": now}}
        return await self.db[ACTION_ITEMS].find(query).limit(limit).to_list()
