"""Notifications configuration: environment variables prefixed ``NOTIFICATIONS_``."""

from __future__ import annotations

from datetime import time, timedelta

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.notifications.domain.policy import PlanningPolicy
from services.notifications.domain.retry import RetryPolicy
from services.notifications.domain.schedule import WeeklySlot
from shared.settings import Profile, ServiceSettings

#: Refused as the webhook signing secret outside development.
DEVELOPMENT_SECRET = "development-only-webhook-secret"


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    http_port: int = 8003

    # planning
    reminder_offsets_minutes: tuple[int, ...] = Field(default=(24 * 60, 60), min_length=1)
    feedback_delay_minutes: int = Field(default=30, ge=0)
    match_expiry_reminder_lead_minutes: int = Field(default=24 * 60, ge=1)
    default_match_expiry_days: int = Field(
        default=14, ge=1, description="Used when a proposal carries no expiry."
    )
    journal_prompt_weekday: int = Field(default=4, ge=0, le=6, description="Monday = 0.")
    journal_prompt_time: time = Field(default=time(16, 0), description="In each person's zone.")
    admin_digest_weekday: int = Field(default=0, ge=0, le=6, description="Monday = 0.")
    admin_digest_time: time = Field(default=time(9, 0), description="In each admin's zone.")
    periodic_grace_minutes: int = Field(
        default=12 * 60, ge=0, description="A weekly slot missed by longer is skipped."
    )
    periodic_interval_s: float = Field(
        default=60.0, gt=0, description="How often the weekly schedules are checked."
    )

    # the due-queue and its dispatcher
    dispatch_interval_s: float = Field(default=5.0, gt=0)
    dispatch_batch_size: int = Field(default=500, ge=1, le=5000)
    dispatch_concurrency: int = Field(default=100, ge=1, le=2000)
    lease_s: float = Field(default=300.0, gt=0, description="Claim lease of a due item.")
    retry_max_attempts: int = Field(default=6, ge=1, le=50)
    retry_base_delay_s: float = Field(default=30.0, gt=0)
    retry_max_delay_s: float = Field(default=3600.0, gt=0)

    # channels
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_from: str = "Mentoring <no-reply@mentoring.local>"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_start_tls: bool = False
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    http_timeout_s: float = Field(default=10.0, gt=0)
    webhook_url: str | None = Field(
        default=None, description="Organisation-wide generic webhook (a person may set their own)."
    )
    webhook_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    slack_webhook_url: str | None = None
    teams_webhook_url: str | None = None
    app_base_url: str = "http://127.0.0.1:8003"

    # actions in chat (inbound: Slack interactivity, Teams bot messaging endpoint)
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="The Slack app's signing secret; unset refuses Slack actions."
    )
    teams_app_id: str = Field(
        default="", description="The bot's Microsoft app id (the token audience); unset refuses."
    )
    teams_token_issuer: str = "https://api.botframework.com"
    teams_keys_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        description=(
            "The Bot Framework's OpenID metadata (its jwks_uri is followed) or a key set "
            "itself: a file:// JWKS for a local key pair in development and tests."
        ),
    )
    chat_request_window_s: int = Field(
        default=300, ge=30, le=3600, description="How old a signed chat request may be."
    )

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> NotificationsSettings:
        if (
            self.profile is Profile.PRODUCTION
            and self.webhook_secret.get_secret_value() == DEVELOPMENT_SECRET
        ):
            raise ValueError("NOTIFICATIONS_WEBHOOK_SECRET must be set in production")
        return self

    def planning_policy(self) -> PlanningPolicy:
        return PlanningPolicy(
            meeting_reminder_offsets=tuple(
                timedelta(minutes=m) for m in self.reminder_offsets_minutes
            ),
            feedback_delay=timedelta(minutes=self.feedback_delay_minutes),
            match_expiry_reminder_lead=timedelta(minutes=self.match_expiry_reminder_lead_minutes),
            journal_prompt_slot=WeeklySlot(self.journal_prompt_weekday, self.journal_prompt_time),
            admin_digest_slot=WeeklySlot(self.admin_digest_weekday, self.admin_digest_time),
            periodic_grace=timedelta(minutes=self.periodic_grace_minutes),
        )

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.retry_max_attempts,
            base_delay=timedelta(seconds=self.retry_base_delay_s),
            max_delay=timedelta(seconds=max(self.retry_max_delay_s, self.retry_base_delay_s)),
        )
