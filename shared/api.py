"""Small pieces every REST API shares: pagination and idempotency keys."""

from __future__ import annotations

import uuid
from typing import Annotated, Generic, TypeVar

from fastapi import Header, HTTPException, Query, status
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


class ErrorDetail(BaseModel):
    """An error with a human-readable reason."""

    detail: str


#: Answers every authenticated route may give, documented once for all of them.
AUTH_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorDetail, "description": "The request body could not be parsed."},
    413: {"model": ErrorDetail, "description": "The request body is too large."},
    401: {"model": ErrorDetail, "description": "Missing, expired or invalid bearer token."},
    403: {"model": ErrorDetail, "description": "The caller's role may not do this."},
    404: {"model": ErrorDetail, "description": "Not found, or not visible to the caller."},
}
THROTTLED: dict[int | str, dict[str, object]] = {
    429: {"model": ErrorDetail, "description": "Too many requests; see Retry-After."}
}
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorDetail, "description": "Not possible in the object's current state."}
}


def unprocessable(field: str, message: str, *, location: str = "body") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, for rules checked in code."""
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": [location, field], "msg": message, "type": "value_error"}],
    )
