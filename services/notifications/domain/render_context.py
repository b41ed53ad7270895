"""What a message template is given (``RenderContext``) and the small text helpers the
templates share (``render``, ``render_lifecycle``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["RenderContext", "Template", "names", "lines", "letter", "bullets"]


@dataclass(frozen=True)
class RenderContext:
    """Display data for one message to one recipient, supplied by the adapter.
    ``reason_code`` is the code a message explains in plain words (why a match ended;
    ``assigned``: how a match started)."""

    recipient_name: str
    time_zone: str = "UTC"
    program_name: str = "your mentoring program"
    counterpart_names: tuple[str, ...] = ()
    action_url: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    expires_at: datetime | None = None
    explanation: tuple[str, ...] = ()
    action_item_title: str | None = None
    due_on: date | None = None
    digest_lines: tuple[str, ...] = ()
    reason_code: str | None = None
    program_id: str | None = None


#: A template: the context -> (subject, text, action label).
Template = Callable[[RenderContext], tuple[str, str, str]]


def names(ctx: RenderContext, unknown: str = "your match") -> str:
    """The counterparts' names joined in English (``unknown`` when none is known)."""
    known = ctx.counterpart_names
    if not known:
        return unknown
    if len(known) == 1:
        return known[0]
    return ", ".join(known[:-1]) + " and " + known[-1]


def lines(*text: str) -> str:
    return "\n".join(text)


def letter(c: RenderContext, *text: str) -> str:
    """A message's text: every one greets its recipient by name, then a blank line."""
    return lines(f"Hi {c.recipient_name},", "", *text)


def bullets(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"- {item}" for item in items)
