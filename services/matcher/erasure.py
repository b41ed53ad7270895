"""Right to erasure in the matcher: delete a person's data, pseudonymise the rest.

The profile, enrollments (goals, wanted skills) and blocks by or of the person are
deleted. Matches, round proposals, bulk enrollment reports and concerns keep their
shape, so program counts, history and the admins' safety record stay consistent, but
the person's id is replaced by a pseudonym that cannot be traced back. Already
published events age out with the topics' retention.
"""

from __future__ import annotations

from services.matcher.store_proposals import PROPOSALS, proposal_page, proposals_on
from services.matcher.store_safety import CONCERNS
from services.matcher.unit_of_work import Work
from shared.mongo import Document
from shared.outbox_staging import stage_entries, take_staged
from shared.privacy import pseudonym


async def erase_person(uow: Work, person_id: str) -> None:
    await uow.store.erase_person(person_id)
    alias = pseudonym(person_id)
    for collection, doc in await uow.store.documents_with_member(person_id):
        if collection == PROPOSALS:
            doc = _page_pseudonymised(doc, person_id, alias)
        else:
            doc = _pseudonymised(doc, person_id, alias)
        await uow.store.overwrite(collection, doc)
    for report in await uow.store.bulk_reports_naming(person_id):
        await uow.store.overwrite_bulk_report(_report_pseudonymised(report, person_id, alias))
    await uow.store.forget_blocks_of(person_id)
    for concern in await uow.store.concerns_naming(person_id):
        await uow.store.overwrite(CONCERNS, _concern_pseudonymised(concern, person_id, alias))


def _concern_pseudonymised(concern: Document, person_id: str, alias: str) -> Document:
    named = {k: alias for k in ("reporter_id", "about_person_id") if concern.get(k) == person_id}
    return {**concern, **named, "text": concern["text"].replace(person_id, alias)}


def _report_pseudonymised(report: Document, person_id: str, alias: str) -> Document:
    rows = [
        {**row, "person_id": alias, "detail": row["detail"].replace(person_id, alias)}
        if row["person_id"] == person_id
        else row
        for row in report["rows"]
    ]
    named = [alias if p == person_id else p for p in report["person_ids"]]
    report, events = take_staged(report)  # the person's enrollment event is not sent now
    kept = [e for e in events if not e["key"].endswith(f":{person_id}")]  # enrollment ids
    return stage_entries({**report, "rows": rows, "person_ids": named}, kept)


def _page_pseudonymised(page: Document, person_id: str, alias: str) -> Document:
    """A stored page of round proposals: each proposal as a match is, and the page's index."""
    proposals = [
        _pseudonymised(p, person_id, alias) if person_id in p["member_ids"] else p
        for p in proposals_on(page)
    ]
    return proposal_page(page["round_id"], page["page"], proposals) | {"_id": page["_id"]}


def _pseudonymised(doc: Document, person_id: str, alias: str) -> Document:
    def swap(value: str) -> str:
        return alias if value == person_id else value

    new = dict(doc)
    new["member_ids"] = [swap(p) for p in doc.get("member_ids", [])]
    new["members"] = [{**m, "person_id": swap(m["person_id"])} for m in doc.get("members", [])]
    if "responses" in doc:
        new["responses"] = {swap(k): v for k, v in doc["responses"].items()}
    if doc.get("note"):
        new["note"] = doc["note"].replace(person_id, alias)
    quoted, replacement = f'"{person_id}"', f'"{alias}"'  # exact JSON strings only
    new["pending_events"] = [
        {**e, "value": e["value"].replace(quoted, replacement)}
        for e in doc.get("pending_events", [])
    ]
    return new
