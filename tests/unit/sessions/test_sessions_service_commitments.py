"""Specification of goals, action items, the journal and HR reports on the fake unit
of work: what each change stages, who is refused, and what the sweep announces."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.sessions import action_items, goals, journal, reports
from services.sessions.domain.journal import JournalKind
from services.sessions.domain.reports import Period
from shared.auth import Role
from shared.contracts.matching import ProgramOpened
from shared.contracts.registry import PROGRAMS
from shared.mongo import NotFound
from tests.support.fakes import staged_events

from .service_world import MENTEE, MENTOR, STRANGER, World, types


async def test_achieving_a_goal_announces_it_with_the_relationship_as_subject() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        await goals.add(uow, goal_id="g-1", relationship_id=rel_id, title="Ship it", personal=True)
    async with world.work(MENTOR) as uow:
        doc = await goals.close(uow, goal_id="g-1", achieved=True)
    assert doc["status"] == "achieved" and doc["owner_id"] == MENTEE
    events = await staged_events(world.store.goals.collection)
    assert types(events) == ["sessions.goal.set", "sessions.goal.achieved"]
    assert {e.subject for e in events} == {rel_id}
    assert events[1].time == world.now


async def test_a_repeated_goal_id_returns_the_first_goal() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        first = await goals.add(
            uow, goal_id="g-1", relationship_id=rel_id, title="A", personal=False
        )
        again = await goals.add(
            uow, goal_id="g-1", relationship_id=rel_id, title="B", personal=False
        )
    assert again["title"] == first["title"] == "A"
    assert len(await staged_events(world.store.goals.collection)) == 1


async def test_a_stranger_can_neither_set_nor_close_a_goal() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        await goals.add(uow, goal_id="g-1", relationship_id=rel_id, title="A", personal=False)
    with pytest.raises(NotFound):
        async with world.work(STRANGER) as uow:
            await goals.add(uow, goal_id="g-2", relationship_id=rel_id, title="B", personal=False)
    with pytest.raises(NotFound):
        async with world.work(STRANGER) as uow:
            await goals.close(uow, goal_id="g-1", achieved=False)
    assert (await world.store.goals.require("g-1"))["status"] == "open"


async def test_an_overdue_action_item_is_announced_once_by_the_sweep() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        await action_items.add(
            uow,
            item_id="a-1",
            relationship_id=rel_id,
            owner_id=MENTEE,
            description="Draft the plan",
            due_on=date(2026, 3, 3),
            meeting_id=None,
            goal_id=None,
        )
    async with world.work() as uow:
        assert await action_items.sweep_overdue(uow) == []
    world.now += timedelta(days=3)
    async with world.work() as uow:
        assert await action_items.sweep_overdue(uow) == ["a-1"]
    async with world.work() as uow:
        assert await action_items.sweep_overdue(uow) == []
    staged = types(await staged_events(world.store.action_items.collection))
    assert staged == ["sessions.action_item.created", "sessions.action_item.overdue"]


async def test_a_journal_entry_stays_private_to_its_author_until_shared() -> None:
    world = World()
    rel_id = await world.start_pair()
    async with world.work(MENTEE) as uow:
        await journal.write(
            uow,
            entry_id="j-1",
            relationship_id=rel_id,
            kind=JournalKind.SMALL_WIN,
            text="First demo went well",
            written_on=None,
            goal_id=None,
            shared=False,
        )
    async with world.work(MENTOR) as uow:
        assert await journal.page(uow, relationship_id=None, limit=10, offset=0) == ([], 0)
    async with world.work(MENTEE) as uow:
        await journal.set_sharing(uow, entry_id="j-1", shared=True)
    async with world.work(MENTOR) as uow:
        entries, total = await journal.page(uow, relationship_id=None, limit=10, offset=0)
    assert total == 1 and entries[0].text == "First demo went well"
    with pytest.raises(NotFound):  # only the author may change the sharing
        async with world.work(MENTOR) as uow:
            await journal.set_sharing(uow, entry_id="j-1", shared=False)


async def test_program_aggregates_are_for_analysts_and_each_read_is_audited() -> None:
    world = World()
    await world.deliver(
        PROGRAMS,
        ProgramOpened(program_id="prog-1", kind="reverse_mentoring", admin_ids=("p-admin",)),
    )
    await world.start_pair()
    window = {
        "period": Period.ISO_WEEK,
        "first_day": date(2026, 3, 1),
        "last_day": date(2026, 3, 8),
    }
    with pytest.raises(NotFound):
        async with world.work("p-admin-elsewhere", Role.PROGRAM_ADMIN) as uow:
            await reports.aggregates(uow, program_id="prog-1", **window)
    async with world.work("p-analyst", Role.HR_ANALYST) as uow:
        result = await reports.aggregates(uow, program_id="prog-1", **window)
    assert result["program_id"] == "prog-1"
    audit = await world.database["audit_log"].find({}).to_list()
    assert [(a["actor"], a["action"]) for a in audit] == [("p-analyst", "aggregates.read")]
