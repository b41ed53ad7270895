"""A development bearer token for the matcher's command line, minted from the local
development issuer's key (``shared.settings.DEV_ISSUER_DIR``, written by ``make run``;
or the folder of the local ``file://`` JWKS the matcher is told to trust),
so ``import-people --dev-token SUBJECT`` works against a local platform without
copying a token. Refused in the production profile (and when the services trust
another issuer). Signs with PyJWT as the development issuer does; services never
import ``tools``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
from pydantic import ValidationError

from services.matcher.settings import MatcherSettings
from shared.settings import DEV_ISSUER, DEV_ISSUER_DIR, Profile

#: The roles of a minted token: importing people is a program admin's action.
ROLES = ("program_admin",)


class DevTokenRefused(Exception):
    """No development token here (production, another issuer, no local keys)."""


def _settings() -> MatcherSettings:
    try:
        settings = MatcherSettings()
    except ValidationError as exc:  # only production settings are checked this hard
        raise DevTokenRefused("development tokens are refused in the production profile") from exc
    if settings.profile is Profile.PRODUCTION:
        raise DevTokenRefused("development tokens are refused in the production profile")
    if settings.auth_issuer != DEV_ISSUER:
        raise DevTokenRefused(
            f"the matcher trusts the issuer {settings.auth_issuer!r}, not the development "
            "issuer: pass --token"
        )
    return settings


def _key_directory(settings: MatcherSettings) -> Path:
    """Where the key of the issuer the matcher trusts lives: next to its local JWKS."""
    if not settings.auth_jwks_url:
        return DEV_ISSUER_DIR
    if not settings.auth_jwks_url.startswith("file://"):
        raise DevTokenRefused("the matcher trusts a remote issuer: pass --token")
    return Path(settings.auth_jwks_url.removeprefix("file://")).parent


def mint(subject: str, *, ttl_s: int = 3600) -> str:
    """A token for ``subject`` with the program admin role, valid for ``ttl_s``."""
    settings = _settings()
    directory = _key_directory(settings)
    private_path, jwks_path = directory / "private.pem", directory / "jwks.json"
    if not (private_path.exists() and jwks_path.exists()):
        raise DevTokenRefused(
            f"no development issuer keys in {directory}: start the platform with `make run`"
        )
    kid = json.loads(jwks_path.read_text())["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "sub": subject,
        settings.auth_roles_claim: list(ROLES),
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(claims, private_path.read_bytes(), algorithm="RS256", headers={"kid": kid})
