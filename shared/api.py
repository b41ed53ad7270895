"""Small pieces every REST API shares: pagination and idempotency keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Generic, TypeVar

from fastapi import Header, Query
from pydantic import BaseModel, ConfigDict

T = TypeVar("T")

MAX_PAGE_SIZE = 200
_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1c1f2e-6c55-4d8e-9a59-2b8e3c1f0a11")


class PageParams(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every item matching the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeat a create safely: the same key returns the same resource.",
    ),
]


def id_for(idempotency_key: str | None, scope: str) -> str:
    """A fresh id, or a deterministic one when the client sent an idempotency key."""
    if idempotency_key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_IDEMPOTENCY_NAMESPACE, f"{scope}:{idempotency_key}"))
