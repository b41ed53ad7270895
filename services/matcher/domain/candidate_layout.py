"""What the compiled filter (``candidate_kernel``) reads, derived from the participants.

A person's class is what the class-level criteria and hard constraints read (department,
unit, location, hours, languages); the class table holds their weighted sum for every
pair of classes, ``-inf`` where a class-level constraint fails. The table is laid out
twice: by row for the left person, by column (one array per skill and topic word, in an
order where people of similar hours and languages sit together) for the right side."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.matcher.domain.candidate_kernel import TILE
from services.matcher.domain.candidate_types import Columns, Records, Rows, Scoring
from services.matcher.domain.features import EncodedProgram, ParticipantTable
from services.matcher.domain.rules import Criterion, HardConstraint, ProgramRules

__all__ = [
    "class_count",
    "class_table",
    "person_classes",
    "records",
    "scoring",
    "sides",
    "table_rows",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

CLASS_CHUNK = 128
#: A record of ``records`` spans whole cache lines (16 int32 each).
LINE = 16
#: Hard constraints decided by a person's class alone (see ``person_classes``).
CLASS_CONSTRAINTS = (
    HardConstraint.DIFFERENT_DEPARTMENT,
    HardConstraint.DIFFERENT_BUSINESS_UNIT,
    HardConstraint.WORKING_HOURS_OVERLAP,
    HardConstraint.SHARED_LANGUAGE,
)
CLASS_CRITERIA = (Criterion.CROSS_DEPARTMENT, Criterion.DIVERSITY, Criterion.AVAILABILITY)
SENIORITY_MODES = {"level": 0, "tenure": 1, "level_or_tenure": 2}


def person_classes(table: ParticipantTable) -> IntArray:
    """Class of each table row: the fields the class-level criteria and constraints read."""
    keys = np.column_stack(
        [
            table.department,
            table.business_unit,
            table.location,
            table.start_utc.view(np.int32).astype(np.int64),
            table.end_utc.view(np.int32).astype(np.int64),
            table.languages.view(np.int64),
        ]
    )
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    return np.asarray(inverse, dtype=np.int64).ravel()


def class_table(program: EncodedProgram, classes: IntArray, *, symmetric: bool) -> FloatArray:
    """Weighted class-level criteria of every class pair, ``-inf`` where a class-level
    constraint fails. Computed with the table's own functions on one row per class,
    ``CLASS_CHUNK`` classes at a time (their temporaries are (chunk x classes x wanted))."""
    table, rules = program.table, program.rules
    _, first = np.unique(classes, return_index=True)
    weights = rules.weights.as_dict()
    out = np.zeros((len(first), len(first)), dtype=np.float32)
    b = first[None, :]
    for lo in range(0, len(first), CLASS_CHUNK):
        a = first[lo : lo + CLASS_CHUNK, None]
        part = out[lo : lo + CLASS_CHUNK]
        raw = table.raw_criteria(a, b, symmetric=symmetric)
        for crit in CLASS_CRITERIA:
            part += raw[crit] * np.float32(weights[crit])
        for c in rules.active_constraints():
            if c in CLASS_CONSTRAINTS:
                part[~table.satisfies(c, rules, program.keys, a, b)] = -np.inf
    return out


def class_count(table: ParticipantTable) -> int:
    """How many classes the filter's class table has rows for (its size is the square)."""
    return int(person_classes(table).max(initial=-1)) + 1


def scoring(
    rules: ProgramRules, class_table: FloatArray, *, symmetric: bool, tie_break: float, seed: int
) -> Scoring:
    weights = rules.weights.as_dict()
    return Scoring(
        class_table,
        np.array([weights[Criterion.SKILLS], weights[Criterion.GOALS]], dtype=np.float32),
        symmetric,
        HardConstraint.SENIORITY in rules.active_constraints(),
        SENIORITY_MODES.get(rules.junior_by, 3),
        rules.min_level_gap,
        rules.min_tenure_gap_days,
        tie_break,
        seed,
    )


