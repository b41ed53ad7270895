"""Columnar encoding of program participants and vectorised pair evaluation.

Every pair-level rule (hard constraints and soft criteria) is written once here,
over numpy index arrays of any shape, so candidate generation, explanations,
diagnostics and lifecycle re-checks can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from services.matcher.domain.people import Enrollment, Person, ReportingChains, Role
from services.matcher.domain.people import utc_offset_hours as _utc_offset
from services.matcher.domain.rules import Criterion, ExcludedPairs, HardConstraint, ProgramRules

__all__ = ["EncodedProgram", "ExclusionKeys", "ParticipantTable", "build_participants"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True, eq=False)
class ParticipantTable:
    """One row per enrollment; categorical fields are integer codes."""

    ids: tuple[str, ...]
    roles: tuple[Role, ...]
    chains: ReportingChains
    person_row: IntArray
    level: IntArray
    hire_day: IntArray
    department: IntArray
    business_unit: IntArray
    location: IntArray
    start_utc: FloatArray
    end_utc: FloatArray
    languages: npt.NDArray[np.uint64]
    topics: npt.NDArray[np.uint64]
    topic_count: IntArray
    wanted: IntArray
    wanted_count: IntArray
    proficiency: npt.NDArray[np.uint8]
    capacity: IntArray
    skill_names: tuple[str, ...]
    row_index: Mapping[str, int]

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, ids: Iterable[str]) -> IntArray:
        lookup = self.row_index
        return np.fromiter((lookup[i] for i in ids), dtype=np.int64)

    def rows_with_role(self, role: Role) -> IntArray:
        return np.fromiter((i for i, r in enumerate(self.roles) if r is role), dtype=np.int64)

    # ----------------------------------------------------------------- hard rules
    def constraint_checks(
        self, rules: ProgramRules, excluded: ExclusionKeys, left: IntArray, right: IntArray
    ) -> dict[HardConstraint, BoolArray]:
        """Per active constraint, True where the pair satisfies it.

        In bipartite programs ``left`` rows are mentees and ``right`` rows mentors.
        """
        out: dict[HardConstraint, BoolArray] = {}
        for c in rules.active_constraints():
            out[c] = self.satisfies(c, rules, excluded, left, right)
        return out

    def feasible(
        self, rules: ProgramRules, excluded: ExclusionKeys, left: IntArray, right: IntArray
    ) -> BoolArray:
        """True where the pair satisfies every active hard constraint and is not blocked
        (a silent rule: ``constraint_checks`` never names it, so nothing explains it)."""
        ok = ~excluded.contains(excluded.blocked, left, right)
        for c in rules.active_constraints():
            ok &= self.satisfies(c, rules, excluded, left, right)
        return ok

    def satisfies(
        self,
        c: HardConstraint,
        rules: ProgramRules,
        excluded: ExclusionKeys,
        left: IntArray,
        right: IntArray,
    ) -> BoolArray:
        """True where the pairs (index arrays of any broadcastable shapes) satisfy ``c``."""
        if c is HardConstraint.REPORTING_CHAIN:
            return ~self.chains.related(self.person_row[left], self.person_row[right])
        if c is HardConstraint.SENIORITY:
            by_level = self.level[left] - self.level[right] >= rules.min_level_gap
            by_tenure = self.hire_day[right] - self.hire_day[left] >= rules.min_tenure_gap_days
            mode = rules.junior_by
            if mode == "level":
                return by_level
            if mode == "tenure":
                return by_tenure
            return (by_level | by_tenure) if mode == "level_or_tenure" else (by_level & by_tenure)
        if c is HardConstraint.DIFFERENT_DEPARTMENT:
            return np.asarray(self.department[left] != self.department[right])
        if c is HardConstraint.DIFFERENT_BUSINESS_UNIT:
            return np.asarray(self.business_unit[left] != self.business_unit[right])
        if c is HardConstraint.WORKING_HOURS_OVERLAP:
            return self.overlap_hours(left, right) >= rules.min_overlap_hours - 1e-6
        if c is HardConstraint.SHARED_LANGUAGE:
            shared = self.languages[left] & self.languages[right]
            return np.asarray(np.any(shared != 0, axis=-1))
        previous = c is HardConstraint.NOT_PREVIOUSLY_MATCHED
        keys = excluded.previous if previous else excluded.forbidden
        return ~excluded.contains(keys, left, right)

    # ----------------------------------------------------------------- soft criteria
    def overlap_hours(self, left: IntArray, right: IntArray) -> FloatArray:
        """Shared working hours per day (circular 24 h clock, UTC)."""
        s1, e1 = self.start_utc[left], self.end_utc[left]
        s2, e2 = self.start_utc[right], self.end_utc[right]
        total = np.zeros(np.broadcast_shapes(s1.shape, s2.shape), dtype=np.float32)
        for shift in (-24.0, 0.0, 24.0):
            total += np.clip(np.minimum(e1, e2 + shift) - np.maximum(s1, s2 + shift), 0, None)
        return total

    def skill_fit(self, seeker: IntArray, offerer: IntArray) -> FloatArray:
        """Mean proficiency (0..1) the offerer has in the skills the seeker wants.
        One wanted column at a time: no (pairs x wanted) index array (the pooled pass's
        hottest line); the sums are small integers, so exactly the same floats."""
        base, prof = offerer * self.proficiency.shape[1], self.proficiency.ravel()
        total = np.zeros(np.broadcast_shapes(base.shape, seeker.shape), dtype=np.float32)
        for col in range(self.wanted.shape[1]):
            total += np.take(prof, base + self.wanted[seeker, col])
        scale = np.maximum(5.0 * self.wanted_count[seeker], 1.0).astype(np.float32)
        return np.asarray(total / scale, dtype=np.float32)

    def raw_criteria(
        self, left: IntArray, right: IntArray, *, symmetric: bool
    ) -> dict[Criterion, FloatArray]:
        """Raw value in [0, 1] of every soft criterion; ``left`` is the seeker."""
        skills = self.skill_fit(left, right)
        if symmetric:
            skills = (skills + self.skill_fit(right, left)) * np.float32(0.5)
        inter = np.bitwise_count(self.topics[left] & self.topics[right]).sum(axis=-1)
        union = self.topic_count[left] + self.topic_count[right] - inter
        goals = (inter / np.maximum(union, 1)).astype(np.float32)
        cross = (self.department[left] != self.department[right]).astype(np.float32)
        diversity = (
            (self.business_unit[left] != self.business_unit[right]).astype(np.float32)
            + (self.location[left] != self.location[right]).astype(np.float32)
        ) * np.float32(0.5)
        span = np.minimum(
            self.end_utc[left] - self.start_utc[left], self.end_utc[right] - self.start_utc[right]
        )
        avail = self.overlap_hours(left, right) / np.maximum(span, np.float32(1e-3))
        return {
            Criterion.SKILLS: skills,
            Criterion.GOALS: goals,
            Criterion.CROSS_DEPARTMENT: cross,
            Criterion.DIVERSITY: diversity,
            Criterion.AVAILABILITY: np.minimum(avail, np.float32(1.0)),
        }

    def scores(
        self, rules: ProgramRules, left: IntArray, right: IntArray, *, symmetric: bool
    ) -> FloatArray:
        """Weighted sum of the soft criteria (float32, same shape as the pairs)."""
        raw = self.raw_criteria(left, right, symmetric=symmetric)
        weights = rules.weights.as_dict()
        total: FloatArray | None = None
        for crit, values in raw.items():
            term = values * np.float32(weights[crit])
            total = term if total is None else total + term
        assert total is not None
        return total


@dataclass(frozen=True, slots=True, eq=False)
class ExclusionKeys:
    """Sorted int64 keys ``min(row)*n + max(row)`` of excluded table-row pairs."""

    n: int
    previous: IntArray
    forbidden: IntArray
    blocked: IntArray

    @staticmethod
    def build(table: ParticipantTable, excluded: ExcludedPairs | None) -> ExclusionKeys:
        index = table.row_index
        n = len(table)

        def keys(pairs: frozenset[tuple[str, str]]) -> IntArray:
            rows = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
            arr = np.array([min(r) * n + max(r) for r in rows] if rows else [], dtype=np.int64)
            return np.unique(arr)

        ex = excluded or ExcludedPairs()
        return ExclusionKeys(n, keys(ex.previously_matched), keys(ex.forbidden), keys(ex.blocked))

    def contains(self, keys: IntArray, left: IntArray, right: IntArray) -> BoolArray:
        shape = np.broadcast_shapes(left.shape, right.shape)
        if len(keys) == 0:
            return np.zeros(shape, dtype=np.bool_)
        q = np.minimum(left, right).astype(np.int64) * self.n + np.maximum(left, right)
        pos = np.clip(np.searchsorted(keys, q), 0, len(keys) - 1)
        return np.asarray(keys[pos] == q)


def _bitset(rows: Sequence[frozenset[str]], vocab: Mapping[str, int]) -> npt.NDArray[np.uint64]:
    words = max(1, (len(vocab) + 63) // 64)
    out = np.zeros((len(rows), words), dtype=np.uint64)
    for i, items in enumerate(rows):
        for item in items:
            b = vocab[item]
            out[i, b >> 6] |= np.uint64(1) << np.uint64(b & 63)
    return out


def _codes(values: Sequence[str]) -> IntArray:
    vocab: dict[str, int] = {}
    return np.fromiter((vocab.setdefault(v, len(vocab)) for v in values), dtype=np.int64)


def build_participants(
    people: Mapping[str, Person],
    enrollments: Sequence[Enrollment],
    chains: ReportingChains,
    rules: ProgramRules,
) -> ParticipantTable:
    """Encode enrollments (and their people) into a :class:`ParticipantTable`. O(n)."""
    persons = [people[e.person_id] for e in enrollments]
    offsets: dict[str, float] = {}
    for p in persons:
        if p.timezone not in offsets:
            offsets[p.timezone] = _utc_offset(p.timezone, rules.reference_date)
    local_start = np.array([e.work_start_hour for e in enrollments], dtype=np.float32)
    local_end = np.array([e.work_end_hour for e in enrollments], dtype=np.float32)
    local_end = np.where(local_end <= local_start, local_end + 24, local_end)
    shift = np.array([offsets[p.timezone] for p in persons], dtype=np.float32)
    start = np.mod(local_start - shift, 24).astype(np.float32)
    end = (start + (local_end - local_start)).astype(np.float32)

    languages = sorted({lang for p in persons for lang in p.languages})
    topic_rows = [e.goals | p.interests for e, p in zip(enrollments, persons, strict=True)]
    topic_vocab = {t: i for i, t in enumerate(sorted({t for r in topic_rows for t in r}))}
    skills = sorted({s for e in enrollments for s in e.skills_wanted})
    skill_index = {s: i for i, s in enumerate(skills)}
    pad = len(skills)
    max_wanted = max([len(e.skills_wanted) for e in enrollments] + [1])
    wanted = np.full((len(enrollments), max_wanted), pad, dtype=np.int64)
    prof = np.zeros((len(enrollments), pad + 1), dtype=np.uint8)
    for i, (e, p) in enumerate(zip(enrollments, persons, strict=True)):
        for j, s in enumerate(sorted(e.skills_wanted)):
            wanted[i, j] = skill_index[s]
        for s, level in p.skills.items():
            col = skill_index.get(s)
            if col is not None:
                prof[i, col] = max(0, min(5, int(level)))
    topics = _bitset(topic_rows, topic_vocab)
    return ParticipantTable(
        ids=tuple(e.person_id for e in enrollments),
        roles=tuple(e.role for e in enrollments),
        chains=chains,
        person_row=np.fromiter((chains.index[p.id] for p in persons), dtype=np.int64),
        level=np.fromiter((p.level for p in persons), dtype=np.int64),
        hire_day=np.fromiter((p.hire_date.toordinal() for p in persons), dtype=np.int64),
        department=_codes([p.department for p in persons]),
        business_unit=_codes([p.business_unit for p in persons]),
        location=_codes([p.location for p in persons]),
        start_utc=start,
        end_utc=end,
        languages=_bitset([p.languages for p in persons], {x: i for i, x in enumerate(languages)}),
        topics=topics,
        topic_count=np.bitwise_count(topics).sum(axis=-1).astype(np.int64),
        wanted=wanted,
        wanted_count=np.fromiter((len(e.skills_wanted) for e in enrollments), dtype=np.int64),
        proficiency=prof,
        capacity=np.fromiter((e.capacity for e in enrollments), dtype=np.int64),
        skill_names=tuple(skills),
        row_index={e.person_id: i for i, e in enumerate(enrollments)},
    )


class EncodedProgram(Protocol):
    """What explaining and diagnosing read of an encoded program (``pairing.ProgramInput``):
    the participants, the rules and the excluded pairs, always together."""

    @property
    def table(self) -> ParticipantTable: ...

    @property
    def rules(self) -> ProgramRules: ...

    @property
    def keys(self) -> ExclusionKeys: ...
