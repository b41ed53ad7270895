"""The lifecycle loops on the notifier's side, on the fake unit of work: what members are
told when a relationship ends (why, and the closing survey) or a flagged match is kept,
and a requester's next suggestion, as the consumer plans it and one dispatcher pass
delivers it to the inbox; and the admin's flag, which the match's end or resumption
clears."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.notifications import incoming
from services.notifications.dispatcher import dispatch_due
from services.notifications.domain.model import Channel
from services.notifications.erasure import erase_person
from services.notifications.senders.inbox import InboxSender
from services.notifications.settings import NotificationsSettings
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import EventData
from shared.contracts.registry import ParsedEvent
from tests.support.fakes import memory_database
from tests.unit.notifications.test_notifications_service_people import upserted
from tests.unit.notifications.test_notifications_service_planning import (
    NOW,
    event,
    proposed,
    started,
    work,
)

BASE = NotificationsSettings().app_base_url.rstrip("/")


def survey_requested(relationship_id: str = "rel-1", *members: str, hours: int = 0) -> ParsedEvent:
    data = s.ClosingSurveyRequested(
        relationship_id=relationship_id, program_id="program-1", member_ids=members
    )
    return event(data, at=NOW + timedelta(hours=hours))


async def _queued(db: Any) -> list[tuple[str, str, str]]:
    docs = await work(db).store.queue.find({}).to_list()
    return sorted((d["recipient_id"], d["type"], d["subject_id"]) for d in docs)


async def _inbox(db: Any, *, minutes: int = 1) -> list[tuple[str, str, str | None]]:
    uow = work(db, now=NOW + timedelta(minutes=minutes))
    await dispatch_due(uow, {Channel.INBOX: InboxSender(uow.store)})
    docs = await uow.store.inbox.find({}).to_list()
    return sorted((d["recipient_id"], d["type"], d["action_url"]) for d in docs)


def activated() -> ParsedEvent:
    """ana and bob's match-1, proposed and now accepted by both."""
    offer = proposed().data
    assert isinstance(offer, m.MatchProposed)
    kept = offer.model_dump(include={"match_id", "program_id", "kind", "members", "explanation"})
    return event(m.MatchActivated(**kept, starts_on=NOW.date()))


def later(data: EventData, minutes: int) -> ParsedEvent:
    return event(data, at=NOW + timedelta(minutes=minutes))


async def _flags(db: Any) -> list[str]:
    return [d["subject_id"] for d in await work(db).store.admin_flags.find({}).to_list()]


async def test_each_member_finds_the_closing_survey_in_their_inbox_with_its_link() -> None:
    db = memory_database()
    await incoming.plan(work(db), [started("rel-1", "ana", "bob")])

    await incoming.plan(work(db), [survey_requested("rel-1")])  # members known from the start

    survey = f"{BASE}/relationships/rel-1/survey"
    assert await _inbox(db) == [
        ("ana", "closing_survey_request", survey),
        ("bob", "closing_survey_request", survey),
    ]


async def test_the_survey_is_requested_once_per_member_per_relationship() -> None:
    db = memory_database()
    await incoming.plan(work(db), [survey_requested("rel-1", "ana", "bob")])
    await _inbox(db)

    # Announced again later (another event, another instant): nothing new for anyone.
    again = survey_requested("rel-1", "ana", "bob", hours=1)
    await incoming.plan(work(db, now=NOW + timedelta(hours=1)), [again])

    assert await _queued(db) == []
    assert len(await _inbox(db, minutes=61)) == 2


async def test_the_survey_email_follows_the_persons_channels_and_the_inbox_is_kept() -> None:
    db = memory_database()
    await incoming.plan(work(db), [survey_requested("rel-1", "ana", "bob")])
    uow = work(db, now=NOW + timedelta(minutes=1))

    sent: list[tuple[str, str]] = []

    class _Email:
        channel = Channel.EMAIL

        async def send(self, outgoing: Any) -> None:
            sent.append((outgoing.planned.recipient_id, outgoing.message.action_url))

        async def aclose(self) -> None:
            return None

    senders: Any = {Channel.INBOX: InboxSender(uow.store), Channel.EMAIL: _Email()}
    await dispatch_due(uow, senders)

    survey = f"{BASE}/relationships/rel-1/survey"
    assert sorted(sent) == [("ana", survey), ("bob", survey)]  # the defaults: e-mail and inbox
    assert await uow.store.inbox.count_documents({}) == 2


async def test_an_erased_member_is_never_asked() -> None:
    db = memory_database()
    await incoming.plan(work(db), [started("rel-1", "ana", "bob")])
    await erase_person(work(db), "bob")

    await incoming.plan(work(db), [survey_requested("rel-1"), survey_requested("rel-2", "bob")])

    assert await _queued(db) == [("ana", "closing_survey_request", "rel-1")]


