"""What a writer does for the outbox (``shared.outbox``): queue an event or an audit
entry on the document it saves, in the same write. The relay publishes and clears them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.contracts.envelope import Envelope
from shared.mongo import Document
from shared.tracing import in_current_trace

PENDING = "pending_events"
PENDING_AUDIT = "pending_audit"
FLAG = "outbox_pending"


def stage_event(doc: Document, topic: str, envelope: Envelope) -> Document:
    """Return ``doc`` with ``envelope`` queued for publication on ``topic``."""
    pending = [*doc.get(PENDING, []), pending_entry(topic, envelope)]
    return {**doc, PENDING: pending, FLAG: True}


def stage_entries(doc: Document, entries: Sequence[Document]) -> Document:
    """``doc`` carrying events queued elsewhere (``pending_entry``, ``take_staged``): a
    batch of writes can announce itself on one document, cleared in one write."""
    return {**doc, PENDING: [*doc.get(PENDING, []), *entries], FLAG: bool(entries)}


def take_staged(doc: Document) -> tuple[Document, list[Document]]:
    """``doc`` without the events queued on it, and those events."""
    rest = {k: v for k, v in doc.items() if k not in (PENDING, FLAG)}
    return rest, list(doc.get(PENDING, []))


def stage_audit(doc: Document, entry: Document) -> Document:
    """Return ``doc`` with an audit entry queued for the audit log."""
    return {**doc, PENDING_AUDIT: [*doc.get(PENDING_AUDIT, []), entry], FLAG: True}


def pending_entry(topic: str, envelope: Envelope) -> dict[str, Any]:
    """One queued event as the relay reads it. The envelope is kept as its wire JSON:
    byte-exact on republish, and free of datetimes that some servers would coerce."""
    return {
        "id": envelope.id,
        "topic": topic,
        "key": envelope.subject,
        "value": in_current_trace(envelope).model_dump_json(),
    }
