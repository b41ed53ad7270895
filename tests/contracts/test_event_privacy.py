"""Events carry opaque ids, codes, times and numbers, never personal data.

Every field of every published contract (nested models included) must be on the
allow-list below; adding a field means adding it here, on purpose, after checking it
is not a name, an address, a note or journal text. The inbound HR feed
(``hr.people.v1``) is the one exception: it is where contact details come from.
"""

from __future__ import annotations

import typing

from pydantic import BaseModel

from shared.contracts.registry import EVENT_MODELS, HR_PEOPLE

ALLOWED_FIELDS = frozenset(
    {
        # ids
        "action_item_id",
        "delivery_id",
        "enrollment_id",
        "entry_id",
        "goal_id",
        "log_id",
        "match_id",
        "meeting_id",
        "meeting_ids",
        "member_ids",
        "organiser_id",
        "suggested_person_id",
        "owner_id",
        "person_id",
        "program_id",
        "recipient_id",
        "relationship_id",
        "round_id",
        "series_id",
        "subject_id",
        "admin_ids",
        "concern_id",
        "pulse_id",
        "action_id",
        "target_id",
        "cancelled_by",
        "ended_by",
        "members",
        # codes, kinds, states
        "kind",
        "action",
        "role",
        "state",
        "status",
        "previous_state",
        "reason_code",
        "reason_codes",
        "notification_type",
        "channel",
        "permanent",
        "mandatory_notifications",
        "feedback_visible_to_peers",
        "constraints_satisfied",
        # times and numbers
        "due_at",
        "ended_at",
        "ends_at",
        "ends_on",
        "enrollment_closes_on",
        "enrollment_opens_on",
        "expires_at",
        "first_starts_at",
        "planned_end",
        "spent_on",
        "starts_at",
        "starts_on",
        "until",
        "time_zone",
        "attempt",
        "cadence_days",
        "interval_weeks",
        "minutes",
        "sequence",
        "after_meeting",
        # flags
        "assigned",
        # the match explanation: scores per criterion, no personal data
        "explanation",
        "total_score",
        "contributions",
    }
)
NEVER = (
    "name",
    "email",
    "mail",
    "phone",
    "text",
    "note",
    "comment",
    "body",
    "address",
    "rating",
    "title",
)


def fields_of(model: type[BaseModel]) -> set[str]:
    found: set[str] = set()
    for name, info in model.model_fields.items():
        found.add(name)
        for arg in _types_in(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found |= fields_of(arg)
    return found


def _types_in(annotation: object) -> list[object]:
    out = [annotation]
    for arg in typing.get_args(annotation):
        out += _types_in(arg)
    return out


def published_models() -> list[type[BaseModel]]:
    return [m for m in EVENT_MODELS.values() if m not in HR_PEOPLE.events]


def test_every_published_event_field_is_on_the_allow_list() -> None:
    offenders = {
        f"{model.event_type}.{field}"
        for model in published_models()
        for field in fields_of(model)
        if field not in ALLOWED_FIELDS
    }
    assert not offenders, f"not on the privacy allow-list: {sorted(offenders)}"


def test_the_allow_list_holds_nothing_that_looks_personal() -> None:
    personal = [f for f in ALLOWED_FIELDS if any(word in f for word in NEVER)]
    assert not personal


def test_the_inbound_hr_feed_is_the_only_contract_with_contact_details() -> None:
    with_email = {m.event_type for m in EVENT_MODELS.values() if "email" in fields_of(m)}
    assert with_email == {"hr.person.upserted"}
