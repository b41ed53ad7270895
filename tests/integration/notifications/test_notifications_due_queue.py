"""The due-queue end to end on the real database: planning, dispatch at injected times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.notifications.dispatcher import dispatch_due
from services.notifications.planner import plan_from_events
from services.notifications.preferences import put_preferences
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.contracts import matching as m
from shared.contracts import sessions as s
from tests.integration.notifications.builders import (
    add_contacts,
    as_person,
    health,
    meeting,
    parsed,
    work,
)

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
MEMBERS = ("mentor-1", "mentee-1")


async def _setup(store: NotificationsStore, channels: list[str]) -> None:
    await add_contacts(
        store, ("mentor-1", "mentor@example.org", "UTC"), ("mentee-1", "mentee@example.org", "UTC")
    )
    for person in MEMBERS:
        await put_preferences(
            work(store, caller=as_person(person)),
            person_id=person,
            values={"default_channels": channels},
        )


async def _reminders_in_inbox(store: NotificationsStore, person: str) -> list[dict]:
    return (
        await store.inbox.find({"recipient_id": person, "type": "meeting_reminder"})
        .sort("created_ms", 1)
        .to_list()
    )


async def test_scheduled_meeting_yields_exactly_two_reminders_at_the_right_instants(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    await _setup(store, ["inbox"])
    await plan_from_events(
        work(store, now=NOW), [meeting(s.MeetingScheduled, starts_at=START, at=NOW)]
    )

    first = await dispatch_due(work(store, settings, now=NOW), senders)
    assert first.sent == 2  # the scheduling notice, once per member

    moments = [
        START - timedelta(hours=24, seconds=1),
        START - timedelta(hours=24),
        START - timedelta(hours=24),  # a second pass at the same instant sends nothing more
        START - timedelta(hours=1, seconds=1),
        START - timedelta(hours=1),
        START - timedelta(minutes=30),
    ]
    sent_at = {}
    for moment in moments:
        result = await dispatch_due(work(store, settings, now=moment), senders)
        if result.sent:
            sent_at[moment] = result.sent
    assert sent_at == {START - timedelta(hours=24): 2, START - timedelta(hours=1): 2}
    for person in MEMBERS:
        reminders = await _reminders_in_inbox(store, person)
        assert [r["created_at"] for r in reminders] == [
            START - timedelta(hours=24),
            START - timedelta(hours=1),
        ]


async def test_rescheduling_moves_the_reminders_and_cancelling_withdraws_them(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    await _setup(store, ["inbox"])
    await plan_from_events(
        work(store, now=NOW), [meeting(s.MeetingScheduled, starts_at=START, at=NOW)]
    )
    moved_to = START + timedelta(days=2)
    later = NOW + timedelta(hours=1)
    await plan_from_events(
        work(store, now=later),
        [meeting(s.MeetingRescheduled, starts_at=moved_to, at=later, sequence=1)],
    )
    # A late redelivery of the original scheduling is refused by the sequence guard.
    await plan_from_events(
        work(store, now=later), [meeting(s.MeetingScheduled, starts_at=START, at=NOW)]
    )

    pending = await store.queue.find({"state": "pending", "type": "meeting_reminder"}).to_list()
    assert sorted({p["due_at"] for p in pending}) == [
        moved_to - timedelta(hours=24),
        moved_to - timedelta(hours=1),
    ]
    assert len(pending) == 4
    result = await dispatch_due(work(store, settings, now=START - timedelta(hours=1)), senders)
    # The unsent scheduling notice was withdrawn too: only the reschedule notice goes out.
    assert result.sent == 2
    assert sorted(await _types_sent(store)) == ["meeting_rescheduled"] * 2

    await dispatch_due(work(store, settings, now=moved_to - timedelta(hours=24)), senders)
    assert len(await _reminders_in_inbox(store, "mentor-1")) == 1

    cancelled_at = moved_to - timedelta(hours=3)
    await plan_from_events(
        work(store, now=cancelled_at),
        [meeting(s.MeetingCancelled, starts_at=moved_to, at=cancelled_at, sequence=2)],
    )
    await dispatch_due(work(store, settings, now=cancelled_at), senders)
    await dispatch_due(work(store, settings, now=moved_to - timedelta(hours=1)), senders)
    assert len(await _reminders_in_inbox(store, "mentor-1")) == 1, "withdrawn reminder was sent"
    withdrawn = await store.queue.count_documents(
        {"state": "withdrawn", "type": "meeting_reminder"}
    )
    assert withdrawn == 6  # 4 moved by the reschedule, 2 withdrawn by the cancellation
    cancelled = await store.inbox.count_documents({"type": "meeting_cancelled"})
    assert cancelled == 2

    # Nothing at all is planned for a meeting that is already over.
    over = moved_to + timedelta(days=1)
    before = await store.queue.count_documents({})
    await plan_from_events(
        work(store, now=over),
        [meeting(s.MeetingScheduled, starts_at=START, at=over, meeting_id="old")],
    )
    assert await store.queue.count_documents({}) == before


async def test_one_batch_is_planned_in_event_order(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    await _setup(store, ["inbox"])
    moved_to = START + timedelta(days=1)
    batch = [
        meeting(s.MeetingScheduled, starts_at=START, at=NOW),
        meeting(s.MeetingRescheduled, starts_at=moved_to, at=NOW, sequence=1),
        meeting(s.MeetingScheduled, starts_at=START, at=NOW),  # a late copy of the first
        meeting(s.MeetingScheduled, starts_at=START, at=NOW, meeting_id="other"),
        meeting(s.MeetingCancelled, starts_at=START, at=NOW, meeting_id="other", sequence=1),
    ]
    await plan_from_events(work(store, now=NOW), batch)

    pending = await store.queue.find({"state": "pending"}).to_list()
    # The moved meeting's notice, reminders and feedback request (its first notice was
    # withdrawn and its late copy refused); of the other meeting only the cancellation.
    assert sorted((d["type"], d["subject_id"]) for d in pending) == sorted(
        [("meeting_rescheduled", "meeting-1")] * 2
        + [("meeting_reminder", "meeting-1")] * 4
        + [("feedback_request", "meeting-1")] * 2
        + [("meeting_cancelled", "other")] * 2
    )
    assert {d["due_ms"] for d in pending if d["type"] == "meeting_reminder"} == {
        int((moved_to - timedelta(hours=h)).timestamp() * 1000) for h in (24, 1)
    }
    await plan_from_events(work(store, now=NOW), batch)  # the whole batch redelivered
    assert await store.queue.count_documents({"state": "pending"}) == len(pending)


async def test_a_delivered_item_leaves_the_queue_and_planning_it_again_sends_nothing(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    await _setup(store, ["inbox"])
    scheduled = meeting(s.MeetingScheduled, starts_at=START, at=NOW)
    await plan_from_events(work(store, now=NOW), [scheduled])
    assert (await dispatch_due(work(store, settings, now=NOW), senders)).sent == 2
    # The ledger is the record of a settled item: the queue keeps only what is to come.
    assert await store.queue.count_documents({"type": "meeting_scheduled"}) == 0
    assert await store.deliveries.count_documents({"status": "sent"}) == 2

    # A redelivered event plans the same keys again: the ledger refuses them.
    await plan_from_events(work(store, now=NOW), [scheduled])
    assert await store.queue.count_documents({"type": "meeting_scheduled"}) == 0
    assert (await dispatch_due(work(store, settings, now=NOW), senders)).claimed == 0
    assert len(await _types_sent(store)) == 2


async def _types_sent(store: NotificationsStore) -> list[str]:
    return [d["type"] for d in await store.inbox.find({}).to_list()]


async def test_quiet_hours_are_honoured_in_each_persons_zone_and_across_a_dst_change(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    """Three members of one meeting, the same 22:00-07:00 quiet hours, each in their own
    zone: Tokyo's from the contact directory only (saved preferences name none), Berlin's
    and New York's from their preferences. Each gets each reminder outside their own
    quiet hours."""
    # Berlin switches to summer time on 2026-03-29 at 01:00 UTC (02:00 -> 03:00 local).
    await add_contacts(
        store,
        ("berlin-1", "b@example.org", "Europe/Berlin"),
        ("newyork-1", "n@example.org", "America/New_York"),
        ("tokyo-1", "t@example.org", "Asia/Tokyo"),
    )
    quiet = {"start": "22:00", "end": "07:00"}
    await put_preferences(
        work(store, caller=as_person("tokyo-1")),
        person_id="tokyo-1",
        values={"default_channels": ["inbox"], "quiet_hours": quiet},
    )
    await put_preferences(
        work(store, caller=as_person("berlin-1")),
        person_id="berlin-1",
        values={"default_channels": ["inbox"], "quiet_hours": quiet, "time_zone": "Europe/Berlin"},
    )
    await put_preferences(
        work(store, caller=as_person("newyork-1")),
        person_id="newyork-1",
        values={
            "default_channels": ["inbox"],
            "quiet_hours": quiet,
            "time_zone": "America/New_York",
        },
    )
    starts = datetime(2026, 3, 30, 3, 30, tzinfo=UTC)  # 05:30 CEST / 23:30 EDT (29th)
    planned_at = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    await plan_from_events(
        work(store, now=planned_at),
        [
            meeting(
                s.MeetingScheduled,
                starts_at=starts,
                at=planned_at,
                members=("berlin-1", "newyork-1", "tokyo-1"),
            )
        ],
    )
    await dispatch_due(work(store, settings, now=planned_at), senders)  # the notices

    # T-24h = 2026-03-29 03:30 UTC: 05:30 CEST in Berlin, 23:30 EDT in New York: both quiet;
    # 12:30 JST in Tokyo: sent on time.
    day_before = starts - timedelta(hours=24)
    result = await dispatch_due(work(store, settings, now=day_before), senders)
    assert result.deferred == 2 and result.sent == 1
    assert [d["created_at"] for d in await _reminders_in_inbox(store, "tokyo-1")] == [day_before]
    # The Berlin period began in winter time and ends at 07:00 CEST = 05:00 UTC, not 06:00.
    assert (
        await dispatch_due(
            work(store, settings, now=datetime(2026, 3, 29, 4, 59, tzinfo=UTC)), senders
        )
    ).sent == 0
    at_five = await dispatch_due(
        work(store, settings, now=datetime(2026, 3, 29, 5, 0, tzinfo=UTC)), senders
    )
    assert at_five.sent == 1
    assert [d["created_at"] for d in await _reminders_in_inbox(store, "berlin-1")] == [
        datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    ]
    # New York's ends at 07:00 EDT = 11:00 UTC.
    assert (
        await dispatch_due(
            work(store, settings, now=datetime(2026, 3, 29, 10, 59, tzinfo=UTC)), senders
        )
    ).sent == 0
    assert (
        await dispatch_due(
            work(store, settings, now=datetime(2026, 3, 29, 11, 0, tzinfo=UTC)), senders
        )
    ).sent == 1

    assert [d["created_at"] for d in await _reminders_in_inbox(store, "newyork-1")] == [
        datetime(2026, 3, 29, 11, 0, tzinfo=UTC)
    ]

    # T-1h falls in quiet hours for Berlin and New York and theirs end after the meeting
    # starts: a late reminder is worse than none, so it is suppressed and recorded. In
    # Tokyo it is 11:30: sent on time.
    hour_before = starts - timedelta(hours=1)
    last = await dispatch_due(work(store, settings, now=hour_before), senders)
    assert last.suppressed == 2 and last.sent == 1
    tokyo = [d["created_at"] for d in await _reminders_in_inbox(store, "tokyo-1")]
    assert tokyo == [day_before, hour_before]
    suppressed = await store.deliveries.find({"status": "suppressed"}).to_list()
    assert {d["reason"] for d in suppressed} == {"quiet_hours_too_late"}
    assert all(d["pending_events"] for d in suppressed)


async def test_match_proposal_reminds_before_expiry_until_answered_then_introduces(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    await _setup(store, ["inbox"])
    explanation = m.Explanation(total_score=1, contributions={}, constraints_satisfied=())
    members = (
        m.Member(person_id="mentor-1", role=m.MemberRole.MENTOR),
        m.Member(person_id="mentee-1", role=m.MemberRole.MENTEE),
    )
    expires = NOW + timedelta(days=3)
    proposed = m.MatchProposed(
        match_id="match-1",
        program_id="p",
        kind=m.ProgramKind.REVERSE_MENTORING,
        members=members,
        explanation=explanation,
        expires_at=expires,
    )
    await plan_from_events(work(store, now=NOW), [parsed(proposed, at=NOW)])
    assert (await dispatch_due(work(store, settings, now=NOW), senders)).sent == 2
    accepted = m.MatchAccepted(match_id="match-1", program_id="p", person_id="mentor-1")
    await plan_from_events(work(store, now=NOW), [parsed(accepted, at=NOW + timedelta(hours=1))])
    reminder_at = expires - timedelta(hours=24)
    reminded = await dispatch_due(work(store, settings, now=reminder_at), senders)
    assert reminded.sent == 1  # only the member who has not answered yet
    assert (await store.inbox.find_one({"type": "match_expiry_reminder"}))["recipient_id"] == (
        "mentee-1"
    )
    activated = m.MatchActivated(
        match_id="match-1",
        program_id="p",
        kind=m.ProgramKind.REVERSE_MENTORING,
        members=members,
        explanation=explanation,
        starts_on=NOW.date(),
    )
    later = reminder_at + timedelta(hours=1)
    await plan_from_events(work(store, now=later), [parsed(activated, at=later)])
    assert (await dispatch_due(work(store, settings, now=later), senders)).sent == 2
    intro = await store.inbox.find_one({"type": "match_activated", "recipient_id": "mentor-1"})
    assert "Mentee 1" in intro["title"]


async def test_non_urgent_items_wait_for_the_daily_digest(
    store: NotificationsStore, senders, settings: NotificationsSettings
) -> None:
    await _setup(store, ["inbox"])
    await put_preferences(
        work(store, caller=as_person("mentor-1")),
        person_id="mentor-1",
        values={"daily_digest_at": "08:00"},
    )
    for n, state in enumerate(("at_risk", "stalled")):
        event = health(state, at=NOW, members=("mentor-1",), relationship_id=f"rel-{n}")
        await plan_from_events(work(store, now=NOW), [event])
    held = await dispatch_due(work(store, settings, now=NOW), senders)
    assert held.digested == 2 and held.sent == 0
    digest_at = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert (await dispatch_due(work(store, settings, now=digest_at), senders)).sent == 1
    [digest] = await store.inbox.find({"recipient_id": "mentor-1"}).to_list()
    assert digest["type"] == "daily_digest" and "2 updates" in digest["title"]
    assert (await dispatch_due(work(store, settings, now=digest_at), senders)).claimed == 0
