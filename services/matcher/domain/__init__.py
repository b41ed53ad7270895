"""Matcher domain: pure matching logic for the mentoring platform (no I/O).

Typical adapter flow for one program round::

    program = prepare_program(people, enrollments, rules, excluded)
    draft = solve_round(program, RoundAdjustments())          # pair programs
    draft = solve_round(program, RoundAdjustments().lock_pair(mentor, mentee))
    circles = form_peer_groups(program)                        # peer groups

Lifecycle helpers (``respond``, ``recheck_after_hr_change``, ``handle_departure``)
operate on :class:`Match` values that the service layer persists.
"""

from services.matcher.domain.bipartite import BMatching, SolverError, solve_b_matching
from services.matcher.domain.candidates import CandidateGraph, generate_candidates
from services.matcher.domain.circles import (
    Circle,
    CircleResult,
    CircleViolation,
    circle_violations,
    form_peer_groups,
)
from services.matcher.domain.explain import CriterionContribution, MatchExplanation
from services.matcher.domain.features import ExclusionKeys, ParticipantTable
from services.matcher.domain.general import GeneralMatching, solve_general_matching
from services.matcher.domain.lifecycle import (
    LIVE_STATES,
    ConstraintBreach,
    Match,
    MatchState,
    Response,
    TransitionError,
    end_match,
    flag_breaches,
    flag_match,
    handle_departure,
    people_in_pool,
    recheck_after_hr_change,
    remaining_capacity,
    respond,
)
from services.matcher.domain.pairing import (
    ProgramInput,
    match_peer_coaching,
    match_reverse_mentoring,
    prepare_program,
)
from services.matcher.domain.people import (
    Enrollment,
    Person,
    ReportingChains,
    Role,
    utc_offset_hours,
)
from services.matcher.domain.results import (
    MatchingResult,
    ProposedPair,
    Unmatched,
    UnmatchedReason,
)
from services.matcher.domain.rounds import (
    AdjustmentError,
    RoundAdjustments,
    solve_group_round,
    solve_round,
    swap_mentees,
)
from services.matcher.domain.rules import (
    Criterion,
    ExcludedPairs,
    HardConstraint,
    ProgramKind,
    ProgramRules,
    Weights,
    default_rules,
)
from services.matcher.domain.suggestions import Suggestion, suggest_partners

__all__ = [
    "Suggestion",
    "suggest_partners",
    "LIVE_STATES",
    "AdjustmentError",
    "BMatching",
    "CandidateGraph",
    "Circle",
    "CircleResult",
    "CircleViolation",
    "ConstraintBreach",
    "Criterion",
    "CriterionContribution",
    "Enrollment",
    "ExcludedPairs",
    "ExclusionKeys",
    "GeneralMatching",
    "HardConstraint",
    "Match",
    "MatchExplanation",
    "MatchState",
    "MatchingResult",
    "ParticipantTable",
    "Person",
    "ProgramInput",
    "ProgramKind",
    "ProgramRules",
    "ProposedPair",
    "ReportingChains",
    "Response",
    "Role",
    "RoundAdjustments",
    "SolverError",
    "TransitionError",
    "Unmatched",
    "UnmatchedReason",
    "Weights",
    "circle_violations",
    "default_rules",
    "end_match",
    "flag_breaches",
    "flag_match",
    "form_peer_groups",
    "generate_candidates",
    "handle_departure",
    "match_peer_coaching",
    "match_reverse_mentoring",
    "people_in_pool",
    "prepare_program",
    "recheck_after_hr_change",
    "remaining_capacity",
    "respond",
    "solve_b_matching",
    "solve_general_matching",
    "solve_group_round",
    "solve_round",
    "swap_mentees",
    "utc_offset_hours",
]
