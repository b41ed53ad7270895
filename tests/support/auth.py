"""Bearer tokens for tests, from a development issuer whose keys live in a temp folder."""

from __future__ import annotations

from pathlib import Path

from tools.dev_issuer import ensure_keys, issue_token

_directory: Path | None = None


def use_issuer_directory(directory: Path) -> str:
    """Create the keys; returns the JWKS URL the services must trust."""
    global _directory
    _directory = directory
    ensure_keys(directory)
    return f"file://{directory / 'jwks.json'}"


def bearer(subject: str, *roles: str) -> dict[str, str]:
    """``Authorization`` header for ``subject`` holding ``roles`` (default: employee)."""
    assert _directory is not None, "the dev_issuer fixture sets the issuer up"
    token = issue_token(subject, list(roles) or ["employee"], directory=_directory)
    return {"Authorization": f"Bearer {token}"}


def issuer_directory() -> Path:
    """Where the test issuer's keys live (for code that mints its own tokens)."""
    assert _directory is not None, "the dev_issuer fixture sets the issuer up"
    return _directory
