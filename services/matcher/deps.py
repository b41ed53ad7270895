"""FastAPI dependencies of the matcher API and its access rules, in one place.

Function-level: ``require_roles`` on each route (a wrong role is 403). Object-level:
the rules below, which the service layer applies, answer 404 for another person's
objects or another admin's programs, so existence does not leak.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Query, Request, status

from services.matcher.domain.bulk_enrollment import BulkRow
from services.matcher.unit_of_work import Work as MatcherWork
from shared.api import PageParams, page_params
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.http import request_unit_of_work
from shared.inputs import ID_PATTERN, MAX_ID_LENGTH
from shared.kafka.producer import EventProducer
from shared.mongo import Document, NotFound


def get_producer(request: Request) -> EventProducer:
    producer: EventProducer = request.app.state.runtime.producer
    return producer


#: The request's unit of work (store, clock, source, caller; nudges the relay on success).
Work = Annotated[MatcherWork, Depends(request_unit_of_work)]
Producer = Annotated[EventProducer, Depends(get_producer)]
Caller = CurrentPrincipal
#: The page a list route serves (``limit``, ``offset`` from the query string).
Paging = Annotated[PageParams, Depends(page_params)]
#: An optional id filter in the query string, bounded like every id.
QueryIdentifier = Annotated[str | None, Query(max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)]

ADMIN = require_roles(Role.PROGRAM_ADMIN, Role.SERVICE)
PARTICIPANT = require_roles(Role.EMPLOYEE)
ANYONE_BUT_ANALYST = require_roles(Role.EMPLOYEE, Role.PROGRAM_ADMIN, Role.SERVICE)
#: The SCIM routes: an identity provider's token, and nobody else's.
PROVISIONER = require_roles(Role.PROVISIONER)


def caller_of(uow: MatcherWork) -> Principal:
    """The caller of a request's work (service functions behind routes need one)."""
    if uow.caller is None:
        raise RuntimeError("this service function serves requests: it needs a caller")
    return uow.caller


def administers(caller: Principal, program: Document) -> bool:
    return caller.has(Role.SERVICE) or (
        caller.has(Role.PROGRAM_ADMIN) and caller.subject in program.get("admin_ids", [])
    )


async def administered_program(uow: MatcherWork, program_id: str) -> Document:
    """The program, if the caller administers it; otherwise 404."""
    program = await uow.store.programs.get(program_id)
    if program is None or not administers(caller_of(uow), program):
        raise NotFound(f"program {program_id}")
    return program


async def administered_round(uow: MatcherWork, round_id: str) -> tuple[Document, Document]:
    """The round and its program, if the caller administers the program; otherwise 404."""
    doc = await uow.store.rounds.require(round_id)
    return doc, await administered_program(uow, doc["program_id"])


def visible_match(caller: Principal, match: Document, program: Document) -> bool:
    return caller.subject in match["member_ids"] or administers(caller, program)


def visible_program(caller: Principal, program: Document) -> bool:
    """Admins see the programs they run; employees (and the service) see any program."""
    return not (
        caller.has(Role.PROGRAM_ADMIN)
        and not caller.has(Role.EMPLOYEE)
        and not administers(caller, program)
    )


def may_enroll(caller: Principal, program: Document, person_id: str) -> None:
    """Employees enroll themselves; a program's admins enroll anyone (else 403)."""
    if administers(caller, program):
        return
    if not caller.has(Role.EMPLOYEE):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "needs the employee role")
    if person_id != caller.subject:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "you can only enroll yourself")


class JobStarter(Protocol):
    """Runs a large bulk enrollment after its request answered (``bulk_jobs``)."""

    def start(self, job: Document, rows: list[BulkRow]) -> None: ...


def get_bulk_jobs(request: Request) -> JobStarter:
    jobs: JobStarter = request.app.state.bulk_jobs
    return jobs


#: Where a large bulk enrollment runs after its request answered.
BulkJobs = Annotated[JobStarter, Depends(get_bulk_jobs)]
