"""Program-level pairing: the functions the matcher adapters call for pair programs.

Each call is pure: people + enrollments + rules (+ admin adjustments) in, a
:class:`MatchingResult` draft out. Pipeline: encode -> candidate graph ->
optimal solver -> explanations -> unmatched reasons.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TypedDict, Unpack

import numpy as np
import numpy.typing as npt

from services.matcher.domain.bipartite import solve_b_matching
from services.matcher.domain.candidates import WEIGHT_SCALE, CandidateGraph, generate_candidates
from services.matcher.domain.explain import explain_pairs
from services.matcher.domain.features import ExclusionKeys, ParticipantTable, build_participants
from services.matcher.domain.general import solve_general_matching
from services.matcher.domain.people import Enrollment, Person, ReportingChains, Role
from services.matcher.domain.results import (
    MatchingResult,
    ProposedPair,
    Unmatched,
    diagnose_unmatched,
)
from services.matcher.domain.rules import ExcludedPairs, ProgramKind, ProgramRules

__all__ = [
    "ProgramInput",
    "SolveOptions",
    "match_peer_coaching",
    "match_reverse_mentoring",
    "prepare_program",
]

IntArray = npt.NDArray[np.int64]


class ProgramInput:
    """Encoded program (people, enrollments, rules, exclusions), reusable across rounds."""

    def __init__(
        self,
        people: Iterable[Person],
        enrollments: Sequence[Enrollment],
        rules: ProgramRules,
        excluded: ExcludedPairs | None = None,
        chains: ReportingChains | None = None,
    ) -> None:
        persons = list(people)
        ids = [e.person_id for e in enrollments]
        if len(set(ids)) != len(ids):
            raise ValueError("a person may enroll only once per program")
        self.people = {p.id: p for p in persons}
        missing = [i for i in ids if i not in self.people]
        if missing:
            raise ValueError(f"enrollments reference unknown people: {missing[:5]}")
        self.rules = rules
        self.excluded = excluded or ExcludedPairs()
        self.chains = chains or ReportingChains(persons)
        self.table: ParticipantTable = build_participants(
            self.people, enrollments, self.chains, rules
        )
        self.keys = ExclusionKeys.build(self.table, self.excluded)

    def with_excluded(self, excluded: ExcludedPairs) -> ProgramInput:
        """Same encoded program with other excluded pairs (cheap: no re-encoding)."""
        clone = object.__new__(ProgramInput)
        clone.__dict__.update(self.__dict__)
        clone.excluded = excluded
        clone.keys = ExclusionKeys.build(self.table, excluded)
        return clone


def prepare_program(
    people: Iterable[Person],
    enrollments: Sequence[Enrollment],
    rules: ProgramRules,
    excluded: ExcludedPairs | None = None,
) -> ProgramInput:
    """Encode once; pass the result to the ``match_*`` functions for repeated rounds."""
    return ProgramInput(people, enrollments, rules, excluded)


def _positions(rows: IntArray) -> dict[int, int]:
    return {int(r): i for i, r in enumerate(rows)}


class SolveOptions(TypedDict, total=False):
    """What every pair solver takes besides the program: the admin's ``locked`` pairs
    (default none), the candidate sampler's ``seed`` (default 0) and ``exhaustive``
    (the exact top-K; ``False`` pooled; default ``None``: ``candidates`` chooses, exact
    up to 100k x 100k pairs, pooled above)."""

    locked: Sequence[tuple[str, str]]
    seed: int
    exhaustive: bool | None


def _candidates(
    program: ProgramInput, left: IntArray, right: IntArray, options: SolveOptions
) -> CandidateGraph:
    """Peers pick among peers (one symmetric pool); mentees among mentors."""
    return generate_candidates(
        program,
        left,
        right,
        symmetric=left is right,
        exhaustive=options.get("exhaustive"),
        seed=options.get("seed", 0),
    )


def _result(
    program: ProgramInput,
    pairs: tuple[ProposedPair, ...],
    unmatched: list[Unmatched],
    stats: dict[str, float],
    upper_bound: float | None = None,
) -> MatchingResult:
    total = float(sum(p.score for p in pairs))
    return MatchingResult(program.rules.kind, pairs, tuple(unmatched), total, upper_bound, stats)


def match_reverse_mentoring(
    program: ProgramInput, **options: Unpack[SolveOptions]
) -> MatchingResult:
    """Optimal mentor-mentee draft. ``locked`` holds admin-forced ``(mentor_id, mentee_id)``.

    Maximises the number of matched mentees, then total score, on the candidate
    graph (see :mod:`bipartite`); respects mentor capacities.
    """
    rules, table = program.rules, program.table
    if rules.kind is not ProgramKind.REVERSE_MENTORING:
        raise ValueError("rules are not for reverse mentoring")
    mentees, mentors = table.rows_with_role(Role.MENTEE), table.rows_with_role(Role.MENTOR)
    locked = options.get("locked", ())
    t0 = time.perf_counter()
    graph = _candidates(program, mentees, mentors, options)
    t1 = time.perf_counter()
    lpos, rpos = _positions(mentees), _positions(mentors)
    lock_l = np.array([lpos[table.row_index[b]] for _, b in locked], dtype=np.int64)
    lock_r = np.array([rpos[table.row_index[a]] for a, _ in locked], dtype=np.int64)
    sol = solve_b_matching(
        graph,
        table.capacity[mentors],
        maximise_cardinality=rules.maximise_cardinality,
        locked_left=lock_l,
        locked_right=lock_r,
    )
    t2 = time.perf_counter()
    pair_l = np.concatenate([lock_l, graph.edge_left[sol.edges]])
    pair_r = np.concatenate([lock_r, graph.edge_right[sol.edges]])
    pairs = _proposed_pairs(
        program, mentors[pair_r], mentees[pair_l], (Role.MENTOR, Role.MENTEE), len(lock_l)
    )
    unmatched = _unmatched_bipartite(program, graph, pair_l, pair_r)
    t3 = time.perf_counter()
    return _result(program, pairs, unmatched, _stats((t0, t1, t2, t3), graph, sol.weight))


def _proposed_pairs(
    program: ProgramInput, first: IntArray, second: IntArray, roles: tuple[Role, Role], locks: int
) -> tuple[ProposedPair, ...]:
    """Explained pairs of table rows, stored (first, second); the first ``locks`` were locked.
    Reverse mentoring explains from the mentee's side (``second``), peers symmetrically."""
    table = program.table
    symmetric = roles[0] is Role.PEER
    asker, other = (first, second) if symmetric else (second, first)
    explanations = explain_pairs(program, asker, other, symmetric=symmetric)
    return tuple(
        ProposedPair((table.ids[int(a)], table.ids[int(b)]), roles, ex, locked=i < locks)
        for i, (a, b, ex) in enumerate(zip(first, second, explanations, strict=True))
    )


