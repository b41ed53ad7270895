"""The console refuses to run in production with development sign-in or secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.console.settings import ConsoleSettings

PRODUCTION = {
    "profile": "production",
    "auth_issuer": "https://idp.example",
    "oidc_client_id": "console",
    "public_url": "https://console.example",
    "session_secret": "a-real-secret-from-the-vault",
    "secure_cookies": True,
}


def test_production_signs_in_through_the_issuer_only() -> None:
    settings = ConsoleSettings(**PRODUCTION)  # type: ignore[arg-type]
    assert (settings.oidc_sign_in, settings.dev_sign_in) == (True, False)
    assert settings.redirect_uri == "https://console.example/signin/callback"


@pytest.mark.parametrize(
    ("changed", "says"),
    [
        ({"auth_issuer": "mentoring-dev-issuer"}, "development token issuer"),
        ({"session_secret": "development-only-console-session-secret"}, "SESSION_SECRET"),
        ({"secure_cookies": False}, "SECURE_COOKIES"),
        ({"oidc_client_id": ""}, "OIDC_CLIENT_ID"),
        ({"public_url": "http://console.example"}, "PUBLIC_URL"),
    ],
)
def test_production_refuses_development_settings(changed: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        ConsoleSettings(**{**PRODUCTION, **changed})  # type: ignore[arg-type]


def test_development_offers_the_pick_a_person_sign_in() -> None:
    assert ConsoleSettings().dev_sign_in is True
