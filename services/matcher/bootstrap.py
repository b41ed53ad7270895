"""Builds the matcher's runtime: its database, indexes and outbox collections."""

from services.matcher.settings import MatcherSettings
from services.matcher.store import INDEXES, OUTBOX_COLLECTIONS
from shared.runtime import Runtime


def build_runtime(settings: MatcherSettings, *, consumes: bool = False) -> Runtime:
    return Runtime(
        settings, indexes=INDEXES, outbox_collections=OUTBOX_COLLECTIONS, consumes=consumes
    )
