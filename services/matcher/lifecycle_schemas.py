"""API models of the lifecycle actions: a program's changes (``PATCH /programs/{id}``)
and an admin's actions on a match. Built on ``shared.inputs`` (strict bodies)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool

from shared.inputs import Name, SaneDate, StrictBody, Text, number, whole_number


class WeightsUpdate(StrictBody):
    """Weights to change; a weight left out keeps its value."""

    skills: number(ge=0, le=100) | None = None
    goals: number(ge=0, le=100) | None = None
    cross_department: number(ge=0, le=100) | None = None
    diversity: number(ge=0, le=100) | None = None
    availability: number(ge=0, le=100) | None = None


class RulesUpdate(StrictBody):
    """Rules to change; a rule left out keeps its value (checked as on creation)."""

    weights: WeightsUpdate | None = None
    require_different_department: StrictBool | None = None
    require_different_business_unit: StrictBool | None = None
    min_overlap_hours: number(ge=0, le=12) | None = None
    require_shared_language: StrictBool | None = None
    junior_by: Literal["level", "tenure", "level_or_tenure", "level_and_tenure"] | None = None
    min_level_gap: whole_number(ge=0, le=20) | None = None
    min_tenure_gap_days: whole_number(ge=0, le=20_000) | None = None
    candidates_per_person: whole_number(ge=1, le=200) | None = None
    min_group_size: whole_number(ge=2, le=20) | None = None
    max_group_size: whole_number(ge=2, le=20) | None = None
    max_per_department: whole_number(ge=1, le=20) | None = None
    activation_quorum: number(gt=0, le=1) | None = None
    maximise_cardinality: StrictBool | None = None


#: Where a null means something (no date; the kind's default for ``maximise_cardinality``);
#: a null elsewhere keeps the value.
NULL_MEANS_UNSET = frozenset(
    {"enrollment_opens_on", "enrollment_closes_on", "starts_on", "ends_on", "maximise_cardinality"}
)


class ProgramUpdate(StrictBody):
    """A program's changes (every field optional); they apply from the next round. A
    date (or ``rules.maximise_cardinality``) set to null clears it; any other field, rule
    or weight set to null keeps its value."""

    name: Name | None = None
    description: Text | None = Field(default=None, max_length=5000)
    enrollment_opens_on: SaneDate | None = None
    enrollment_closes_on: SaneDate | None = None
    starts_on: SaneDate | None = None
    ends_on: SaneDate | None = None
    rules: RulesUpdate | None = None

    def changes(self) -> dict[str, object]:
        """The fields the client sent, as stored (rules and weights partial)."""
        return _without_nulls(
            self.model_dump(mode="json", exclude_unset=True), keep=NULL_MEANS_UNSET
        )


def _without_nulls(sent: dict[str, Any], *, keep: frozenset[str]) -> dict[str, Any]:
    return {
        name: _without_nulls(value, keep=keep) if isinstance(value, dict) else value
        for name, value in sent.items()
        if value is not None or name in keep
    }


class MatchResolve(StrictBody):
    """How an admin resolves a flagged match."""

    action: Literal["keep", "end", "rematch"]


class MatchEnd(StrictBody):
    """An admin ends a live match, with an optional short reason."""

    reason: Text | None = Field(default=None, max_length=500)


__all__ = ["MatchEnd", "MatchResolve", "ProgramUpdate", "RulesUpdate", "WeightsUpdate"]
