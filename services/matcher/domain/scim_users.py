"""SCIM 2.0 users (RFC 7643) as people of the HR feed: the resource model, and which
attribute feeds which field of ``hr.person.upserted``.

The models are scim2-models' ``User`` with the enterprise extension and one extension
of ours for the seniority grade no standard schema names. Which attribute feeds what:

=========================================================  ==========================
SCIM attribute                                             ``PersonUpserted`` field
=========================================================  ==========================
``id`` (= the person id, fixed at creation, see below)      ``person_id``
``displayName``, else ``name.formatted``, else the given    ``display_name``
and family names, else ``userName``
``emails``: the primary one, else ``work``, else the first  ``email``
(``userName`` when it is an e-mail address and none given)
``title``                                                   ``title``
``timezone`` (IANA names only)                              ``time_zone`` (``UTC``)
``preferredLanguage``, then ``locale``: the language part   ``languages``
``addresses``: primary, else work, else first: locality     ``location``
enterprise ``department``                                   ``department``
enterprise ``division``                                     ``business_unit``
enterprise ``manager.value``                                ``manager_id``
mentoring extension ``level`` (0 when absent)               ``level``
``active`` false                                            ``hr.person.departed``
=========================================================  ==========================

The person id is chosen once, when the user is created: the enterprise
``employeeNumber`` (the key an HR feed names the person by, so both feeds name one
person alike), else ``externalId`` (the identity provider's immutable user id: Okta's
user id, Entra's objectId when mapped so), else a fresh id. A rename changes
``userName`` and e-mail, never the id; the SCIM ``id`` the provider keeps is the same
value, so ``manager.value`` (the manager's SCIM id) is the manager's person id.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, cast

import scim2_models
from pydantic import Field, ValidationError
from scim2_models import (
    URN,
    CaseExact,
    Context,
    Error,
    Extension,
    InvalidValueException,
    Reference,
    SCIMException,
    User,
)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
MENTORING = "urn:ietf:params:scim:schemas:extension:mentoring:2.0:User"
#: How long any string of a SCIM resource may be (a ``$ref`` URL is the longest kind).
MAX_STRING = 2048
#: How many values a multi-valued attribute may hold.
MAX_VALUES = 50
#: Text without control characters (but tab and line breaks) and without lone surrogates.
_PLAIN_TEXT = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]*")


class Manager(scim2_models.Manager):
    """RFC 7643 §4.3 calls ``value`` and ``$ref`` RECOMMENDED; Okta and Entra send the
    value alone, so neither is required here (scim2-models requires both)."""

    value: Annotated[str | None, CaseExact.true] = None
    ref: Reference[User] | None = Field(None, serialization_alias="$ref", validation_alias="$ref")


class EnterpriseUser(scim2_models.EnterpriseUser):
    """The enterprise extension, with a manager that needs only its ``value``."""

    manager: Manager | None = None


class MentoringUser(Extension):
    """What the platform needs that no standard schema names: the seniority grade."""

    __schema__ = URN(MENTORING)

    level: int | None = Field(None, ge=0, le=30)
    """Seniority grade; higher is more senior (the HR feed's ``level``)."""


ScimUser = User[EnterpriseUser | MentoringUser]


def refusal(error: ValidationError) -> SCIMException:
    """A validation error as the SCIM error it stands for (its first one)."""
    return SCIMException.from_error(Error.from_validation_errors(error)[0])


def read_user(payload: Any, *, context: Context) -> Any:
    """A creation or replacement body as a user (400 ``invalidSyntax``/``invalidValue``);
    a password is dropped: the platform signs nobody in with it."""
    if not isinstance(payload, dict):
        raise scim2_models.InvalidSyntaxException(detail="the body must be a JSON object")
    try:
        user = ScimUser.model_validate(payload, scim_ctx=context)
    except ValidationError as exc:
        raise refusal(exc) from exc
    return checked(user)


def checked(user: Any) -> Any:
    """The user if its strings and lists are bounded and its userName is not blank."""
    user.password = None
    _check_bounds(stored_form(user), "")
    if not (user.user_name or "").strip():
        raise InvalidValueException(detail="userName must not be empty")
    return user


def _check_bounds(value: Any, where: str) -> None:
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise InvalidValueException(detail=f"{where}: longer than {MAX_STRING} characters")
    if isinstance(value, str) and not _PLAIN_TEXT.fullmatch(value):
        # a NUL or an escape sequence would travel on into mails, calendars and chats;
        # a lone surrogate is no text at all (and no database stores it)
        raise InvalidValueException(detail=f"{where}: control characters or broken Unicode")
    if isinstance(value, list):
        if len(value) > MAX_VALUES:
            raise InvalidValueException(detail=f"{where}: more than {MAX_VALUES} values")
        for item in value:
            _check_bounds(item, where)
    if isinstance(value, dict):
        for key, item in value.items():
            _check_bounds(item, f"{where}.{key}" if where else key)


def stored_form(user: Any) -> dict[str, Any]:
    """The user's attributes as JSON, without what the provider assigns (id, meta)."""
    dumped = user.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    return cast(dict[str, Any], dumped)


def user_from_stored(stored: dict[str, Any]) -> Any:
    return ScimUser.model_validate(stored)


def comparable_name(user_name: str) -> str:
    """``userName`` is case-insensitive (RFC 7643 §4.1.1): the form uniqueness and the
    ``userName eq`` filter compare (NFC, lower case)."""
    return unicodedata.normalize("NFC", user_name.lower())


def person_id_for(user: Any) -> str | None:
    """The id a new user's person gets: employeeNumber, else externalId (None: mint one)."""
    enterprise = user[EnterpriseUser]
    employee_number = enterprise.employee_number if enterprise else None
    return employee_number or user.external_id or None


def is_active(user: Any) -> bool:
    """A user is active unless it says otherwise (RFC 7643 leaves the default open)."""
    return user.active is not False


def person_row(user: Any, person_id: str) -> dict[str, Any]:
    """The ``hr.person.upserted`` fields the user stands for, as an import row (the HR
    import's checks then judge it: the same rules for both ways of feeding people)."""
    enterprise = user[EnterpriseUser] or EnterpriseUser()
    mentoring = user[MentoringUser] or MentoringUser(level=None)
    return {
        "person_id": person_id,
        "display_name": _display_name(user),
        "email": _email(user),
        "title": user.title or "",
        "level": mentoring.level or 0,
        "department": enterprise.department or "",
        "business_unit": enterprise.division or "",
        "location": _location(user),
        "time_zone": user.timezone or "UTC",
        "languages": _languages(user),
        "manager_id": enterprise.manager.value if enterprise.manager else None,
    }


def _display_name(user: Any) -> str:
    name = user.name
    if user.display_name:
        return str(user.display_name)
    if name and name.formatted:
        return str(name.formatted)
    parts = [name.given_name, name.family_name] if name else []
    return " ".join(p for p in parts if p) or str(user.user_name)


def _preferred(values: list[Any] | None) -> Any:
    """The primary value, else the work one, else the first (RFC 7643 §2.4)."""
    values = values or []
    for wanted in (lambda v: v.primary, lambda v: v.type == "work", lambda v: True):
        for value in values:
            if wanted(value):
                return value
    return None


def _email(user: Any) -> str:
    email = _preferred(user.emails)
    if email is not None and email.value:
        return str(email.value)
    if "@" in str(user.user_name):
        return str(user.user_name)
    raise InvalidValueException(detail="emails: a person needs an e-mail address")


def _location(user: Any) -> str:
    address = _preferred(user.addresses)
    return str(address.locality or "") if address is not None else ""


def _languages(user: Any) -> list[str]:
    """``en-US``, ``en_US`` and ``en`` are the language ``en``; preferredLanguage first."""
    languages: list[str] = []
    for tag in (user.preferred_language, user.locale):
        language = (tag or "").replace("_", "-").split("-")[0].strip().lower()
        if language and language not in languages:
            languages.append(language)
    return languages
