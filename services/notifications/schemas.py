"""The notifier's API models: ``XUpdate`` in (closed to unknown fields), ``XRead`` out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from services.notifications.domain import Channel, NotificationType

_HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class QuietHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=_HHMM, examples=["22:00"], description="Local wall time.")
    end: str = Field(pattern=_HHMM, examples=["07:00"], description="Local wall time.")


class PreferencesUpdate(BaseModel):
    """The whole preferences of a person (PUT replaces them)."""

    model_config = ConfigDict(extra="forbid")

    time_zone: str = Field(default="UTC", max_length=64, examples=["Europe/Berlin"])
    default_channels: list[Channel] = Field(default=[Channel.EMAIL, Channel.INBOX], max_length=5)
    channels: dict[NotificationType, list[Channel]] = Field(
        default_factory=dict, description="Channels per notification type; [] means nowhere."
    )
    opted_out: list[NotificationType] = Field(default_factory=list)
    quiet_hours: QuietHoursIn | None = None
    daily_digest_at: str | None = Field(default=None, pattern=_HHMM, examples=["08:00"])
    webhook_url: HttpUrl | None = None
    slack_webhook_url: HttpUrl | None = None
    teams_webhook_url: HttpUrl | None = None


class PreferencesRead(BaseModel):
    person_id: str
    time_zone: str
    default_channels: list[Channel]
    channels: dict[NotificationType, list[Channel]]
    opted_out: list[NotificationType]
    quiet_hours: QuietHoursIn | None
    daily_digest_at: str | None
    webhook_url: str | None
    slack_webhook_url: str | None
    teams_webhook_url: str | None
    version: int = Field(description="0 while only the defaults apply.")


class InboxMessageRead(BaseModel):
    id: str
    type: NotificationType
    subject_id: str
    title: str
    body: str
    action_label: str | None
    action_url: str | None
    created_at: datetime
    read: bool
