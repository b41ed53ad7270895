"""MongoDB adapter of the notifier, the only door to its database: collections,
indexes, every query and write. ``NotificationsStore`` is one object; its due-queue
methods are in ``store_queue`` and its schedule methods in ``store_schedules`` (base
classes, only to keep each module short).

* ``contacts``: the contact directory (projection of ``hr.people.v1``).
* ``preferences``: one versioned document per person.
* ``queue``: the durable due-queue, one document per planned notification until it is
  settled (then deleted), ``_id`` = the domain ``dedupe_key``; ``due_ms`` and
  ``lease_ms`` are epoch milliseconds so a claim can ``$set`` them portably;
  ``interrupted`` counts leases that ran out mid-pass (see ``store_queue``).
* ``deliveries``: the ledger, ``_id`` = ``delivery_key(key, channel)``, written after
  each attempt with its outcome (the queue lease keeps two workers from sending the
  same item; an existing settled entry is never sent again); it carries the
  ``notifications.deliveries.v1`` events in its outbox.
* ``inbox``: the in-app inbox, ``_id`` = the delivery key.
* ``plan_guards``: the last meeting sequence applied per subject.
* ``match_members``: who a proposed match concerns (declines/ends name only the match).
* ``erased``: tombstones of erased people, ``_id`` = their pseudonym (never the id).
* ``relationships``: members and state of each relationship (``sessions.v1``).
* ``journal_schedules``: per person with an active relationship, ``relationship_ids``
  and ``next_ms``, the next weekly journal prompt slot (see ``periodic``).
* ``digest_schedules``: per (program, admin), ``next_ms`` of the next admin digest.
* ``admin_flags``: what needs a program admin's look, ``_id`` = ``<flag>:<subject>``.
* ``chat_seen``, ``chat_actions``: actions taken in Slack and Teams (see ``store_chat``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from pymongo import DeleteOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.notifications.store_chat import CHAT_ACTIONS, CHAT_INDEXES, CHAT_SEEN, ChatQueries
from services.notifications.store_queue import QueueQueries
from services.notifications.store_schedules import ScheduleQueries
from shared.mongo import Document, IndexSpec, VersionedCollection, insert_many_idempotent

CONTACTS = "contacts"
PREFERENCES = "preferences"
QUEUE = "queue"
DELIVERIES = "deliveries"
INBOX = "inbox"
PLAN_GUARDS = "plan_guards"
MATCH_MEMBERS = "match_members"
ERASED = "erased"
RELATIONSHIPS = "relationships"
JOURNAL_SCHEDULES = "journal_schedules"
DIGEST_SCHEDULES = "digest_schedules"
ADMIN_FLAGS = "admin_flags"

#: Single-field indexes only: the local server uses no compound index, and every index
#: costs each write (a delivery claims and deletes its queue item, inserts its ledger
#: document).
INDEXES: list[IndexSpec] = [
    IndexSpec(QUEUE, [("due_ms", 1)], name="due_ms"),
    IndexSpec(QUEUE, [("digest_ms", 1)], name="digest_ms"),
    IndexSpec(QUEUE, [("stream", 1)], name="stream"),
    IndexSpec(INBOX, [("recipient_id", 1)], name="recipient_id"),
    # A person's own history (GET /deliveries) and erasure; the key never changes after
    # the insert, so the ledger's replaces do not touch this index.
    IndexSpec(DELIVERIES, [("recipient_id", 1)], name="recipient_id"),
    IndexSpec(JOURNAL_SCHEDULES, [("next_ms", 1)], name="next_ms"),
    IndexSpec(DIGEST_SCHEDULES, [("next_ms", 1)], name="next_ms"),
    IndexSpec(DIGEST_SCHEDULES, [("program_id", 1)], name="program_id"),
    IndexSpec(ADMIN_FLAGS, [("program_id", 1)], name="program_id"),
    *CHAT_INDEXES,
]
OUTBOX_COLLECTIONS: list[str] = [DELIVERIES, CHAT_ACTIONS]


def to_ms(instant: datetime) -> int:
    """Epoch milliseconds of an aware datetime (what the queue stores for ``$set``)."""
    return int(instant.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class ContactChanges:
    """Changes to the contact directory, in event order (``write_contacts`` sends them)."""

    def __init__(self) -> None:
        self.operations: list[ReplaceOne | UpdateOne | DeleteOne] = []

    def upsert(self, contact: Document) -> None:
        self.operations.append(ReplaceOne({"_id": contact["_id"]}, contact, upsert=True))

    def depart(self, person_id: str, as_of: str) -> None:
        """Nothing more is sent to a person who left."""
        change = {"$set": {"active": False, "as_of": as_of}}
        self.operations.append(UpdateOne({"_id": person_id}, change))

    def delete(self, person_id: str) -> None:
        self.operations.append(DeleteOne({"_id": person_id}))


class NotificationsStore(QueueQueries, ScheduleQueries, ChatQueries):
    """Every read and write of the notifier's collections. Batched writes that a service
    module plans as a list of operations (in event order) go through one named method
    per collection, so the order and the round trip stay the planner's."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.contacts = db[CONTACTS]
        self.preferences = VersionedCollection(db[PREFERENCES])
        self.queue = db[QUEUE]
        self.deliveries = db[DELIVERIES]
        self.inbox = db[INBOX]
        self.plan_guards = db[PLAN_GUARDS]
        self.match_members = db[MATCH_MEMBERS]
        self.erased = db[ERASED]
        self.relationships = db[RELATIONSHIPS]
        self.journal_schedules = db[JOURNAL_SCHEDULES]
        self.digest_schedules = db[DIGEST_SCHEDULES]
        self.admin_flags = db[ADMIN_FLAGS]
        self.chat_seen = db[CHAT_SEEN]
        self.chat_actions = db[CHAT_ACTIONS]

    async def by_ids(self, collection: str, ids: Iterable[str]) -> dict[str, Document]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        docs = await self.db[collection].find({"_id": {"$in": wanted}}).to_list()
        return {doc["_id"]: doc for doc in docs}

    # ---- contacts, preferences, people ------------------------------------------------

    async def contacts_of(self, person_ids: Iterable[str]) -> dict[str, Document]:
        return await self.by_ids(CONTACTS, person_ids)

    async def contact(self, person_id: str) -> Document | None:
        return await self.contacts.find_one({"_id": person_id})

    async def contacts_as_of(self, person_ids: Iterable[str]) -> dict[str, str]:
        """The time of the fact each held contact was written from ("" for one written
        before it was kept)."""
        found = self.contacts.find({"_id": {"$in": list(person_ids)}}, {"as_of": 1})
        return {doc["_id"]: doc.get("as_of", "") async for doc in found}

    async def write_contacts(self, changes: ContactChanges) -> None:
        """Upserts, departures and deletions of contacts, in event order; then none left."""
        if changes.operations:
            await self.contacts.bulk_write(changes.operations, ordered=True)
            changes.operations = []

    async def stored_preferences(self, person_ids: Iterable[str]) -> dict[str, Document]:
        return await self.by_ids(PREFERENCES, person_ids)

    async def erased_among(self, aliases: Iterable[str]) -> set[str]:
        """Which of the pseudonyms have a tombstone (no read for none)."""
        if not (wanted := list(aliases)):
            return set()
        found = await self.erased.find({"_id": {"$in": wanted}}).to_list()
        return {d["_id"] for d in found}

    async def delete_person(self, person_id: str, *, alias: str) -> None:
        """Erasure's deletions: a tombstone under the pseudonym, then the person's
        contact, preferences, inbox, queue items, schedules and memberships."""
        await self.erased.replace_one({"_id": alias}, {"_id": alias}, upsert=True)
        await self.contacts.delete_one({"_id": person_id})
        await self.db[PREFERENCES].delete_one({"_id": person_id})
        await self.inbox.delete_many({"recipient_id": person_id})
        await self.queue.delete_many({"recipient_id": person_id})
        await self.journal_schedules.delete_one({"_id": person_id})
        await self.digest_schedules.delete_many({"admin_id": person_id})
        await self.forget_chat_actions_of(person_id)
        await self.relationships.update_many(
            {"member_ids": {"$in": [person_id]}}, {"$pull": {"member_ids": person_id}}
        )

    async def ledger_of(self, person_id: str) -> list[Document]:
        return await self.deliveries.find({"recipient_id": person_id}).to_list()

    async def queue_items_mentioning(self, person_id: str, fields: Iterable[str]) -> list[Document]:
        """Queue items naming the person in any of ``fields`` (each document once)."""
        found: dict[str, Document] = {}
        for field in fields:
            for doc in await self.queue.find({field: {"$in": [person_id]}}).to_list():
                found[doc["_id"]] = doc
        return list(found.values())

    async def replace_queue_items(self, docs: Iterable[Document]) -> None:
        for doc in docs:
            await self.queue.replace_one({"_id": doc["_id"]}, doc)

    async def matches_with_member(self, person_id: str) -> list[Document]:
        return await self.match_members.find({"member_ids": {"$in": [person_id]}}).to_list()

    async def replace_match_members(self, docs: Iterable[Document]) -> None:
        for doc in docs:
            await self.match_members.replace_one({"_id": doc["_id"]}, doc)

    # ---- planning memory --------------------------------------------------------------

    async def match_members_of(self, match_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        if not (wanted := list(match_ids)):
            return {}
        found = await self.match_members.find({"_id": {"$in": wanted}}).to_list()
        return {d["_id"]: tuple(d["member_ids"]) for d in found}

    async def remember_match_members(self, members: Mapping[str, tuple[str, ...]]) -> None:
        if members:
            await self.match_members.bulk_write(
                [
                    ReplaceOne({"_id": m}, {"_id": m, "member_ids": list(ids)}, upsert=True)
                    for m, ids in members.items()
                ],
                ordered=False,
            )

    async def plan_sequences(self, subject_ids: Iterable[str]) -> dict[str, int]:
        """The last meeting sequence applied per subject (no read for none)."""
        if not (wanted := sorted(subject_ids)):
            return {}
        found = await self.plan_guards.find({"_id": {"$in": wanted}}).to_list()
        return {d["_id"]: d["sequence"] for d in found}

    async def save_plan_sequences(self, sequences: Mapping[str, int]) -> None:
        if sequences:
            await self.plan_guards.bulk_write(
                [
                    ReplaceOne({"_id": subject}, {"_id": subject, "sequence": seq}, upsert=True)
                    for subject, seq in sequences.items()
                ],
                ordered=False,
            )

    # ---- the ledger and the inbox -----------------------------------------------------

    async def ledger_entries(self, delivery_ids: Iterable[str]) -> dict[str, Document]:
        return await self.by_ids(DELIVERIES, delivery_ids)

    async def settled_notification_keys(
        self, delivery_ids: list[str], final: list[str]
    ) -> set[str]:
        found = await self.deliveries.find(
            {"_id": {"$in": delivery_ids}, "status": {"$in": final}},
            projection={"notification_key": 1},
        ).to_list()
        return {d["notification_key"] for d in found}

    async def insert_ledger_entries(self, docs: list[Document]) -> set[str]:
        """Insert new ledger documents; returns the ids that already existed."""
        return await insert_many_idempotent(self.deliveries, docs)

    async def replace_ledger_entries(self, docs_at: Sequence[tuple[Document, int | None]]) -> int:
        """Compare-and-swap each (new document, version read); how many matched."""
        done = await self.deliveries.bulk_write(
            [ReplaceOne({"_id": d["_id"], "version": v}, d) for d, v in docs_at], ordered=False
        )
        return int(done.matched_count)

    async def replace_ledger_entry(self, doc: Document, *, version: int | None) -> bool:
        done = await self.deliveries.replace_one({"_id": doc["_id"], "version": version}, doc)
        return bool(done.matched_count)

    async def ledger_entry(self, delivery_id: str) -> Document | None:
        return await self.deliveries.find_one({"_id": delivery_id})

    async def deliveries_page(
        self, person_id: str, *, status: str | None, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        query: dict[str, object] = {"recipient_id": person_id}
        if status is not None:
            query["status"] = status
        total = await self.deliveries.count_documents(query)
        docs = self.deliveries.find(query).sort([("updated_ms", -1), ("_id", 1)])
        return await docs.skip(offset).limit(limit).to_list(), total

    async def inbox_page(
        self, person_id: str, *, unread_only: bool, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        query: dict[str, object] = {"recipient_id": person_id}
        if unread_only:
            query["read"] = False
        total = await self.inbox.count_documents(query)
        docs = self.inbox.find(query).sort([("created_ms", -1), ("_id", 1)])
        return await docs.skip(offset).limit(limit).to_list(), total

    async def inbox_message(self, message_id: str, *, recipient_id: str) -> Document | None:
        return await self.inbox.find_one({"_id": message_id, "recipient_id": recipient_id})

    async def mark_inbox_read(self, message_id: str, *, recipient_id: str, read_ms: int) -> None:
        await self.inbox.update_one(
            {"_id": message_id, "recipient_id": recipient_id},
            {"$set": {"read": True, "read_ms": read_ms}},
        )

    async def add_to_inbox(self, doc: Document) -> None:
        """Insert a message; one that exists (a retry after a crash) is left as it is."""
        try:
            await self.inbox.insert_one(doc)
        except DuplicateKeyError:
            return
