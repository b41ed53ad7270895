"""Signing in and out. Locally: pick a person id and role, the console mints a token
from the development issuer. Production: the OIDC authorization-code flow with PKCE
against the configured issuer (``services.console.oidc``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console import dev_token
from services.console.session import COOKIE_NAME, Session
from services.console.web import back_to, page

router = APIRouter()

HOME_OF_ROLE = {
    "program_admin": "/admin/programs",
    "employee": "/me/matches",
    "hr_analyst": "/hr",
}


@router.get("/")
async def home(request: Request) -> Response:
    session = request.app.state.sessions.decode(request.cookies.get(COOKIE_NAME))
    if session is None:
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse(HOME_OF_ROLE.get(session.roles[0], "/signin"), status_code=303)


@router.get("/signin")
async def sign_in_page(request: Request) -> Response:
    settings = request.app.state.settings
    return page(
        request,
        "signin.html",
        None,
        dev=settings.dev_sign_in,
        oidc=settings.oidc_sign_in,
        roles=dev_token.ROLES,
    )


@router.post("/signin")
async def sign_in(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.dev_sign_in:
        return back_to("/signin", error="development sign-in is off in this deployment")
    form = await request.form()
    subject, role = str(form.get("person_id", "")).strip(), str(form.get("role", ""))
    if not subject or role not in dev_token.ROLES:
        return back_to("/signin", error="Person id and role: both are required")
    try:
        token = dev_token.mint(
            subject,
            [role],
            directory=settings.dev_issuer_dir,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            roles_claim=settings.auth_roles_claim,
            ttl_s=settings.session_max_age_s,
        )
    except dev_token.NoDevIssuer as exc:
        return back_to("/signin", error=str(exc))
    return signed_in(request, Session(subject, (role,), token), settings.session_max_age_s)


def signed_in(request: Request, session: Session, max_age_s: int) -> Response:
    """To the person's home page, with the session cookie set (HttpOnly, SameSite=Lax)."""
    home = next((HOME_OF_ROLE[r] for r in session.roles if r in HOME_OF_ROLE), "/signin")
    response = RedirectResponse(home, status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        request.app.state.sessions.encode(session),
        max_age=max_age_s,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


@router.post("/signout")
async def sign_out() -> Response:
    response = back_to("/signin", notice="Signed out")
    response.delete_cookie(COOKIE_NAME)
    return response
