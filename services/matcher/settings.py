"""Matcher configuration: environment variables prefixed ``MATCHER_``."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MatcherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    service_name: str = "matcher"
    http_port: int = 8001
