"""Message text of the junior's private pulse check: it names no one, so a message seen
over a shoulder says nothing about the mentoring or the other member."""

from __future__ import annotations

from .model import NotificationType
from .render_context import RenderContext, Template, letter

__all__ = ["PULSE_TEMPLATES"]


def _pulse_prompt(c: RenderContext) -> tuple[str, str, str]:
    return (
        "A short private check-in about your mentoring",
        letter(
            c,
            "How is your mentoring going for you? Three quick questions, private to you:",
            "your answers are never shown to the person you mentor, and the program team "
            "sees them only as totals across many people.",
        ),
        "Answer the check-in",
    )


PULSE_TEMPLATES: dict[NotificationType, Template] = {
    NotificationType.PULSE_CHECK_REQUEST: _pulse_prompt,
}
