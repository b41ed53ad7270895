"""Data for the sessions bench: match events to ingest, and relationships with meetings
seeded straight into the database for the API load."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pymongo import AsyncMongoClient, InsertOne

from services.sessions.domain.meetings import schedule_meeting
from services.sessions.domain.relationships import (
    Member,
    MemberRole,
    RelationshipKind,
    start_relationship,
)
from services.sessions.mapping import stored as meeting_doc
from services.sessions.relationships import relationship_doc
from services.sessions.store import INDEXES, agenda_row
from shared.contracts.envelope import Envelope
from shared.contracts.matching import Explanation, MatchActivated, MatchEnded, MatchFlagged
from shared.contracts.matching import Member as MatchMember
from shared.contracts.registry import MATCHES
from shared.kafka.producer import OutgoingMessage
from shared.mongo import ensure_indexes

EXPLANATION = Explanation(total_score=0.7, contributions={"skills": 0.7}, constraints_satisfied=())


def match_events(count: int, tag: str) -> list[OutgoingMessage]:
    """~75% activations; every 4th match is also flagged and every 8th ended."""
    out: list[OutgoingMessage] = []
    i = 0
    while len(out) < count:
        match_id = f"{tag}-m{i}"
        program_id = f"{tag}-p{i % 10}"
        events: list[object] = [
            MatchActivated(
                match_id=match_id,
                program_id=program_id,
                kind="reverse_mentoring",
                members=(
                    MatchMember(person_id=f"{tag}-a{i}", role="mentor"),
                    MatchMember(person_id=f"{tag}-b{i}", role="mentee"),
                ),
                explanation=EXPLANATION,
                starts_on=date(2027, 1, 4),
            )
        ]
        if i % 4 == 0:
            events.append(
                MatchFlagged(match_id=match_id, program_id=program_id, reason_codes=("x",))
            )
        if i % 8 == 0:
            events.append(MatchEnded(match_id=match_id, program_id=program_id, reason_code="y"))
        for data in events:
            envelope = Envelope.wrap(data, source="/bench", subject=match_id)  # type: ignore[arg-type]
            out.append(OutgoingMessage.for_event(MATCHES.name, envelope))
        i += 1
    return out[:count]


async def seed_meetings(mongo_url: str, database: str, pairs: int, per_pair: int) -> list[str]:
    mongo: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = mongo[database]
    await ensure_indexes(db, INDEXES)
    now = datetime.now(UTC)
    rels, meetings, rows, people = [], [], [], []
    for i in range(pairs):
        members = [
            Member(f"api-a{i}", MemberRole.MENTOR, "Europe/Berlin"),
            Member(f"api-b{i}", MemberRole.MENTEE, "Asia/Kolkata"),
        ]
        rel = start_relationship(
            relationship_id=f"rel-api-{i}",
            program_id=f"prog-{i % 10}",
            match_id=f"api-{i}",
            kind=RelationshipKind.REVERSE_MENTORING,
            members=members,
            started_on=now.date(),
            planned_end_on=now.date() + timedelta(days=180),
            cadence_days=14,
            now=now,
        ).state
        rels.append(InsertOne({**relationship_doc(rel), "version": 1}))
        people += [m.person_id for m in members]
        for j in range(per_pair):
            meeting = schedule_meeting(
                meeting_id=f"meet-api-{i}-{j}",
                relationship=rel,
                organiser_id=members[j % 2].person_id,
                starts_at=now + timedelta(days=1 + 7 * j, hours=i % 8),
                duration_minutes=45,
                now=now,
            ).state
            doc = {**meeting_doc(meeting), "version": 1}
            meetings.append(InsertOne(doc))
            rows += [InsertOne(agenda_row(doc, p)) for p in doc["participant_ids"]]
    await db["relationships"].bulk_write(rels, ordered=False)
    for name, ops in (("meetings", meetings), ("agenda_rows", rows)):
        for k in range(0, len(ops), 2000):
            await db[name].bulk_write(ops[k : k + 2000], ordered=False)
    await mongo.close()
    return people
