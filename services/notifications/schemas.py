"""The notifier's API models: ``XUpdate`` in (closed to unknown fields), ``XRead`` out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from services.notifications.domain.model import Channel, NotificationType
from shared.inputs import StrictBody, TimeOfDay, TimeZoneName, bounded

#: Each channel at most once over; each notification type at most once over.
ChannelList = bounded(Channel, len(Channel))
TypeList = bounded(NotificationType, len(NotificationType))


class QuietHoursIn(StrictBody):
    """A daily quiet window in local wall time: start and end differ; it wraps midnight
    when start is the later one."""

    start: TimeOfDay = Field(examples=["22:00"], description="Local wall time.")
    end: TimeOfDay = Field(examples=["07:00"], description="Local wall time.")


class PreferencesUpdate(StrictBody):
    """The whole preferences of a person (PUT replaces them)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "time_zone": "Europe/Berlin",
                    "default_channels": ["email", "inbox"],
                    "channels": {"meeting_reminder": ["slack", "inbox"]},
                    "opted_out": ["journal_prompt"],
                    "quiet_hours": {"start": "22:00", "end": "07:00"},
                    "daily_digest_at": "08:00",
                }
            ]
        }
    )

    time_zone: TimeZoneName = "UTC"
    default_channels: ChannelList = Field(default=[Channel.EMAIL, Channel.INBOX])
    channels: dict[NotificationType, ChannelList] = Field(
        default_factory=dict,
        max_length=len(NotificationType),
        description="Channels per notification type; [] means nowhere.",
    )
    opted_out: TypeList = Field(default_factory=list)
    quiet_hours: QuietHoursIn | None = None
    daily_digest_at: TimeOfDay | None = Field(default=None, examples=["08:00"])
    webhook_url: HttpUrl | None = None
    slack_webhook_url: HttpUrl | None = None
    teams_webhook_url: HttpUrl | None = None


class _StoredPreferences(BaseModel):
    """What every view of a person's preferences shows (``view`` says which view)."""

    view: str
    person_id: str
    time_zone: str
    default_channels: list[Channel]
    channels: dict[NotificationType, list[Channel]]
    opted_out: list[NotificationType]
    quiet_hours: QuietHoursIn | None
    daily_digest_at: str | None


class PreferencesView(_StoredPreferences):
    """A person's preferences as a machine caller (``service``) sees them: how and when
    to reach the person, without the addresses kept in them."""

    view: Literal["service"]
    version: int = Field(description="0 while only the defaults apply.")


class PreferencesRead(_StoredPreferences):
    """A person's own preferences, addresses included (only the person sees these)."""

    view: Literal["owner"]
    webhook_url: str | None
    slack_webhook_url: str | None
    teams_webhook_url: str | None
    version: int = Field(description="0 while only the defaults apply.")


AnyPreferencesRead = Annotated[PreferencesRead | PreferencesView, Field(discriminator="view")]


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


class DeliveryRead(BaseModel):
    """One channel's delivery of one notification to the caller, from the ledger."""

    id: str
    type: NotificationType
    subject_id: str
    channel: str = Field(description="The channel, or 'none' when it was suppressed.")
    status: Literal["sending", "sent", "retrying", "failed", "suppressed"]
    attempts: int = Field(ge=0)
    reason: str | None
    created_at: datetime
    updated_at: datetime


class WebhookMessage(BaseModel):
    """The message as rendered for the recipient (plain text, one optional link)."""

    model_config = ConfigDict(extra="forbid")

    subject: str
    text: str
    action_url: str | None = Field(description="Where the message's one action leads.")


class WebhookBody(BaseModel):
    """The body of the generic webhook: canonical JSON (sorted keys, no spaces, UTF-8),
    exactly the bytes that are signed."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = Field(description="Bumped on an incompatible change.")
    id: str = Field(description="The notification's de-duplication key (= Idempotency-Key).")
    type: NotificationType
    recipient_id: str
    subject_id: str = Field(description="What the notification is about (match, meeting...).")
    due_at: datetime
    sent_at: datetime
    mandatory: bool = Field(description="True when the program does not allow opting out.")
    data: dict[str, str | int | list[str]] = Field(
        description="Ids, codes and timestamps of the notification (never names or contacts)."
    )
    message: WebhookMessage
