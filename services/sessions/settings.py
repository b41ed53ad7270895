"""Sessions configuration: environment variables prefixed ``SESSIONS_``."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SessionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SESSIONS_", extra="ignore", frozen=True)

    service_name: str = "sessions"
    http_port: int = 8002
