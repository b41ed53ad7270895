"""The rows of a bulk enrollment, from an uploaded CSV or a JSON body: each validated on
its own, so that a bad row is refused with its errors and the others go on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from services.matcher.domain.bulk_enrollment import BulkRow, Refusal
from services.matcher.people import read_csv, row_errors
from services.matcher.schemas import EnrollmentCreate

NUMBER_COLUMNS = ("capacity", "work_start_hour", "work_end_hour")


def parse_csv(text: str) -> list[dict[str, Any]]:
    """The single enrollment's fields as columns; ``goals`` and ``skills_wanted`` are
    ``;``-separated; empty cells take the defaults."""
    table = read_csv(text, lists=("goals", "skills_wanted"))
    for row in table:
        for name in NUMBER_COLUMNS:
            if row.get(name) == "":
                del row[name]
            elif name in row:
                row[name] = _number(row[name])
    return table


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text  # refused by the row's validation, naming the column


def rows_from_table(table: Sequence[Mapping[str, Any]], *, first_row: int) -> list[BulkRow]:
    """Each row validated on its own: a bad row is refused with its errors, never the file."""
    rows = []
    for number, raw in enumerate(table, start=first_row):
        try:
            request = EnrollmentCreate.model_validate(raw)
        except ValidationError as exc:
            person_id = str(raw.get("person_id") or "")
            detail = "; ".join(row_errors(exc))
            rows.append(BulkRow(number, person_id, "", {}, Refusal.INVALID, detail))
            continue
        rows.append(bulk_row(number, request))
    return rows


def bulk_row(number: int, request: EnrollmentCreate) -> BulkRow:
    fields = request.model_dump(mode="json")
    return BulkRow(number, request.person_id, request.role.value, fields)


def rows_for_people(person_ids: Sequence[str], template: EnrollmentCreate) -> list[BulkRow]:
    """One row per person (the people projection's ids), the template's fields for
    each: validated once, not once a person (at 100k, seconds of the API's event loop
    in the request)."""
    fields = template.model_dump(mode="json")
    role = template.role.value
    return [
        BulkRow(number, person_id, role, {**fields, "person_id": person_id})
        for number, person_id in enumerate(person_ids, start=1)
    ]
