"""Specification of the closing survey on the fake unit of work: a member of an ended
relationship answers once; the free text stays with its author; HR sees counts and
shares only, suppressed under five people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.sessions import surveys
from services.sessions.domain.surveys import GoalsMet, survey_report
from shared.auth import Role
from shared.contracts.matching import MatchEnded
from shared.contracts.registry import MATCHES
from shared.errors import IllegalTransition, InvalidInput
from shared.mongo import NotFound
from tests.support.fakes import staged_audit, staged_events

from .service_world import MENTEE, MENTOR, START, STRANGER, World, activated, types

SECRET = "PRIVATE-SURVEY-NOTE"


def _answer(**overrides: Any) -> dict[str, Any]:
    return {
        "overall": 4,
        "partner_helpfulness": 5,
        "goals_met": GoalsMet.PARTLY,
        "would_recommend": True,
        "would_continue": False,
        "private_note": SECRET,
        **overrides,
    }


async def _ended(world: World, match_id: str = "m-1") -> str:
    await world.deliver(MATCHES, activated(match_id))
    end = MatchEnded(match_id=match_id, program_id="prog-1", reason_code="program_completed")
    await world.deliver(MATCHES, end)
    return f"rel-{match_id}"


async def test_a_member_of_an_ended_relationship_answers_once_and_reads_it_back() -> None:
    world = World()
    rel_id = await _ended(world)
    async with world.work(MENTEE) as uow:
        given = await surveys.answer(uow, relationship_id=rel_id, **_answer())
    assert given.person_id == MENTEE and given.goals_met is GoalsMet.PARTLY
    events = await staged_events(world.store.surveys.collection)
    assert types(events) == ["sessions.survey.answered"]
    assert events[0].data == {
        "relationship_id": rel_id,
        "program_id": "prog-1",
        "person_id": MENTEE,
    }
    assert SECRET not in repr(events)
    assert [a["action"] for a in await staged_audit(world.store.surveys.collection)] == [
        "survey.answered"
    ]
    async with world.work(MENTEE) as uow:
        assert (await surveys.own(uow, relationship_id=rel_id)).private_note == SECRET
    with pytest.raises(IllegalTransition, match="already answered"):
        async with world.work(MENTEE) as uow:
            await surveys.answer(uow, relationship_id=rel_id, **_answer(overall=1))


async def test_a_relationship_still_running_refuses_the_survey() -> None:
    world = World()
    rel_id = await world.start_pair()
    with pytest.raises(IllegalTransition, match="the relationship has not ended"):
        async with world.work(MENTOR) as uow:
            await surveys.answer(uow, relationship_id=rel_id, **_answer())
    assert await world.store.surveys.get(f"{rel_id}:{MENTOR}") is None


async def test_the_other_member_and_strangers_never_see_an_answer() -> None:
    world = World()
    rel_id = await _ended(world)
    async with world.work(MENTEE) as uow:
        await surveys.answer(uow, relationship_id=rel_id, **_answer())
    with pytest.raises(NotFound):  # the mentor has not answered: nothing of theirs
        async with world.work(MENTOR) as uow:
            await surveys.own(uow, relationship_id=rel_id)
    with pytest.raises(NotFound):
        async with world.work(STRANGER) as uow:
            await surveys.answer(uow, relationship_id=rel_id, **_answer())


async def _answered_by(world: World, pairs: int) -> list[str]:
    ids = []
    for i in range(pairs):
        rel_id = await _ended(world, f"m-{i}")
        ids.append(rel_id)
        for person, goals in ((MENTOR, GoalsMet.YES), (MENTEE, GoalsMet.NO)):
            async with world.work(person) as uow:
                await surveys.answer(uow, relationship_id=rel_id, **_answer(goals_met=goals))
    return ids


async def test_hr_sees_survey_outcomes_suppressed_under_five_people() -> None:
    world = World()
    ids = await _answered_by(world, 2)  # the same two people, four answers
    day = world.now.date()
    async with world.work("p-hr", Role.HR_ANALYST) as uow:
        few = await surveys.report(uow, relationship_ids=ids, first_day=day, last_day=day)
    assert few["answers"] == {"value": None, "suppressed": True}
    assert few["goals_met"]["yes"] == {"value": None, "suppressed": True}
    assert SECRET not in repr(few)


async def test_hr_sees_counts_averages_and_shares_from_five_people() -> None:
    world = World()
    ids = []
    for i in range(5):
        match_id = f"m-{i}"
        data = activated(match_id)
        members = tuple(
            m.model_copy(update={"person_id": f"{m.person_id}-{i}"}) for m in data.members
        )
        await world.deliver(MATCHES, data.model_copy(update={"members": members}))
        await world.deliver(
            MATCHES, MatchEnded(match_id=match_id, program_id="prog-1", reason_code="expired")
        )
        ids.append(f"rel-{match_id}")
        async with world.work(f"{MENTEE}-{i}") as uow:
            goals = GoalsMet.YES if i < 3 else GoalsMet.NO
            await surveys.answer(
                uow, relationship_id=ids[-1], **_answer(goals_met=goals, overall=3 + i % 2)
            )
    day = world.now.date()
    async with world.work("p-hr", Role.HR_ANALYST) as uow:
        shown = await surveys.report(uow, relationship_ids=ids, first_day=day, last_day=day)
        later = await surveys.report(
            uow,
            relationship_ids=ids,
            first_day=day + timedelta(days=1),
            last_day=day + timedelta(days=2),
        )
    assert shown["answers"] == {"value": 5, "suppressed": False}
    assert shown["average_overall"] == {"value": 3.4, "suppressed": False}
    assert shown["goals_met"] == {
        "yes": {"value": 0.6, "suppressed": False},
        "partly": {"value": 0.0, "suppressed": False},
        "no": {"value": 0.4, "suppressed": False},
    }
    assert shown["would_recommend"] == {"value": 1.0, "suppressed": False}
    assert shown["would_continue"] == {"value": 0.0, "suppressed": False}
    assert later["answers"]["suppressed"]  # answered outside the range: none counted
    assert SECRET not in repr(shown)


def test_survey_cells_refuse_a_threshold_under_five() -> None:
    with pytest.raises(InvalidInput):
        survey_report([], first_day=START.date(), last_day=START.date(), min_people=4)
