"""Match lifecycle: proposed -> accepted/declined -> active -> flagged/ended.

A match (pair or circle) starts ``PROPOSED``. Each member accepts or declines.
It becomes ``ACTIVE`` once the accepted share reaches the quorum (pairs: both),
and ``DECLINED`` once the quorum can no longer be reached; a declined match
frees mentor capacity and returns people to the pool. A program whose matches start
on publish has them ``ASSIGNED``: active at once, nobody asked. HR changes can
``FLAG`` a match for review; departures and admins ``END`` it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

import numpy as np

from services.matcher.domain.people import Enrollment, Person, ReportingChains, Role
from services.matcher.domain.rules import HardConstraint, ProgramKind, ProgramRules
from shared.errors import IllegalTransition, InvalidInput

__all__ = [
    "ConstraintBreach",
    "LIVE_STATES",
    "Match",
    "MatchState",
    "Response",
    "TransitionError",
    "end_match",
    "flag_breaches",
    "flag_match",
    "handle_departure",
    "people_in_pool",
    "recheck_after_hr_change",
    "remaining_capacity",
    "respond",
    "resume_match",
    "withdraw_proposal",
]


class MatchState(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    FLAGGED = "flagged"
    ENDED = "ended"


class Response(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ASSIGNED = "assigned"


#: The responses that count towards the quorum: an acceptance, or an admin's assignment.
AGREED = frozenset({Response.ACCEPTED, Response.ASSIGNED})


LIVE_STATES = frozenset({MatchState.PROPOSED, MatchState.ACTIVE, MatchState.FLAGGED})


class TransitionError(IllegalTransition, ValueError):
    """The requested change is not allowed from the match's current state (409)."""


@dataclass(frozen=True, slots=True)
class Match:
    """A proposed or running match. Reverse mentoring: ``member_ids == (mentor, mentee)``."""

    match_id: str
    kind: ProgramKind
    member_ids: tuple[str, ...]
    state: MatchState = MatchState.PROPOSED
    responses: Mapping[str, Response] = field(default_factory=dict)
    quorum: float = 1.0
    note: str = ""

    @staticmethod
    def propose(
        match_id: str, kind: ProgramKind, member_ids: Sequence[str], *, quorum: float = 1.0
    ) -> Match:
        """A new proposal; pairs always need both members (quorum 1)."""
        if len(set(member_ids)) != len(member_ids) or len(member_ids) < 2:
            raise InvalidInput("a match needs at least two distinct members")
        q = quorum if kind is ProgramKind.PEER_GROUP else 1.0
        pending = MappingProxyType({m: Response.PENDING for m in member_ids})
        return Match(match_id, kind, tuple(member_ids), MatchState.PROPOSED, pending, q)

    @staticmethod
    def assign(match_id: str, kind: ProgramKind, member_ids: Sequence[str]) -> Match:
        """A match that starts as it is made (the program's admins assign it on publish):
        ``ACTIVE`` with every member ``ASSIGNED``, so a flag and its resume find it
        active again, and a member's early end or a departure ends it as any other."""
        proposed = Match.propose(match_id, kind, member_ids)
        assigned = MappingProxyType({m: Response.ASSIGNED for m in proposed.member_ids})
        return replace(proposed, state=MatchState.ACTIVE, responses=assigned)

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


def respond(match: Match, person_id: str, *, accept: bool) -> Match:
    """Record one member's answer and move the state when the outcome is decided."""
    if match.state is not MatchState.PROPOSED:
        raise TransitionError(f"cannot answer a {match.state} match")
    if person_id not in match.responses:
        raise TransitionError(f"{person_id} is not a member of {match.match_id}")
    answers = dict(match.responses)
    answers[person_id] = Response.ACCEPTED if accept else Response.DECLINED
    n = len(answers)
    accepted = sum(r is Response.ACCEPTED for r in answers.values())
    possible = sum(r is not Response.DECLINED for r in answers.values())
    needed = match.quorum * n - 1e-9
    state = MatchState.PROPOSED
    if accepted >= needed:
        state = MatchState.ACTIVE
    elif possible < needed:
        state = MatchState.DECLINED
    return replace(match, state=state, responses=MappingProxyType(answers))


def flag_match(match: Match, reason: str) -> Match:
    """Put a live match on hold for admin review (e.g. an HR change broke a rule)."""
    if match.state not in (MatchState.PROPOSED, MatchState.ACTIVE, MatchState.FLAGGED):
        raise TransitionError(f"cannot flag a {match.state} match")
    return replace(match, state=MatchState.FLAGGED, note=reason)


def end_match(match: Match, reason: str) -> Match:
    """Close a live match; ended and declined matches stay as they are."""
    if not match.live:
        raise TransitionError(f"cannot end a {match.state} match")
    return replace(match, state=MatchState.ENDED, note=reason)


def withdraw_proposal(match: Match, reason: str) -> Match:
    """A proposal that can no longer be answered (expired, program closed, a member
    withdrew) is declined with ``reason``."""
    if match.state is not MatchState.PROPOSED:
        raise TransitionError(f"cannot withdraw a {match.state} match")
    return replace(match, state=MatchState.DECLINED, note=reason)


def resume_match(match: Match) -> Match:
    """An admin keeps a flagged match: it goes on as it was before the flag (active
    once its members had accepted, otherwise still waiting for their answers)."""
    if match.state is not MatchState.FLAGGED:
        raise TransitionError("match is not flagged")
    agreed = sum(r in AGREED for r in match.responses.values())
    reached = agreed >= match.quorum * len(match.responses) - 1e-9
    return replace(match, state=MatchState.ACTIVE if reached else MatchState.PROPOSED, note="")


