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

from typing import Annotated

from fastapi import Depends, Request

from services.notifications.store import NotificationsStore
from shared.auth import CurrentPrincipal, Principal, Role, require_roles
from shared.mongo import NotFound


def get_store(request: Request) -> NotificationsStore:
    return NotificationsStore(request.app.state.runtime.db)


StoreDep = Annotated[NotificationsStore, Depends(get_store)]
Caller = CurrentPrincipal

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
