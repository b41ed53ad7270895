"""What a queued item says to one recipient: the render context, looked up here only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from services.notifications.domain.model import NotificationType, PlannedNotification
from services.notifications.domain.render import RenderContext, RenderedMessage, render_message
from services.notifications.senders import Recipient
from shared.mongo import Document

T = NotificationType

_ACTION_PATHS = {
    T.MATCH_PROPOSED: "matches/{match_id}",
    T.MATCH_EXPIRY_REMINDER: "matches/{match_id}",
    T.MATCH_ACTIVATED: "relationships/{relationship_id}",
    T.MEETING_SCHEDULED: "meetings/{meeting_id}",
    T.MEETING_RESCHEDULED: "meetings/{meeting_id}",
    T.MEETING_CANCELLED: "relationships/{relationship_id}",
    T.MEETING_REMINDER: "meetings/{meeting_id}",
    T.FEEDBACK_REQUEST: "meetings/{meeting_id}/feedback",
    T.RELATIONSHIP_AT_RISK: "relationships/{relationship_id}",
    T.RELATIONSHIP_STALLED: "relationships/{relationship_id}",
    T.ACTION_ITEM_OVERDUE: "relationships/{relationship_id}/action-items",
    T.DAILY_DIGEST: "inbox",
    T.JOURNAL_PROMPT: "journal",
    T.ADMIN_DIGEST: "admin/programs/{program_id}",
    T.CLOSING_SURVEY_REQUEST: "relationships/{relationship_id}/survey",
    T.MATCH_ENDED: "relationships/{relationship_id}",
    T.MATCH_RESUMED: "relationships/{relationship_id}",
    T.NEXT_SUGGESTION: "programs/{program_id}/suggestions",
    T.PULSE_CHECK_REQUEST: "pulses/{pulse_id}",
    T.CONCERN_REPORTED: "admin/programs/{program_id}/concerns/{concern_id}",
    T.PULSE_FLAGGED: "admin/programs/{program_id}/relationships/{relationship_id}",
}


def counterpart_ids(doc: Document) -> list[str]:
    """Everyone else the item is about (for names in the message)."""
    payload, extra = doc.get("payload", {}), doc.get("extra") or {}
    ids = payload.get("counterpart_ids") or extra.get("member_ids") or []
    return [i for i in ids if i != doc["recipient_id"]]


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def render(
    doc: Document,
    planned: PlannedNotification,
    *,
    time_zone: str,
    contacts: Mapping[str, Document],
    base_url: str,
) -> RenderedMessage:
    payload: Mapping[str, Any] = planned.payload
    contact = contacts.get(planned.recipient_id) or {}
    names = tuple(contacts[i]["display_name"] for i in counterpart_ids(doc) if i in contacts) or ()
    path = _ACTION_PATHS.get(planned.type)
    action_url = None
    if path is not None:
        try:
            action_url = f"{base_url.rstrip('/')}/{path.format(**payload)}"
        except KeyError:
            action_url = f"{base_url.rstrip('/')}/inbox"
    due_on = payload.get("due_on")
    context = RenderContext(
        recipient_name=contact.get("display_name") or "there",
        time_zone=time_zone,
        counterpart_names=names,
        action_url=action_url,
        starts_at=_instant(payload.get("starts_at")),
        ends_at=_instant(payload.get("ends_at")),
        expires_at=_instant(payload.get("expires_at")),
        due_on=date.fromisoformat(due_on) if isinstance(due_on, str) else None,
        explanation=tuple(str(c).replace("_", " ") for c in payload.get("explanation_codes", ())),
        digest_lines=_digest_lines(payload),
        reason_code=payload.get("reason_code"),
        program_id=payload.get("program_id"),
    )
    return render_message(planned.type, context)


def _digest_lines(payload: Mapping[str, Any]) -> tuple[str, ...]:
    """An admin digest carries its lines; a daily digest lists its items' types."""
    if "lines" in payload:
        return tuple(payload["lines"])
    return tuple(
        f"{str(t).replace('_', ' ').capitalize()} ({s})"
        for t, s in zip(
            payload.get("item_types", ()), payload.get("item_subject_ids", ()), strict=False
        )
    )


def recipient(person_id: str, contact: Document | None, preferences: Document) -> Recipient:
    contact = contact or {}
    return Recipient(
        person_id=person_id,
        display_name=contact.get("display_name"),
        email=contact.get("email"),
        webhook_url=preferences.get("webhook_url"),
        slack_webhook_url=preferences.get("slack_webhook_url"),
        teams_webhook_url=preferences.get("teams_webhook_url"),
    )
