"""Service layer, enrollments and the people import, on the fake unit of work: who may
enroll whom, what a closed program refuses, and what an import publishes and audits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import pytest
from fastapi import HTTPException

from services.matcher import enrollments, people, programs
from services.matcher.schemas import EnrollmentCreate, ProgramCreate
from shared.api import PageParams
from shared.auth import Role
from shared.contracts.envelope import Envelope
from shared.contracts.matching import MemberRole, ProgramKind
from shared.kafka.producer import EventProducer, OutgoingMessage
from tests.support.fakes import principal, staged_events

from .service_world import World, person

ANA = principal("emp-e", Role.EMPLOYEE)


async def open_peer_program(world: World) -> str:
    await world.people(person("emp-e", "a"), person("emp-f", "b"))
    async with world.work() as uow:
        doc, _ = await programs.open_program(
            uow, program_id="p-1", request=ProgramCreate(name="P", kind=ProgramKind.PEER_COACHING)
        )
    return str(doc["_id"])


async def test_an_employee_enrolls_themselves_and_the_enrollment_is_announced() -> None:
    world = World()
    program_id = await open_peer_program(world)
    async with world.work(ANA) as uow:
        doc, created = await enrollments.enroll(
            uow,
            program_id=program_id,
            request=EnrollmentCreate(person_id="emp-e", role=MemberRole.PEER),
        )
    assert created and doc["status"] == "active"
    [event] = await staged_events(world.database.enrollments)
    assert (event.id, event.type) == ("p-1:emp-e:created:0", "mentoring.enrollment.created")


async def test_an_employee_cannot_enroll_someone_else() -> None:
    world = World()
    program_id = await open_peer_program(world)
    with pytest.raises(HTTPException) as refused:
        await enrollments.enroll(
            world.work(ANA),
            program_id=program_id,
            request=EnrollmentCreate(person_id="emp-f", role=MemberRole.PEER),
        )
    assert refused.value.status_code == 403
    assert await world.database.enrollments.count_documents({}) == 0


async def test_a_role_the_program_kind_does_not_have_is_refused_on_that_field() -> None:
    world = World()
    program_id = await open_peer_program(world)
    with pytest.raises(enrollments.EnrollmentRefused) as refused:
        await enrollments.enroll(
            world.work(ANA),
            program_id=program_id,
            request=EnrollmentCreate(person_id="emp-e", role=MemberRole.MENTOR),
        )
    assert refused.value.field == "role"


class RecordingProducer:
    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        self.sent += messages


async def test_an_import_publishes_the_good_rows_reports_the_bad_and_is_audited() -> None:
    world = World()
    producer = RecordingProducer()
    rows: list[dict[str, Any]] = [
        {
            "person_id": "n-1",
            "display_name": "N",
            "email": "n@example.com",
            "level": 3,
            "time_zone": "UTC",
        },
        {
            "person_id": "n-2",
            "display_name": "M",
            "email": "m@example.com",
            "level": 3,
            "time_zone": "Mars",
        },
    ]
    async with world.work() as uow:
        report = await people.import_people(
            uow, cast(EventProducer, producer), rows=rows, first_row=2
        )
    assert (report["accepted"], report["rejected"]) == (1, 1)
    [message] = producer.sent
    envelope = Envelope.from_bytes(message.value)
    assert (message.topic, envelope.type, envelope.subject) == (
        "hr.people.v1",
        "hr.person.upserted",
        "n-1",
    )
    [entry] = await world.database.audit_log.find({}).to_list()
    assert (entry["action"], entry["details"]) == (
        "people.imported",
        {"accepted": 1, "rejected": 1},
    )


def test_an_imported_row_with_an_oversized_or_path_like_field_is_reported_not_published() -> None:
    base = {"display_name": "N", "email": "n@example.com", "level": 3}
    rows = [
        {**base, "person_id": "n-1", "title": "x" * 100_000},
        {**base, "person_id": "n-2", "interests": ["ai"] * 51},
        {**base, "person_id": "n-3", "time_zone": "Europe/" + "x" * 300},
        {**base, "person_id": "n-4", "title": "Engineer", "interests": ["ai"]},
    ]
    report = people.validate_rows(rows)
    assert [p.person_id for p in report.accepted] == ["n-4"]
    assert [e.errors[0].split(":")[0] for e in report.rejected] == [
        "title",
        "interests",
        "time_zone",
    ]


async def test_the_people_list_names_just_the_people_asked_for_in_one_call() -> None:
    world = World()
    await world.people(*(person(p, "a") for p in ("emp-a", "emp-b", "emp-c")))
    docs, total = await people.list_people(
        world.work(),
        department=None,
        ids=["emp-c", "emp-a", "ghost"],
        page=PageParams(limit=50, offset=0),
    )
    assert [d["_id"] for d in docs] == ["emp-a", "emp-c"] and total == 2
