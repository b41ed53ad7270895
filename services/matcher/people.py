"""People import: validate rows of an HR export, publish the good ones, report the bad.

The matcher acts as the HR gateway for organisations without a Kafka-capable HR
system: each valid row becomes ``hr.person.upserted`` on ``hr.people.v1`` (with an
event id derived from the row's content, so re-importing the same file is a no-op
for every consumer), and the matcher's worker keeps the people projection from
that topic like from any other HR source. A bad row is reported with its line and
errors, never silently dropped, and never stops the good rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.matcher.deps import caller_of
from services.matcher.store import Page
from services.matcher.unit_of_work import Work
from shared.api import PageParams
from shared.auth import Role
from shared.contracts.hr import PersonUpserted
from shared.contracts.registry import HR_PEOPLE
from shared.inputs import MAX_NAME_LENGTH, is_time_zone
from shared.kafka.producer import EventProducer, OutgoingMessage
from shared.mongo import Document, NotFound

MAX_ROWS_PER_REQUEST = 5_000
LIST_SEPARATOR = ";"
#: The HR contract leaves these open; an import bounds them like any API input.
BOUNDED_TEXTS = (
    "title",
    "department",
    "business_unit",
    "location",
    "slack_user_id",
    "teams_user_id",
)
BOUNDED_LISTS = ("languages", "interests", "skills")
MAX_ROW_LIST_ITEMS = 50


@dataclass(frozen=True)
class RowError:
    row: int
    person_id: str | None
    errors: tuple[str, ...]


@dataclass
class ImportReport:
    accepted: list[PersonUpserted] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)


def read_csv(text: str, *, lists: Sequence[str]) -> list[dict[str, Any]]:
    """CSV with a header row, cells trimmed; the ``lists`` columns are ``;``-separated.
    Line ends are the reader's (``newline=""``, so a bare CR is one); a file the reader
    cannot read (an oversized field) is a ``ValueError``."""
    rows: list[dict[str, Any]] = []
    try:
        for raw in csv.DictReader(io.StringIO(text, newline="")):
            row: dict[str, Any] = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
            for name in lists:
                if name in row:
                    row[name] = [x.strip() for x in row[name].split(LIST_SEPARATOR) if x.strip()]
            rows.append(row)
    except csv.Error as exc:
        raise ValueError(f"not a CSV file: {exc}") from exc
    return rows


def parse_csv(text: str) -> list[dict[str, Any]]:
    """CSV with a header row; list fields are ``;``-separated, skills ``name:level``."""
    rows = read_csv(text, lists=("languages", "interests"))
    for row in rows:
        if "skills" in row:
            row["skills"] = _parse_skills(row["skills"])
        for name in ("manager_id", "hire_date", "slack_user_id", "teams_user_id"):
            if row.get(name) == "":
                row[name] = None
    return rows


def _parse_skills(text: str) -> list[dict[str, Any]] | str:
    skills = []
    for item in (x.strip() for x in text.split(LIST_SEPARATOR)):
        if not item:
            continue
        name, _, level = item.partition(":")
        skills.append({"name": name.strip(), "proficiency": level.strip() or "3"})
    return skills


def parse_json(text: str) -> list[dict[str, Any]]:
    """A JSON array of people, or ``{"people": [...]}``."""
    data = json.loads(text)
    if isinstance(data, dict):
        data = data.get("people")
    if not isinstance(data, list):
        raise ValueError('expected a JSON array of people or {"people": [...]}')
    return [row if isinstance(row, dict) else {"_invalid": row} for row in data]


def validate_rows(rows: Sequence[Mapping[str, Any]], *, first_row: int = 1) -> ImportReport:
    """Every row checked on its own: a contract-valid person with a known time zone."""
    report = ImportReport()
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first_row):
        person_id = str(row.get("person_id") or "") or None
        try:
            person = PersonUpserted.model_validate(row)
        except ValidationError as exc:
            report.rejected.append(RowError(number, person_id, row_errors(exc)))
            continue
        problems = _semantic_problems(person, seen, number)
        if problems:
            report.rejected.append(RowError(number, person_id, problems))
            continue
        seen[person.person_id] = number
        report.accepted.append(person)
    return report


def _semantic_problems(
    person: PersonUpserted, seen: Mapping[str, int], row: int
) -> tuple[str, ...]:
    problems = _oversized(person)
    if not is_time_zone(person.time_zone):  # a name check, never a file lookup
        problems.append(f"time_zone: unknown IANA time zone {person.time_zone!r}")
    if "@" not in person.email:
        problems.append("email: not an e-mail address")
    if person.manager_id == person.person_id:
        problems.append("manager_id: a person cannot be their own manager")
    if person.person_id in seen:
        problems.append(f"person_id: duplicate of row {seen[person.person_id]}")
    return tuple(problems)


def _oversized(person: PersonUpserted) -> list[str]:
    problems = [
        f"{name}: longer than {MAX_NAME_LENGTH} characters"
        for name in BOUNDED_TEXTS
        if len(getattr(person, name) or "") > MAX_NAME_LENGTH
    ]
    for name in BOUNDED_LISTS:
        items = getattr(person, name)
        if len(items) > MAX_ROW_LIST_ITEMS:
            problems.append(f"{name}: more than {MAX_ROW_LIST_ITEMS} items")
        elif any(isinstance(item, str) and len(item) > MAX_NAME_LENGTH for item in items):
            problems.append(f"{name}: an item longer than {MAX_NAME_LENGTH} characters")
    return problems


def row_errors(exc: ValidationError) -> tuple[str, ...]:
    return tuple(
        f"{'.'.join(str(p) for p in err['loc']) or 'row'}: {err['msg']}" for err in exc.errors()
    )


def content_event_id(person: PersonUpserted) -> str:
    """Same content, same id: re-importing an unchanged row is de-duplicated downstream."""
    digest = hashlib.sha256(person.model_dump_json().encode()).hexdigest()[:40]
    return f"hr-import:{digest}"  # no person id in ids that outlive an erasure


async def import_people(
    uow: Work, producer: EventProducer, *, rows: Sequence[Mapping[str, Any]], first_row: int
) -> dict[str, object]:
    """Publish the good rows as ``hr.person.upserted``, report the bad ones, and audit the
    import (``people.imported``). The import changes no document of the matcher's (its
    worker applies the events like any HR source's), so its audit entry is written on
    its own, not staged on a changed document."""
    report = validate_rows(rows, first_row=first_row)
    messages = [
        OutgoingMessage.for_event(
            HR_PEOPLE.name, uow.envelope(p, subject=p.person_id, event_id=content_event_id(p))
        )
        for p in report.accepted
    ]
    await producer.publish_many(messages)
    await uow.store.record_audit(
        actor=caller_of(uow),
        action="people.imported",
        target="people",
        details={"accepted": len(messages), "rejected": len(report.rejected)},
    )
    return {
        "accepted": len(messages),
        "rejected": len(report.rejected),
        "errors": [
            {"row": e.row, "person_id": e.person_id, "errors": list(e.errors)}
            for e in report.rejected
        ],
    }


async def list_people(
    uow: Work, *, department: str | None, ids: list[str] | None = None, page: PageParams
) -> Page:
    return await uow.store.list_people(department=department, ids=ids, page=page)


async def get_person(uow: Work, *, person_id: str) -> Document:
    """A person's own profile, or anyone's for admins."""
    caller = caller_of(uow)
    allowed = caller.subject == person_id or caller.has(Role.PROGRAM_ADMIN, Role.SERVICE)
    doc = await uow.store.person(person_id) if allowed else None
    if doc is None:
        raise NotFound(f"person {person_id}")
    return doc


async def require_people(uow: Work, field: str, person_ids: Collection[str]) -> None:
    """Every person a body names exists in the people projection; else 404 naming the
    body's field and the unknown ids."""
    wanted = sorted(set(person_ids))
    known = {doc["_id"] for doc in await uow.store.people_by_ids(wanted)}
    unknown = [p for p in wanted if p not in known]
    if unknown:
        more = " and others" if len(unknown) > 5 else ""
        raise NotFound(f"{field}: unknown person {', '.join(unknown[:5])}{more}")