async def test_a_kept_flagged_match_clears_the_flag_and_tells_each_member_it_continues() -> None:
    db = memory_database()
    flagged = m.MatchFlagged(match_id="match-1", program_id="program-1", reason_codes=("x",))
    await incoming.plan(work(db), [activated(), later(flagged, 1)])
    assert await _flags(db) == ["match-1"]
    await _inbox(db, minutes=2)  # the introductions

    kept = m.MatchResumed(match_id="match-1", program_id="program-1")
    await incoming.plan(work(db, now=NOW + timedelta(minutes=3)), [later(kept, 3)])

    assert await _flags(db) == []
    relationship = f"{BASE}/relationships/rel-match-1"
    assert [x for x in await _inbox(db, minutes=4) if x[1] == "match_resumed"] == [
        ("ana", "match_resumed", relationship),
        ("bob", "match_resumed", relationship),
    ]


async def test_a_match_ended_by_an_admin_tells_each_member_why_and_clears_its_flag() -> None:
    db = memory_database()
    flagged = m.MatchFlagged(match_id="match-1", program_id="program-1", reason_codes=("x",))
    await incoming.plan(work(db), [activated(), later(flagged, 1)])

    end = m.MatchEnded(
        match_id="match-1", program_id="program-1", reason_code="flag_resolved_ended"
    )
    await incoming.plan(work(db, now=NOW + timedelta(minutes=2)), [later(end, 2)])

    assert await _flags(db) == []
    await _inbox(db, minutes=3)
    docs = await work(db).store.inbox.find({"type": "match_ended"}).to_list()
    assert sorted(d["recipient_id"] for d in docs) == ["ana", "bob"]
    assert all("a program admin ended it after reviewing a flag" in d["body"] for d in docs)
    assert {d["action_url"] for d in docs} == {f"{BASE}/relationships/rel-match-1"}


async def test_a_member_erased_since_the_match_began_is_not_told_it_ended() -> None:
    """The end names only the match: its members are looked up, and the erased one is
    there only as a pseudonym, which is never addressed."""
    db = memory_database()
    await incoming.plan(work(db), [activated()])
    await erase_person(work(db), "bob")

    end = m.MatchEnded(match_id="match-1", program_id="program-1", reason_code="ended_by_admin")
    await incoming.plan(work(db, now=NOW + timedelta(minutes=2)), [later(end, 2)])

    ended = await work(db).store.queue.find({"type": "match_ended"}).to_list()
    assert [d["recipient_id"] for d in ended] == ["ana"]


async def test_a_member_who_ends_early_is_not_told_and_the_other_is_told_once() -> None:
    db = memory_database()
    await incoming.plan(work(db), [activated(), started("rel-match-1", "ana", "bob")])
    early = s.RelationshipEnded(
        relationship_id="rel-match-1",
        program_id="program-1",
        reason_code="ended_early",
        ended_by="bob",
    )
    end = m.MatchEnded(match_id="match-1", program_id="program-1", reason_code="ended_by_member")

    # sessions' end, then the matcher's that follows it (and once more, redelivered late)
    await incoming.plan(work(db, now=NOW + timedelta(minutes=1)), [later(early, 1)])
    await incoming.plan(work(db, now=NOW + timedelta(minutes=2)), [later(end, 2)])
    await _inbox(db, minutes=3)
    await incoming.plan(work(db, now=NOW + timedelta(minutes=4)), [later(end, 4)])

    ended = [x for x in await _inbox(db, minutes=5) if x[1] == "match_ended"]
    assert ended == [("ana", "match_ended", f"{BASE}/relationships/rel-match-1")]


def suggested(suggested_person_id: str) -> ParsedEvent:
    return event(
        m.MatchSuggested(
            match_id="match-9",
            program_id="program-1",
            person_id="ana",
            suggested_person_id=suggested_person_id,
        )
    )


async def _suggestion_to_ana(db: Any) -> tuple[str, str]:
    await _inbox(db)
    [doc] = await work(db).store.inbox.find({"type": "next_suggestion"}).to_list()
    assert doc["recipient_id"] == "ana"
    return doc["body"], doc["action_url"]


async def test_after_a_failed_request_the_requester_is_offered_the_next_person_by_name() -> None:
    db = memory_database()
    await incoming.on_people_events(work(db), [upserted("chen")])

    await incoming.plan(work(db), [suggested("chen")])

    body, link = await _suggestion_to_ana(db)
    assert "Our next suggestion for you is Chen." in body
    assert link == f"{BASE}/programs/program-1/suggestions"


async def test_a_suggested_person_not_in_the_directory_is_named_neutrally() -> None:
    db = memory_database()
    await erase_person(work(db), "chen")

    await incoming.plan(work(db), [suggested("chen"), suggested("dana")])  # one per request

    [queued] = await work(db).store.queue.find({}).to_list()
    assert queued["payload"]["suggested_person_id"] != "chen"  # the erased one's pseudonym
    body, _ = await _suggestion_to_ana(db)
    assert "another colleague who fits what you are looking for" in body


async def test_a_relationship_started_and_ended_in_one_batch_still_asks_both() -> None:
    db = memory_database()

    await incoming.plan(work(db), [started("rel-1", "ana", "bob"), survey_requested("rel-1")])

    assert await _queued(db) == [
        ("ana", "closing_survey_request", "rel-1"),
        ("bob", "closing_survey_request", "rel-1"),
    ]
