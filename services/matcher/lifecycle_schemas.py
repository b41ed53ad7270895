"""API models of the lifecycle actions: a program's changes (``PATCH /programs/{id}``)
and an admin's actions on a match. Built on ``shared.inputs`` (strict bodies)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from services.matcher.program_settings import MatchStart
from services.matcher.schemas import RulesIn, WeightsIn
from shared.inputs import Name, SaneDate, StrictBody, Text


def changes_of(model: type[StrictBody], doc: str, **nested: type[StrictBody]) -> Any:
    """``model``'s fields, each optional (left out or null: unchanged), with the same
    bounds; a field named in ``nested`` takes that (partial) model instead."""
    fields: dict[str, Any] = {
        name: (nested.get(name, _bounded_type(info)) | None, None)
        for name, info in model.model_fields.items()
    }
    name = model.__name__.removesuffix("In") + "Update"
    return create_model(name, __base__=StrictBody, __doc__=doc, **fields)


def _bounded_type(info: FieldInfo) -> Any:
    return Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation


WeightsUpdate = changes_of(WeightsIn, "Weights to change; a weight left out keeps its value.")
RulesUpdate = changes_of(
    RulesIn,
    "Rules to change; a rule left out keeps its value (checked as on creation).",
    weights=WeightsUpdate,
)


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
    matches_start: MatchStart | None = Field(
        default=None,
        description="When a published round's matches start (as on creation); fixed once "
        "the program has published a round (409).",
    )

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


class SideEligibilityRead(BaseModel):
    role: str
    enrolled: int
    eligible: int


class EligibilityRead(BaseModel):
    """Enrolled people with at least one partner the proposed rules allow (history left
    out); above a work budget each side is estimated from a sample (``estimated``)."""

    enrolled: int
    eligible: int
    estimated: bool
    sides: list[SideEligibilityRead]
