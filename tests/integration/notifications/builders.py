"""Events and contacts for the notifier's tests (ids only on events, as on the wire)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.notifications.projections import apply_contact_events
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from services.notifications.unit_of_work import Work
from shared.auth import Principal, Role
from shared.contracts import sessions as s
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import ParsedEvent


def work(
    store: NotificationsStore,
    settings: NotificationsSettings | None = None,
    *,
    now: datetime | None = None,
    caller: Principal | None = None,
) -> Work:
    """A unit of work over the test's store at ``now`` (the service functions' input)."""
    settings = settings or NotificationsSettings()
    return Work(
        store=store,
        settings=settings,
        source=settings.source,
        now=now or datetime.now(UTC),
        caller=caller,
    )


def as_person(person_id: str) -> Principal:
    """An employee acting for themself."""
    return Principal(subject=person_id, roles=frozenset({Role.EMPLOYEE}))


def parsed(
    data: EventData, *, at: datetime, subject: str = "subject", event_id: str | None = None
) -> ParsedEvent:
    envelope = Envelope.wrap(
        data, source="/test", subject=subject, event_id=event_id or str(uuid.uuid4()), time=at
    )
    return ParsedEvent(envelope=envelope, data=data)


async def add_contacts(store: NotificationsStore, *people: tuple[str, str, str]) -> None:
    """(person id, e-mail, time zone) each."""
    events = [
        parsed(
            PersonUpserted(
                person_id=pid,
                display_name=pid.replace("-", " ").title(),
                email=email,
                level=3,
                time_zone=tz,
            ),
            at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        for pid, email, tz in people
    ]
    await apply_contact_events(work(store), events)


def meeting(
    kind: type[s.MeetingScheduled] | type[s.MeetingRescheduled] | type[s.MeetingCancelled],
    *,
    starts_at: datetime,
    at: datetime,
    sequence: int = 0,
    members: tuple[str, ...] = ("mentor-1", "mentee-1"),
    meeting_id: str = "meeting-1",
    time_zone: str = "UTC",
) -> ParsedEvent:
    data = kind(
        meeting_id=meeting_id,
        relationship_id="rel-1",
        program_id="program-1",
        member_ids=members,
        organiser_id=members[0],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        time_zone=time_zone,
        sequence=sequence,
    )
    return parsed(data, at=at, subject=data.relationship_id)


def health(
    state: str,
    *,
    at: datetime,
    members: tuple[str, ...] = ("mentor-1", "mentee-1"),
    relationship_id: str = "rel-1",
) -> ParsedEvent:
    data = s.HealthChanged(
        relationship_id=relationship_id,
        program_id="program-1",
        member_ids=members,
        state=state,
        previous_state="healthy",
    )
    return parsed(data, at=at, subject=data.relationship_id)
