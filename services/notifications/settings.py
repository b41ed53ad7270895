"""Notifications configuration: environment variables prefixed ``NOTIFICATIONS_``."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    http_port: int = 8003