def table_rows(table: ParticipantTable, classes: IntArray, *, symmetric: bool = False) -> Rows:
    """The filters' layout of the table by row (the left person; in the pooled pass both);
    among peers (``symmetric``) with the skills each row owns, else none."""
    scale = (1.0 / np.maximum(5.0 * table.wanted_count, 1.0)).astype(np.float32)
    owns = table.proficiency > 0 if symmetric else np.zeros((len(scale), 0), dtype=np.bool_)
    owned_count = owns.sum(axis=1).astype(np.int64)
    owned = np.zeros((len(owns), int(owned_count.max(initial=0))), dtype=np.int32)
    owned[np.arange(owned.shape[1]) < owned_count[:, None]] = np.nonzero(owns)[1]
    return Rows(
        table.level, table.hire_day, classes, np.ascontiguousarray(table.proficiency),
        np.ascontiguousarray(table.wanted), scale, np.ascontiguousarray(table.topics),
        table.topic_count, owned, owned_count,
    )  # fmt: skip


def sides(
    table: ParticipantTable,
    right: IntArray,
    classes: IntArray,
    class_table: FloatArray,
    *,
    symmetric: bool,
) -> tuple[Rows, Columns]:
    """The exact filter's two layouts of the table: by row (left) and by column (``right``;
    among peers with what each column wants by skill)."""
    rows = table_rows(table, classes, symmetric=symmetric)
    keys = (classes[right], *table.languages[right].T, table.end_utc[right])
    order = np.lexsort((*keys, table.start_utc[right]))
    at, i32 = right[order], np.int32
    wanting = np.zeros((table.proficiency.shape[1], len(at) if symmetric else 0), np.uint8)
    for wanted in table.wanted[at].T if symmetric else ():  # a column once per pass
        wanting[wanted, np.arange(len(at))] += 1
    cols = Columns(
        table.level[at].astype(i32), table.hire_day[at].astype(i32), classes[at].astype(i32),
        np.ascontiguousarray(table.proficiency[at].T), rows.inverse_scale[at],
        np.ascontiguousarray(table.topics[at].T), table.topic_count[at].astype(np.float32),
        order.astype(np.int64), _reachable(class_table, classes[at]), wanting,
        _run_ends(classes[at]),
    )  # fmt: skip
    return rows, cols


def _run_ends(values: IntArray) -> IntArray:
    """Per position, the end (exclusive) of the run of equal values it is in."""
    ends = np.append(np.flatnonzero(np.diff(values)) + 1, len(values))
    return np.repeat(ends, np.diff(ends, prepend=0)).astype(np.int64)


def records(table: ParticipantTable, right: IntArray, classes: IntArray) -> Records:
    """The pooled filter's layout of the right side: a record per right position, whole
    cache lines at an aligned address (``Records``)."""
    wanted, topics = table.wanted[right], table.topics[right]
    used = 5 + wanted.shape[1] + 2 * topics.shape[1]
    width = -(-used // LINE) * LINE
    buffer = np.zeros(len(right) * width + LINE, dtype=np.int32)
    start = (-buffer.ctypes.data // 4) % LINE
    fields = buffer[start : start + len(right) * width].reshape(len(right), width)
    for at, column in enumerate(
        (classes, table.level, table.hire_day, table.topic_count, table.wanted_count)
    ):
        fields[:, at] = column[right]
    fields[:, 5 : 5 + wanted.shape[1]] = wanted
    fields[:, 5 + wanted.shape[1] : used] = np.ascontiguousarray(topics).view(np.int32)
    return Records(fields, np.ascontiguousarray(table.proficiency[right].T))


def _reachable(class_table: FloatArray, column_class: IntArray) -> npt.NDArray[np.bool_]:
    """``[class, tile]``: some column of the tile has a class the row's class may pair with."""
    tiles = -(-len(column_class) // TILE)
    present = np.zeros((len(class_table), tiles), dtype=np.float32)
    present[column_class, np.arange(len(column_class)) // TILE] = 1.0
    allowed = np.isfinite(class_table).astype(np.float32)
    return np.asarray((allowed @ present) > 0)