def remaining_capacity(
    enrollments: Iterable[Enrollment], matches: Iterable[Match]
) -> dict[str, int]:
    """Free mentee slots per mentor; only live reverse-mentoring matches use capacity."""
    free = {e.person_id: e.capacity for e in enrollments if e.role is Role.MENTOR}
    for m in matches:
        if m.live and m.kind is ProgramKind.REVERSE_MENTORING and m.member_ids[0] in free:
            free[m.member_ids[0]] -= 1
    return free


def people_in_pool(enrollments: Iterable[Enrollment], matches: Iterable[Match]) -> set[str]:
    """Participants available for the next round (mentors while they have capacity)."""
    enrolled = list(enrollments)
    live = [m for m in matches if m.live]
    busy = {p for m in live for p in m.member_ids}
    free = remaining_capacity(enrolled, live)
    return {
        e.person_id
        for e in enrolled
        if (free[e.person_id] > 0 if e.role is Role.MENTOR else e.person_id not in busy)
    }


@dataclass(frozen=True, slots=True)
class ConstraintBreach:
    """A live match that an HR change made violate a hard constraint."""

    match_id: str
    constraint: HardConstraint | str
    person_ids: tuple[str, str]


def recheck_after_hr_change(
    changed: Person, people: Iterable[Person], matches: Iterable[Match], rules: ProgramRules
) -> list[ConstraintBreach]:
    """Live matches that violate a person-level hard constraint once ``changed`` applies.

    Re-checks every live match (a new manager can put two *other* people into
    one chain): reporting chain, seniority, department/business-unit rules and
    the circle department cap. O(people + member pairs).
    """
    org = {p.id: p for p in people}
    org[changed.id] = changed
    chains = ReportingChains(org.values())
    out: list[ConstraintBreach] = []
    for m in matches:
        if not m.live or any(pid not in org for pid in m.member_ids):
            continue
        ids = m.member_ids
        pairs = (
            [(ids[0], ids[1])]
            if len(ids) == 2
            else [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        )
        a = np.array([chains.index[x] for x, _ in pairs])
        b = np.array([chains.index[y] for _, y in pairs])
        related = chains.related(a, b)
        for (x, y), rel in zip(pairs, related.tolist(), strict=True):
            px, py = org[x], org[y]
            if rel:
                out.append(ConstraintBreach(m.match_id, HardConstraint.REPORTING_CHAIN, (x, y)))
            if rules.require_different_department and px.department == py.department:
                out.append(
                    ConstraintBreach(m.match_id, HardConstraint.DIFFERENT_DEPARTMENT, (x, y))
                )
            if rules.require_different_business_unit and px.business_unit == py.business_unit:
                out.append(
                    ConstraintBreach(m.match_id, HardConstraint.DIFFERENT_BUSINESS_UNIT, (x, y))
                )
        if m.kind is ProgramKind.REVERSE_MENTORING and rules.bipartite:
            mentor, mentee = org[ids[0]], org[ids[1]]
            if not _junior_enough(mentor, mentee, rules):
                out.append(ConstraintBreach(m.match_id, HardConstraint.SENIORITY, (ids[0], ids[1])))
        if m.kind is ProgramKind.PEER_GROUP:
            depts = [org[x].department for x in ids]
            if max(depts.count(d) for d in depts) > rules.max_per_department:
                out.append(ConstraintBreach(m.match_id, "max_per_department", (ids[0], ids[1])))
    return out


def _junior_enough(mentor: Person, mentee: Person, rules: ProgramRules) -> bool:
    by_level = mentee.level - mentor.level >= rules.min_level_gap
    gap_days = (mentor.hire_date - mentee.hire_date).days
    by_tenure = gap_days >= rules.min_tenure_gap_days
    return {
        "level": by_level,
        "tenure": by_tenure,
        "level_or_tenure": by_level or by_tenure,
        "level_and_tenure": by_level and by_tenure,
    }[rules.junior_by]


def flag_breaches(matches: Iterable[Match], breaches: Iterable[ConstraintBreach]) -> list[Match]:
    """Flag each live match that has at least one breach; others are returned unchanged."""
    reasons: dict[str, str] = {}
    for b in breaches:
        reasons.setdefault(b.match_id, f"violates {b.constraint}")
    return [
        flag_match(m, reasons[m.match_id]) if m.live and m.match_id in reasons else m
        for m in matches
    ]


def handle_departure(
    person_id: str, matches: Iterable[Match], *, min_group_size: int = 2
) -> list[Match]:
    """A leaver ends their pairs; a circle keeps going without them while it stays large
    enough (``min_group_size``), otherwise it ends too. Other matches are untouched."""
    out: list[Match] = []
    for m in matches:
        if not m.live or person_id not in m.member_ids:
            out.append(m)
            continue
        rest = tuple(x for x in m.member_ids if x != person_id)
        if m.kind is ProgramKind.PEER_GROUP and len(rest) >= min_group_size:
            answers = {k: v for k, v in m.responses.items() if k != person_id}
            out.append(
                replace(
                    m,
                    member_ids=rest,
                    responses=MappingProxyType(answers),
                    note=f"{person_id} left",
                )
            )
        else:
            out.append(end_match(m, f"{person_id} left the organisation"))
    return out
