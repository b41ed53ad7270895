"""A program's current pool, encoded for the domain: enrolled people not in a live
match, mentors with free capacity, leavers left out. Rounds solve it (and a draft is
re-checked against it when published); self-match ranks partners in it.

The participants come encoded from the process's roster cache (``pool_cache.py``);
per call only matches are read, since every answer changes them: a round reads the
program's and the kind's history; a suggestion only the program's live matches and the
asker's own history (the only pairs it can meet).

Pairs never meet twice: not inside the program, and not across programs of the same
kind within ``MATCHER_REPEAT_PAIR_WINDOW_DAYS`` (the matcher's own match history). A
pair where one blocked the other never meets at all (``blocks.py``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import numpy.typing as npt

from services.matcher import mapping
from services.matcher.domain.pairing import ProgramInput
from services.matcher.domain.roster import places_taken, restrict
from services.matcher.domain.rules import ExcludedPairs
from services.matcher.domain.suggestions import PartnerIndex
from services.matcher.pool_cache import Roster, program_roster
from services.matcher.unit_of_work import Work
from shared.mongo import Document

Pair = tuple[str, str]


@dataclass(frozen=True)
class PoolState:
    """What the pool is made of now: the program's roster, its matches, and the free
    places of each person (a mentor's remaining capacity, one for anyone else, none
    once matched or gone): the roster's places, with ``taken`` over them for the people
    live matches hold."""

    roster: Roster
    matches: list[Document]
    taken: dict[str, int]

    @property
    def places(self) -> Mapping[str, int]:
        """One dict (rounds and a publish look up everyone: at 100k, 0.15 s with the
        copy against 0.39 s of lookups through a ``ChainMap``)."""
        return {**self.roster.places, **self.taken}

    def available(self) -> npt.NDArray[np.bool_]:
        """The pool as a mask of the roster's rows."""
        mask = self.roster.available.copy()
        index = self.roster.program.table.row_index
        for person_id, places in self.taken.items():
            mask[index[person_id]] = places > 0
        return mask


@dataclass(frozen=True)
class SuggestionPool:
    """The whole roster with the pairs matched before kept apart, and which rows are in
    the pool now (suggestions rank among those, without cutting the roster), and the
    roster's partner index."""

    program: ProgramInput
    available: npt.NDArray[np.bool_]
    partners: PartnerIndex

    def __contains__(self, person_id: str) -> bool:
        row = self.program.table.row_index.get(person_id)
        return row is not None and bool(self.available[row])


async def pool_state(
    uow: Work, program: Document, timings: dict[str, float] | None = None
) -> PoolState:
    """Per call, only the program's matches are read and only their members looked at."""
    roster = await program_roster(uow, program, timings)
    match_docs = await uow.store.matches_of_program(program["_id"])
    matches = [mapping.match_from_doc(d) for d in match_docs]
    return PoolState(roster, match_docs, places_taken(roster.program, roster.places, matches))


def _pairs_of(match_docs: list[Document]) -> list[Pair]:
    return [
        (a, b)
        for d in match_docs
        for i, a in enumerate(d["member_ids"])
        for b in d["member_ids"][i + 1 :]
    ]


async def matched_before(uow: Work, program: Document, match_docs: list[Document]) -> list[Pair]:
    """Pairs that may not meet again: matched in this program (in any state), or
    matched for real (active, flagged or ended) in another program of the same kind
    within the repeat-pair window."""
    since = uow.now - timedelta(days=uow.settings.repeat_pair_window_days)
    history = await uow.store.matches_of_kind_since(program["kind"], since)
    elsewhere = [d for d in history if d["program_id"] != program["_id"]]
    return _pairs_of(match_docs) + _pairs_of(elsewhere)


async def program_pool_input(
    uow: Work, program: Document, timings: dict[str, float] | None = None
) -> ProgramInput:
    """The pool with the program's rules as of today; pairs matched before, and blocked
    pairs, stay apart. What each step took goes into ``timings`` (a round's stats)."""
    timings = {} if timings is None else timings
    started = time.perf_counter()
    state = await pool_state(uow, program, timings)
    previously = await matched_before(uow, program, state.matches)
    excluded = ExcludedPairs.of(previously, blocked=await uow.store.blocked_pairs())
    cut = time.perf_counter()
    pool = await asyncio.to_thread(restrict, state.roster.program, state.places, excluded)
    timings["restrict_seconds"] = time.perf_counter() - cut
    timings["pool_seconds"] = time.perf_counter() - started
    return pool


def matched_before_among(uow: Work, program: Document, history: list[Document]) -> list[Pair]:
    """``matched_before``, of the pairs in ``history`` (one person's matches, any program,
    any state: all a suggestion can meet, instead of every match of the kind)."""
    since = uow.now - timedelta(days=uow.settings.repeat_pair_window_days)
    real = {"active", "flagged", "ended"}
    return _pairs_of(
        [
            d
            for d in history
            if d["program_id"] == program["_id"]
            or (d["kind"] == program["kind"] and d["state"] in real and d["created_at"] >= since)
        ]
    )


@dataclass(frozen=True)
class AskerReads:
    """What a suggestion reads besides its program, all by id: the pool tokens (None
    before they are made), the program's live matches, the asker's matches and blocks."""

    etag: str | None
    live: list[Document]
    history: list[Document]
    blocked: list[Pair]


async def asker_reads(uow: Work, program_id: str, person_id: str) -> AskerReads:
    """Sent at once, and at once with the program's read (``self_match.py``): each
    waits its turn in the database's queue, and while the database is busy (at 100k, an
    enrollment's trailing events) reads one after another added their waits up, three
    to six times 0.1-0.6 s (the slow tail of #19). Nothing written: the program may not
    exist."""
    etag, live, history, blocked = await asyncio.gather(
        uow.store.read_pool_etag(program_id),
        uow.store.live_matches(program_id),
        uow.store.matches_of_member(person_id),
        uow.store.blocked_pairs_of(person_id),
    )
    return AskerReads(etag, live, history, blocked)


async def suggestion_pool(
    uow: Work, program: Document, person_id: str, reads: AskerReads | None = None
) -> SuggestionPool:
    """What ``person_id``'s suggestions rank: the roster as it is (nothing re-encoded or
    copied), the pool as a mask from the program's live matches, and the pairs that may
    not meet again among the person's own; from ``reads`` when made already."""
    reads = reads or await asker_reads(uow, program["_id"], person_id)
    roster = await program_roster(uow, program, etag=reads.etag)
    matches = [mapping.match_from_doc(d) for d in reads.live]
    state = PoolState(roster, reads.live, places_taken(roster.program, roster.places, matches))
    excluded = ExcludedPairs.of(
        matched_before_among(uow, program, reads.history), blocked=reads.blocked
    )
    program_now = roster.program.with_excluded(excluded)
    return SuggestionPool(program_now, state.available(), roster.partners)
