"""The progress journal: small wins, setbacks and learnings, private by default.

A member may share an entry with their relationship. `journal_view_for` is the only
way entries should reach a reader: it hides private entries from everyone but the
author. Streaks and weekly counts use ISO weeks in the person's own time zone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.local_time import iso_week_key, require_utc, zone

from .errors import InvalidInput, NotAMember
from .events import EventType, Outcome
from .relationships import Relationship

__all__ = [
    "JournalKind",
    "JournalEntry",
    "record_journal_entry",
    "share_journal_entry",
    "make_journal_entry_private",
    "journal_view_for",
    "journal_streak_weeks",
    "weekly_entry_counts",
    "entries_this_week",
    "journal_stats",
]


class JournalKind(StrEnum):
    SMALL_WIN = "small_win"
    SETBACK = "setback"
    LEARNING = "learning"


@dataclass(frozen=True)
class JournalEntry:
    id: str
    author_id: str
    relationship_id: str
    kind: JournalKind
    written_on: date  # the author's local date
    text: str
    created_at: datetime
    goal_id: str | None = None
    shared: bool = False


def record_journal_entry(
    relationship: Relationship,
    *,
    entry_id: str,
    author_id: str,
    kind: JournalKind,
    text: str,
    now: datetime,
    written_on: date | None = None,
    goal_id: str | None = None,
    shared: bool = False,
) -> Outcome[JournalEntry]:
    """Write a journal entry; private unless `shared`. Defaults to the author's local today.

    The event announces that an entry exists (for streak nudges and counts), never its
    kind or text.
    """
    now = require_utc(now, "now")
    author = relationship.member(author_id)
    today = now.astimezone(zone(author.time_zone)).date()
    day = written_on or today
    if day > today:
        raise InvalidInput("a journal entry cannot be dated in the future")
    text = text.strip()
    if not text or len(text) > 10_000:
        raise InvalidInput("a journal entry needs 1 to 10000 characters of text")
    entry = JournalEntry(
        id=entry_id,
        author_id=author_id,
        relationship_id=relationship.id,
        kind=kind,
        written_on=day,
        text=text,
        created_at=now,
        goal_id=goal_id,
        shared=shared,
    )
    event = relationship.event(
        EventType.JOURNAL_ENTRY_RECORDED,
        now,
        entry_id=entry_id,
        author_id=author_id,
        written_on=day.isoformat(),
        iso_week=iso_week_key(day),
    )
    return Outcome(entry, (event,))


def _require_author(entry: JournalEntry, person_id: str) -> None:
    if entry.author_id != person_id:
        raise NotAMember("only the author can change who sees a journal entry")


def share_journal_entry(entry: JournalEntry, *, by: str) -> JournalEntry:
    """Let the other members of the relationship read this entry."""
    _require_author(entry, by)
    return replace(entry, shared=True)


def make_journal_entry_private(entry: JournalEntry, *, by: str) -> JournalEntry:
    """Make the entry visible to its author only again."""
    _require_author(entry, by)
    return replace(entry, shared=False)


def journal_view_for(
    entries: Sequence[JournalEntry], *, viewer_id: str, relationships: Sequence[Relationship]
) -> list[JournalEntry]:
    """Entries `viewer_id` may read: their own, plus entries shared with a relationship
    they belong to. Newest first."""
    member_of = {r.id for r in relationships if r.is_member(viewer_id)}
    visible = [
        e
        for e in entries
        if e.author_id == viewer_id or (e.shared and e.relationship_id in member_of)
    ]
    return sorted(visible, key=lambda e: (e.written_on, e.created_at), reverse=True)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def journal_streak_weeks(
    entries: Sequence[JournalEntry], *, author_id: str, time_zone: str, now: datetime
) -> int:
    """Consecutive ISO weeks, up to now, with at least one entry by `author_id`.

    A streak is not broken until the current week is over: if this week has no entry
    yet, counting starts from last week.
    """
    today = require_utc(now, "now").astimezone(zone(time_zone)).date()
    weeks = {_week_start(e.written_on) for e in entries if e.author_id == author_id}
    week = _week_start(today)
    if week not in weeks:
        week -= timedelta(weeks=1)
    streak = 0
    while week in weeks:
        streak += 1
        week -= timedelta(weeks=1)
    return streak


def weekly_entry_counts(entries: Sequence[JournalEntry], *, author_id: str) -> dict[str, int]:
    """Number of entries per ISO week label ('2026-W09') for one person, oldest first."""
    counts = Counter(iso_week_key(e.written_on) for e in entries if e.author_id == author_id)
    return dict(sorted(counts.items()))


def entries_this_week(
    entries: Sequence[JournalEntry], *, author_id: str, time_zone: str, now: datetime
) -> int:
    """Weekly progress: how many entries the person wrote in their current ISO week."""
    today = require_utc(now, "now").astimezone(zone(time_zone)).date()
    start = _week_start(today)
    return sum(1 for e in entries if e.author_id == author_id and start <= e.written_on <= today)


def journal_stats(
    entries: Sequence[JournalEntry], *, author_id: str, time_zone: str, now: datetime
) -> dict[str, object]:
    """An author's writing rhythm: streak in weeks, entries this week, and per ISO week."""
    streak = journal_streak_weeks(entries, author_id=author_id, time_zone=time_zone, now=now)
    this_week = entries_this_week(entries, author_id=author_id, time_zone=time_zone, now=now)
    weekly = weekly_entry_counts(entries, author_id=author_id)
    return {"streak_weeks": streak, "this_week": this_week, "weekly_counts": weekly}
