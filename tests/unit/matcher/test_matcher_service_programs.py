"""Service layer, a program's life after creation, on the fake unit of work: changing
it (PATCH) and closing it (every live match ends, nothing new starts)."""

from __future__ import annotations

import pytest

from services.matcher import enrollments, mapping, matches, programs, rounds
from services.matcher.lifecycle_schemas import ProgramUpdate
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from shared.api import PageParams
from shared.auth import Role
from shared.contracts.matching import MemberRole, ProgramKind
from shared.errors import IllegalTransition, InvalidInput
from shared.mongo import NotFound
from tests.support.fakes import principal, staged_audit, staged_events

from .service_world import NOW, OTHER_ADMIN, World, person
from .test_matcher_service_matches import proposed_pair
from .test_matcher_service_rounds import peer_program


async def test_a_change_is_stored_announced_as_a_full_snapshot_and_audited() -> None:
    world = World()
    program_id = await peer_program(world)
    change = ProgramUpdate.model_validate(
        {
            "name": "Peers, renamed",
            "ends_on": "2026-12-31",
            "rules": {"weights": {"skills": 7}, "maximise_cardinality": True},
        }
    )
    async with world.work() as uow:
        doc = await programs.update_program(uow, program_id=program_id, request=change)
    assert doc["name"] == "Peers, renamed"
    assert doc["rules"]["weights"]["skills"] == 7
    assert doc["rules"]["weights"]["goals"] == 2.0  # weights left out keep their value
    assert doc["rules"]["min_overlap_hours"] == 0  # so do rules
    rules = mapping.rules_from_program(doc, today=NOW.date())
    assert rules.maximise_cardinality is True and rules.weights.skills == 7
    [opened, updated] = await staged_events(world.database.programs)
    assert (updated.type, updated.id) == ("mentoring.program.updated", f"{program_id}:updated:1")
    assert updated.data["ends_on"] == "2026-12-31" and updated.data["kind"] == "peer_coaching"
    audit = [(e["action"], e["details"]) for e in await staged_audit(world.database.programs)]
    assert audit[-1] == ("program.updated", {"fields": ["ends_on", "name", "rules"]})


async def test_a_change_is_checked_by_the_rules_of_creation() -> None:
    world = World()
    program_id = await peer_program(world)
    too_small = ProgramUpdate.model_validate({"rules": {"max_group_size": 2}})
    with pytest.raises(InvalidInput, match="max_group_size is below min_group_size"):
        await programs.update_program(world.work(), program_id=program_id, request=too_small)
    backwards = ProgramUpdate.model_validate({"starts_on": "2027-02-01", "ends_on": "2027-01-01"})
    with pytest.raises(InvalidInput, match="ends_on must be after starts_on"):
        await programs.update_program(world.work(), program_id=program_id, request=backwards)


async def test_only_the_programs_admins_change_or_close_it() -> None:
    world = World()
    program_id = await peer_program(world)
    with pytest.raises(NotFound):
        await programs.update_program(
            world.work(OTHER_ADMIN), program_id=program_id, request=ProgramUpdate(name="Mine")
        )
    with pytest.raises(NotFound):
        await programs.close_program(world.work(OTHER_ADMIN), program_id=program_id)


async def test_maximise_cardinality_is_settable_on_creation() -> None:
    world = World()
    async with world.work() as uow:
        doc, _ = await programs.open_program(
            uow,
            program_id="p-max",
            request=ProgramCreate(
                name="Max", kind=ProgramKind.PEER_COACHING, rules={"maximise_cardinality": True}
            ),
        )
    assert mapping.rules_from_program(doc, today=NOW.date()).maximise_cardinality is True
    unset = {**doc, "rules": {**doc["rules"], "maximise_cardinality": None}}
    assert mapping.rules_from_program(unset, today=NOW.date()).maximise_cardinality is False


