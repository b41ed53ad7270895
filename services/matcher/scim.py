"""SCIM 2.0 provisioning (RFC 7644): an identity provider feeds people as the HR feed
does. Each user is kept as its SCIM resource (what GET answers, written before the
request answers) and every change that changes the person stages the ``hr.people.v1``
fact on it: ``hr.person.upserted`` for an active user, ``hr.person.departed`` when it
is deactivated or deleted (a departure, not an erasure: erasing a person's data is the
GDPR process, ``hr.person.erased``). The outbox relay publishes the fact and the
matcher's worker projects it like any HR source's.

A change that leaves the resource as it was writes and publishes nothing (the same PUT
twice is one change); a fact's event id is derived from the user and its version, so
a retried relay publishes the same id.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from scim2_models import (
    Context,
    InvalidValueException,
    NotFoundException,
    PreconditionFailedException,
    UniquenessException,
)

from services.matcher.domain import scim_requests, scim_users
from services.matcher.people import validate_rows
from services.matcher.unit_of_work import Work
from shared.contracts.hr import PersonDeparted, PersonUpserted
from shared.contracts.registry import HR_PEOPLE
from shared.inputs import ID_PATTERN
from shared.mongo import Document
from shared.privacy import pseudonym

#: ``hr.people.v1`` bounds a person id at 100 characters.
MAX_PERSON_ID = 100


def etag(doc: Document) -> str:
    """The user's version as a weak entity tag (RFC 7644 §3.14)."""
    return f'W/"{doc["version"]}"'


async def create_user(uow: Work, *, body: Any) -> Document:
    """A new user (201); its userName is unique (409 ``uniqueness``), and so is the
    person id it names (employeeNumber or externalId) among live users."""
    user = scim_users.read_user(body, context=Context.RESOURCE_CREATION_REQUEST)
    await _name_is_free(uow, user, person_id=None)
    person_id = scim_users.person_id_for(user) or str(uuid.uuid4())
    if len(person_id) > MAX_PERSON_ID or not re.fullmatch(ID_PATTERN, person_id):
        raise InvalidValueException(
            detail="employeeNumber/externalId: a person id of letters, digits and ._:@- "
            f"of at most {MAX_PERSON_ID} characters"
        )
    previous = await uow.store.scim_users.get(person_id)
    if previous is not None and not previous["deleted"]:
        raise UniquenessException(detail=f"a user with the person id {person_id} exists")
    base = previous or {"_id": person_id, "created": uow.now, "fact": {}}
    return await _save(uow, base, user, is_new=previous is None)


async def get_user(uow: Work, *, user_id: str) -> Document:
    doc = await uow.store.scim_users.get(user_id)
    if doc is None or doc["deleted"]:
        raise NotFoundException(detail=f"no user {user_id}")
    return doc


async def replace_user(uow: Work, *, user_id: str, body: Any, if_match: str | None) -> Document:
    """PUT: the body is the whole user (RFC 7644 §3.5.1)."""
    previous = await _current(uow, user_id, if_match)
    user = scim_users.read_user(body, context=Context.RESOURCE_REPLACEMENT_REQUEST)
    await _name_is_free(uow, user, person_id=user_id)
    return await _save(uow, previous, user, is_new=False)


async def patch_user(uow: Work, *, user_id: str, body: Any, if_match: str | None) -> Document:
    """PATCH: the operations applied to the stored user, in order, all or none."""
    previous = await _current(uow, user_id, if_match)
    user = scim_requests.patched(scim_users.user_from_stored(previous["resource"]), body)
    await _name_is_free(uow, user, person_id=user_id)
    return await _save(uow, previous, user, is_new=False)


async def delete_user(uow: Work, *, user_id: str, if_match: str | None) -> None:
    """DELETE: the person departs; the resource is gone (404 after). A tombstone without
    the user's attributes stays: the departure rides on it, and a user created again
    under the same id continues its versions (so its event ids stay unique)."""
    previous = await _current(uow, user_id, if_match)
    doc = {**previous, "resource": {}, "user_name_key": None, "external_id": None}
    doc = _stage_fact(uow, {**doc, "deleted": True, "last_modified": uow.now}, None)
    await uow.store.scim_users.replace(doc)


async def list_users(
    uow: Work, *, filter_text: str | None, start_index: int | None, count: int | None
) -> tuple[list[Document], int, scim_requests.Window]:
    """A page of live users, filtered on ``userName eq`` or ``externalId eq``."""
    wanted = scim_requests.user_filter(filter_text)
    page = scim_requests.window(start_index, count)
    field = value = None
    if wanted is not None and wanted.attribute == "userName":
        field, value = "user_name_key", scim_users.comparable_name(wanted.value)
    elif wanted is not None:
        field, value = "external_id", wanted.value
    docs, total = await uow.store.page_scim_users(
        field=field, value=value, offset=page.offset, limit=page.count
    )
    return docs, total, page


async def _current(uow: Work, user_id: str, if_match: str | None) -> Document:
    doc = await get_user(uow, user_id=user_id)
    if if_match is not None and if_match.strip() not in ("*", etag(doc)):
        raise PreconditionFailedException(detail=f"the user is at version {etag(doc)}")
    return doc


async def _name_is_free(uow: Work, user: Any, *, person_id: str | None) -> None:
    holder = await uow.store.scim_user_named(scim_users.comparable_name(user.user_name))
    if holder is not None and holder["_id"] != person_id:
        raise UniquenessException(detail=f"userName {user.user_name!r} is taken")


async def _save(uow: Work, previous: Document, user: Any, *, is_new: bool) -> Document:
    """Write the user and stage the fact its change makes, unless nothing changed."""
    resource = scim_users.stored_form(user)
    if not is_new and not previous.get("deleted") and resource == previous["resource"]:
        return previous
    person = _person(user, str(previous["_id"]))
    doc = {
        **previous,
        "resource": resource,
        "user_name_key": scim_users.comparable_name(user.user_name),
        "external_id": user.external_id,
        "deleted": False,
        "last_modified": uow.now,
    }
    if is_new or previous.get("deleted"):  # created again after a DELETE: a new user
        doc["created"] = uow.now
    doc = _stage_fact(uow, doc, person if scim_users.is_active(user) else None)
    if is_new:
        return await uow.store.insert_scim_user(doc)
    return await uow.store.scim_users.replace(doc)


def _person(user: Any, person_id: str) -> PersonUpserted:
    """The person the user stands for, judged by the HR import's rules (400 if not met)."""
    report = validate_rows([scim_users.person_row(user, person_id)])
    if report.rejected:
        raise InvalidValueException(detail="; ".join(report.rejected[0].errors))
    return report.accepted[0]


def _stage_fact(uow: Work, doc: Document, person: PersonUpserted | None) -> Document:
    """Stage ``hr.person.upserted`` (``person``) or ``hr.person.departed`` (None) when
    it differs from the fact last staged for this user."""
    person_id = str(doc["_id"])
    fact = {"departed": True} if person is None else person.model_dump(mode="json")
    if fact == doc.get("fact"):
        return doc
    if person is None and not doc.get("fact"):  # never active: nobody to depart
        return {**doc, "fact": fact}
    version = doc.get("version", 0) + 1
    event_id = f"scim:{pseudonym(person_id).removeprefix('erased-')}:{version}"
    data = person or PersonDeparted(person_id=person_id, departed_on=uow.now.date())
    return uow.stage({**doc, "fact": fact}, HR_PEOPLE, data, event_id=event_id)
