"""MongoDB adapter of the notifier: collections, indexes, queries.

* ``contacts``: the contact directory (projection of ``hr.people.v1``).
* ``preferences``: one versioned document per person.
* ``queue``: the durable due-queue, one document per planned notification until it is
  settled (then deleted), ``_id`` = the domain ``dedupe_key``; ``due_ms`` and
  ``lease_ms`` are epoch milliseconds so a claim can ``$set`` them portably;
  ``interrupted`` counts leases that ran out mid-pass (see ``claims``).
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
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import Document, IndexSpec, VersionedCollection

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
]
OUTBOX_COLLECTIONS: list[str] = [DELIVERIES]


def to_ms(instant: datetime) -> int:
    """Epoch milliseconds of an aware datetime (what the queue stores for ``$set``)."""
    return int(instant.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class NotificationsStore:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.contacts = db[CONTACTS]
        self.preferences = VersionedCollection(db[PREFERENCES])
        self.queue = db[QUEUE]
        self.deliveries = db[DELIVERIES]
        self.inbox = db[INBOX]
        self.plan_guards = db[PLAN_GUARDS]
        self.match_members = db[MATCH_MEMBERS]
        self.relationships = db[RELATIONSHIPS]
        self.journal_schedules = db[JOURNAL_SCHEDULES]
        self.digest_schedules = db[DIGEST_SCHEDULES]
        self.admin_flags = db[ADMIN_FLAGS]

    async def by_ids(self, collection: str, ids: Iterable[str]) -> dict[str, Document]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        docs = await self.db[collection].find({"_id": {"$in": wanted}}).to_list()
        return {doc["_id"]: doc for doc in docs}

    async def due_candidates(self, *, now_ms: int, limit: int) -> list[Document]:
        """Pending items due at ``now`` whose lease (if any) has run out, earliest first."""
        return (
            await self.queue.find(
                {"due_ms": {"$lte": now_ms}, "state": "pending", "lease_ms": {"$lte": now_ms}}
            )
            .sort("due_ms", 1)
            .limit(limit)
            .to_list()
        )
