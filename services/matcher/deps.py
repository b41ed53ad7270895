"""FastAPI dependencies of the matcher API, in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from services.matcher.store import MatcherStore
from shared.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_store(request: Request) -> MatcherStore:
    return MatcherStore(request.app.state.runtime.db)


def acting_person(
    person_id: Annotated[
        str,
        Header(
            alias="X-Person-Id",
            min_length=1,
            max_length=100,
            description="The person making the request (replaced by the token's subject "
            "once authentication lands).",
        ),
    ],
) -> str:
    return person_id


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StoreDep = Annotated[MatcherStore, Depends(get_store)]
PersonDep = Annotated[str, Depends(acting_person)]
