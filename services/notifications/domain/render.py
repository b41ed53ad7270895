"""Message text per notification type: a subject line, a plain-text body, one action.

The adapter supplies every display value in a `RenderContext` (names, the link,
human-readable match explanations), looked up for this recipient only, so nothing
here can leak another person's data. Times are shown in the recipient's zone with
English names independent of the process locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.local_time import zone

from .model import NotificationType
from .planning import ASSIGNED
from .render_context import RenderContext, Template
from .render_context import bullets as _bullets
from .render_context import letter as _letter
from .render_context import names as _names
from .render_lifecycle import LIFECYCLE_TEMPLATES
from .render_pulse import PULSE_TEMPLATES
from .safety_planning import SAFETY_TEMPLATES

__all__ = ["RenderContext", "RenderedMessage", "render_message", "format_local_time"]

T = NotificationType
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class RenderedMessage:
    """Channel-neutral message; payload builders turn it into email, Slack, Teams, JSON."""

    subject: str
    text: str
    action_label: str | None = None
    action_url: str | None = None


def format_local_time(instant: datetime, time_zone: str) -> str:
    """E.g. 'Tuesday 3 March 2026, 14:00 (Europe/Berlin)'."""
    local = instant.astimezone(zone(time_zone))
    return (
        f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
        f"{local:%H:%M} ({time_zone})"
    )


def _when(ctx: RenderContext) -> str:
    return format_local_time(ctx.starts_at, ctx.time_zone) if ctx.starts_at else "the agreed time"


def _until(ctx: RenderContext) -> str:
    return format_local_time(ctx.expires_at, ctx.time_zone) if ctx.expires_at else "soon"


def _overdue(ctx: RenderContext) -> str:
    what = f'"{ctx.action_item_title}"' if ctx.action_item_title else "One of your action items"
    return f"{what} was due{' on ' + ctx.due_on.isoformat() if ctx.due_on else ''}."


def _how_it_started(c: RenderContext) -> tuple[str, ...]:
    """Accepted by both, or assigned by the program's admins (nobody was asked)."""
    if c.reason_code != ASSIGNED:
        return (f"Your match with {_names(c)} is confirmed.",)
    return (
        f"Your program's administrators have matched you with {_names(c)}: your "
        "mentoring starts now.",
        "If you cannot take part, you can end the match early from your relationship page.",
    )


_TEMPLATES: dict[NotificationType, Template] = {
    T.MATCH_PROPOSED: lambda c: (
        f"New match proposed in {c.program_name}",
        _letter(
            c,
            f"We would like to match you with {_names(c)}.",
            *(("Why we suggest this match:", *_bullets(c.explanation)) if c.explanation else ()),
            f"Please accept or decline before {_until(c)}.",
        ),
        "Review the match",
    ),
    T.MATCH_EXPIRY_REMINDER: lambda c: (
        "Reminder: your match proposal expires soon",
        _letter(
            c,
            f"Your proposed match with {_names(c)} is waiting for your answer.",
            f"It expires on {_until(c)}.",
        ),
        "Accept or decline",
    ),
    T.MATCH_ACTIVATED: lambda c: (
        f"Meet {_names(c)}: your new match in {c.program_name}",
        _letter(
            c,
            *_how_it_started(c),
            *(("Why you were matched:", *_bullets(c.explanation)) if c.explanation else ()),
            "A good first step is to schedule an introductory meeting.",
        ),
        "Schedule a meeting",
    ),
    T.MEETING_SCHEDULED: lambda c: (
        f"Meeting scheduled with {_names(c)}",
        _letter(
            c,
            f"Your meeting with {_names(c)} is scheduled for {_when(c)}.",
            "The calendar invitation is attached.",
        ),
        "View meeting",
    ),
    T.MEETING_RESCHEDULED: lambda c: (
        f"Meeting with {_names(c)} moved",
        _letter(
            c,
            f"Your meeting with {_names(c)} now takes place on {_when(c)}.",
            "The updated calendar invitation is attached.",
        ),
        "View meeting",
    ),
    T.MEETING_CANCELLED: lambda c: (
        f"Meeting with {_names(c)} cancelled",
        _letter(
            c,
            f"Your meeting with {_names(c)} on {_when(c)} has been cancelled.",
            "The attached calendar update removes it from your calendar.",
        ),
        "Find a new time",
    ),
    T.MEETING_REMINDER: lambda c: (
        f"Reminder: meeting with {_names(c)}",
        _letter(c, f"Your meeting with {_names(c)} starts on {_when(c)}."),
        "Open agenda",
    ),
    T.FEEDBACK_REQUEST: lambda c: (
        f"How was your meeting with {_names(c)}?",
        _letter(
            c,
            "A minute of feedback helps you and the program team make the most of it.",
        ),
        "Give feedback",
    ),
    T.RELATIONSHIP_AT_RISK: lambda c: (
        f"Checking in on your mentoring with {_names(c)}",
        _letter(
            c,
            f"It has been a while since you and {_names(c)} last connected.",
            "Scheduling a short meeting is a good way to keep momentum.",
        ),
        "Schedule a meeting",
    ),
    T.RELATIONSHIP_STALLED: lambda c: (
        f"Your mentoring with {_names(c)} has paused",
        _letter(
            c,
            f"We have not seen activity between you and {_names(c)} for some time.",
            "If something is in the way, the program team is happy to help.",
        ),
        "Reconnect",
    ),
    T.ACTION_ITEM_OVERDUE: lambda c: (
        "An action item is overdue",
        _letter(
            c,
            _overdue(c),
            "Mark it done, move the date, or drop it if it no longer matters.",
        ),
        "Review action items",
    ),
    T.JOURNAL_PROMPT: lambda c: (
        "Your weekly reflection",
        _letter(
            c,
            "Take five minutes to note what you learned this week and what you want to "
            "try next. Your journal is private to you.",
        ),
        "Write in your journal",
    ),
    T.ADMIN_DIGEST: lambda c: (
        f"{c.program_name}: items needing attention",
        _letter(c, "These items need a look:", *_bullets(c.digest_lines)),
        "Open the admin dashboard",
    ),
    T.DAILY_DIGEST: lambda c: (
        f"Your daily summary ({len(c.digest_lines)} "
        f"update{'s' if len(c.digest_lines) != 1 else ''})",
        _letter(c, *_bullets(c.digest_lines)),
        "Open your inbox",
    ),
}


_TEMPLATES.update(LIFECYCLE_TEMPLATES)
_TEMPLATES.update(PULSE_TEMPLATES)
_TEMPLATES.update(SAFETY_TEMPLATES)


def render_message(type_: NotificationType, context: RenderContext) -> RenderedMessage:
    """Subject, body and call to action for `type_`, ready for any channel."""
    subject, text, label = _TEMPLATES[type_](context)
    return RenderedMessage(
        subject=subject,
        text=text,
        action_label=label if context.action_url else None,
        action_url=context.action_url,
    )
