"""Token checks: only a well-signed, unexpired token for this audience and issuer passes."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from shared.auth import InvalidToken, JwksSource, Role, TokenVerifier

ISSUER, AUDIENCE = "https://idp.example.com", "mentoring-platform"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


class StaticJwks(JwksSource):
    def __init__(self, *keys: dict[str, Any]) -> None:
        super().__init__("memory://")
        self.document = {"keys": list(keys)}
        self.fetches = 0

    async def fetch(self) -> dict[str, Any]:
        self.fetches += 1
        return self.document


def public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if alg == "RS256" else jwt.algorithms.ECAlgorithm
    return {**json.loads(algorithm.to_jwk(key.public_key())), "kid": kid, "alg": alg}


def token(key: Any = RSA_KEY, alg: str = "RS256", kid: str = "rsa-1", **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "p-42",
        "roles": ["program_admin"],
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(body, key, algorithm=alg, headers={"kid": kid})


@pytest.fixture
def verifier() -> TokenVerifier:
    jwks = StaticJwks(public_jwk(RSA_KEY, "rsa-1", "RS256"), public_jwk(EC_KEY, "ec-1", "ES256"))
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks, leeway_s=0)


async def test_a_valid_rs256_token_names_the_person_and_roles(verifier: TokenVerifier) -> None:
    principal = await verifier.verify(token())
    assert principal.subject == "p-42"
    assert principal.roles == frozenset({Role.PROGRAM_ADMIN})


async def test_an_es256_token_is_accepted_too(verifier: TokenVerifier) -> None:
    assert (await verifier.verify(token(EC_KEY, "ES256", "ec-1"))).subject == "p-42"


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"exp": int(time.time()) - 5}, id="expired"),
        pytest.param({"aud": "another-app"}, id="wrong-audience"),
        pytest.param({"iss": "https://evil.example.com"}, id="wrong-issuer"),
    ],
)
async def test_expired_or_foreign_tokens_are_refused(verifier: TokenVerifier, bad: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidToken):
        await verifier.verify(token(**bad))


async def test_a_token_without_expiry_is_refused(verifier: TokenVerifier) -> None:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "p-42", "iat": now}
    unsigned_exp = jwt.encode(body, RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    with pytest.raises(InvalidToken):
        await verifier.verify(unsigned_exp)


async def test_alg_none_is_refused(verifier: TokenVerifier) -> None:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    forged = (
        b64({"alg": "none", "kid": "rsa-1"})
        + "."
        + b64({"iss": ISSUER, "aud": AUDIENCE, "sub": "p-1", "exp": now + 600})
        + "."
    )
    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier.verify(forged)


async def test_hs256_signed_with_the_public_key_is_refused(verifier: TokenVerifier) -> None:
    public_pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    header = {"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "p-1", "exp": now + 600}
    import hashlib
    import hmac

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidToken, match="algorithm"):
        await verifier.verify(f"{signing_input}.{b64(signature)}")


async def test_an_unknown_kid_refetches_the_jwks_once_then_is_refused() -> None:
    jwks = StaticJwks(public_jwk(RSA_KEY, "rsa-1", "RS256"))
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidToken, match="unknown key"):
        await verifier.verify(token(other, kid="rotated-2"))
    with pytest.raises(InvalidToken, match="unknown key"):
        await verifier.verify(token(other, kid="rotated-2"))
    assert jwks.fetches == 1, "an unknown kid must not hammer the issuer"


async def test_a_rotated_key_is_picked_up_after_the_refresh_interval() -> None:
    jwks = StaticJwks(public_jwk(RSA_KEY, "rsa-1", "RS256"))
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks)
    await verifier.verify(token())
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.document = {"keys": [public_jwk(rotated, "rsa-2", "RS256")]}
    verifier._fetched_at -= 3600
    assert (await verifier.verify(token(rotated, kid="rsa-2"))).subject == "p-42"


async def test_a_token_signed_by_another_key_with_a_known_kid_is_refused(
    verifier: TokenVerifier,
) -> None:
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidToken):
        await verifier.verify(token(impostor, kid="rsa-1"))
