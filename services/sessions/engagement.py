"""Service layer for feedback, time spent, goals, action items and the journal.

Visibility is decided by the domain (``feedback_visible_to``, ``journal_view_for``):
these functions never hand another person's private text to a reader.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.sessions import sweeps
from services.sessions.domain import (
    ActionItem,
    Feedback,
    FeedbackSharing,
    Goal,
    TimeLog,
    achieve_goal,
    complete_action_item,
    create_action_item,
    drop_action_item,
    drop_goal,
    feedback_visible_to,
    log_time_spent,
    set_goal,
    submit_feedback,
    total_minutes,
)
from services.sessions.mapping import from_doc, to_doc
from services.sessions.meetings import load_meeting, require_meeting_for
from services.sessions.outgoing import stage
from services.sessions.relationships import load_relationship, require_relationship_for
from services.sessions.store import (
    FEEDBACK,
    TIME_LOGS,
    SessionsStore,
)
from shared.mongo import Document, NotFound, VersionedCollection

_KEEP = ("version", "pending_events", "outbox_pending")


def _doc(obj: Any, base: Document | None = None, **extra: Any) -> Document:
    doc = {**to_doc(obj, doc_id=extra.pop("_id", None)), **extra}
    for key in _KEEP:
        if base is not None and key in base:
            doc[key] = base[key]
    return doc


async def _insert(collection: VersionedCollection, doc: Document) -> Document:
    try:
        return await collection.insert(doc)
    except DuplicateKeyError:
        return await collection.require(doc["_id"])


# ---- feedback ---------------------------------------------------------------------


def feedback_id(meeting_id: str, author_id: str) -> str:
    return f"{meeting_id}:{author_id}"


async def _sharing(store: SessionsStore, program_id: str) -> FeedbackSharing:
    program = await store.programs.find_one({"_id": program_id}) or {}
    shared = program.get("feedback_visible_to_peers", True)
    return FeedbackSharing.AFTER_ALL_SUBMITTED if shared else FeedbackSharing.NEVER


async def give_feedback(
    store: SessionsStore,
    *,
    meeting_id: str,
    person_id: str,
    rating: int,
    was_useful: bool,
    comment: str,
    now: datetime,
    source: str,
) -> Feedback:
    meeting = load_meeting(await require_meeting_for(store, meeting_id, person_id))
    existing = [
        from_doc(Feedback, d) for d in await store.find_all(FEEDBACK, {"meeting_id": meeting_id})
    ]
    outcome = submit_feedback(
        meeting,
        existing,
        author_id=person_id,
        rating=rating,
        was_useful=was_useful,
        comment=comment,
        now=now,
    )
    doc = _doc(outcome.state, _id=feedback_id(meeting_id, person_id))
    await store.feedback.insert(stage(doc, outcome.events, source=source))
    await sweeps.refresh_health(
        store, relationship_id=meeting.relationship_id, now=now, source=source
    )
    return outcome.state


async def feedback_for(store: SessionsStore, *, meeting_id: str, person_id: str) -> list[Feedback]:
    meeting = load_meeting(await require_meeting_for(store, meeting_id, person_id))
    all_feedback = [
        from_doc(Feedback, d) for d in await store.find_all(FEEDBACK, {"meeting_id": meeting_id})
    ]
    sharing = await _sharing(store, meeting.program_id)
    return feedback_visible_to(meeting, all_feedback, viewer_id=person_id, sharing=sharing)


# ---- time spent -------------------------------------------------------------------


async def log_time(
    store: SessionsStore,
    *,
    log_id: str,
    relationship_id: str,
    person_id: str,
    minutes: int,
    spent_on: date,
    meeting_id: str | None,
    now: datetime,
    source: str,
) -> Document:
    rel = load_relationship(await require_relationship_for(store, relationship_id, person_id))
    if meeting_id is not None:
        meeting = await require_meeting_for(store, meeting_id, person_id)
        if meeting["relationship_id"] != relationship_id:
            raise NotFound(f"meeting {meeting_id}")
    outcome = log_time_spent(
        rel,
        log_id=log_id,
        person_id=person_id,
        minutes=minutes,
        spent_on=spent_on,
        meeting_id=meeting_id,
        now=now,
    )
    return await _insert(store.time_logs, stage(_doc(outcome.state), outcome.events, source=source))


async def time_spent(
    store: SessionsStore, *, relationship_id: str, person_id: str
) -> dict[str, Any]:
    rel = load_relationship(await require_relationship_for(store, relationship_id, person_id))
    logs = [
        from_doc(TimeLog, d)
        for d in await store.find_all(TIME_LOGS, {"relationship_id": relationship_id})
    ]
    return {
        "relationship_id": relationship_id,
        "total_minutes": total_minutes(logs),
        "minutes_by_person": {p: total_minutes(logs, person_id=p) for p in rel.member_ids},
    }


# ---- goals and action items -------------------------------------------------------


async def add_goal(
    store: SessionsStore,
    *,
    goal_id: str,
    relationship_id: str,
    person_id: str,
    title: str,
    personal: bool,
    now: datetime,
    source: str,
) -> Document:
    rel = load_relationship(await require_relationship_for(store, relationship_id, person_id))
    outcome = set_goal(
        rel, goal_id=goal_id, owner_id=person_id if personal else None, title=title, now=now
    )
    doc = _doc(outcome.state, program_id=rel.program_id)
    return await _insert(store.goals, stage(doc, outcome.events, source=source))


async def close_goal(
    store: SessionsStore,
    *,
    goal_id: str,
    person_id: str,
    achieved: bool,
    now: datetime,
    source: str,
) -> Document:
    doc = await store.goals.get(goal_id)
    if doc is None:
        raise NotFound(f"goal {goal_id}")
    await require_relationship_for(store, doc["relationship_id"], person_id)
    goal = from_doc(Goal, doc)
    move = achieve_goal if achieved else drop_goal
    outcome = move(goal, program_id=doc["program_id"], now=now)
    new = _doc(outcome.state, doc, program_id=doc["program_id"])
    return await store.goals.replace(stage(new, outcome.events, source=source))


async def add_action_item(
    store: SessionsStore,
    *,
    item_id: str,
    relationship_id: str,
    person_id: str,
    owner_id: str,
    description: str,
    due_on: date,
    meeting_id: str | None,
    goal_id: str | None,
    now: datetime,
    source: str,
) -> Document:
    rel = load_relationship(await require_relationship_for(store, relationship_id, person_id))
    outcome = create_action_item(
        rel,
        item_id=item_id,
        owner_id=owner_id,
        description=description,
        due_on=due_on,
        meeting_id=meeting_id,
        goal_id=goal_id,
        now=now,
    )
    doc = sweeps.action_item_doc(outcome.state, {"program_id": rel.program_id})
    saved = await _insert(store.action_items, stage(doc, outcome.events, source=source))
    await sweeps.refresh_health(store, relationship_id=relationship_id, now=now, source=source)
    return saved


async def close_action_item(
    store: SessionsStore,
    *,
    item_id: str,
    person_id: str,
    done: bool,
    now: datetime,
    source: str,
) -> Document:
    doc = await store.action_items.get(item_id)
    if doc is None:
        raise NotFound(f"action item {item_id}")
    await require_relationship_for(store, doc["relationship_id"], person_id)
    move = complete_action_item if done else drop_action_item
    outcome = move(from_doc(ActionItem, doc), program_id=doc["program_id"], now=now)
    new = sweeps.action_item_doc(outcome.state, doc)
    saved = await store.action_items.replace(stage(new, outcome.events, source=source))
    await sweeps.refresh_health(
        store, relationship_id=doc["relationship_id"], now=now, source=source
    )
    return saved


def action_item_read(doc: Document, now: datetime) -> dict[str, Any]:
    item = from_doc(ActionItem, doc)
    return {
        "id": item.id,
        "relationship_id": item.relationship_id,
        "owner_id": item.owner_id,
        "description": item.description,
        "due_on": item.due_on,
        "due_at": item.due_at,
        "status": item.status,
        "overdue": item.status.value == "open" and now >= item.due_at,
        "meeting_id": item.meeting_id,
        "goal_id": item.goal_id,
        "completed_at": item.completed_at,
    }


def goal_read(doc: Document) -> dict[str, Any]:
    goal = from_doc(Goal, doc)
    return {
        "id": goal.id,
        "relationship_id": goal.relationship_id,
        "owner_id": goal.owner_id,
        "title": goal.title,
        "status": goal.status,
        "created_at": goal.created_at,
        "closed_at": goal.closed_at,
    }


async def list_in_relationship(
    store: SessionsStore,
    collection: str,
    *,
    relationship_id: str,
    person_id: str,
    filters: dict[str, Any],
    sort: list[tuple[str, int]],
    limit: int,
    offset: int,
) -> tuple[list[Document], int]:
    await require_relationship_for(store, relationship_id, person_id)
    query = {"relationship_id": relationship_id, **{k: v for k, v in filters.items() if v}}
    return await store.page(collection, query, sort=sort, limit=limit, offset=offset)


def feedback_read(f: Feedback) -> dict[str, Any]:
    return {
        "meeting_id": f.meeting_id,
        "author_id": f.author_id,
        "rating": f.rating,
        "was_useful": f.was_useful,
        "comment": f.comment,
        "submitted_at": f.submitted_at,
    }
