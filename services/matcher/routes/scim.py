"""SCIM 2.0 (RFC 7644) under ``/scim/v2``: Users, and the discovery documents, for an
identity provider's token only (``provisioner``). Bodies are read as JSON whether sent
as ``application/scim+json`` or ``application/json``; answers are
``application/scim+json``, and every refusal is a SCIM error (``status``, ``scimType``,
``detail``), the token's 401 and 403 included."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from scim2_models import (
    Context,
    Error,
    ListResponse,
    Meta,
    ResourceType,
    Schema,
    SCIMException,
)
from starlette.exceptions import HTTPException  # FastAPI's own, and what it raises itself

from services.matcher import scim
from services.matcher.deps import PROVISIONER, Work
from services.matcher.domain import scim_requests, scim_users
from shared.inputs import PathIdentifier
from shared.mongo import ConcurrencyConflict, Document

SCIM_JSON = "application/scim+json"
PROVIDER = scim_requests.provider()


class ScimResponse(JSONResponse):
    media_type = SCIM_JSON


def scim_error(status_code: int, detail: str, scim_type: str | None = None) -> ScimResponse:
    error = Error(status=status_code, scim_type=scim_type, detail=detail)
    return ScimResponse(error.model_dump(), status_code=status_code)


def _answer(exc: Exception) -> Response:
    """A refusal as the SCIM error it is (RFC 7644 §3.12)."""
    if isinstance(exc, SCIMException):
        error = exc.to_error()
        return ScimResponse(error.model_dump(), status_code=error.status or 400)
    if isinstance(exc, HTTPException):
        unreadable = exc.status_code == status.HTTP_400_BAD_REQUEST  # a body not JSON
        answer = scim_error(
            exc.status_code, str(exc.detail), "invalidSyntax" if unreadable else None
        )
        answer.headers.update(exc.headers or {})
        return answer
    if isinstance(exc, ConcurrencyConflict):
        return scim_error(409, "the user changed concurrently; retry the request")
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    body_shape = first["loc"] == ("body",) or first["type"] == "json_invalid"
    where = ".".join(str(part) for part in first["loc"])
    detail = f"{where}: {first['msg']}"
    return scim_error(400, detail, "invalidSyntax" if body_shape else "invalidValue")


class ScimRoute(APIRoute):
    """A route whose refusals (the token's, the input's, the service's) are SCIM errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answering(request: Request) -> Response:
            try:
                return await handle(request)
            except (
                SCIMException,
                HTTPException,
                RequestValidationError,
                ConcurrencyConflict,
            ) as exc:
                return _answer(exc)

        return answering


def _documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    schema = Error.model_json_schema(mode="serialization")
    return {
        code: {"description": "A SCIM error.", "content": {SCIM_JSON: {"schema": schema}}}
        for code in codes
    }


router = APIRouter(
    prefix="/scim/v2",
    tags=["scim"],
    route_class=ScimRoute,
    dependencies=[PROVISIONER],
    default_response_class=ScimResponse,
    responses=_documented(400, 401, 403),
)
#: A SCIM body: its schema is the resource's (``/scim/v2/Schemas``), read by scim2-models.
ScimBody = Annotated[dict[str, Any], Body(media_type=SCIM_JSON)]
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=100)]


def _location(request: Request, doc: Document) -> str:
    """The user's URL as the provider calls it (``MATCHER_SCIM_BASE_URL``, else this request's)."""
    configured = request.app.state.runtime.settings.scim_base_url
    base = configured or f"{str(request.base_url).rstrip('/')}{router.prefix}"
    return f"{base}/Users/{doc['_id']}"


def _user(request: Request, doc: Document) -> Any:
    """The stored user as the provider answers it: with its id and meta."""
    user = scim_users.user_from_stored(doc["resource"])
    user.id = str(doc["_id"])
    user.meta = Meta(
        resource_type="User",
        created=doc["created"],
        last_modified=doc["last_modified"],
        location=_location(request, doc),
        version=scim.etag(doc),
    )
    return user


