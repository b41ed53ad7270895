"""The console's plumbing for pages: templates, the signed-in user, their API calls."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.console.api import ApiError, Apis
from services.console.session import COOKIE_NAME, Session
from services.console.views import FormError, contribution_bars, label

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.globals.update(label=label, contribution_bars=contribution_bars)


class SignInRequired(Exception):
    """No valid session: the page sends the person to sign in."""


def current_session(request: Request) -> Session:
    session = request.app.state.sessions.decode(request.cookies.get(COOKIE_NAME))
    if session is None:
        raise SignInRequired
    return session


SignedIn = Annotated[Session, Depends(current_session)]


def _holding(*roles: str) -> Callable[[Session], Session]:
    """A dependency: the signed-in user holds one of ``roles`` (else a 403 page)."""

    def check(session: SignedIn) -> Session:
        if not any(session.has(role) for role in roles):
            names = " or ".join(label(role).lower() for role in roles)
            raise HTTPException(403, f"this page is for the {names} role")
        return session

    return check


AsAdmin = Annotated[Session, Depends(_holding("program_admin"))]
AsEmployee = Annotated[Session, Depends(_holding("employee"))]
AsReporter = Annotated[Session, Depends(_holding("hr_analyst", "program_admin"))]


def apis_for(request: Request, session: Session) -> Apis:
    """The user's API calls, timed into the request's ``Server-Timing`` (``app.py``)."""
    state = request.app.state
    timings = getattr(request.state, "api_timings", None)
    return Apis(state.http, state.settings.api_urls, session.token, timings)


def page(
    request: Request, name: str, session: Session | None, status: int = 200, **context: Any
) -> Response:
    """A full page; ``notice`` and ``error`` from the query string are shown on it."""
    context.setdefault("notice", request.query_params.get("notice", ""))
    context.setdefault("error", request.query_params.get("error", ""))
    return templates.TemplateResponse(
        request, name, {"session": session, **context}, status_code=status
    )


def back_to(path: str, **message: str) -> RedirectResponse:
    """After a form: see the page again (303), with what happened."""
    query = urlencode({k: v for k, v in message.items() if v})
    joiner = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{joiner}{query}" if query else path, status_code=303)


async def form_of(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}


async def attempt(here: str, action: Callable[[], Awaitable[str]]) -> RedirectResponse:
    """A form's call: back to ``here`` with the notice it returns, or with why the form
    or the API refused it."""
    try:
        notice = await action()
    except (FormError, ApiError) as exc:
        return back_to(here, error=str(exc))
    return back_to(here, notice=notice)


async def forward(
    request: Request,
    session: Session,
    *,
    here: str,
    to: tuple[str, str, str],
    payload: Callable[[dict[str, str]], Any],
    notice: str | Callable[[Any], str],
) -> RedirectResponse:
    """A form sent on to an API: ``to`` is (method, service, path), the body is
    ``payload(form)``; back to ``here`` with ``notice`` (or its sentence for the body)."""

    async def send() -> str:
        body = payload(await form_of(request))
        method, service, path = to
        await apis_for(request, session).call(method, service, path, json=body)
        return notice(body) if callable(notice) else notice

    return await attempt(here, send)


@dataclass(frozen=True)
class FormRoute:
    """``POST path``: a form sent on to an API, then back to a page. ``here`` and the API
    path in ``to`` (method, service, path) take the route's path parameters."""

    path: str
    here: str
    to: tuple[str, str, str]
    payload: Callable[[dict[str, str]], Any]
    notice: str | Callable[[Any], str]

    def add_to(self, router: APIRouter, role: str) -> None:
        async def handler(
            request: Request, session: Session = Depends(_holding(role))
        ) -> RedirectResponse:
            values = request.path_params
            method, service, path = self.to
            return await forward(
                request,
                session,
                here=self.here.format(**values),
                to=(method, service, path.format(**values)),
                payload=self.payload,
                notice=self.notice,
            )

        router.add_api_route(self.path, handler, methods=["POST"])
