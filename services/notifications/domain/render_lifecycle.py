"""Message text for the ends and turns of a mentoring relationship: a match ended (why,
in plain words), a flagged match kept, the closing survey, the next suggestion."""

from __future__ import annotations

from .model import NotificationType
from .render_context import RenderContext, Template, letter, names

__all__ = ["LIFECYCLE_TEMPLATES", "END_REASONS", "end_reason"]

T = NotificationType

#: ``mentoring.match.ended`` reason codes in plain words ("... because <words>.").
END_REASONS: dict[str, str] = {
    "program_completed": "the program has come to its end",
    "ended_by_admin": "a program admin ended it",
    "flag_resolved_ended": "a program admin ended it after reviewing a flag on it",
    "flag_resolved_rematch": (
        "a program admin ended it after reviewing a flag on it; you are back in the pool "
        "for a new match"
    ),
    "ended_by_member": "the other member ended it",
    "enrollment_withdrawn": "an enrollment in the program was withdrawn",
    "member_departed": "a member has left the organisation",
    "expired": "it expired",
}


def end_reason(code: str | None) -> str:
    """Why a match ended, in plain words (a neutral phrase for a code not known here)."""
    return END_REASONS.get(code or "", "it has come to an end")


def _ended(c: RenderContext) -> tuple[str, str, str]:
    return (
        f"Your mentoring with {names(c)} has ended",
        letter(
            c,
            f"Your mentoring match with {names(c)} has ended because {end_reason(c.reason_code)}.",
            "Thank you for the time you gave to it.",
        ),
        "View the relationship",
    )


LIFECYCLE_TEMPLATES: dict[NotificationType, Template] = {
    T.MATCH_ENDED: _ended,
    T.MATCH_RESUMED: lambda c: (
        f"Your mentoring with {names(c)} continues",
        letter(
            c,
            f"A program admin reviewed your match with {names(c)} and kept it: "
            "your mentoring continues.",
            "Pick up where you left off with your next meeting.",
        ),
        "Open the relationship",
    ),
    T.NEXT_SUGGESTION: lambda c: (
        "Your next mentoring suggestion",
        letter(
            c,
            "Your last request did not turn into a match. Our next suggestion for you is "
            f"{names(c, unknown='another colleague who fits what you are looking for')}.",
            "Have a look and send a request when you are ready.",
        ),
        "See your suggestions",
    ),
    T.CLOSING_SURVEY_REQUEST: lambda c: (
        "How did your mentoring go? A short closing survey",
        letter(
            c,
            f"Your mentoring relationship with {names(c)} has ended.",
            "A few questions about how it went help you and the program team; "
            "your free-text answers stay private to you.",
        ),
        "Answer the survey",
    ),
}
