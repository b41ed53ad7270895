"""Sessions configuration: environment variables prefixed ``SESSIONS_``."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SessionsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SESSIONS_", extra="ignore", frozen=True)

    service_name: str = "sessions"
    http_port: int = 8002
    #: The relay's safety-net poll; every write nudges it at once, and each poll scans the
    #: outbox flag of eight collections (a full scan on the local server), so not 0.2 s.
    outbox_poll_interval_s: float = Field(default=1.0, gt=0)
    #: Bigger batches amortise the per-batch database round trips of the match consumer.
    consumer_batch_size: int = Field(default=2000, ge=1, le=10_000)
    #: How often the worker re-assesses health and announces overdue action items.
    sweep_interval_s: float = Field(default=300.0, gt=0)
