"""The development token issuer: keys made at first use, tokens for any person and role.

    python -m tools.dev_issuer token --sub p-0001 --role program_admin

prints a bearer token the local services accept (they read the JWKS written here,
``.local/dev-issuer/jwks.json``). Production refuses this issuer (see
``shared/settings.py``).
"""

from __future__ import annotations

import argparse
import functools
import json
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.settings import DEV_ISSUER, DEV_ISSUER_DIR

AUDIENCE = "mentoring-platform"


def ensure_keys(directory: Path = DEV_ISSUER_DIR) -> tuple[Path, str]:
    """Create an RSA key and its JWKS once; returns (private key path, kid)."""
    directory.mkdir(parents=True, exist_ok=True)
    private_path, jwks_path = directory / "private.pem", directory / "jwks.json"
    if private_path.exists() and jwks_path.exists():
        return private_path, json.loads(jwks_path.read_text())["keys"][0]["kid"]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex[:16]
    private_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private_path.chmod(0o600)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks_path.write_text(
        json.dumps({"keys": [{**public, "kid": kid, "alg": "RS256", "use": "sig"}]})
    )
    return private_path, kid


def issue_token(
    subject: str,
    roles: list[str],
    *,
    directory: Path = DEV_ISSUER_DIR,
    ttl_s: int = 8 * 3600,
    issuer: str = DEV_ISSUER,
    audience: str = AUDIENCE,
) -> str:
    private_path, kid = ensure_keys(directory)
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "roles": roles,
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(
        claims, _signing_key(private_path, kid), algorithm="RS256", headers={"kid": kid}
    )


@functools.lru_cache(maxsize=8)
def _signing_key(private_path: Path, kid: str) -> rsa.RSAPrivateKey:
    """Loading (and checking) an RSA key costs ~30 ms; a test run signs thousands."""
    key = serialization.load_pem_private_key(private_path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.dev_issuer")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a bearer token")
    token.add_argument("--sub", required=True, help="the person id (token subject)")
    token.add_argument(
        "--role",
        action="append",
        default=[],
        choices=["employee", "program_admin", "hr_analyst", "service", "provisioner"],
    )
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds")
    commands.add_parser("keys", help="create the keys if missing")
    args = parser.parse_args()
    if args.command == "keys":
        print(ensure_keys()[0])
    else:
        print(issue_token(args.sub, args.role or ["employee"], ttl_s=args.ttl))


if __name__ == "__main__":
    main()
