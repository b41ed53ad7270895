"""``/signin/oidc`` sends the browser to the issuer; ``/signin/callback`` brings the
code back, exchanges it (PKCE) and opens the session."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.console import oidc
from services.console.auth_routes import signed_in
from services.console.dev_token import ROLES
from services.console.session import FLOW_COOKIE_NAME, Session
from services.console.web import back_to

router = APIRouter(prefix="/signin")


async def _provider(request: Request) -> oidc.Provider:
    """The issuer's endpoints, discovered once per process."""
    state = request.app.state
    if getattr(state, "oidc_provider", None) is None:
        state.oidc_provider = await oidc.discover(state.http, state.settings.auth_issuer)
    provider: oidc.Provider = state.oidc_provider
    return provider


@router.get("/oidc")
async def start(request: Request) -> Response:
    settings = request.app.state.settings
    if not settings.oidc_sign_in:
        return back_to("/signin", error="sign-in through an issuer is not configured")
    flow = oidc.new_flow()
    url = oidc.authorization_url(
        await _provider(request),
        flow,
        client_id=settings.oidc_client_id,
        redirect_uri=settings.redirect_uri,
        scope=settings.oidc_scope,
    )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE_NAME,
        request.app.state.sessions.seal(flow),
        max_age=oidc.FLOW_MAX_AGE_S,
        path="/signin",
        httponly=True,
        samesite="lax",  # sent on the issuer's top-level redirect back here
        secure=settings.secure_cookies,
    )
    return response


@router.get("/callback")
async def callback(request: Request) -> Response:
    settings, state = request.app.state.settings, request.app.state
    flow = state.sessions.open(request.cookies.get(FLOW_COOKIE_NAME), max_age_s=oidc.FLOW_MAX_AGE_S)
    params = request.query_params
    if flow is None or params.get("state") != flow["state"]:
        return back_to("/signin", error="That sign-in expired or did not start here: try again")
    if "error" in params:
        return back_to("/signin", error=f"The issuer said: {params['error']}")
    provider = await _provider(request)
    try:
        tokens = await oidc.exchange(
            state.http,
            provider,
            flow,
            code=params.get("code", ""),
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value(),
            redirect_uri=settings.redirect_uri,
        )
        claims = await oidc.verified_id_claims(
            state.http,
            provider,
            tokens["id_token"],
            client_id=settings.oidc_client_id,
            nonce=flow["nonce"],
        )
    except oidc.SignInFailed as exc:
        return back_to("/signin", error=str(exc))
    roles = oidc.roles_of(claims, tokens["access_token"], settings.auth_roles_claim)
    console_roles = tuple(r for r in roles if r in ROLES)
    if not console_roles:
        return back_to("/signin", error="Your account holds no role the console serves")
    max_age = min(settings.session_max_age_s, int(tokens.get("expires_in", 3600)))
    session = Session(str(claims["sub"]), console_roles, tokens["access_token"])
    response = signed_in(request, session, max_age)
    response.delete_cookie(FLOW_COOKIE_NAME, path="/signin")
    return response
