"""The local database server (``nx-27017``) with MongoDB's TTL cadence and larger getMores.

neosqlite purges a collection's expired documents on every read of a collection with a
TTL index: a scan of the whole collection (the consumers' ``processed_events``: about
60 ms per read at 100k records, and one read per consumer batch). At 100k people that
was 42% of the server's time while a round's matches were accepted. MongoDB removes
expired documents from a background monitor that runs every 60 s; this runs the same
server with the purge at most once a minute per collection, as MongoDB's monitor.

A ``getMore`` without ``batchSize`` returns up to ``GETMORE_DOCUMENTS`` documents, not
101 as for a first batch. Reading 100k documents took a thousand round trips, each
waiting its turn behind every write to that database: a bulk filter selecting 50k people
answered in 43-53 s beside a running bulk job (5 s now, 8 s alone before). MongoDB fills
such a getMore to 16 MiB; this server builds a reply holding everything else up, and
replies of 5,000 documents kept a loaded one from answering the driver's monitor in time
(``services/matcher/store_pool.py``, ``LARGE_READ_BATCH``), so it stops at 1,000.

Run as a script with ``nx-27017``'s own arguments (``tools/localstack.py``).
"""

from __future__ import annotations

import sys

sys.path.pop(0)  # run as a script, ``tools/`` came first: its platform.py hid the stdlib's

import math
import time
from typing import Any

from neosqlite.collection import Collection
from neosqlite.collection.query_helper.crud_operations import CRUDOperationsMixin
from nx_27017.handler import NeoSQLiteHandler
from nx_27017.nx_27017 import main

#: MongoDB's TTL monitor runs every 60 s (``ttlMonitorSleepSecs``).
PURGE_EVERY_S = 60.0
#: A getMore's documents when the client names no ``batchSize`` (see above).
GETMORE_DOCUMENTS = 1000

_purge_now = Collection._auto_purge_ttl


def _purge_at_mongodb_cadence(self: Any) -> None:
    """Purge when this collection's last purge is a minute old (the first read purges)."""
    now = time.monotonic()
    if now - self.__dict__.get("_ttl_purged_at", -math.inf) < PURGE_EVERY_S:
        return
    self._ttl_purged_at = now
    _purge_now(self)


class _Owned(dict[str, Any]):
    """A document the server decoded for this one insert: nothing else holds it, so the
    deep copy neosqlite makes before it converts (and so copies) every level anyway is
    a copy of the top level only. It was half of an insert's time (a round's 50k
    proposals: about 10 s of 20)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


_insert = CRUDOperationsMixin._internal_insert


def _insert_without_deep_copy(self: Any, document: Any) -> Any:
    if type(document) is not dict:
        return _insert(self, document)
    owned = _Owned(document)
    inserted = _insert(self, owned)
    document.setdefault("_id", owned["_id"])
    return inserted


_batch_size = NeoSQLiteHandler._first_batch_size


def _getmore_batch_size(cmd: dict[str, Any]) -> int:
    """A getMore's batch without a ``batchSize``: ``GETMORE_DOCUMENTS`` (the reply's
    16 MiB budget still applies); a find's first batch keeps MongoDB's 101."""
    if "getMore" in cmd and cmd.get("batchSize") is None:
        return GETMORE_DOCUMENTS
    return int(_batch_size(cmd))


if __name__ == "__main__":
    Collection._auto_purge_ttl = _purge_at_mongodb_cadence
    CRUDOperationsMixin._internal_insert = _insert_without_deep_copy
    NeoSQLiteHandler._first_batch_size = staticmethod(_getmore_batch_size)
    sys.argv[0] = "nx-27017"
    sys.exit(main())
