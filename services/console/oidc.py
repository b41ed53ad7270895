"""Production sign-in: the OIDC authorization-code flow with PKCE (RFC 7636, S256).

The console is a confidential or public client of the configured issuer. It sends the
browser to the issuer's authorization endpoint with a fresh ``state``, ``nonce`` and
code challenge (kept in a short-lived signed cookie), then exchanges the code with the
verifier at the token endpoint and checks the ID token (signature against the
issuer's JWKS, ``iss``, ``aud`` = the client id, ``exp``, ``nonce``). The access token
is what the APIs receive; they verify it on every call.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

#: How long a sign-in may take between leaving for the issuer and coming back.
FLOW_MAX_AGE_S = 600


class SignInFailed(Exception):
    """The issuer's answer cannot sign anyone in; the message says why."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def challenge_of(verifier: str) -> str:
    """The S256 code challenge: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def new_flow() -> dict[str, str]:
    """A sign-in's secrets: the PKCE verifier, ``state`` and ``nonce``."""
    return {
        "verifier": secrets.token_urlsafe(48),
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
    }


async def discover(http: httpx.AsyncClient, issuer: str) -> Provider:
    answer = await http.get(issuer.rstrip("/") + "/.well-known/openid-configuration")
    answer.raise_for_status()
    found = answer.json()
    if found.get("issuer") != issuer:
        raise SignInFailed(f"the discovery document names another issuer: {found.get('issuer')}")
    return Provider(
        issuer, found["authorization_endpoint"], found["token_endpoint"], found["jwks_uri"]
    )


def authorization_url(
    provider: Provider, flow: dict[str, str], *, client_id: str, redirect_uri: str, scope: str
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": challenge_of(flow["verifier"]),
        "code_challenge_method": "S256",
    }
    return f"{provider.authorization_endpoint}?{urlencode(query)}"


async def exchange(
    http: httpx.AsyncClient,
    provider: Provider,
    flow: dict[str, str],
    *,
    code: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
) -> dict[str, Any]:
    """The token endpoint's answer for ``code`` (with the PKCE verifier)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": flow["verifier"],
    }
    if client_secret:  # a confidential client authenticates (client_secret_basic)
        auth = httpx.BasicAuth(client_id, client_secret)
        answer = await http.post(provider.token_endpoint, data=form, auth=auth)
    else:  # a public client: PKCE alone binds the code to this sign-in
        answer = await http.post(provider.token_endpoint, data=form)
    if answer.status_code != 200:
        raise SignInFailed(f"the issuer refused the code ({answer.status_code})")
    tokens = answer.json()
    if not tokens.get("access_token") or not tokens.get("id_token"):
        raise SignInFailed("the issuer sent no access token or no ID token")
    return dict(tokens)


async def verified_id_claims(
    http: httpx.AsyncClient, provider: Provider, id_token: str, *, client_id: str, nonce: str
) -> dict[str, Any]:
    answer = await http.get(provider.jwks_uri)
    answer.raise_for_status()
    keys = jwt.PyJWKSet.from_dict(answer.json())
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
        key = next(k for k in keys.keys if kid is None or k.key_id == kid)
        claims = jwt.decode(
            id_token,
            key=key.key,
            algorithms=["RS256", "ES256"],
            audience=client_id,
            issuer=provider.issuer,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except (jwt.PyJWTError, StopIteration) as exc:
        raise SignInFailed(f"the ID token does not check out: {exc or 'unknown key'}") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise SignInFailed("the ID token was not issued for this sign-in (nonce)")
    return dict(claims)


def roles_of(claims: dict[str, Any], access_token: str, roles_claim: str) -> tuple[str, ...]:
    """The roles for the console's menus: the ID token's, else the access token's (read,
    not verified: the APIs verify that token on every call and decide by it)."""
    roles = claims.get(roles_claim)
    if roles is None:
        roles = jwt.decode(access_token, options={"verify_signature": False}).get(roles_claim, [])
    if isinstance(roles, str):
        roles = roles.split()
    return tuple(str(r) for r in roles)
