"""The console's FastAPI app: pages, static files, sign-in, error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from services.console import (
    admin_routes,
    auth_routes,
    bulk_routes,
    commitment_routes,
    employee_routes,
    flash_routes,
    inbox_routes,
    link_routes,
    mentoring_routes,
    oidc_routes,
    partner_routes,
    people_routes,
    report_routes,
    round_routes,
    safety_routes,
)
from services.console.api import ApiError
from services.console.same_origin import same_origin
from services.console.session import SessionCodec
from services.console.settings import ConsoleSettings
from services.console.timing import timed
from services.console.web import HERE, SignInRequired, page


async def healthy() -> dict[str, str]:
    """Alive and ready are one: the console keeps no state and each page calls the APIs
    itself, so an API that is down shows on that page, not as a console taken out of
    rotation."""
    return {"status": "ok"}


def create_app(
    settings: ConsoleSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """``transport`` replaces the network in tests (an ``httpx.MockTransport``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=settings.api_timeout_s, transport=transport) as http:
            app.state.http = http
            yield

    app = FastAPI(title="Mentoring console", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.sessions = SessionCodec(
        settings.session_secret.get_secret_value(), max_age_s=settings.session_max_age_s
    )
    app.middleware("http")(same_origin(settings.public_url))
    app.middleware("http")(timed)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (
        auth_routes,
        oidc_routes,
        admin_routes,
        bulk_routes,
        round_routes,
        employee_routes,
        mentoring_routes,
        commitment_routes,
        flash_routes,
        inbox_routes,
        partner_routes,
        report_routes,
        safety_routes,
        link_routes,
        people_routes,
    ):
        app.include_router(module.router)

    for probe in ("/healthz", "/readyz"):
        app.add_api_route(probe, healthy, include_in_schema=False)

    @app.exception_handler(SignInRequired)
    async def sign_in(_request: Request, _exc: SignInRequired) -> Response:
        return RedirectResponse("/signin", status_code=303)

    @app.exception_handler(ApiError)
    async def api_refused(request: Request, exc: ApiError) -> Response:
        if exc.status == 401:  # the token expired or was refused: sign in again
            return RedirectResponse("/signin", status_code=303)
        return page(request, "error.html", None, status=exc.status, message=exc.message)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        return page(request, "error.html", None, status=exc.status_code, message=exc.detail)

    return app