async def test_closing_declines_proposals_ends_running_matches_and_stops_everything() -> None:
    world = World()
    await proposed_pair(world)  # m-1: emp-e + emp-f, proposed
    for member in ("emp-g", "emp-h"):
        async with world.work() as uow:
            await enrollments.enroll(
                uow,
                program_id="prog-1",
                request=EnrollmentCreate(person_id=member, role=MemberRole.PEER),
            )
    async with world.work() as uow:
        draft = await rounds.preview_round(uow, program_id="prog-1")
        await rounds.publish_round(uow, round_id=draft["_id"])
    [other] = [d for d in await world.store.live_matches("prog-1") if d["_id"] != "m-1"]
    for member in other["member_ids"]:
        async with world.work(principal(member, Role.EMPLOYEE)) as uow:
            await matches.answer_match(uow, match_id=other["_id"], accept=True)

    async with world.work() as uow:
        closed = await programs.close_program(uow, program_id="prog-1")
    assert closed["status"] == "closed" and uow.committed
    proposal = await world.store.matches.require("m-1")
    running = await world.store.matches.require(other["_id"])
    assert (proposal["state"], proposal["note"]) == ("declined", "program_completed")
    assert (running["state"], running["note"]) == ("ended", "program_completed")
    events = {(e.subject, e.type): e.data for e in await staged_events(world.database.matches)}
    assert events[("m-1", "mentoring.match.declined")]["reason_code"] == "program_completed"
    ended = events[(other["_id"], "mentoring.match.ended")]
    assert ended["reason_code"] == "program_completed"
    program_events = [(e.id, e.type) for e in await staged_events(world.database.programs)]
    assert program_events[-1] == ("prog-1:closed", "mentoring.program.closed")
    audit = [(e["action"], e["details"]) for e in await staged_audit(world.database.programs)]
    assert audit[-1] == ("program.closed", {"matches": 2})

    with pytest.raises(IllegalTransition, match="program already closed"):
        await programs.close_program(world.work(), program_id="prog-1")
    with pytest.raises(IllegalTransition, match="is closed"):
        await programs.update_program(world.work(), program_id="prog-1", request=ProgramUpdate())
    with pytest.raises(IllegalTransition, match="is closed"):
        await rounds.preview_round(world.work(), program_id="prog-1")
    await world.people(person("emp-z", "z"))
    with pytest.raises(IllegalTransition, match="is closed"):
        await enrollments.enroll(
            world.work(),
            program_id="prog-1",
            request=EnrollmentCreate(person_id="emp-z", role=MemberRole.PEER),
        )


async def test_a_change_that_changes_nothing_announces_nothing() -> None:
    world = World()
    program_id = await peer_program(world)
    same = ProgramUpdate.model_validate({"name": "Peers", "rules": {"min_overlap_hours": 0}})
    async with world.work() as uow:
        doc = await programs.update_program(uow, program_id=program_id, request=same)
    assert doc["version"] == 1
    assert [e.type for e in await staged_events(world.database.programs)] == [
        "mentoring.program.opened"
    ]


async def test_a_null_keeps_a_field_rule_or_weight_but_clears_a_date() -> None:
    world = World()
    program_id = await peer_program(world)
    dated = ProgramUpdate.model_validate({"ends_on": "2027-12-31"})
    await programs.update_program(world.work(), program_id=program_id, request=dated)
    nulls = ProgramUpdate.model_validate(
        {
            "name": None,
            "description": None,
            "ends_on": None,
            "rules": {"require_shared_language": None, "weights": {"skills": None}},
        }
    )
    async with world.work() as uow:
        doc = await programs.update_program(uow, program_id=program_id, request=nulls)
    assert doc["name"] == "Peers" and doc["ends_on"] is None
    assert doc["rules"]["require_shared_language"] is True
    assert doc["rules"]["weights"]["skills"] == 3.0


async def test_a_programs_audit_trail_is_read_a_page_at_a_time_newest_first() -> None:
    world = World()
    program_id = await peer_program(world)
    for n in range(3):
        await world.database.audit_log.insert_one(
            {"at": NOW.replace(hour=n), "target": program_id, "action": f"step-{n}"}
        )
    page = PageParams(limit=2, offset=1)
    entries, total = await programs.program_audit(world.work(), program_id=program_id, page=page)
    assert total == 3
    assert [e["action"] for e in entries] == ["step-1", "step-0"]


async def test_an_eligibility_preview_counts_under_the_proposed_rules_and_saves_nothing() -> None:
    world = World()
    await world.people(person("emp-x", "ops"), person("emp-y", "ops"))
    async with world.work() as uow:
        program, _ = await programs.open_program(
            uow,
            program_id="prog-same-dept",
            request=ProgramCreate(
                name="Ops peers", kind=ProgramKind.PEER_COACHING, rules={"min_overlap_hours": 0}
            ),
        )
    for pid in ("emp-x", "emp-y"):
        async with world.work() as uow:
            request = EnrollmentCreate(person_id=pid, role=MemberRole.PEER)
            await enrollments.enroll(uow, program_id="prog-same-dept", request=request)

    def preview(rules: dict[str, object]):  # type: ignore[no-untyped-def]
        change = ProgramUpdate.model_validate({"rules": rules}).rules
        return programs.eligibility(world.work(), program_id="prog-same-dept", rules=change)

    as_is = await preview({})
    assert (as_is.enrolled, as_is.eligible, as_is.estimated) == (2, 2, False)
    stricter = await preview({"require_different_department": True})
    assert (stricter.enrolled, stricter.eligible) == (2, 0)
    stored = await world.database.programs.find_one({"_id": "prog-same-dept"})
    assert stored is not None and stored["rules"]["require_different_department"] is False
    assert [e.type for e in await staged_events(world.database.programs)] == [
        "mentoring.program.opened"
    ]


async def test_only_the_programs_admins_preview_its_rules() -> None:
    world = World()
    program_id = await peer_program(world)
    change = ProgramUpdate.model_validate({"rules": {}}).rules
    with pytest.raises(NotFound):
        await programs.eligibility(world.work(OTHER_ADMIN), program_id=program_id, rules=change)
