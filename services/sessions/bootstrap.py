"""Builds the sessions runtime: its database, indexes and outbox collections."""

from services.sessions.settings import SessionsSettings
from services.sessions.store import INDEXES, OUTBOX_COLLECTIONS
from shared.runtime import Runtime


def build_runtime(settings: SessionsSettings, *, consumes: bool = False) -> Runtime:
    return Runtime(
        settings, indexes=INDEXES, outbox_collections=OUTBOX_COLLECTIONS, consumes=consumes
    )