def _user_answer(request: Request, doc: Document, status_code: int = 200) -> ScimResponse:
    body = _user(request, doc).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    headers = {"ETag": scim.etag(doc)}
    if status_code == status.HTTP_201_CREATED:
        headers["Location"] = _location(request, doc)
    return ScimResponse(body, status_code=status_code, headers=headers)


def _listed(model: Any, resources: list[Any], total: int, start_index: int = 1) -> ScimResponse:
    page = ListResponse[model](  # type: ignore[valid-type]
        total_results=total,
        start_index=start_index,
        items_per_page=len(resources),
        resources=resources,
    )
    return ScimResponse(page.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


@router.post(
    "/Users",
    status_code=201,
    summary="Create a user (a person joins); 409 uniqueness on a taken userName.",
    responses=_documented(409),
)
async def create_user(request: Request, uow: Work, body: ScimBody) -> Response:
    return _user_answer(request, await scim.create_user(uow, body=body), 201)


@router.get(
    "/Users",
    summary='List users: filter userName eq "..." or externalId eq "...", startIndex, count.',
)
async def list_users(
    request: Request,
    uow: Work,
    filter: Annotated[str | None, Query(max_length=1000)] = None,
    start_index: Annotated[int | None, Query(alias="startIndex")] = None,
    count: Annotated[int | None, Query()] = None,
) -> Response:
    docs, total, page = await scim.list_users(
        uow, filter_text=filter, start_index=start_index, count=count
    )
    users = [_user(request, doc) for doc in docs]
    return _listed(scim_users.ScimUser, users, total, page.start_index)


@router.get("/Users/{user_id}", summary="One user.", responses=_documented(404))
async def get_user(request: Request, uow: Work, user_id: PathIdentifier) -> Response:
    return _user_answer(request, await scim.get_user(uow, user_id=user_id))


#: PUT and PATCH of one user: what they may answer besides the user.
CHANGE_ROUTE: dict[str, Any] = {"responses": _documented(404, 409, 412)}


@router.put("/Users/{user_id}", summary="Replace a user (active false: departs).", **CHANGE_ROUTE)
async def replace_user(
    request: Request, uow: Work, user_id: PathIdentifier, body: ScimBody, if_match: IfMatch = None
) -> Response:
    doc = await scim.replace_user(uow, user_id=user_id, body=body, if_match=if_match)
    return _user_answer(request, doc)


@router.patch("/Users/{user_id}", summary="Patch a user as Okta and Entra do.", **CHANGE_ROUTE)
async def patch_user(
    request: Request, uow: Work, user_id: PathIdentifier, body: ScimBody, if_match: IfMatch = None
) -> Response:
    return _user_answer(
        request, await scim.patch_user(uow, user_id=user_id, body=body, if_match=if_match)
    )


@router.delete(
    "/Users/{user_id}",
    status_code=204,
    summary="Delete a user: the person departs (not an erasure).",
    responses=_documented(404, 412),
)
async def delete_user(uow: Work, user_id: PathIdentifier, if_match: IfMatch = None) -> Response:
    await scim.delete_user(uow, user_id=user_id, if_match=if_match)
    return Response(status_code=204)


@router.get("/ServiceProviderConfig", summary="What this SCIM service supports.")
async def service_provider_config() -> Response:
    assert PROVIDER.config is not None
    return ScimResponse(PROVIDER.config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))


@router.get("/Schemas", summary="The User schema and its extensions.")
async def schemas() -> Response:
    return _listed(Schema, list(PROVIDER.schemas), len(PROVIDER.schemas))


@router.get("/ResourceTypes", summary="The one resource type served: User.")
async def resource_types() -> Response:
    found = list(PROVIDER.resource_types)
    return _listed(ResourceType, found, len(found))
