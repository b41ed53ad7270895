"""Dependencies every sessions route shares: the store, the clock, the event source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from services.sessions.store import SessionsStore
from shared.api import MAX_PAGE_SIZE, PageParams, page_params
from shared.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_store(request: Request) -> SessionsStore:
    """One store per started runtime (building collection handles per request costs)."""
    state = request.app.state
    db = state.runtime.db
    store: SessionsStore | None = getattr(state, "sessions_store", None)
    if store is None or store.db is not db:
        store = SessionsStore(db)
        state.sessions_store = store
    return store


async def clock() -> datetime:
    """The service's notion of now (tests override this dependency to move time)."""
    return datetime.now(UTC)


async def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> PageParams:
    """``shared.api.page_params`` as an async dependency (no thread-pool hop per request)."""
    return page_params(limit=limit, offset=offset)


Store = Annotated[SessionsStore, Depends(get_store)]
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Now = Annotated[datetime, Depends(clock)]
Paging = Annotated[PageParams, Depends(paging)]


def page_of(items: list[object], total: int, limit: int, offset: int) -> dict[str, object]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}
