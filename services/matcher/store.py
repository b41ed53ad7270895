"""MongoDB adapter of the matcher: collections, indexes, every query and write (no
domain rules). Nothing else in the service touches a collection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import DeleteOne, ReplaceOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.matcher.store_bulk import BULK_INDEXES, BULK_JOBS, BULK_REPORTS, BulkQueries
from services.matcher.store_pool import LARGE_READ_BATCH, EnrollmentCollection, PoolVersions
from services.matcher.store_proposals import PROPOSAL_INDEXES, PROPOSALS, ProposalQueries
from services.matcher.store_safety import SAFETY_INDEXES, SAFETY_OUTBOX_COLLECTIONS, SafetyQueries
from services.matcher.store_scim import SCIM_INDEXES, SCIM_USERS, ScimQueries
from shared import audit
from shared.api import PageParams
from shared.audit import AUDIT_INDEXES
from shared.auth import Principal
from shared.mongo import Document, IndexSpec, VersionedCollection, page_of

PROGRAMS = "programs"
PEOPLE = "people"
ENROLLMENTS = "enrollments"
ROUNDS = "rounds"
MATCHES = "matches"

INDEXES = [
    IndexSpec(PROGRAMS, [("kind", 1), ("created_at", -1)]),
    IndexSpec(PEOPLE, [("department", 1)]),
    IndexSpec(PEOPLE, [("manager_id", 1)]),
    IndexSpec(ENROLLMENTS, [("program_id", 1), ("status", 1)]),
    IndexSpec(ENROLLMENTS, [("person_id", 1)]),
    IndexSpec(ROUNDS, [("program_id", 1), ("created_at", -1)]),
    *PROPOSAL_INDEXES,
    IndexSpec(MATCHES, [("program_id", 1), ("state", 1)]),
    IndexSpec(MATCHES, [("member_ids", 1), ("state", 1)]),
    IndexSpec(MATCHES, [("kind", 1), ("created_at", -1)]),
    *BULK_INDEXES,
    *SAFETY_INDEXES,
    *SCIM_INDEXES,
    *AUDIT_INDEXES,
]
#: Rounds and bulk jobs carry no events, but their audit entries ride on them (``uow.audit``);
#: a bulk job's report documents carry the events of the enrollments each batch wrote;
#: SCIM users carry the ``hr.people.v1`` facts they stand for.
OUTBOX_COLLECTIONS = [
    PROGRAMS,
    ENROLLMENTS,
    MATCHES,
    ROUNDS,
    BULK_JOBS,
    BULK_REPORTS,
    SCIM_USERS,
    *SAFETY_OUTBOX_COLLECTIONS,
]

#: A person's fact from HR, as the projection writes it: ``("upsert", id, doc)``,
#: ``("depart", id, {"departed_on": ...})`` or ``("erase", id, {})``.
PersonChange = tuple[str, str, Document]

Page = tuple[list[Document], int]


class MatcherStore(BulkQueries, SafetyQueries, ScimQueries, PoolVersions, ProposalQueries):
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db
        self.programs = VersionedCollection(db[PROGRAMS])
        self.people = db[PEOPLE]
        self.enrollments = EnrollmentCollection(db[ENROLLMENTS], self)
        self.rounds = VersionedCollection(db[ROUNDS])
        self.matches = VersionedCollection(db[MATCHES])
        self._bulk_collections()
        self._safety_collections()
        self._scim_collections()

    async def _page(
        self,
        collection: str,
        query: dict[str, Any],
        sort: list[tuple[str, int]],
        page: PageParams,
    ) -> Page:
        return await page_of(
            self.db, collection, query, sort=sort, limit=page.limit, offset=page.offset
        )

    # programs and the audit trail

    async def list_programs(
        self, *, kind: str | None, page: PageParams, admin_id: str | None = None
    ) -> Page:
        query: dict[str, Any] = {} if kind is None else {"kind": kind}
        if admin_id is not None:
            query["admin_ids"] = {"$in": [admin_id]}
        return await self._page(PROGRAMS, query, [("created_at", -1), ("_id", 1)], page)

    async def audit_entries(self, *, target: str, page: PageParams) -> Page:
        return await audit.entries_for(self.db, target=target, limit=page.limit, offset=page.offset)

    async def record_audit(
        self, *, actor: Principal, action: str, target: str, details: dict[str, Any]
    ) -> None:
        """An audit entry of an action that changes no document of ours (people import)."""
        await audit.record(self.db, actor=actor, action=action, target=target, details=details)

    # people (the projection of hr.people.v1)

    async def list_people(
        self, *, department: str | None, ids: list[str] | None = None, page: PageParams
    ) -> Page:
        """A page of people; everyone's total is the collection's count from its metadata
        (counting 100k people is a scan of them all on the local server: 20 s, longer
        than the driver waits, so the list failed)."""
        query: dict[str, Any] = {} if department is None else {"department": department}
        if ids is not None:
            query["_id"] = {"$in": ids}
        if query:
            return await self._page(PEOPLE, query, [("_id", 1)], page)
        found = self.people.find({}).sort([("_id", 1)]).skip(page.offset).limit(page.limit)
        return await found.to_list(), await self.people.estimated_document_count()

    async def person(self, person_id: str) -> Document | None:
        return await self.people.find_one({"_id": person_id})

    async def people_as_of(self, person_ids: Sequence[str]) -> dict[str, str]:
        """The time of the fact each held person's document was written from ("" for
        one written before it was kept)."""
        found = self.people.find({"_id": {"$in": list(person_ids)}}, {"as_of": 1})
        return {doc["_id"]: doc.get("as_of", "") async for doc in found}

    async def write_people(self, changes: Sequence[PersonChange]) -> None:
        """Apply HR facts in order, in one ordered bulk write (deterministic by id)."""
        operations: list[ReplaceOne | DeleteOne | UpdateOne] = []
        for change, person_id, fields in changes:
            if change == "upsert":
                operations.append(
                    ReplaceOne({"_id": person_id}, {"_id": person_id, **fields}, upsert=True)
                )
            elif change == "depart":
                operations.append(UpdateOne({"_id": person_id}, {"$set": fields}))
            else:
                operations.append(DeleteOne({"_id": person_id}))
        if operations:
            try:
                await self.people.bulk_write(operations, ordered=True)
            finally:
                await self.touch_people()

    async def erase_person(self, person_id: str) -> None:
        """Delete the profile, enrollments and SCIM user (matches and proposals are
        pseudonymised)."""
        await self.people.delete_one({"_id": person_id})
        await self.db[ENROLLMENTS].delete_many({"person_id": person_id})
        await self.erase_scim_user(person_id)
        await self.touch_people()

    # enrollments

    async def list_enrollments(
        self, *, program_id: str, role: str | None, page: PageParams
    ) -> Page:
        query: dict[str, Any] = {"program_id": program_id, "status": "active"}
        if role is not None:
            query["role"] = role
        return await self._page(ENROLLMENTS, query, [("created_at", 1), ("_id", 1)], page)

    async def active_enrollments(self, program_id: str) -> list[Document]:
        return (
            await self.db[ENROLLMENTS]
            .find({"program_id": program_id, "status": "active"}, batch_size=LARGE_READ_BATCH)
            .to_list()
        )

    async def has_published_round(self, program_id: str) -> bool:
        query = {"program_id": program_id, "status": "published"}
        return await self.db[ROUNDS].find_one(query, {"_id": 1}) is not None

    # matches

    async def insert_matches(self, docs: Sequence[Document]) -> set[Any]:
        """New matches at version 1; those that exist (a retried publish) stay as they are."""
        return await self.matches.insert_many(docs)

    async def matches_of_people(self, person_ids: list[str], states: list[str]) -> list[Document]:
        return (
            await self.db[MATCHES]
            .find({"member_ids": {"$in": person_ids}, "state": {"$in": states}})
            .to_list()
        )

    async def live_matches(
        self, program_id: str, *, person_id: str | None = None
    ) -> list[Document]:
        """The program's proposed, active and flagged matches (of one person, if given)."""
        query: dict[str, Any] = {
            "program_id": program_id,
            "state": {"$in": ["proposed", "active", "flagged"]},
        }
        if person_id is not None:
            query["member_ids"] = {"$in": [person_id]}
        found = self.db[MATCHES].find(query, batch_size=LARGE_READ_BATCH)
        return await found.sort("_id", 1).to_list()

    async def matches_of_kind_since(self, kind: str, since: datetime) -> list[Document]:
        """Matches of programs of ``kind`` made since ``since`` that became real
        (active, flagged or ended): the history repeat pairs are checked against."""
        query = {
            "kind": kind,
            "created_at": {"$gte": since},
            "state": {"$in": ["active", "flagged", "ended"]},
        }
        projection = {"program_id": 1, "member_ids": 1}
        return await self.db[MATCHES].find(query, projection, batch_size=LARGE_READ_BATCH).to_list()

    async def matches_of_program(self, program_id: str) -> list[Document]:
        query = {"program_id": program_id}
        return await self.db[MATCHES].find(query, batch_size=LARGE_READ_BATCH).to_list()

    async def proposals_due(self, now: datetime, *, limit: int = 1000) -> list[Document]:
        """Proposed matches whose answer time ran out."""
        query = {"state": "proposed", "expires_at": {"$lte": now}}
        return await self.db[MATCHES].find(query).to_list(limit)

    async def list_matches(
        self,
        *,
        program_id: str | None,
        person_id: str | None,
        state: str | None,
        page: PageParams,
    ) -> Page:
        query: dict[str, Any] = {}
        if program_id is not None:
            query["program_id"] = program_id
        if person_id is not None:
            query["member_ids"] = {"$in": [person_id]}
        if state is not None:
            query["state"] = state
        return await self._page(MATCHES, query, [("created_at", -1), ("_id", 1)], page)

    # erasure: matches and proposals keep their shape under a pseudonym

    async def documents_with_member(self, person_id: str) -> list[tuple[str, Document]]:
        """Every match and page of round proposals the person is a member of, with its
        collection."""
        found: list[tuple[str, Document]] = []
        for collection in (MATCHES, PROPOSALS):
            query = {"member_ids": {"$in": [person_id]}}
            found += [(collection, d) for d in await self.db[collection].find(query).to_list()]
        return found

    async def overwrite(self, collection: str, doc: Document) -> None:
        """Write ``doc`` as it is (erasure rewrites history, whatever its version)."""
        await self.db[collection].replace_one({"_id": doc["_id"]}, doc)
