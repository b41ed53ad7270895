from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.sessions.domain.action_items import (
    ActionItem,
    announce_newly_overdue,
    complete_action_item,
    create_action_item,
    drop_action_item,
    is_overdue,
)
from services.sessions.domain.errors import IllegalTransition, InvalidInput
from services.sessions.domain.goals import GoalStatus, achieve_goal, set_goal
from services.sessions.domain.relationships import Relationship

from .builders import NOW


def _item(rel: Relationship, item_id: str, owner: str, due_on: date) -> ActionItem:
    return create_action_item(
        rel, item_id=item_id, owner_id=owner, description="Read the chapter", due_on=due_on, now=NOW
    ).state


def test_overdue_action_item_is_announced_exactly_once(pair: Relationship) -> None:
    items = [_item(pair, "a1", "p-mentor", date(2026, 3, 5))]
    before = announce_newly_overdue(
        items, program_id="prog-1", now=datetime(2026, 3, 5, 12, tzinfo=UTC)
    )
    assert before.state == () and before.events == ()
    first = announce_newly_overdue(
        items, program_id="prog-1", now=datetime(2026, 3, 6, 9, tzinfo=UTC)
    )
    assert [i.id for i in first.state] == ["a1"]
    assert first.state[0].overdue_announced
    [event] = first.events
    assert event.type == "action_item.overdue"
    assert event.data["action_item_id"] == "a1" and event.data["owner_id"] == "p-mentor"
    assert "Read the chapter" not in repr(event.data)
    stored = list(first.state)
    again = announce_newly_overdue(
        stored, program_id="prog-1", now=datetime(2026, 3, 9, tzinfo=UTC)
    )
    assert again.events == ()


def test_item_is_due_at_the_end_of_its_day_in_the_owners_zone(pair: Relationship) -> None:
    berlin_item = _item(pair, "a1", "p-mentor", date(2026, 3, 5))  # Europe/Berlin, UTC+1
    kolkata_item = _item(pair, "a2", "p-mentee", date(2026, 3, 5))  # Asia/Kolkata, UTC+5:30
    assert berlin_item.due_at == datetime(2026, 3, 5, 23, 0, tzinfo=UTC)
    assert kolkata_item.due_at == datetime(2026, 3, 5, 18, 30, tzinfo=UTC)
    at = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    assert is_overdue(kolkata_item, at) and not is_overdue(berlin_item, at)


def test_done_or_dropped_items_never_become_overdue(pair: Relationship) -> None:
    done = complete_action_item(
        _item(pair, "a1", "p-mentor", date(2026, 3, 5)), program_id="prog-1", now=NOW
    ).state
    dropped = drop_action_item(
        _item(pair, "a2", "p-mentee", date(2026, 3, 5)), program_id="prog-1", now=NOW
    ).state
    outcome = announce_newly_overdue(
        [done, dropped], program_id="prog-1", now=datetime(2026, 4, 1, tzinfo=UTC)
    )
    assert outcome.events == ()


def test_closed_action_item_cannot_be_closed_again(pair: Relationship) -> None:
    done = complete_action_item(
        _item(pair, "a1", "p-mentor", date(2026, 3, 5)), program_id="prog-1", now=NOW
    ).state
    with pytest.raises(IllegalTransition, match="already done"):
        drop_action_item(done, program_id="prog-1", now=NOW)


def test_action_item_cannot_be_due_in_the_past(pair: Relationship) -> None:
    with pytest.raises(InvalidInput, match="due today or later"):
        _item(pair, "a1", "p-mentor", NOW.date() - timedelta(days=1))


def test_goals_belong_to_a_member_or_to_the_whole_relationship(pair: Relationship) -> None:
    personal = set_goal(pair, goal_id="g1", owner_id="p-mentee", title="Lead a meeting", now=NOW)
    shared = set_goal(pair, goal_id="g2", owner_id=None, title="Ship a demo together", now=NOW)
    assert personal.state.owner_id == "p-mentee" and shared.state.owner_id is None
    assert personal.events[0].type == "goal.set"
    assert "Lead a meeting" not in repr(personal.events[0].data)
    achieved = achieve_goal(personal.state, program_id="prog-1", now=NOW + timedelta(days=30))
    assert achieved.state.status is GoalStatus.ACHIEVED
    assert achieved.events[0].type == "goal.achieved"
    with pytest.raises(IllegalTransition):
        achieve_goal(achieved.state, program_id="prog-1", now=NOW)
