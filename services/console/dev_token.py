"""Tokens from the repository's development issuer, for the local sign-in page.

The issuer's key is the one ``make run`` writes (``.local/dev-issuer``) and the
services trust; the console signs as that issuer, as ``tools.dev_issuer`` does
(services never import ``tools``). Only offered in the development profile.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt

ROLES = ("employee", "program_admin", "hr_analyst")


class NoDevIssuer(Exception):
    """The development issuer's keys are missing (the platform was not started)."""


def mint(
    subject: str,
    roles: list[str],
    *,
    directory: Path,
    issuer: str,
    audience: str,
    roles_claim: str = "roles",
    ttl_s: int = 8 * 3600,
) -> str:
    private_path, jwks_path = directory / "private.pem", directory / "jwks.json"
    if not (private_path.exists() and jwks_path.exists()):
        raise NoDevIssuer(f"no development issuer keys in {directory}: run `make run` first")
    kid = json.loads(jwks_path.read_text())["keys"][0]["kid"]
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        roles_claim: roles,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(claims, private_path.read_bytes(), algorithm="RS256", headers={"kid": kid})
