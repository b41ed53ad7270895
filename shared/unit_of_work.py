"""The unit of work: everything one request or one consumer batch acts with.

A service function takes one ``UnitOfWork`` instead of loose store, clock, source and
caller arguments. It stages the events (and audit entries) that announce a change on
the changed document itself, so the store writes both in one document write (the
outbox). On a successful exit after staging something the unit of work nudges the
outbox relay (a relay pass reads every outbox collection: work that staged nothing, such
as most consumer batches, leaves it to its poll); on an exception it does nothing, and
nothing staged was written.

Routes get one from ``shared.http``'s dependency; consumers and timers from the shared
entry point (``shared.service``); service-layer unit tests build one over an in-memory
database (``tests/support/fakes.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, TypeVar

from shared.audit import audit_entry
from shared.auth import Principal
from shared.contracts.envelope import Envelope, EventData
from shared.contracts.registry import Topic
from shared.mongo import Document
from shared.outbox_staging import stage_audit, stage_event

__all__ = ["UnitOfWork", "utc_now"]

StoreT = TypeVar("StoreT")
SettingsT = TypeVar("SettingsT")


def utc_now() -> datetime:
    """The one place a service reads the wall clock; tests replace the unit's ``now``."""
    return datetime.now(UTC)


def _nothing() -> None:
    return None


@dataclass
class _Staging:
    """Whether a unit of work staged anything; shared by its copies
    (``dataclasses.replace(uow, caller=...)``), so staging on a copy counts too."""

    happened: bool = False


@dataclass
class UnitOfWork(Generic[StoreT, SettingsT]):
    """The store, the clock, the event source and the caller of one piece of work."""

    store: StoreT
    settings: SettingsT
    source: str
    now: datetime = field(default_factory=utc_now)
    caller: Principal | None = None
    on_commit: Callable[[], None] = _nothing
    committed: bool = False
    staging: _Staging = field(default_factory=_Staging)

    def envelope(self, data: EventData, *, subject: str, event_id: str | None = None) -> Envelope:
        """Wrap ``data`` as this service's event at this unit's time."""
        return Envelope.wrap(
            data, source=self.source, subject=subject, event_id=event_id, time=self.now
        )

    def stage(
        self,
        doc: Document,
        topic: Topic,
        data: EventData,
        *,
        subject: str | None = None,
        event_id: str | None = None,
    ) -> Document:
        """``doc`` with the event queued on it; the event's subject defaults to its id. The
        outbox records the current span's trace context on it (``shared.tracing``)."""
        envelope = self.envelope(data, subject=subject or str(doc["_id"]), event_id=event_id)
        return self.stage_envelope(doc, topic, envelope)

    def stage_envelope(self, doc: Document, topic: Topic, envelope: Envelope) -> Document:
        """``doc`` with an envelope built elsewhere queued on it (its own source and time)."""
        self.staging.happened = True
        return stage_event(doc, topic.name, envelope)

    def audit(
        self,
        doc: Document,
        action: str,
        *,
        target: str,
        details: dict[str, Any] | None = None,
    ) -> Document:
        """``doc`` with an audit entry of the caller's action, saved in the same write."""
        if self.caller is None:
            raise RuntimeError(f"audit of {action!r} needs a caller")
        entry = audit_entry(
            actor=self.caller, action=action, target=target, details=details, at=self.now
        )
        self.staging.happened = True
        return stage_audit(doc, entry)

    def commit(self) -> None:
        """The work succeeded: ask the relay to publish what it staged now."""
        self.committed = True
        if self.staging.happened:
            self.on_commit()

    async def __aenter__(self) -> UnitOfWork[StoreT, SettingsT]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
