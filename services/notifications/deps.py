"""FastAPI dependencies of the notifier's API, in one place (the caller comes from here)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from services.notifications.store import NotificationsStore


def get_store(request: Request) -> NotificationsStore:
    return NotificationsStore(request.app.state.runtime.db)


def calling_person(
    x_person_id: Annotated[
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
    return x_person_id


StoreDep = Annotated[NotificationsStore, Depends(get_store)]
CallerDep = Annotated[str, Depends(calling_person)]
