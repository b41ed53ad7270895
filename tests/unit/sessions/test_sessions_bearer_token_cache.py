"""The API's remembered tokens (``shared.auth.TokenVerifier``): the sessions hot route
relies on them, and they must never outlive the token's ``exp`` or its signing key."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import InvalidToken, TokenVerifier
from tests.unit.shared.test_bearer_tokens import (
    AUDIENCE,
    ISSUER,
    RSA_KEY,
    StaticJwks,
    public_jwk,
    token,
)


async def test_a_remembered_token_is_checked_again_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [time.time()]
    jwks = StaticJwks(public_jwk(RSA_KEY, "rsa-1", "RS256"))
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks, clock=lambda: now[0])
    decodes = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decodes.append(1) or real_decode(*a, **k))
    bearer = token(exp=int(now[0]) + 600)
    await verifier.verify(bearer)
    await verifier.verify(bearer)
    assert len(decodes) == 1, "a token verified once is remembered"
    now[0] += 601
    await verifier.verify(bearer)  # past its exp by our clock: the signature is checked again
    assert len(decodes) == 2


async def test_a_remembered_token_is_refused_once_its_key_is_retired() -> None:
    jwks = StaticJwks(public_jwk(RSA_KEY, "rsa-1", "RS256"))
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks)
    old = token()
    await verifier.verify(old)
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.document = {"keys": [public_jwk(rotated, "rsa-2", "RS256")]}
    verifier._fetched_at -= 3600
    await verifier.verify(token(rotated, kid="rsa-2"))  # the refresh drops rsa-1
    with pytest.raises(InvalidToken, match="unknown key"):
        await verifier.verify(old)


async def test_a_refused_token_is_not_remembered() -> None:
    jwks = StaticJwks(public_jwk(RSA_KEY, "rsa-1", "RS256"))
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks=jwks, leeway_s=0)
    expired = token(exp=int(time.time()) - 5)
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await verifier.verify(expired)
