"""Weekly journal prompts and the program-admin digest on the real database and mail
sink, with the time injected."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import Message

import pytest

from services.notifications import periodic
from services.notifications.dispatcher import dispatch_due
from services.notifications.preferences import put_preferences
from services.notifications.projections import apply_contact_events, track
from services.notifications.settings import NotificationsSettings
from services.notifications.store import NotificationsStore
from shared.contracts import matching as m
from shared.contracts import sessions as s
from shared.contracts.hr import PersonErased
from shared.contracts.registry import ParsedEvent
from tests.integration.notifications.builders import add_contacts, as_person, parsed, work
from tests.integration.notifications.receivers import SmtpSink

pytestmark = pytest.mark.integration

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Friday 6 March 2026, 16:00 in New York (EST) and in London (GMT).
NY_FRIDAY_SLOT = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)
LONDON_FRIDAY_SLOT = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
WEEK = timedelta(days=7)


def started(relationship_id: str, *members: str) -> ParsedEvent:
    data = s.RelationshipStarted(
        relationship_id=relationship_id,
        match_id=f"match-{relationship_id}",
        program_id="program-1",
        member_ids=members,
        starts_on=date(2026, 3, 2),
        cadence_days=14,
    )
    return parsed(data, at=MONDAY, subject=relationship_id)


def ended(relationship_id: str, *, at: datetime) -> ParsedEvent:
    data = s.RelationshipEnded(
        relationship_id=relationship_id, program_id="program-1", reason_code="completed"
    )
    return parsed(data, at=at, subject=relationship_id)


async def _people(store: NotificationsStore) -> None:
    await add_contacts(
        store,
        ("mentor-1", "mentor@example.org", "America/New_York"),
        ("mentee-1", "mentee@example.org", "Europe/London"),
        ("mentee-2", "mentee2@example.org", "Europe/London"),
        ("admin-1", "admin@example.org", "Europe/Berlin"),
    )


def _text(mail: Message) -> str:
    parts = [p for p in mail.walk() if p.get_content_type() == "text/plain"]
    return "".join(p.get_payload(decode=True).decode() for p in parts)


async def _prompts(store: NotificationsStore) -> list[tuple[str, datetime]]:
    docs = await store.queue.find({"type": "journal_prompt"}).to_list()
    return sorted((d["recipient_id"], d["due_at"]) for d in docs)


async def test_each_member_gets_one_journal_prompt_a_week_at_their_local_friday_afternoon(
    store: NotificationsStore,
) -> None:
    await _people(store)
    # mentor-1 is in two relationships: still one prompt a week.
    await track(
        work(store),
        [started("rel-1", "mentor-1", "mentee-1"), started("rel-2", "mentor-1", "mentee-2")],
    )

    assert await periodic.plan_due(work(store, now=MONDAY)) == periodic.PeriodicResult()
    assert await _prompts(store) == []

    await periodic.plan_due(work(store, now=LONDON_FRIDAY_SLOT - SECOND))
    assert await _prompts(store) == []
    london = await periodic.plan_due(work(store, now=LONDON_FRIDAY_SLOT + SECOND))
    assert london.journal_prompts == 2
    new_york = await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + SECOND))
    again = await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + 2 * SECOND))

    assert (new_york.journal_prompts, again.journal_prompts) == (1, 0)
    assert await _prompts(store) == [
        ("mentee-1", LONDON_FRIDAY_SLOT),
        ("mentee-2", LONDON_FRIDAY_SLOT),
        ("mentor-1", NY_FRIDAY_SLOT),
    ]


async def test_a_prompt_is_sent_by_mail_and_the_next_week_brings_the_next_one(
    store: NotificationsStore, senders, settings: NotificationsSettings, smtp: SmtpSink
) -> None:
    await _people(store)
    await put_preferences(
        work(store, caller=as_person("mentee-1")),
        person_id="mentee-1",
        values={"default_channels": ["email"]},
    )
    await track(work(store), [started("rel-1", "mentor-1", "mentee-1")])
    await periodic.plan_due(work(store, now=MONDAY))

    await periodic.plan_due(work(store, now=LONDON_FRIDAY_SLOT))
    result = await dispatch_due(work(store, settings, now=LONDON_FRIDAY_SLOT), senders)
    await periodic.plan_due(work(store, now=LONDON_FRIDAY_SLOT + WEEK))
    await dispatch_due(work(store, settings, now=LONDON_FRIDAY_SLOT + WEEK), senders)

    assert result.sent == 1
    mails = [x for x in smtp.messages if x["To"] == "Mentee 1 <mentee@example.org>"]
    assert [x["Subject"] for x in mails] == ["Your weekly reflection"] * 2
    assert "/journal" in _text(mails[0])


async def test_no_prompt_without_an_active_relationship_and_again_once_one_starts(
    store: NotificationsStore,
) -> None:
    await _people(store)
    await track(work(store), [started("rel-1", "mentor-1", "mentee-1")])
    await periodic.plan_due(work(store, now=MONDAY))
    paused = s.RelationshipPaused(relationship_id="rel-1", program_id="program-1", reason_code="x")
    await track(work(store), [parsed(paused, at=MONDAY + SECOND, subject="rel-1")])

    await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + SECOND))
    assert await _prompts(store) == []

    resumed = s.RelationshipResumed(relationship_id="rel-1", program_id="program-1")
    await track(work(store), [parsed(resumed, at=NY_FRIDAY_SLOT + SECOND, subject="rel-1")])
    await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + 2 * SECOND))
    await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + WEEK))
    await track(work(store), [ended("rel-1", at=NY_FRIDAY_SLOT + WEEK + SECOND)])
    await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + 2 * WEEK))

    # Only the week it was active again: resumed after one slot, ended before the next.
    # New York is on summer time from 8 March: 16:00 EDT is 20:00 UTC.
    assert await _prompts(store) == [
        ("mentee-1", LONDON_FRIDAY_SLOT + WEEK),
        ("mentor-1", datetime(2026, 3, 13, 20, 0, tzinfo=UTC)),
    ]


async def test_a_slot_missed_by_more_than_the_grace_is_skipped(store: NotificationsStore) -> None:
    await _people(store)
    await track(work(store), [started("rel-1", "mentor-1", "mentee-1")])
    await periodic.plan_due(work(store, now=MONDAY))

    late = await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + timedelta(days=2)))

    assert late.journal_prompts == 0 and await _prompts(store) == []
    on_time = await periodic.plan_due(work(store, now=NY_FRIDAY_SLOT + WEEK))
    assert on_time.journal_prompts == 2


def program(*admins: str, kind: type[m.ProgramOpened] = m.ProgramOpened) -> ParsedEvent:
    data = kind(program_id="program-1", kind=m.ProgramKind.REVERSE_MENTORING, admin_ids=admins)
    return parsed(data, at=MONDAY - WEEK, subject="program-1")


def flagged(match_id: str, *, at: datetime) -> ParsedEvent:
    data = m.MatchFlagged(match_id=match_id, program_id="program-1", reason_codes=("manager",))
    return parsed(data, at=at, subject=match_id)


def health(relationship_id: str, state: str, *, at: datetime) -> ParsedEvent:
    data = s.HealthChanged(
        relationship_id=relationship_id,
        program_id="program-1",
        member_ids=("mentor-1", "mentee-1"),
        state=state,
    )
    return parsed(data, at=at, subject=relationship_id)


# Monday 9 March 2026, 09:00 in Berlin (CET) is 08:00 UTC.
BERLIN_MONDAY_SLOT = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


async def test_the_admin_digest_lists_what_is_flagged_when_its_slot_comes(
    store: NotificationsStore, senders, settings: NotificationsSettings, smtp: SmtpSink
) -> None:
    await _people(store)
    await put_preferences(
        work(store, caller=as_person("admin-1")),
        person_id="admin-1",
        values={"default_channels": ["email"]},
    )
    events = [
        program("admin-1"),
        flagged("match-7", at=MONDAY),
        flagged("match-8", at=MONDAY),
        health("rel-3", "at_risk", at=MONDAY),
        health("rel-4", "stalled", at=MONDAY),
        health("rel-4", "healthy", at=MONDAY + timedelta(days=1)),  # resolved: not listed
        parsed(
            m.MatchEnded(match_id="match-8", program_id="program-1", reason_code="ended"),
            at=MONDAY + timedelta(days=2),
            subject="match-8",
        ),
    ]
    await track(work(store), events)
    await periodic.plan_due(work(store, now=MONDAY))

    early = await periodic.plan_due(work(store, now=BERLIN_MONDAY_SLOT - SECOND))
    due = await periodic.plan_due(work(store, now=BERLIN_MONDAY_SLOT + SECOND))
    await dispatch_due(work(store, settings, now=BERLIN_MONDAY_SLOT + SECOND), senders)

    assert (early.admin_digests, due.admin_digests) == (0, 1)
    [mail] = [x for x in smtp.messages if x["To"] == "Admin 1 <admin@example.org>"]
    text = _text(mail)
    assert "Flagged match match-7 (since 2026-03-02)" in text
    assert "Relationship at risk rel-3 (since 2026-03-02)" in text
    assert "match-8" not in text and "rel-4" not in text
    assert "/admin/programs/program-1" in text


async def test_no_digest_when_nothing_is_flagged_nor_for_a_removed_admin(
    store: NotificationsStore,
) -> None:
    await _people(store)
    await track(work(store), [program("admin-1", "mentor-1")])
    await periodic.plan_due(work(store, now=MONDAY))

    quiet = await periodic.plan_due(work(store, now=BERLIN_MONDAY_SLOT + SECOND))
    await track(
        work(store),
        [program("admin-1", kind=m.ProgramUpdated), flagged("match-1", at=BERLIN_MONDAY_SLOT)],
    )
    flagged_week = await periodic.plan_due(work(store, now=BERLIN_MONDAY_SLOT + WEEK + SECOND))

    assert quiet.admin_digests == 0
    assert flagged_week.admin_digests == 1
    recipients = await store.queue.distinct("recipient_id", {"type": "admin_digest"})
    assert recipients == ["admin-1"]


async def test_tracking_the_same_events_again_changes_nothing(store: NotificationsStore) -> None:
    await _people(store)
    events = [
        program("admin-1"),
        started("rel-1", "mentor-1", "mentee-1"),
        health("rel-1", "at_risk", at=MONDAY),
        flagged("match-1", at=MONDAY),
        health("rel-1", "healthy", at=MONDAY + SECOND),
        health("rel-1", "stalled", at=MONDAY + 2 * SECOND),
    ]
    await track(work(store), events)
    await periodic.plan_due(work(store, now=MONDAY))

    async def state() -> list[list[dict[str, object]]]:
        return [
            await collection.find().sort("_id", 1).to_list()
            for collection in (
                store.relationships,
                store.journal_schedules,
                store.digest_schedules,
                store.admin_flags,
            )
        ]

    before = await state()
    await track(work(store), events)
    await track(work(store), events[2:])

    assert await state() == before
    flags = before[3]
    assert [(f["_id"], f["since"]) for f in flags] == [
        ("flagged_match:match-1", MONDAY),
        ("stalled_relationship:rel-1", MONDAY + 2 * SECOND),
    ]


async def test_an_erased_person_has_no_schedule_left_and_gets_none_again(
    store: NotificationsStore,
) -> None:
    await _people(store)
    await track(work(store), [program("admin-1"), started("rel-1", "mentor-1", "mentee-1")])
    erased = [
        parsed(PersonErased(person_id=p), at=MONDAY, subject=p) for p in ("mentee-1", "admin-1")
    ]
    await apply_contact_events(work(store), erased)
    await track(work(store), [program("admin-1"), started("rel-1", "mentor-1", "mentee-1")])

    assert [d["_id"] for d in await store.journal_schedules.find().to_list()] == ["mentor-1"]
    assert await store.digest_schedules.count_documents({}) == 0
    assert (await store.relationships.find_one({"_id": "rel-1"}))["member_ids"] == ["mentor-1"]
