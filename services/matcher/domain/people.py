"""People, program enrollments and the reporting-chain index.

Everything here is plain data: adapters build these objects from the HR feed and
the enrollment store, the matcher never fetches anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from shared.contracts.matching import MemberRole

__all__ = [
    "Enrollment",
    "Person",
    "ReportingChains",
    "Role",
    "utc_offset_hours",
]


#: The part a person plays in one program: the published roles, defined once.
Role = MemberRole


@dataclass(frozen=True, slots=True)
class Person:
    """An employee as seen by the matcher; ``id`` is opaque (never parsed)."""

    id: str
    level: int
    department: str
    business_unit: str
    location: str
    timezone: str
    languages: frozenset[str]
    manager_id: str | None
    hire_date: date
    skills: Mapping[str, int] = field(default_factory=dict)
    interests: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Enrollment:
    """One person's participation in a program.

    ``capacity`` is how many mentees a mentor takes (ignored for other roles).
    Working hours are local wall-clock hours; ``work_end_hour`` below
    ``work_start_hour`` means the window crosses midnight.
    """

    person_id: str
    role: Role
    skills_wanted: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()
    capacity: int = 1
    work_start_hour: float = 9.0
    work_end_hour: float = 17.0

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError("capacity must be at least 1")
        for hour in (self.work_start_hour, self.work_end_hour):
            if not 0.0 <= hour <= 24.0:
                raise ValueError("working hours must be within 0..24")


def utc_offset_hours(timezone: str, on: date) -> float:
    """UTC offset of an IANA zone at local noon on ``on`` (DST-aware), in hours."""
    offset = datetime.combine(on, time(12), tzinfo=ZoneInfo(timezone)).utcoffset()
    return 0.0 if offset is None else offset.total_seconds() / 3600.0


class ReportingChains:
    """Ancestor test on the manager tree in O(1) per pair, vectorisable.

    Built once in O(n) with an iterative depth-first Euler tour: ``a`` is an
    ancestor of ``b`` iff ``enter[a] <= enter[b] < leave[a]``. A person whose
    manager is unknown is a root; a manager cycle (bad HR data) is cut at the
    point where it is detected, so the index is always a forest.
    """

    def __init__(self, people: Iterable[Person]) -> None:
        persons = list(people)
        self.index: dict[str, int] = {p.id: i for i, p in enumerate(persons)}
        n = len(persons)
        parent = np.full(n, -1, dtype=np.int64)
        for i, p in enumerate(persons):
            if p.manager_id is not None and p.manager_id in self.index:
                parent[i] = self.index[p.manager_id]
        parent = _break_cycles(parent)
        self.parent: npt.NDArray[np.int64] = parent
        self.enter, self.leave = _euler_tour(parent)

    def __len__(self) -> int:
        return len(self.index)

    def position(self, person_id: str) -> int:
        """Row of a person in the index arrays (KeyError if unknown)."""
        return self.index[person_id]

    def related(
        self, a: npt.NDArray[np.integer], b: npt.NDArray[np.integer]
    ) -> npt.NDArray[np.bool_]:
        """Element-wise: is either of ``a``/``b`` an ancestor of the other (or the same)?"""
        ea, la = self.enter[a], self.leave[a]
        eb, lb = self.enter[b], self.leave[b]
        return np.asarray(((ea <= eb) & (eb < la)) | ((eb <= ea) & (ea < lb)))

    def in_same_chain(self, a_id: str, b_id: str) -> bool:
        """Scalar form of :meth:`related` for two person ids."""
        a = np.array([self.index[a_id]])
        b = np.array([self.index[b_id]])
        return bool(self.related(a, b)[0])

    def ancestors(self, person_id: str) -> list[str]:
        """Managers above a person, nearest first."""
        ids = list(self.index)
        out: list[str] = []
        node = int(self.parent[self.index[person_id]])
        while node >= 0:
            out.append(ids[node])
            node = int(self.parent[node])
        return out


def _break_cycles(parent: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    parent = parent.copy()
    state = np.zeros(len(parent), dtype=np.int8)  # 0 new, 1 on current walk, 2 done
    for start in range(len(parent)):
        if state[start]:
            continue
        walk: list[int] = []
        node = start
        while node >= 0 and state[node] == 0:
            state[node] = 1
            walk.append(node)
            node = int(parent[node])
        if node >= 0 and state[node] == 1:
            parent[walk[-1]] = -1
        for visited in walk:
            state[visited] = 2
    return parent


def _euler_tour(
    parent: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    n = len(parent)
    order = np.argsort(parent, kind="stable")
    sorted_parent = parent[order]
    roots = order[sorted_parent < 0]
    first_child = np.searchsorted(sorted_parent, np.arange(n), side="left")
    last_child = np.searchsorted(sorted_parent, np.arange(n), side="right")
    enter = np.zeros(n, dtype=np.int64)
    leave = np.zeros(n, dtype=np.int64)
    clock = 0
    stack: list[tuple[int, bool]] = [(int(r), False) for r in roots[::-1]]
    fc, lc, od = first_child.tolist(), last_child.tolist(), order.tolist()
    while stack:
        node, done = stack.pop()
        if done:
            leave[node] = clock
            continue
        enter[node] = clock
        clock += 1
        stack.append((node, True))
        stack.extend((od[c], False) for c in range(lc[node] - 1, fc[node] - 1, -1))
    return enter, leave
