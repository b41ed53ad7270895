"""What a SCIM client asks of ``/Users`` (RFC 7644), read strictly: PATCH as Okta and
Entra send it, the filters a provisioning client uses, pagination, and the discovery
documents that say so.

PATCH follows scim2-models under the policy Microsoft Entra needs (a ``remove`` may
carry the value it removes; a path filter that matches nothing, as
``emails[type eq "work"].value`` on a user without a work address, adds that entry).
Two Entra shapes it does not read are rewritten first: the manager given as a bare id
(``"value": "<id>"`` for the ``manager`` complex attribute) becomes ``{"value": id}``.
The op's case (``Replace``) and booleans sent as text (``"False"``) the library reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    InvalidFilterException,
    InvalidSyntaxException,
    InvalidValueException,
    Pagination,
    Patch,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimFilter,
    ScimPolicy,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.path import CompareOperator, Comparison

from services.matcher.domain.scim_users import (
    ENTERPRISE,
    EnterpriseUser,
    MentoringUser,
    ScimUser,
    checked,
    refusal,
)

MANAGER_PATH = f"{ENTERPRISE}:manager".lower()
#: How many users a page holds unless the client asks for fewer.
PAGE_SIZE = 100
MAX_PAGE_SIZE = 200
#: How far into the list a page may start.
MAX_START_INDEX = 1_000_000
MAX_OPERATIONS = 50
#: What Okta and Entra send that the strict reading refuses (see the module docstring).
ENTRA_POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
#: The attributes a list may be filtered on with ``eq``: SCIM name -> stored field.
FILTERABLE = {"username": "userName", "externalid": "externalId"}


def patched(user: Any, body: Any) -> Any:
    """``user`` after the PATCH ``body`` (a new object; ``user`` is left as it was)."""
    if not isinstance(body, dict):
        raise InvalidSyntaxException(detail="the body must be a JSON object")
    operations = body.get("Operations")
    if isinstance(operations, list) and len(operations) > MAX_OPERATIONS:
        raise InvalidValueException(detail=f"Operations: more than {MAX_OPERATIONS}")
    if isinstance(operations, list):
        body = {**body, "Operations": [_entra_manager(op) for op in operations]}
    try:
        patch = PatchOp[ScimUser].model_validate(
            body, scim_ctx=Context.RESOURCE_PATCH_REQUEST, scim_policy=ENTRA_POLICY
        )
        result = user.model_copy(deep=True)
        patch.patch(result, ENTRA_POLICY)
    except ValidationError as exc:
        raise refusal(exc) from exc
    except (TypeError, ValueError) as exc:  # a value the path's attribute cannot hold
        raise InvalidValueException(detail=str(exc)) from exc
    return checked(result)


def _entra_manager(operation: Any) -> Any:
    """Entra's ``{"path": "...:manager", "value": "<id>"}`` as ``{"value": {"value": id}}``,
    and its removal of the manager naming the manager it removes, as a plain removal."""
    if not isinstance(operation, dict):
        return operation
    path, value = operation.get("path"), operation.get("value")
    manager = isinstance(path, str) and path.lower() == MANAGER_PATH
    if manager and str(operation.get("op", "")).lower() == "remove":
        return {k: v for k, v in operation.items() if k != "value"}  # one manager: it goes
    if manager and isinstance(value, str):
        return {**operation, "value": {"value": value}}
    if path is None and isinstance(value, dict):
        bare = {k: v for k, v in value.items() if k.lower() == MANAGER_PATH}
        if bare and all(isinstance(v, str) for v in bare.values()):
            return {**operation, "value": {**value, **{k: {"value": v} for k, v in bare.items()}}}
    return operation


@dataclass(frozen=True)
class UserFilter:
    """``userName eq "..."`` or ``externalId eq "..."``: the stored field and its value."""

    attribute: str
    value: str


def user_filter(text: str | None) -> UserFilter | None:
    """The one filter a provisioning client sends before it creates a user; any other
    is 400 ``invalidFilter`` (RFC 7644 §3.4.2.2)."""
    if text is None:
        return None
    try:
        node = ScimFilter[ScimUser](text).ast
    except (SCIMException, ValidationError, ValueError) as exc:
        raise InvalidFilterException(detail=f"filter: {exc}") from exc
    supported = (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and node.attr_path.sub_attr is None
        and node.attr_path.uri in (None, str(User.__schema__))
        and node.attr_path.attr.lower() in FILTERABLE
        and isinstance(node.value, str)
    )
    if not supported:
        raise InvalidFilterException(
            detail='only userName eq "..." and externalId eq "..." are supported'
        )
    assert isinstance(node, Comparison)
    return UserFilter(FILTERABLE[node.attr_path.attr.lower()], str(node.value))


@dataclass(frozen=True)
class Window:
    """A page of a list in SCIM's terms (1-based ``startIndex``, ``count``)."""

    start_index: int
    count: int

    @property
    def offset(self) -> int:
        return self.start_index - 1


def window(start_index: int | None, count: int | None) -> Window:
    """RFC 7644 §3.4.2.4: a ``startIndex`` below 1 is 1, a negative ``count`` is 0; the
    count is capped at ``MAX_PAGE_SIZE`` (the ServiceProviderConfig says so)."""
    start = min(max(start_index or 1, 1), MAX_START_INDEX)
    size = PAGE_SIZE if count is None else min(max(count, 0), MAX_PAGE_SIZE)
    return Window(start, size)


def provider() -> ScimProvider:
    """The service as ``/ServiceProviderConfig``, ``/Schemas`` and ``/ResourceTypes``
    describe it: users only, PATCH, filters (``eq`` on userName and externalId), ETags;
    no bulk, no sorting, no passwords; an OAuth bearer token."""
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="OAuth Bearer Token",
                description="A bearer token (JWT) holding the provisioner role.",
                primary=True,
            )
        ],
        pagination=Pagination(
            cursor=False,
            index=True,
            default_page_size=PAGE_SIZE,
            max_page_size=MAX_PAGE_SIZE,
        ),
    )
    return ScimProvider(
        models=[User, EnterpriseUser, MentoringUser],
        resource_types=[ResourceType.from_resource(ScimUser)],
        config=config,
    )
