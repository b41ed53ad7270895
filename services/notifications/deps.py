"""FastAPI dependencies of the notifier's API and its access rules, in one place.

The caller is the bearer token's ``Principal`` (``create_api(require_token=True)``
refuses a request without a valid token with 401). Function-level: the role
dependencies below on each route (a wrong role is 403). Object-level: a person sees
only their own inbox, preferences and deliveries; anyone else's answer 404, so
existence does not leak. HR analysts have no business here (403 everywhere): they
read aggregates in the sessions service.

* ``PERSONAL``: employees and program admins, each for their own data only.
* ``PREFERENCE_READERS``: ``PERSONAL`` plus machine callers (``service``), which may
  read anyone's preferences but never see the contact addresses kept in them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from services.notifications import unit_of_work
from services.notifications.chat_verification import TeamsTokenVerifier
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.http import clock, request_unit_of_work
from shared.mongo import NotFound

#: The request's unit of work (its store, clock, source and caller).
Work = Annotated[unit_of_work.Work, Depends(request_unit_of_work)]
Caller = CurrentPrincipal


async def chat_unit_of_work(
    request: Request, now: Annotated[datetime, Depends(clock)]
) -> AsyncIterator[unit_of_work.Work]:
    """The unit of work of an inbound chat request: no bearer caller (Slack and Teams
    prove who sent it by a signature, checked in ``chat_actions``)."""
    async with request.app.state.runtime.unit_of_work(now=now) as uow:
        yield uow


def teams_verifier(request: Request) -> TeamsTokenVerifier:
    verifier: TeamsTokenVerifier = request.app.state.teams_verifier
    return verifier


ChatWork = Annotated[unit_of_work.Work, Depends(chat_unit_of_work)]
TeamsVerifier = Annotated[TeamsTokenVerifier, Depends(teams_verifier)]

PERSONAL_ROLES = (Role.EMPLOYEE, Role.PROGRAM_ADMIN)
PERSONAL = require_roles(*PERSONAL_ROLES)
PREFERENCE_READERS = require_roles(*PERSONAL_ROLES, Role.SERVICE)


def is_own(caller: Principal, person_id: str) -> bool:
    """The caller is that person, acting as a person (not as a machine)."""
    return caller.subject == person_id and caller.has(*PERSONAL_ROLES)


def may_read_preferences(caller: Principal, person_id: str) -> bool:
    return is_own(caller, person_id) or caller.has(Role.SERVICE)


def require_own(caller: Principal, person_id: str, what: str) -> None:
    """Another person's object is indistinguishable from a missing one (404)."""
    if not is_own(caller, person_id):
        raise NotFound(f"{what} of {person_id}")


def caller_of(uow: unit_of_work.Work) -> Principal:
    """The person or machine a request's unit of work acts for."""
    if uow.caller is None:
        raise RuntimeError("this service function answers a request: its work needs a caller")
    return uow.caller
