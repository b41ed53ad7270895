"""Service layer for programs: open one (stored, announced and audited in one document
write), change it, close it, list and read them, read their audit trail."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from pymongo.errors import DuplicateKeyError

from services.matcher import endings, mapping, outgoing
from services.matcher.deps import administered_program, caller_of, visible_program
from services.matcher.domain.eligibility import Eligibility, count_eligible
from services.matcher.lifecycle_schemas import ProgramUpdate, RulesUpdate
from services.matcher.pool_cache import program_roster
from services.matcher.schemas import ProgramCreate
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.auth import Role
from shared.contracts.matching import ProgramClosed, ProgramKind
from shared.contracts.registry import PROGRAMS
from shared.errors import IllegalTransition, InvalidInput
from shared.mongo import Document, NotFound


async def open_program(
    uow: Work, *, program_id: str, request: ProgramCreate
) -> tuple[Document, bool]:
    """Create the program (the caller becomes one of its admins), stage
    ``mentoring.program.opened`` and the ``program.created`` audit entry on it; returns
    (doc, created). Creating twice with the same id (an idempotent retry) returns the
    first one."""
    caller = caller_of(uow)
    if caller.subject not in request.admin_ids:
        request = request.model_copy(update={"admin_ids": [*request.admin_ids, caller.subject]})
    existing = await uow.store.programs.get(program_id)
    if existing is not None:
        return existing, False
    doc: Document = {
        "_id": program_id,
        **request.model_dump(mode="json"),
        "status": "open",
        "created_at": uow.now,
    }
    opened = outgoing.program_opened(program_id, request)
    doc = uow.stage(doc, PROGRAMS, opened, event_id=f"{program_id}:opened")
    doc = uow.audit(doc, "program.created", target=program_id)
    try:
        return await uow.store.programs.insert(doc), True
    except DuplicateKeyError:
        return await uow.store.programs.require(program_id), False


async def list_programs(uow: Work, *, kind: ProgramKind | None, page: PageParams) -> Page:
    """Admins see the programs they run; employees see the open programs they may join."""
    caller = caller_of(uow)
    admin_of = (
        None if caller.has(Role.SERVICE) or not caller.has(Role.PROGRAM_ADMIN) else caller.subject
    )
    return await uow.store.list_programs(kind=kind, admin_id=admin_of, page=page)


async def get_program(uow: Work, *, program_id: str) -> Document:
    doc = await uow.store.programs.get(program_id)
    if doc is None or not visible_program(caller_of(uow), doc):
        raise NotFound(f"program {program_id}")
    return doc


async def program_audit(uow: Work, *, program_id: str, page: PageParams) -> Page:
    """The program's administrative actions, newest first, for its admins."""
    await administered_program(uow, program_id)
    return await uow.store.audit_entries(target=program_id, page=page)


def _refuse_if_closed(program: Document) -> None:
    if program.get("status") == "closed":
        raise IllegalTransition(f"program {program['_id']} is closed")


def _merged(program: Document, changes: dict[str, Any]) -> ProgramCreate:
    """The program with ``changes`` applied (rules and weights partially), checked by the
    same model as a new program (422 with the reason when it breaks a rule)."""
    fields = {k: program[k] for k in ProgramCreate.model_fields if k in program}
    rules_change = dict(changes.pop("rules", None) or {})
    weights_change = rules_change.pop("weights", None) or {}
    rules = {**(program.get("rules") or {}), **rules_change}
    rules["weights"] = {**(rules.get("weights") or {}), **weights_change}
    try:
        return ProgramCreate.model_validate({**fields, **changes, "rules": rules})
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'program'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidInput(reasons) from exc


async def update_program(uow: Work, *, program_id: str, request: ProgramUpdate) -> Document:
    """Change a program (its admins; closed programs refuse, 409); the changes apply from
    the next round. Stages ``mentoring.program.updated`` (the whole program as it is now)
    and the ``program.updated`` audit entry; a change that changes nothing stages none."""
    program = await administered_program(uow, program_id)
    _refuse_if_closed(program)
    changes = request.changes()
    fields = sorted(changes)
    merged = _merged(program, changes)
    if merged == (before := _merged(program, {})):
        return program  # nothing changes (a retried PATCH): nothing to announce
    if merged.matches_start != before.matches_start:
        await _refuse_if_published(uow, program_id)
    doc: Document = {**program, **merged.model_dump(mode="json")}
    updated = outgoing.program_updated(program_id, merged)
    doc = uow.stage(doc, PROGRAMS, updated, event_id=f"{program_id}:updated:{program['version']}")
    doc = uow.audit(doc, "program.updated", target=program_id, details={"fields": fields})
    return await uow.store.programs.replace(doc)


async def _refuse_if_published(uow: Work, program_id: str) -> None:
    """When matches start is what the members of a published round were told: it stays."""
    if await uow.store.has_published_round(program_id):
        raise IllegalTransition(
            f"program {program_id} has published a round: matches_start is fixed "
            "(open a new program to start matches another way)"
        )


async def eligibility(uow: Work, *, program_id: str, rules: RulesUpdate) -> Eligibility:
    """How many enrolled people would have an eligible partner if ``rules`` (a partial
    change, as in an update) applied: the preview beside the rules form. Nothing is
    saved; the roster comes from the pool cache, so a preview per keystroke is cheap."""
    program = await administered_program(uow, program_id)
    if program["kind"] == ProgramKind.FLASH:
        raise IllegalTransition("a flash program has no matching rules: people book slots")
    merged = _merged(program, {"rules": _without_unset(rules)})
    proposed = mapping.rules_from_program(
        {"kind": program["kind"], "rules": merged.rules.model_dump(mode="json")},
        today=uow.now.date(),
    )
    roster = await program_roster(uow, program)
    return await asyncio.to_thread(count_eligible, roster.program.table, proposed)


def _without_unset(rules: RulesUpdate) -> dict[str, Any]:
    return ProgramUpdate(rules=rules).changes().get("rules", {})


async def close_program(uow: Work, *, program_id: str) -> Document:
    """Close a program (its admins): no enrollments or rounds afterwards; its proposals
    are declined and its running matches end, all with reason ``program_completed``;
    stages ``mentoring.program.closed`` and the ``program.closed`` audit entry. The
    matches end first, so a retry after a failure finishes the job."""
    program = await administered_program(uow, program_id)
    if program.get("status") == "closed":
        raise IllegalTransition("program already closed")
    live = await uow.store.live_matches(program_id)
    for match in live:
        await endings.close_out(uow, match, reason=endings.PROGRAM_COMPLETED)
    doc: Document = {**program, "status": "closed", "closed_at": uow.now}
    closed = ProgramClosed(program_id=program_id)
    doc = uow.stage(doc, PROGRAMS, closed, event_id=f"{program_id}:closed")
    doc = uow.audit(doc, "program.closed", target=program_id, details={"matches": len(live)})
    return await uow.store.programs.replace(doc)
