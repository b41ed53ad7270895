"""The FastAPI app factory every service API uses: probes, metrics, errors, lifespan."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.api import AUTH_RESPONSES
from shared.auth import JwksSource, TokenVerifier, current_principal
from shared.limits import DEFAULT_MAX_BODY, ASGIApp, BodySizeLimit, Message, Receive, Scope, Send
from shared.logging import configure_logging, get_logger
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.mongo import ConcurrencyConflict, NotFound
from shared.runtime import Runtime

log = get_logger(__name__)


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

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.add_middleware(BodySizeLimit, max_bytes=DEFAULT_MAX_BODY, overrides=body_limits or {})
    app.state.token_verifier = TokenVerifier(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        jwks=JwksSource(settings.jwks_url),
        roles_claim=settings.auth_roles_claim,
    )

    @app.get("/healthz", tags=["operations"], summary="Liveness: the process answers.")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
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

    @app.get(
        "/metrics",
        tags=["operations"],
        summary="Prometheus metrics.",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {}}}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    guard = [Depends(current_principal)] if require_token else []
    for router in routers:
        app.include_router(router, dependencies=guard, responses=AUTH_RESPONSES)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": f"not found: {exc}"}, status_code=404)

    @app.exception_handler(ConcurrencyConflict)
    async def conflict(_request: Request, exc: ConcurrencyConflict) -> JSONResponse:
        return JSONResponse(
            {"detail": f"{exc} changed concurrently; retry the request"}, status_code=409
        )

    app.add_middleware(RequestMetrics, service=settings.service_name)

    return app


class RequestMetrics:
    """Counts requests and observes latency per route template. A plain ASGI middleware,
    not ``@app.middleware("http")``: that one runs every request through an extra task
    and stream pair, which costs more than the hot routes themselves."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception escaping the app is answered 500 further out

        async def observing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(self.service, method, route, status).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)


def _route_template(scope: Scope) -> str:
    """The matched route's path template (``/programs/{program_id}``), never the raw path,
    so metric label cardinality stays bounded."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))
