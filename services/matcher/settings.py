"""Matcher configuration: environment variables prefixed ``MATCHER_``."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class MatcherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    service_name: str = "matcher"
    http_port: int = 8001
    #: Bigger batches amortise the per-batch database round trips of the HR consumer (an
    #: import of 100k people is 50 batches, not 200: about a tenth less database time).
    consumer_batch_size: int = Field(default=2000, ge=1, le=10_000)
    #: Two people are not matched again in a program of the same kind for this long
    #: after they were matched (``MATCHER_REPEAT_PAIR_WINDOW_DAYS``; about 24 months).
    repeat_pair_window_days: int = Field(default=730, ge=0, le=36_500)
    #: A bulk enrollment of more rows than this runs as a background job (202 and a job
    #: to poll) instead of within its request (``MATCHER_BULK_BACKGROUND_ABOVE``).
    bulk_background_above: int = Field(default=2000, ge=0, le=1_000_000)
    #: The public base URL of the SCIM service, as the identity provider calls it (behind
    #: the ingress: ``https://<host>/api/matcher/scim/v2``); ``meta.location`` starts with
    #: it (``MATCHER_SCIM_BASE_URL``). Unset, the request's own URL is used.
    scim_base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+[^/\s]$")
    #: How many programs' encoded rosters each process keeps in memory, least recently
    #: used first out (``MATCHER_POOL_CACHE_PROGRAMS``; a 100k roster is about 200 MiB).
    pool_cache_programs: int = Field(default=4, ge=1, le=1000)
