"""The one event envelope every topic carries: CloudEvents 1.0, structured JSON mode.

The envelope ``id`` is the de-duplication key of every consumer. ``data`` is the
payload of one registered event contract (see ``registry.py``); ``dataschema``
names that contract and its version so a consumer can pick the right model or
upcaster without guessing. ``traceparent``/``tracestate`` are the CloudEvents
distributed-tracing extension (W3C trace context, see ``shared/tracing.py``): optional,
and left out of the JSON when absent, so events without them stay as they were.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"
#: W3C ``traceparent``: version, trace id, parent span id, flags (lower-case hex).
TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
SCHEMA_PREFIX = "urn:mentoring:event:"


class EventData(BaseModel):
    """Base of every event payload: frozen, closed to unknown fields, versioned.

    Subclasses set ``event_type`` (the CloudEvents ``type``, a published name that
    never changes) and ``version`` (bumped on a breaking change, with an upcaster).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def schema_uri(cls) -> str:
        return f"{SCHEMA_PREFIX}{cls.event_type}:v{cls.version}"


class Envelope(BaseModel):
    """A CloudEvents 1.0 event in structured mode; ``data`` holds the payload as JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200, description="De-duplication key.")
    source: str = Field(min_length=1, max_length=200, examples=["/services/matcher"])
    type: str = Field(min_length=1, max_length=200, examples=["mentoring.match.proposed"])
    time: AwareDatetime
    subject: str = Field(min_length=1, max_length=200, description="The aggregate id.")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str = Field(min_length=1, max_length=300)
    data: dict[str, Any]
    traceparent: str | None = Field(
        default=None,
        pattern=TRACEPARENT_PATTERN,
        description="W3C trace context of the work that caused the event (distributed tracing).",
        exclude_if=lambda value: value is None,
    )
    tracestate: str | None = Field(
        default=None,
        max_length=512,
        description="W3C tracestate that goes with ``traceparent``.",
        exclude_if=lambda value: value is None,
    )

    @classmethod
    def wrap(
        cls,
        data: EventData,
        *,
        source: str,
        subject: str,
        event_id: str | None = None,
        time: datetime | None = None,
        traceparent: str | None = None,
        tracestate: str | None = None,
    ) -> Envelope:
        """Wrap a payload; pass a deterministic ``event_id`` where a retry must not mint anew."""
        return cls(
            id=event_id or str(uuid.uuid4()),
            source=source,
            type=data.event_type,
            time=time or datetime.now(UTC),
            subject=subject,
            dataschema=data.schema_uri(),
            data=data.model_dump(mode="json"),
            traceparent=traceparent,
            tracestate=tracestate,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes | str) -> Envelope:
        return cls.model_validate_json(raw)
