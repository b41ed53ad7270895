"""Builds the notifier's runtime: its database, indexes and outbox collections."""

from services.notifications.settings import NotificationsSettings
from services.notifications.store import INDEXES, OUTBOX_COLLECTIONS
from shared.runtime import Runtime


def build_runtime(settings: NotificationsSettings, *, consumes: bool = False) -> Runtime:
    return Runtime(
        settings, indexes=INDEXES, outbox_collections=OUTBOX_COLLECTIONS, consumes=consumes
    )
