"""Bearer-token authentication (OIDC JWTs) and the caller's identity, for every API.

Signatures are checked against the issuer's JWKS (cached; refetched when a token
names an unknown ``kid``, at most every ``MIN_REFRESH_S``). Algorithms are pinned
to RS256/ES256, so ``alg=none`` and HS256-signed-with-the-public-key are refused;
``iss``, ``aud``, ``exp`` and ``sub`` are required. Roles come from a configurable
claim. Anything wrong is a 401 with ``WWW-Authenticate: Bearer``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.logging import get_logger

log = get_logger(__name__)

ALLOWED_ALGORITHMS = ("RS256", "ES256")
MIN_REFRESH_S = 30.0
#: Verified tokens remembered (a portal sends the same token on every call until it expires).
VERIFIED_CACHE_SIZE = 10_000


class Role(StrEnum):
    EMPLOYEE = "employee"
    PROGRAM_ADMIN = "program_admin"
    HR_ANALYST = "hr_analyst"
    SERVICE = "service"
    #: An identity provider (Okta, Entra ID) provisioning people over SCIM, and nothing else.
    PROVISIONER = "provisioner"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token subject (an opaque person id) and their roles."""

    subject: str
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class InvalidToken(Exception):
    pass


class JwksSource:
    """Where keys come from: an HTTPS URL (production) or a file (development issuer)."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def fetch(self) -> dict[str, Any]:
        if self.url.startswith("file://"):
            path = Path(self.url.removeprefix("file://"))
            return json.loads(await asyncio.to_thread(path.read_text))
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(self.url)
            response.raise_for_status()
            return response.json()


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks: JwksSource,
        roles_claim: str = "roles",
        leeway_s: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.roles_claim = roles_claim
        self.leeway_s = leeway_s
        self.clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._verified: dict[str, tuple[Principal, str, float]] = {}

    async def verify(self, token: str) -> Principal:
        """The token's principal. A token verified before is answered from memory until
        its ``exp`` (and only while its signing key is still in the key set): checking
        an RS256 signature costs more than the rest of a typical request."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, kid, expires_at = cached
            if self.clock() < expires_at and kid in self._keys:
                return principal
            del self._verified[token]
        principal, kid, expires_at = await self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest entry
        self._verified[token] = (principal, kid, expires_at)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, str, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from exc
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
        kid = str(header.get("kid", ""))
        key = await self._key(kid)
        if key.algorithm_name != algorithm:
            raise InvalidToken("the token's algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from exc
        raw_roles = claims.get(self.roles_claim, [])
        if isinstance(raw_roles, str):
            raw_roles = raw_roles.split()
        roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
        principal = Principal(subject=str(claims["sub"]), roles=roles)
        # no leeway here: a remembered token expires at its ``exp`` exactly
        return principal, kid, float(claims["exp"])

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid in self._keys:
            return self._keys[kid]
        async with self._lock:
            if kid not in self._keys and time.monotonic() - self._fetched_at > MIN_REFRESH_S:
                await self._refresh()
        if kid not in self._keys:
            raise InvalidToken(f"unknown key id {kid!r}")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            document = await self.jwks.fetch()
        except (httpx.HTTPError, OSError, ValueError) as exc:
            log.warning("jwks_fetch_failed", error=repr(exc))
            return
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue
            if entry.get("kid") and key.algorithm_name in ALLOWED_ALGORITHMS:
                keys[entry["kid"]] = key
        self._keys = keys
        self._fetched_at = time.monotonic()


_bearer = HTTPBearer(auto_error=False, description="An OIDC access token (JWT).")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    verifier: TokenVerifier = request.app.state.token_verifier
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("a bearer token is required")
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from exc


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=f"not authenticated: {reason}",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Any:
    """A dependency: the caller holds one of ``roles`` (else 403)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"needs one of the roles: {', '.join(r.value for r in roles)}",
            )
        return principal

    return Depends(check)
