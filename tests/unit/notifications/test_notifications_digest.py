"""Specifications: the personal daily digest and the program-admin digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.notifications.domain.digest import (
    AdminDigestEntry,
    AdminFlag,
    admin_digest_lines,
    admin_flag_changes,
    build_daily_digest,
    plan_admin_digest,
)
from services.notifications.domain.model import NotificationType

from .builders import NOW, planned

T = NotificationType
DIGEST_AT = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def test_daily_digest_batches_the_recipients_items_once_each_in_due_order() -> None:
    later = planned(T.JOURNAL_PROMPT, due_at=NOW + timedelta(hours=2))
    earlier = planned(T.ACTION_ITEM_OVERDUE, due_at=NOW)
    someone_else = planned(T.ACTION_ITEM_OVERDUE, due_at=NOW, recipient="mentor-1")

    digest = build_daily_digest(
        "mentee-1", [later, earlier, later, someone_else], digest_at=DIGEST_AT
    )

    assert digest is not None and digest.type is T.DAILY_DIGEST
    assert digest.due_at == DIGEST_AT
    assert digest.payload["item_keys"] == (earlier.key, later.key)
    assert digest.payload["count"] == 2


def test_daily_digest_with_nothing_in_it_is_not_sent() -> None:
    assert build_daily_digest("mentee-1", [], digest_at=DIGEST_AT) is None


def test_daily_digest_built_twice_for_the_same_slot_has_the_same_key() -> None:
    items = [planned(T.JOURNAL_PROMPT)]

    first = build_daily_digest("mentee-1", items, digest_at=DIGEST_AT)
    second = build_daily_digest("mentee-1", items, digest_at=DIGEST_AT)

    assert first is not None and second is not None and first.key == second.key


def test_admin_digest_goes_to_every_admin_and_groups_flagged_items() -> None:
    entries = [
        AdminDigestEntry(AdminFlag.STALLED_RELATIONSHIP, "rel-9", NOW - timedelta(days=20)),
        AdminDigestEntry(AdminFlag.FLAGGED_MATCH, "match-3", NOW - timedelta(days=2)),
        AdminDigestEntry(AdminFlag.FLAGGED_MATCH, "match-3", NOW - timedelta(days=5)),
    ]

    plan = plan_admin_digest("prog-1", ["admin-1", "admin-2"], entries, due_at=NOW)

    assert [n.recipient_id for n in plan.notifications] == ["admin-1", "admin-2"]
    payload = plan.notifications[0].payload
    assert payload["flagged_match_ids"] == ("match-3",)
    assert payload["stalled_relationship_ids"] == ("rel-9",)
    assert payload["count"] == 2
    assert admin_digest_lines(entries) == (
        "Flagged match match-3 (since 2026-02-25)",
        "Stalled relationship rel-9 (since 2026-02-10)",
    )


def test_admin_digest_with_nothing_flagged_is_not_sent() -> None:
    assert plan_admin_digest("prog-1", ["admin-1"], [], due_at=NOW).notifications == ()


def test_admin_digest_lists_its_lines_in_the_payload_for_rendering() -> None:
    entries = [AdminDigestEntry(AdminFlag.AT_RISK_RELATIONSHIP, "rel-2", NOW - timedelta(days=1))]

    plan = plan_admin_digest("prog-1", ["admin-1"], entries, due_at=NOW)

    assert plan.notifications[0].payload["lines"] == (
        "Relationship at risk rel-2 (since 2026-03-01)",
    )


def test_a_health_change_raises_one_relationship_flag_and_clears_the_other() -> None:
    assert admin_flag_changes("at_risk") == (
        AdminFlag.AT_RISK_RELATIONSHIP,
        (AdminFlag.STALLED_RELATIONSHIP,),
    )
    assert admin_flag_changes("stalled") == (
        AdminFlag.STALLED_RELATIONSHIP,
        (AdminFlag.AT_RISK_RELATIONSHIP,),
    )
    assert admin_flag_changes("healthy") == (
        None,
        (AdminFlag.AT_RISK_RELATIONSHIP, AdminFlag.STALLED_RELATIONSHIP),
    )
