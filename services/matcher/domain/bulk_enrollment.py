"""Bulk enrollment decided row by row: the rules of a single enrollment (an open program,
a role of its kind, a known person who has not left) applied to many rows at once, with
a reason for every refusal and "already enrolled" for what an earlier run did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from shared.contracts.matching import ProgramKind

#: The roles each kind of program has.
ROLES_BY_KIND = {
    ProgramKind.REVERSE_MENTORING: {"mentor", "mentee"},
    ProgramKind.PEER_COACHING: {"peer"},
    ProgramKind.PEER_GROUP: {"peer"},
    ProgramKind.FLASH: {"peer"},  # everyone may both offer and book slots
}


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    ALREADY_ENROLLED = "already_enrolled"
    REJECTED = "rejected"


class Refusal(StrEnum):
    """Why a row is rejected (the report's ``reason``)."""

    INVALID = "invalid"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_PERSON = "unknown_person"
    DEPARTED = "departed"
    ROLE_NOT_IN_PROGRAM = "role_not_in_program"
    PROGRAM_CLOSED = "program_closed"


@dataclass(frozen=True)
class BulkRow:
    """One requested enrollment: its row number, its person and role, the enrollment's
    own fields, and a refusal already known before any lookup (an unreadable CSV row)."""

    row: int
    person_id: str
    role: str
    fields: Mapping[str, Any]
    refusal: Refusal | None = None
    detail: str = ""


@dataclass(frozen=True)
class RowOutcome:
    row: int
    person_id: str
    outcome: Outcome
    reason: Refusal | None = None
    detail: str = ""


def refuse_repeated_people(rows: Sequence[BulkRow]) -> list[BulkRow]:
    """A person named twice is enrolled by their first row; the later rows are refused."""
    first_row: dict[str, int] = {}
    checked = []
    for row in rows:
        if row.refusal is None and row.person_id in first_row:
            row = replace(
                row,
                refusal=Refusal.DUPLICATE_ROW,
                detail=f"{row.person_id} is on row {first_row[row.person_id]} already",
            )
        elif row.refusal is None:
            first_row[row.person_id] = row.row
        checked.append(row)
    return checked


def decide_rows(
    rows: Sequence[BulkRow],
    *,
    kind: str,
    program_open: bool,
    departed: Mapping[str, bool],
    enrolled_as: Mapping[str, str],
) -> list[RowOutcome]:
    """Each row's outcome. ``departed`` holds every known person (True if they left);
    ``enrolled_as`` the role of each person actively enrolled in the program already."""
    allowed = ROLES_BY_KIND[ProgramKind(kind)]
    outcomes = []
    for row in rows:
        refusal, detail = row.refusal, row.detail
        if refusal is None:
            refusal, detail = _refusal(row, allowed, program_open, departed)
        if refusal is not None:
            outcome = RowOutcome(row.row, row.person_id, Outcome.REJECTED, refusal, detail)
        elif row.person_id in enrolled_as:
            detail = f"enrolled as {enrolled_as[row.person_id]}"
            outcome = RowOutcome(row.row, row.person_id, Outcome.ALREADY_ENROLLED, None, detail)
        else:
            outcome = RowOutcome(row.row, row.person_id, Outcome.ACCEPTED)
        outcomes.append(outcome)
    return outcomes


def _refusal(
    row: BulkRow, allowed: set[str], program_open: bool, departed: Mapping[str, bool]
) -> tuple[Refusal | None, str]:
    if not program_open:
        return Refusal.PROGRAM_CLOSED, "the program does not take enrollments now"
    if row.role not in allowed:
        return Refusal.ROLE_NOT_IN_PROGRAM, f"allowed: {', '.join(sorted(allowed))}"
    if row.person_id not in departed:
        return Refusal.UNKNOWN_PERSON, "not in the people projection (import them first)"
    if departed[row.person_id]:
        return Refusal.DEPARTED, "has left the organisation"
    return None, ""


def count_outcomes(outcomes: Sequence[RowOutcome]) -> dict[str, int]:
    """How many rows ended each way (every outcome named, zero included)."""
    counts = {outcome.value: 0 for outcome in Outcome}
    for outcome in outcomes:
        counts[outcome.outcome.value] += 1
    return counts
