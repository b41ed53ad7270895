"""The console's settings (``CONSOLE_`` environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DEV_ISSUER, DEV_ISSUER_DIR, Profile

#: The session cookie's key in development; production refuses it.
DEVELOPMENT_SESSION_SECRET = "development-only-console-session-secret"


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", frozen=True)

    profile: Profile = Profile.DEVELOPMENT
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8004, ge=1, le=65535)
    http_keep_alive_s: int = Field(default=75, ge=1)  # as ServiceSettings.http_keep_alive_s
    matcher_url: str = "http://127.0.0.1:8001"
    sessions_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    api_timeout_s: float = Field(default=15.0, gt=0)
    session_secret: SecretStr = SecretStr(DEVELOPMENT_SESSION_SECRET)
    session_max_age_s: int = Field(default=8 * 3600, gt=0)
    #: Cookies only over HTTPS (production behind TLS).
    secure_cookies: bool = False
    auth_issuer: str = DEV_ISSUER
    auth_audience: str = "mentoring-platform"
    auth_roles_claim: str = "roles"
    #: Where the development issuer's key lives (``make run`` writes it).
    dev_issuer_dir: Path = DEV_ISSUER_DIR
    #: Production sign-in: this console as a client of ``AUTH_ISSUER`` (OIDC discovery).
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_scope: str = "openid profile"
    #: Where browsers reach the console (the redirect URI is ``<PUBLIC_URL>/signin/callback``).
    public_url: str = "http://127.0.0.1:8004"

    @model_validator(mode="after")
    def _refuse_insecure_production(self) -> ConsoleSettings:
        if self.profile is not Profile.PRODUCTION:
            return self
        problems = []
        if self.session_secret.get_secret_value() in ("", DEVELOPMENT_SESSION_SECRET):
            problems.append("SESSION_SECRET must be set to a real secret")
        if self.auth_issuer == DEV_ISSUER:
            problems.append("the development token issuer is refused in production")
        if not self.oidc_client_id:
            problems.append("OIDC_CLIENT_ID must be set (sign-in through the issuer)")
        if not self.public_url.startswith("https://"):
            problems.append("PUBLIC_URL must be the console's https:// address")
        if not self.secure_cookies:
            problems.append("SECURE_COOKIES must be true (the console is served over HTTPS)")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def dev_sign_in(self) -> bool:
        """Whether the pick-a-person sign-in page is offered (development issuer only)."""
        return self.profile is Profile.DEVELOPMENT and self.auth_issuer == DEV_ISSUER

    @property
    def oidc_sign_in(self) -> bool:
        """Whether sign-in goes through the configured issuer (authorization code + PKCE)."""
        return self.auth_issuer != DEV_ISSUER and bool(self.oidc_client_id)

    @property
    def redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/signin/callback"

    @property
    def api_urls(self) -> dict[str, str]:
        return {
            "matcher": self.matcher_url.rstrip("/"),
            "sessions": self.sessions_url.rstrip("/"),
            "notifications": self.notifications_url.rstrip("/"),
        }
