"""The FastAPI app factory every service API uses: probes, metrics, errors, lifespan,
and the request's unit of work.

Domain refusals map to HTTP here, once for every API: ``IllegalTransition`` 409,
``InvalidInput`` and ``NotAMember`` 422 (a ``NotAMember`` reaching a route is about an
id in the request body, so it is an input error; who may call what was decided
before: 401, 403, and 404 for another person's object), each with the domain's reason.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.api import AUTH_RESPONSES
from shared.auth import CurrentPrincipal, JwksSource, TokenVerifier, current_principal
from shared.errors import IllegalTransition, InvalidInput, NotAMember
from shared.input_errors import validation_details
from shared.limits import DEFAULT_MAX_BODY, BodySizeLimit
from shared.logging import configure_logging, get_logger
from shared.middleware import RequestMetrics, UnexpectedErrors
from shared.mongo import ConcurrencyConflict, NotFound
from shared.runtime import Runtime
from shared.unit_of_work import UnitOfWork, utc_now

log = get_logger(__name__)


async def clock() -> datetime:
    """The API's notion of now (tests override this dependency to move time)."""
    return utc_now()


async def request_unit_of_work(
    request: Request, caller: CurrentPrincipal, now: Annotated[datetime, Depends(clock)]
) -> AsyncIterator[UnitOfWork[Any, Any]]:
    """The unit of work of one request: committed (the relay nudged) when the route
    returns, not when it raises."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.unit_of_work(caller=caller, now=now) as uow:
        yield uow


#: A route's unit of work; each service narrows it to its store and settings.
RequestWork = Annotated[UnitOfWork[Any, Any], Depends(request_unit_of_work)]


def create_api(
    runtime: Runtime,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    require_token: bool = True,
    body_limits: dict[str, int] | None = None,
) -> FastAPI:
    """The service's app. Every business route needs a bearer token (operations probes
    stay open); ``require_token=False`` exists for throwaway tools and tests only.
    Request bodies are capped at 1 MiB unless ``body_limits`` names a larger cap."""
    settings = runtime.settings
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=_lifespan(runtime),
        telemetry={"tracing": False},  # RequestMetrics opens the one request span (tracing)
    )
    app.state.runtime = runtime
    app.add_middleware(BodySizeLimit, max_bytes=DEFAULT_MAX_BODY, overrides=body_limits or {})
    app.state.token_verifier = TokenVerifier(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        jwks=JwksSource(settings.jwks_url),
        roles_claim=settings.auth_roles_claim,
    )
    app.include_router(_operations(runtime))
    guard = [Depends(current_principal)] if require_token else []
    for router in routers:
        app.include_router(router, dependencies=guard, responses=AUTH_RESPONSES)
    for error, answer in ERROR_ANSWERS.items():
        app.add_exception_handler(error, _answering(answer))
    app.add_middleware(UnexpectedErrors)
    app.add_middleware(RequestMetrics, service=settings.service_name)
    return app


def _lifespan(runtime: Runtime) -> Any:
    settings = runtime.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        await runtime.start()
        log.info("api_started", port=settings.http_port)
        try:
            yield
        finally:
            await runtime.stop()
            log.info("api_stopped")

    return lifespan


def _operations(runtime: Runtime) -> APIRouter:
    """The probes and the metrics endpoint: open, for the platform's operators."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: Kafka and MongoDB reachable.",
        responses={503: {"description": "A dependency is unreachable."}},
    )
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get(
        "/metrics",
        summary="Prometheus metrics.",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {}}}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _unprocessable(reason: str, kind: str) -> tuple[int, object]:
    return 422, [{"loc": ["body"], "msg": reason, "type": kind}]


#: How every API answers the refusals of the store and the domains: status and detail.
ERROR_ANSWERS: dict[type[Exception], Callable[[Any], tuple[int, object]]] = {
    NotFound: lambda exc: (404, f"not found: {exc}"),
    ConcurrencyConflict: lambda exc: (409, f"{exc} changed concurrently; retry the request"),
    IllegalTransition: lambda exc: (409, exc.reason),
    InvalidInput: lambda exc: _unprocessable(exc.reason, "invalid_input"),
    NotAMember: lambda exc: _unprocessable(exc.reason, "not_a_member"),
    RequestValidationError: lambda exc: (422, validation_details(exc.errors())),
}


def _answering(answer: Callable[[Any], tuple[int, object]]) -> Any:
    async def handle(_request: Request, exc: Exception) -> JSONResponse:
        status, detail = answer(exc)
        return JSONResponse({"detail": detail}, status_code=status)

    return handle
