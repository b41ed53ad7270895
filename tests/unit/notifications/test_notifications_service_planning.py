"""The notifier's event-side service layer on the fake unit of work: what an incoming
event queues, and what one dispatcher pass sends, records and announces. No broker,
no database server."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.notifications import incoming, periodic
from services.notifications.dispatcher import dispatch_due
from services.notifications.domain.model import Channel
from services.notifications.erasure import erase_person
from services.notifications.planner import plan_from_events
from services.notifications.preferences import put_preferences
from services.notifications.senders.base import Outgoing
from services.notifications.senders.inbox import InboxSender
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from services.notifications.unit_of_work import Work
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.notifications import DeliverySent
from shared.contracts.registry import ParsedEvent
from tests.support.fakes import fake_unit_of_work, memory_database, principal, staged_events

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def work(db: Any, *, now: datetime = NOW) -> Work:
    return fake_unit_of_work(NotificationsStore, NotificationsSettings(), now=now, database=db)


def event(data: EventData, *, at: datetime = NOW) -> ParsedEvent:
    envelope = Envelope.wrap(
        data, source="/test", subject="subject", event_id=str(uuid.uuid4()), time=at
    )
    return ParsedEvent(envelope=envelope, data=data)


def proposed(match_id: str = "match-1", *members: str) -> ParsedEvent:
    return event(
        m.MatchProposed(
            match_id=match_id,
            program_id="program-1",
            kind=m.ProgramKind.PEER_COACHING,
            members=tuple(
                m.Member(person_id=p, role=m.MemberRole.PEER) for p in members or ("ana", "bob")
            ),
            explanation=m.Explanation(total_score=1, contributions={}, constraints_satisfied=()),
            expires_at=NOW + timedelta(days=5),
        )
    )


async def _queued(uow: Work) -> list[tuple[str, str]]:
    docs = await uow.store.queue.find({}).to_list()
    return sorted((d["recipient_id"], d["type"]) for d in docs)


async def test_a_proposed_match_queues_a_notice_and_an_expiry_reminder_for_each_member() -> None:
    uow = work(memory_database())

    queued = await plan_from_events(uow, [proposed()])

    assert queued == 4
    assert await _queued(uow) == [
        ("ana", "match_expiry_reminder"),
        ("ana", "match_proposed"),
        ("bob", "match_expiry_reminder"),
        ("bob", "match_proposed"),
    ]


async def test_a_redelivered_batch_queues_nothing_twice() -> None:
    db = memory_database()
    batch = [proposed()]
    await plan_from_events(work(db), batch)

    again = await plan_from_events(work(db, now=NOW + timedelta(minutes=1)), batch)

    assert again == 0
    assert len(await _queued(work(db))) == 4


async def test_a_declined_match_withdraws_what_is_still_pending_for_its_members() -> None:
    db = memory_database()
    uow = work(db)
    await incoming.plan(uow, [proposed()])

    declined = m.MatchDeclined(match_id="match-1", program_id="program-1", person_id="bob")
    await incoming.plan(work(db), [event(declined, at=NOW + timedelta(hours=1))])

    docs = await uow.store.queue.find({"type": "match_expiry_reminder"}).to_list()
    assert {d["state"] for d in docs} == {"withdrawn"}


async def test_a_replayed_proposal_does_not_bring_back_what_its_decline_withdrew() -> None:
    db = memory_database()
    first = proposed()
    await incoming.plan(work(db), [first])
    declined = m.MatchDeclined(match_id="match-1", program_id="program-1", person_id="bob")
    await incoming.plan(work(db), [event(declined, at=NOW + timedelta(hours=1))])

    await incoming.plan(work(db), [first])  # a replay of the topic under a fresh group

    docs = await work(db).store.queue.find({"type": "match_expiry_reminder"}).to_list()
    assert docs and {d["state"] for d in docs} == {"withdrawn"}


async def test_nothing_is_queued_for_an_erased_person_and_others_see_their_pseudonym() -> None:
    db = memory_database()
    await erase_person(work(db), "bob")

    await plan_from_events(work(db), [proposed()])

    docs = await work(db).store.queue.find({}).to_list()
    assert {d["recipient_id"] for d in docs} == {"ana"}
    assert all("bob" not in d["extra"]["member_ids"] for d in docs)


class _Inbox(InboxSender):
    """The real inbox sender, remembering what it was given."""

    def __init__(self, store: NotificationsStore) -> None:
        super().__init__(store)
        self.sent: list[Outgoing] = []

    async def send(self, outgoing: Outgoing) -> None:
        self.sent.append(outgoing)
        await super().send(outgoing)


async def test_a_due_notice_is_sent_once_recorded_in_the_ledger_and_announced() -> None:
    db = memory_database()
    await plan_from_events(work(db), [proposed()])
    uow = work(db, now=NOW + timedelta(minutes=1))
    inbox = _Inbox(uow.store)
    for person in ("ana", "bob"):
        as_person = fake_unit_of_work(
            NotificationsStore, NotificationsSettings(), caller=principal(person), database=db
        )
        await put_preferences(as_person, person_id=person, values={"default_channels": ["inbox"]})

    result = await dispatch_due(uow, {Channel.INBOX: inbox})
    again = await dispatch_due(work(db, now=NOW + timedelta(minutes=2)), {Channel.INBOX: inbox})

    assert (result.claimed, result.sent, again.claimed) == (2, 2, 0)
    assert sorted(o.planned.recipient_id for o in inbox.sent) == ["ana", "bob"]
    assert await uow.store.inbox.count_documents({}) == 2
    announced = await staged_events(uow.store.deliveries)
    assert [e.type for e in announced] == [DeliverySent.event_type] * 2
    assert {e.time for e in announced} == {uow.now}
    # Settled items leave the queue: the ledger is their record.
    assert await _queued(uow) == [
        ("ana", "match_expiry_reminder"),
        ("bob", "match_expiry_reminder"),
    ]


def started(relationship_id: str, *members: str) -> ParsedEvent:
    return event(
        s.RelationshipStarted(
            relationship_id=relationship_id,
            match_id=f"match-{relationship_id}",
            program_id="program-1",
            member_ids=members,
            starts_on=date(2026, 3, 2),
            cadence_days=14,
        )
    )


async def test_someone_in_two_relationships_gets_one_journal_prompt_at_their_weekly_slot() -> None:
    db = memory_database()
    await incoming.plan(work(db), [started("rel-1", "ana", "bob"), started("rel-2", "ana", "cy")])
    # Friday 6 March 2026, 16:00 UTC: everyone's slot (no contact: their zone is UTC).
    slot = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)

    first = await periodic.plan_due(work(db))  # Monday: works out the slots only
    before = await periodic.plan_due(work(db, now=slot - timedelta(seconds=1)))
    at_slot = await periodic.plan_due(work(db, now=slot + timedelta(seconds=1)))
    again = await periodic.plan_due(work(db, now=slot + timedelta(seconds=2)))

    assert (first.journal_prompts, before.journal_prompts) == (0, 0)
    assert (at_slot.journal_prompts, again.journal_prompts) == (3, 0)
    assert await _queued(work(db)) == [
        ("ana", "journal_prompt"),
        ("bob", "journal_prompt"),
        ("cy", "journal_prompt"),
    ]


async def test_a_batch_that_cannot_be_planned_leaves_the_schedules_as_they_were() -> None:
    """Planning and tracking read and work out side by side, and write only when both
    have: a batch whose planning fails (dead-lettered, or retried) has changed nothing."""
    db = memory_database()
    failing = work(db)

    async def match_members_unreachable(match_ids: object) -> dict[str, tuple[str, ...]]:
        raise ConnectionError("the server went away")

    failing.store.match_members_of = match_members_unreachable  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await incoming.plan(failing, [started("rel-1", "ana", "bob")])

    assert await work(db).store.journal_schedules.find({}).to_list() == []
    assert await work(db).store.relationships.find({}).to_list() == []


async def test_a_batch_whose_write_fails_ends_as_once_applied_after_its_retry() -> None:
    """The queue's write and tracking's go side by side: one may be done when the other
    fails, and the retry of the whole batch changes nothing more than one clean pass."""
    db, clean = memory_database(), memory_database()
    failing = work(db)

    async def queue_unreachable(steps: object) -> int:
        raise ConnectionError("the queue's server went away")

    failing.store.plan_into_queue = queue_unreachable  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await incoming.plan(failing, [started("rel-1", "ana", "bob")])
    await incoming.plan(work(db), [started("rel-1", "ana", "bob")])  # the retry
    await incoming.plan(work(clean), [started("rel-1", "ana", "bob")])

    for name in ("queue", "journal_schedules", "relationships"):
        retried = await work(db).store.db[name].find({}, {"created_at": 0}).to_list()
        once = await work(clean).store.db[name].find({}, {"created_at": 0}).to_list()
        assert sorted(map(repr, retried)) == sorted(map(repr, once)), name
