"""API models of the lifecycle actions: a program's changes (``PATCH /programs/{id}``)
and an admin's actions on a match. Built on ``shared.inputs`` (strict bodies)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.inputs import Name, SaneDate, StrictBody, Text


class WeightsUpdate(StrictBody):
    """Weights to change; a weight left out keeps its value."""

    skills: float | None = Field(default=None, ge=0, le=100)
    goals: float | None = Field(default=None, ge=0, le=100)
    cross_department: float | None = Field(default=None, ge=0, le=100)
    diversity: float | None = Field(default=None, ge=0, le=100)
    availability: float | None = Field(default=None, ge=0, le=100)


class RulesUpdate(StrictBody):
    """Rules to change; a rule left out keeps its value (checked as on creation)."""

    weights: WeightsUpdate | None = None
    require_different_department: bool | None = None
    require_different_business_unit: bool | None = None
    min_overlap_hours: float | None = Field(default=None, ge=0, le=12)
    require_shared_language: bool | None = None
    junior_by: Literal["level", "tenure", "level_or_tenure", "level_and_tenure"] | None = None
    min_level_gap: int | None = Field(default=None, ge=0, le=20)
    min_tenure_gap_days: int | None = Field(default=None, ge=0, le=20_000)
    candidates_per_person: int | None = Field(default=None, ge=1, le=200)
    min_group_size: int | None = Field(default=None, ge=2, le=20)
    max_group_size: int | None = Field(default=None, ge=2, le=20)
    max_per_department: int | None = Field(default=None, ge=1, le=20)
    activation_quorum: float | None = Field(default=None, gt=0, le=1)
    maximise_cardinality: bool | None = None


class ProgramUpdate(StrictBody):
    """A program's changes (every field optional); they apply from the next round. A
    date set to null clears it."""

    name: Name | None = None
    description: Text | None = Field(default=None, max_length=5000)
    enrollment_opens_on: SaneDate | None = None
    enrollment_closes_on: SaneDate | None = None
    starts_on: SaneDate | None = None
    ends_on: SaneDate | None = None
    rules: RulesUpdate | None = None

    def changes(self) -> dict[str, object]:
        """The fields the client sent, as stored (rules and weights partial)."""
        return self.model_dump(mode="json", exclude_unset=True)


class MatchResolve(StrictBody):
    """How an admin resolves a flagged match."""

    action: Literal["keep", "end", "rematch"]


class MatchEnd(StrictBody):
    """An admin ends a live match, with an optional short reason."""

    reason: Text | None = Field(default=None, max_length=500)


__all__ = ["MatchEnd", "MatchResolve", "ProgramUpdate", "RulesUpdate", "WeightsUpdate"]
