"""The lifecycle loops through the real worker process: events published on the broker,
what lands in each member's inbox (and the admin's flag)."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import HR_PEOPLE, MATCHES, SESSIONS
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.integration.notifications.receivers import SmtpSink
from tests.integration.notifications.test_notifications_worker import notifier
from tests.support.waiting import eventually
from tools.localstack import LocalStack

pytestmark = pytest.mark.integration

APP = "https://mentoring.example"


class _Run:
    """One test's people, ids, producer and database."""

    def __init__(self, stack: LocalStack, db: Any) -> None:
        run = uuid.uuid4().hex[:8]
        self.ana, self.bob, self.chen = (f"{p}-{run}" for p in ("ana", "bob", "chen"))
        self.match, self.program = f"match-{run}", f"program-{run}"
        self.relationship = f"rel-{self.match}"
        self.db = db
        self.producer = EventProducer(stack.bootstrap_servers, service="test")

    async def publish(self, topic: str, subject: str, *data: EventData) -> None:
        events = [Envelope.wrap(d, source="/test", subject=subject) for d in data]
        await self.producer.publish_many([OutgoingMessage.for_event(topic, e) for e in events])

    async def flag(self) -> dict[str, Any] | None:
        """This run's admin flag on its match (the shared broker carries other tests' too)."""
        flag: dict[str, Any] | None = await self.db.admin_flags.find_one({"subject_id": self.match})
        return flag

    async def inbox(self, type_: str) -> list[tuple[str, str, str]]:
        docs = await self.db.inbox.find({"type": type_}).to_list()
        mine = [d for d in docs if d["recipient_id"] in (self.ana, self.bob)]
        return sorted((d["recipient_id"], d["action_url"], d["body"]) for d in mine)


def _activated(r: _Run) -> m.MatchActivated:
    return m.MatchActivated(
        match_id=r.match,
        program_id=r.program,
        kind=m.ProgramKind.PEER_COACHING,
        members=tuple(m.Member(person_id=p, role=m.MemberRole.PEER) for p in (r.ana, r.bob)),
        explanation=m.Explanation(total_score=1, contributions={}, constraints_satisfied=()),
        starts_on=date.today(),
    )


async def _people_and_a_flagged_relationship(r: _Run) -> None:
    await r.publish(
        HR_PEOPLE.name,
        "people",
        *(
            PersonUpserted(person_id=p, display_name=n, email=f"{p}@example.org", level=2)
            for p, n in ((r.ana, "Ana"), (r.bob, "Bob"), (r.chen, "Chen Li"))
        ),
    )
    started = s.RelationshipStarted(
        relationship_id=r.relationship,
        match_id=r.match,
        program_id=r.program,
        member_ids=(r.ana, r.bob),
        starts_on=date.today(),
        cadence_days=14,
    )
    await r.publish(SESSIONS.name, r.relationship, started)
    flagged = m.MatchFlagged(match_id=r.match, program_id=r.program, reason_codes=("x",))
    await r.publish(MATCHES.name, r.match, _activated(r), flagged)

    async def ready() -> bool:
        contacts = await r.db.contacts.count_documents({"_id": {"$in": [r.ana, r.bob, r.chen]}})
        tracked = await r.db.relationships.count_documents({"_id": r.relationship})
        return contacts == 3 and tracked == 1 and bool(await r.flag())

    await eventually(ready, what="the contacts, the relationship and the admin's flag")


async def test_kept_then_ended_early_then_surveyed_and_a_next_suggestion(
    stack: LocalStack, database_name: str, log_dir: Path, smtp: SmtpSink
) -> None:
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
    r = _Run(stack, mongo[database_name])
    try:
        with notifier(stack, database_name, log_dir, smtp, r.match, app_base_url=APP):
            await _people_and_a_flagged_relationship(r)
            link = f"{APP}/relationships/{r.relationship}"

            # An admin keeps the flagged match: the flag clears, both are told.
            await r.publish(
                MATCHES.name, r.match, m.MatchResumed(match_id=r.match, program_id=r.program)
            )

            async def resumed() -> list[tuple[str, str, str]]:
                told = await r.inbox("match_resumed")
                return told if len(told) == 2 and not await r.flag() else []

            told = await eventually(resumed, what="the resumption told, the flag cleared")
            assert [(p, u) for p, u, _ in told] == sorted([(r.ana, link), (r.bob, link)])
            assert "continues" in told[0][2]

            # Bob ends it early (sessions), the matcher follows; then the closing survey.
            early = s.RelationshipEnded(
                relationship_id=r.relationship,
                program_id=r.program,
                reason_code="ended_early",
                ended_by=r.bob,
            )
            survey = s.ClosingSurveyRequested(relationship_id=r.relationship, program_id=r.program)
            await r.publish(SESSIONS.name, r.relationship, early, survey)
            end = m.MatchEnded(
                match_id=r.match, program_id=r.program, reason_code="ended_by_member"
            )
            await r.publish(MATCHES.name, r.match, end)
            # Ana's failed self-match request elsewhere: her next suggestion is Chen.
            other = f"{r.match}-self"
            suggested = m.MatchSuggested(
                match_id=other, program_id=r.program, person_id=r.ana, suggested_person_id=r.chen
            )
            await r.publish(MATCHES.name, other, suggested)

            async def surveyed() -> list[tuple[str, str, str]]:
                asked = await r.inbox("closing_survey_request")
                offered = await r.inbox("next_suggestion")
                return asked if len(asked) == 2 and offered else []

            asked = await eventually(surveyed, what="the survey requests and the suggestion")
            assert [(p, u) for p, u, _ in asked] == sorted(
                [(r.ana, f"{link}/survey"), (r.bob, f"{link}/survey")]
            )
            [(person, url, body)] = await r.inbox("match_ended")
            assert (person, url) == (r.ana, link) and "the other member ended it" in body
            [(person, url, body)] = await r.inbox("next_suggestion")
            assert (person, url) == (r.ana, f"{APP}/programs/{r.program}/suggestions")
            assert "Chen Li" in body
    finally:
        r.producer.close()
        await mongo.close()
