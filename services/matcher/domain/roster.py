"""A program's roster: every active enrollment encoded once, and the pool of a round
cut out of it without encoding again.

Encoding is the costly part of reading a large program (people, reporting chains,
skills, topics); who is in the pool changes with every match. So the service keeps the
encoded roster and, per round or suggestion, only selects rows: the encoding of a row
does not depend on which other rows are there (codes and vocabularies are compared,
never read as values), so a restricted roster scores and checks every pair exactly as a
program encoded from the pool alone would.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import fields, replace

import numpy as np
import numpy.typing as npt

from services.matcher.domain.features import ExclusionKeys, ParticipantTable
from services.matcher.domain.lifecycle import Match
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.people import Role
from services.matcher.domain.rules import ExcludedPairs, ProgramKind

__all__ = ["base_places", "places_taken", "restrict", "rows_available"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def base_places(roster: ProgramInput, departed: Collection[str]) -> dict[str, int]:
    """Everyone's places before any match: a mentor's capacity, one for anyone else;
    leavers have none."""
    table = roster.table
    return {
        person_id: int(capacity) if role is Role.MENTOR else 1
        for person_id, role, capacity in zip(
            table.ids, table.roles, table.capacity.tolist(), strict=True
        )
        if person_id not in departed
    }


def places_taken(
    roster: ProgramInput, base: Mapping[str, int], matches: Iterable[Match]
) -> dict[str, int]:
    """The places left to the people live matches hold (everyone else keeps their base
    places): a mentor loses one per live reverse-mentoring match they mentor in; anyone
    else in a live match has none. O(members of live matches), as the lifecycle's
    ``people_in_pool`` and ``remaining_capacity`` decide it."""
    table = roster.table
    left: dict[str, int] = {}
    for match in matches:
        if not match.live:
            continue
        for position, person_id in enumerate(match.member_ids):
            if person_id not in base:
                continue
            if table.roles[table.row_index[person_id]] is not Role.MENTOR:
                left[person_id] = 0
            elif position == 0 and match.kind is ProgramKind.REVERSE_MENTORING:
                left[person_id] = left.get(person_id, base[person_id]) - 1
    return left


def rows_available(roster: ProgramInput, places: Mapping[str, int]) -> BoolArray:
    """True for the roster's rows that have a place in the pool."""
    ids = roster.table.ids
    return np.fromiter((places.get(i, 0) > 0 for i in ids), dtype=np.bool_, count=len(ids))


def restrict(
    roster: ProgramInput, places: Mapping[str, int], excluded: ExcludedPairs
) -> ProgramInput:
    """The pool as its own program: the rows with a place, in roster order, a mentor's
    capacity being their free places; ``excluded`` pairs stay apart."""
    rows = np.flatnonzero(rows_available(roster, places)).astype(np.int64)
    table = _table_rows(roster.table, rows)
    mentors = [i for i, role in enumerate(table.roles) if role is Role.MENTOR]
    capacity = table.capacity.copy()
    capacity[mentors] = [places[table.ids[i]] for i in mentors]
    table = replace(table, capacity=capacity)
    pool = object.__new__(ProgramInput)
    pool.__dict__.update(roster.__dict__)
    pool.table = table
    pool.excluded = excluded
    pool.keys = ExclusionKeys.build(table, excluded)
    return pool


def _table_rows(table: ParticipantTable, rows: IntArray) -> ParticipantTable:
    """The table's ``rows`` (every per-row array cut alike; shared parts kept)."""
    picked = rows.tolist()
    ids = tuple(table.ids[r] for r in picked)
    cut: dict[str, object] = {
        f.name: getattr(table, f.name)[rows]
        for f in fields(table)
        if isinstance(getattr(table, f.name), np.ndarray)
    }
    return replace(
        table,
        ids=ids,
        roles=tuple(table.roles[r] for r in picked),
        row_index={person_id: i for i, person_id in enumerate(ids)},
        **cut,  # type: ignore[arg-type]
    )
