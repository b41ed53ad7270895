"""Each process's cache of encoded program rosters (``domain/roster.py``), so rounds and
suggestions read and encode a program's participants once, not on every call.

An entry is used only while the store's pool tokens (``store_pool.py``: the people
projection's and the program's enrollments') and the program's rules are what they
were when it was built; any HR fact or enrollment change renews a token, so the next
call rebuilds. The tokens are read before the roster is loaded, so an entry never
hides a change made before it was read. The API and the worker each keep their own
cache; the tokens in the database keep both right. Memory is bounded: the
``MATCHER_POOL_CACHE_PROGRAMS`` most recently used programs are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.matcher import mapping
from services.matcher.domain.pairing import ProgramInput, prepare_program
from services.matcher.domain.roster import base_places, rows_available
from services.matcher.domain.rules import ProgramRules
from services.matcher.domain.suggestions import PartnerIndex
from services.matcher.unit_of_work import Work
from shared.mongo import Document


@dataclass(frozen=True)
class Roster:
    """Every active enrollment of a program whose person is known, encoded (mentors at
    their enrolled capacity), and everyone's places before any match (leavers: none),
    also as a mask of the roster's rows; the rows suggestions look partners up in."""

    etag: str
    program: ProgramInput
    places: dict[str, int]
    available: npt.NDArray[np.bool_]
    partners: PartnerIndex


class RosterCache:
    """Least recently used rosters by program id."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, Roster] = OrderedDict()

    def get(self, program_id: str, etag: str, rules: ProgramRules) -> Roster | None:
        entry = self._entries.get(program_id)
        if entry is None or entry.etag != etag or entry.program.rules != rules:
            return None
        self._entries.move_to_end(program_id)
        return entry

    def put(self, program_id: str, roster: Roster, *, keep: int) -> None:
        self._entries[program_id] = roster
        self._entries.move_to_end(program_id)
        while len(self._entries) > keep:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


ROSTERS = RosterCache()


async def program_roster(
    uow: Work,
    program: Document,
    timings: dict[str, float] | None = None,
    *,
    etag: str | None = None,
) -> Roster:
    """The program's roster, from this process's cache while it is current; a rebuild's
    reads and encoding are timed into ``timings`` (a round's stats). ``etag``: the pool
    tokens if the caller read them already (``read_pool_etag``, before this call)."""
    timings = {} if timings is None else timings
    program_id = program["_id"]
    rules = mapping.rules_from_program(program, today=uow.now.date())
    etag = etag or await uow.store.pool_etag(program_id)
    cached = ROSTERS.get(program_id, etag, rules)
    if cached is not None:
        return cached
    key = (program_id, etag)
    building = _BUILDING.get(key)
    if building is None or building.rules != rules:
        building = _Build(
            rules, asyncio.ensure_future(_build(uow, program_id, etag, rules, timings))
        )
        _BUILDING[key] = building
        building.task.add_done_callback(lambda _: _BUILDING.pop(key, None))
    return await asyncio.shield(building.task)


@dataclass(frozen=True)
class _Build:
    rules: ProgramRules
    task: asyncio.Future[Roster]


#: Rebuilds under way, by program and pool tokens: a call that finds one waits for it
#: instead of reading and encoding the same roster beside it (at 100k each is seconds
#: of work and a GiB; suggestions asked at once after an enrollment all rebuilt).
_BUILDING: dict[tuple[str, str], _Build] = {}


async def _build(
    uow: Work, program_id: str, etag: str, rules: ProgramRules, timings: dict[str, float]
) -> Roster:
    started = time.perf_counter()
    with collections_paused():
        enrollment_docs = await uow.store.active_enrollments(program_id)
        person_ids = [d["person_id"] for d in enrollment_docs]
        people_docs = await uow.store.people_and_managers(person_ids)
        read = time.perf_counter()
        roster = await asyncio.to_thread(_encode, etag, rules, enrollment_docs, people_docs)
        timings["roster_read_seconds"] = read - started
        timings["roster_encode_seconds"] = time.perf_counter() - read
        ROSTERS.put(program_id, roster, keep=uow.settings.pool_cache_programs)
        keep_out_of_collections()  # before collections resume: the first would walk it all
    return roster


_pausing = 0


@contextlib.contextmanager
def collections_paused() -> Iterator[None]:
    """No automatic collection while a roster is read and encoded: they only add live
    objects, yet each full collection the allocations set off walked them all again
    (100k, first call, load 5: nine, 9.2 s of 49 s, freeing next to nothing). The one
    collection at the end of the build (``keep_out_of_collections``) does the work once;
    at the end, not after: resumed, the youngest generation held the whole build and its
    first collection walked it (0.7 s at 50k).
    Overlapping builds (other programs) count: collections resume after the last."""
    global _pausing
    if _pausing == 0 and not gc.isenabled():
        yield  # paused by someone else (a test, a profiler): theirs to resume
        return
    _pausing += 1
    gc.disable()
    try:
        yield
    finally:
        _pausing -= 1
        if _pausing == 0:
            gc.enable()


def keep_out_of_collections() -> None:
    """Move what lives now (the cached rosters above all) out of the collector's sight.

    A 100k roster is some 400k Python objects; every full collection walked them all
    (0.2 s, a few times a minute under load: the slow tail of the suggestions' latency).
    Frozen objects are still freed when no longer referenced; a cycle among them waits
    for the next call, which first thaws everything and collects once."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _encode(
    etag: str, rules: ProgramRules, enrollment_docs: list[Document], people_docs: list[Document]
) -> Roster:
    people = [mapping.person_from_doc(d) for d in people_docs]
    known = {p.id for p in people}
    enrollments = [
        mapping.enrollment_from_doc(d) for d in enrollment_docs if d["person_id"] in known
    ]
    departed = {d["_id"] for d in people_docs if d.get("departed_on")}
    program = prepare_program(people, enrollments, rules)
    places = base_places(program, departed)
    available = rows_available(program, places)
    return Roster(etag, program, places, available, PartnerIndex.of(program.table))