def _stats(
    times: tuple[float, float, float, float], graph: CandidateGraph, weight: float
) -> dict[str, float]:
    t0, t1, t2, t3 = times
    return {
        "candidates_seconds": t1 - t0,
        "solve_seconds": t2 - t1,
        "explain_seconds": t3 - t2,
        "edges": float(graph.num_edges),
        "solver_weight": weight / WEIGHT_SCALE,
        "exhaustive": float(graph.exhaustive),
    }


def _unmatched_bipartite(
    program: ProgramInput, graph: CandidateGraph, pair_l: IntArray, pair_r: IntArray
) -> list[Unmatched]:
    lost_l = np.setdiff1d(np.arange(len(graph.left)), pair_l)
    lost_r = np.setdiff1d(np.arange(len(graph.right)), pair_r)
    lost_left = graph.left[lost_l], graph.right, graph.degree_left()[lost_l] > 0
    lost_right = graph.right[lost_r], graph.left, graph.degree_right()[lost_r] > 0
    return diagnose_unmatched(program, *lost_left, person_is_left=True) + diagnose_unmatched(
        program, *lost_right, person_is_left=False
    )


def match_peer_coaching(program: ProgramInput, **options: Unpack[SolveOptions]) -> MatchingResult:
    """Peer pairs by near-optimal maximum-weight general matching (see :mod:`general`).

    ``upper_bound`` is the certified LP bound (score units) for the unlocked peers.
    """
    rules, table = program.rules, program.table
    if rules.kind is not ProgramKind.PEER_COACHING:
        raise ValueError("rules are not for peer coaching")
    peers = table.rows_with_role(Role.PEER)
    locked = options.get("locked", ())
    t0 = time.perf_counter()
    graph = _candidates(program, peers, peers, options)
    t1 = time.perf_counter()
    pos = _positions(peers)
    lock_a = np.array([pos[table.row_index[a]] for a, _ in locked], dtype=np.int64)
    lock_b = np.array([pos[table.row_index[b]] for _, b in locked], dtype=np.int64)
    sol = solve_general_matching(graph, blocked=np.concatenate([lock_a, lock_b]))
    t2 = time.perf_counter()
    pa = np.concatenate([lock_a, graph.edge_left[sol.edges]])
    pb = np.concatenate([lock_b, graph.edge_right[sol.edges]])
    pairs = _proposed_pairs(program, peers[pa], peers[pb], (Role.PEER, Role.PEER), len(lock_a))
    lost = np.setdiff1d(np.arange(len(peers)), np.concatenate([pa, pb]))
    unmatched = diagnose_unmatched(
        program, peers[lost], peers, graph.degree_left()[lost] > 0, person_is_left=True
    )
    t3 = time.perf_counter()
    bound = sol.upper_bound / WEIGHT_SCALE
    stats = {**_stats((t0, t1, t2, t3), graph, sol.weight), "upper_bound": bound}
    return _result(program, pairs, unmatched, stats, upper_bound=bound)
