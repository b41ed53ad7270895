from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.sessions.domain.errors import InvalidInput, NotAMember
from services.sessions.domain.journal import (
    JournalEntry,
    JournalKind,
    entries_this_week,
    journal_streak_weeks,
    journal_view_for,
    make_journal_entry_private,
    record_journal_entry,
    share_journal_entry,
    weekly_entry_counts,
)
from services.sessions.domain.relationships import Relationship

from .builders import NOW, make_pair


def _entry(
    rel: Relationship, entry_id: str, author: str, day: date, *, shared: bool = False
) -> JournalEntry:
    return record_journal_entry(
        rel,
        entry_id=entry_id,
        author_id=author,
        kind=JournalKind.SMALL_WIN,
        text=f"TEXT-{entry_id}",
        written_on=day,
        now=datetime(2026, 6, 1, tzinfo=UTC),
        shared=shared,
    ).state


def test_journal_entries_are_private_by_default(pair: Relationship) -> None:
    entry = _entry(pair, "e1", "p-mentee", date(2026, 3, 2))
    assert entry.shared is False


def test_private_entries_never_appear_in_another_members_view(pair: Relationship) -> None:
    private = _entry(pair, "e1", "p-mentee", date(2026, 3, 2))
    shared = _entry(pair, "e2", "p-mentee", date(2026, 3, 3), shared=True)
    mentor_view = journal_view_for([private, shared], viewer_id="p-mentor", relationships=[pair])
    assert [e.id for e in mentor_view] == ["e2"]
    author_view = journal_view_for([private, shared], viewer_id="p-mentee", relationships=[pair])
    assert [e.id for e in author_view] == ["e2", "e1"]


def test_shared_entries_are_visible_only_within_their_relationship(pair: Relationship) -> None:
    other = make_pair(relationship_id="rel-2", mentor="p-other", mentee="p-other-2")
    shared = _entry(pair, "e1", "p-mentee", date(2026, 3, 2), shared=True)
    assert journal_view_for([shared], viewer_id="p-other", relationships=[pair, other]) == []


def test_only_the_author_can_change_who_sees_an_entry(pair: Relationship) -> None:
    entry = _entry(pair, "e1", "p-mentee", date(2026, 3, 2))
    with pytest.raises(NotAMember):
        share_journal_entry(entry, by="p-mentor")
    shared = share_journal_entry(entry, by="p-mentee")
    assert shared.shared
    assert not make_journal_entry_private(shared, by="p-mentee").shared


def test_journal_event_announces_the_entry_without_its_text_or_kind(pair: Relationship) -> None:
    outcome = record_journal_entry(
        pair, entry_id="e1", author_id="p-mentee", kind=JournalKind.SETBACK, text="HIDDEN", now=NOW
    )
    [event] = outcome.events
    assert event.type == "journal.entry_recorded"
    assert "HIDDEN" not in repr(event.data) and "setback" not in repr(event.data)


def test_entry_defaults_to_the_authors_local_date_and_cannot_be_in_the_future(
    pair: Relationship,
) -> None:
    late_evening_utc = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # already 3 March in Kolkata
    entry = record_journal_entry(
        pair,
        entry_id="e",
        author_id="p-mentee",
        kind=JournalKind.LEARNING,
        text="x",
        now=late_evening_utc,
    ).state
    assert entry.written_on == date(2026, 3, 3)
    with pytest.raises(InvalidInput, match="future"):
        record_journal_entry(
            pair,
            entry_id="f",
            author_id="p-mentee",
            kind=JournalKind.LEARNING,
            text="x",
            now=late_evening_utc,
            written_on=date(2026, 3, 4),
        )


def test_streak_counts_consecutive_iso_weeks_with_an_entry(pair: Relationship) -> None:
    days = [
        date(2026, 3, 2),
        date(2026, 3, 11),
        date(2026, 3, 12),
        date(2026, 3, 16),
        date(2026, 2, 16),
    ]
    entries = [_entry(pair, f"e{i}", "p-mentee", d) for i, d in enumerate(days)]
    now = datetime(2026, 3, 18, 9, tzinfo=UTC)  # week of 16 March
    # Weeks of 16, 9 and 2 March are consecutive; 23 Feb is missing, so 16 Feb does not count.
    assert (
        journal_streak_weeks(entries, author_id="p-mentee", time_zone="Asia/Kolkata", now=now) == 3
    )
    assert (
        journal_streak_weeks(entries, author_id="p-mentor", time_zone="Europe/Berlin", now=now) == 0
    )


def test_streak_survives_until_the_current_week_is_over(pair: Relationship) -> None:
    entries = [
        _entry(pair, "e1", "p-mentee", date(2026, 3, 2)),
        _entry(pair, "e2", "p-mentee", date(2026, 3, 9)),
    ]
    assert (
        journal_streak_weeks(
            entries, author_id="p-mentee", time_zone="UTC", now=datetime(2026, 3, 18, tzinfo=UTC)
        )
        == 2
    )
    assert (
        journal_streak_weeks(
            entries, author_id="p-mentee", time_zone="UTC", now=datetime(2026, 3, 25, tzinfo=UTC)
        )
        == 0
    )


def test_streak_uses_the_persons_time_zone(pair: Relationship) -> None:
    entries = [_entry(pair, "e1", "p-mentee", date(2026, 3, 2))]
    sunday_night_utc = datetime(2026, 3, 15, 22, 0, tzinfo=UTC)
    # Still Sunday (week of 9 March) in London: last week's entry keeps the streak alive.
    assert (
        journal_streak_weeks(
            entries, author_id="p-mentee", time_zone="Europe/London", now=sunday_night_utc
        )
        == 1
    )
    # Already Monday 16 March in Kolkata: the week of 9 March passed without an entry.
    assert (
        journal_streak_weeks(
            entries, author_id="p-mentee", time_zone="Asia/Kolkata", now=sunday_night_utc
        )
        == 0
    )


def test_weekly_progress_counts_entries_per_iso_week(pair: Relationship) -> None:
    days = [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 9), date(2026, 1, 1)]
    entries = [_entry(pair, f"e{i}", "p-mentee", d) for i, d in enumerate(days)]
    assert weekly_entry_counts(entries, author_id="p-mentee") == {
        "2026-W01": 1,
        "2026-W10": 2,
        "2026-W11": 1,
    }
    now = datetime(2026, 3, 4, 12, tzinfo=UTC) + timedelta(days=1)
    assert entries_this_week(entries, author_id="p-mentee", time_zone="UTC", now=now) == 2
