"""The local database server (``nx-27017``) with MongoDB's TTL cadence and larger getMores.

neosqlite purges a collection's expired documents on every read of a collection with a
TTL index: a scan of the whole collection (the consumers' ``processed_events``: about
60 ms per read at 100k records, and one read per consumer batch). At 100k people that
was 42% of the server's time while a round's matches were accepted. MongoDB removes
expired documents from a background monitor that runs every 60 s; this runs the same
server with the purge at most once a minute per collection, as MongoDB's monitor.

A ``getMore`` without ``batchSize`` returns up to ``GETMORE_DOCUMENTS`` documents, not
101: reading 100k documents took a thousand round trips, each behind every write to that
database (a bulk filter of 50k people: 43-53 s beside a bulk job, 5 s now). MongoDB fills
a getMore to 16 MiB; replies of 5,000 documents kept a loaded server from answering the
driver's monitor in time (``services/matcher/store_pool.py``), so it stops at 1,000.

A write command is one SQLite transaction (``_one_transaction``). The server ran each
statement in its own (autocommit), so a command writing 500 documents committed 500
times, each commit appending to the write-ahead log every page it touched (the table's
and each index's): about 85 µs per indexed insert against 14 µs inside one transaction.
A command's documents still succeed or fail one by one (a failed statement undoes only
itself), and what a failing command wrote before its error stays, as with MongoDB; only
the moment they become visible moves to the end of the command, which MongoDB does not
promise for a multi-document write either. Commands of a client transaction are left to
the server's own transaction.

An ``update_many`` that only ``$set``s plain values on top-level fields is one SQL
``UPDATE`` over the filter (``_update_many_in_one_statement``). neosqlite selected the
matching ids, then for each read the document, updated it and read it back: three
statements and two JSON parses per document, for a dispatcher's claim of 500 due items
(a compare-and-swap, ``services/notifications/store_queue.py``) 1,500 statements.
Equality and ``$in`` on an indexed field are served by its index, in ``find`` and in
``update_many`` (``tools/nx_indexed_fields.py``); neosqlite read every document for them.
Commands run on up to ``COMMAND_THREADS`` threads, not 6, so that commands waiting for
one database's lock no longer keep another database's from starting.

Each database keeps a 64 MiB page cache (``STORAGE_PRAGMAS``), not SQLite's 2 MiB, and
a thread of its own copies its write-ahead log back once a second (``_checkpointing``),
never inside a command's commit. SQLite checkpointed in the commit that took the log
past 4 MiB: a command updating 500 documents of 100k at random dirties a page per
document and index, so nearly every one paid a checkpoint and its sync, holding every
other command behind it. In ``bench/database_checkpoints.py`` the slowest command took
130 ms with the checkpoint in the commit and 59 ms beside it (p50 the same). MongoDB's
storage engine keeps a cache of half the memory and checkpoints in the background.

Run as a script with ``nx-27017``'s own arguments (``tools/localstack.py``).
"""

from __future__ import annotations

import os
import sys

sys.path.pop(0)  # run as a script, ``tools/`` came first: its platform.py hid the stdlib's
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # for ``tools.``

import asyncio
import functools
import math
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from neosqlite.collection import Collection
from neosqlite.collection.query_engine.crud_operations import (
    CRUDOperationsMixin as QueryEngineCRUD,
)
from neosqlite.collection.query_helper import _get_json_function
from neosqlite.collection.query_helper.crud_operations import CRUDOperationsMixin
from neosqlite.collection.type_utils import validate_session
from neosqlite.connection import Connection
from neosqlite.results import UpdateResult
from neosqlite.sql_utils import quote_table_name
from nx_27017 import server as nx_server
from nx_27017.handler import NeoSQLiteHandler
from nx_27017.nx_27017 import main

from tools.nx_indexed_fields import install as serve_indexed_fields_by_index
from tools.nx_indexed_fields import update_where

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


def _json_type(value: Any) -> str | None:
    """How a plain value is stored (SQLite's ``json_type``), for the "already so" test of
    ``$set``; ``None`` if it is not plain. BSON's 64-bit integers arrive as ``Int64``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return None
    for kind, name in ((str, "text"), (int, "integer"), (float, "real")):
        if isinstance(value, kind):
            return name
    return None


_update_many = QueryEngineCRUD.update_many


def _plain_sets(update: Any) -> dict[str, Any] | None:
    """``update``'s ``$set`` if that is all it does, on top-level fields, to plain values."""
    if not isinstance(update, dict) or list(update) != ["$set"] or not update["$set"]:
        return None
    sets = update["$set"]
    for field, value in sets.items():
        if _json_type(value) is None or field == "_id" or not field.isidentifier():
            return None
    return sets


def _update_many_in_one_statement(
    self: Any,
    filter: Any,  # neosqlite's signature
    update: Any,
    upsert: bool = False,
    array_filters: Any = None,
    session: Any = None,
) -> Any:
    """neosqlite's ``update_many``, as one ``UPDATE`` when it only sets plain values and
    its filter translates to SQL (as neosqlite's own selection of the ids then does)."""
    sets = _plain_sets(update)
    in_transaction = session is not None and session.in_transaction
    if sets is None or upsert or array_filters or in_transaction:
        return _update_many(self, filter, update, upsert, array_filters, session)
    validate_session(session, self.collection._database)
    where, where_params = update_where(self, filter)
    if where is None or not (where == "" or where.startswith("WHERE ")):
        return _update_many(self, filter, update, upsert, array_filters, session)
    where = f"WHERE ({where.removeprefix('WHERE ') or 1})"  # an $or's too, before our AND
    table = quote_table_name(self.collection.name)
    db = self.collection.db
    matched = db.execute(f"SELECT count(*) FROM {table} {where}", where_params).fetchone()[0]
    paths = [(f"'$.{field}'", value) for field, value in sets.items()]
    set_json = _get_json_function("set", self.jsonb.jsonb_supported)
    assignments = ", ".join(f"{path}, ?" for path, _ in paths)
    # A document already so is matched, not modified (and not written), as in MongoDB.
    already = " AND ".join(
        f"json_type(data, {path}) IS '{_json_type(value)}'"
        + ("" if value is None else f" AND json_extract(data, {path}) IS ?")
        for path, value in paths
    )
    already_params = [value for _, value in paths if value is not None]
    modified = db.execute(
        f"UPDATE {table} SET data = {set_json}(data, {assignments}) {where} AND NOT ({already})",
        [*(value for _, value in paths), *where_params, *already_params],
    ).rowcount
    return UpdateResult(matched_count=matched, modified_count=modified, upserted_id=None)


#: How often a database's write-ahead log is copied back into its file by its thread;
#: ``NX_CHECKPOINT_EVERY_S=0``: by SQLite, in the commit that takes the log past 64 MiB
#: (what ``bench/database_checkpoints.py`` compares against).
CHECKPOINT_EVERY_S = float(os.environ.get("NX_CHECKPOINT_EVERY_S", "1.0"))
#: Storage settings of every database's connection (see above).
STORAGE_PRAGMAS = (
    "PRAGMA cache_size = -65536",
    f"PRAGMA wal_autocheckpoint = {0 if CHECKPOINT_EVERY_S else 16384}",
)

_configure = Connection._configure_connection
_checkpointed: set[str] = set()


def _configure_storage(self: Any) -> None:
    _configure(self)
    for pragma in STORAGE_PRAGMAS:
        self.db.execute(pragma)
    path = next((file for _, name, file in self.db.execute("PRAGMA database_list")), "")
    if CHECKPOINT_EVERY_S and path and path not in _checkpointed:
        _checkpointed.add(path)
        threading.Thread(target=_checkpointing, args=(path,), daemon=True).start()


def _checkpointing(path: str) -> None:
    """Copy the log back every ``CHECKPOINT_EVERY_S`` from a connection of this thread's
    own, beside the commands (SQLite lets a passive checkpoint run while others write,
    and releases the interpreter lock while it copies), not inside one's commit."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    while True:
        time.sleep(CHECKPOINT_EVERY_S)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            continue  # locked or gone for a moment: the next round copies it


#: Commands that write documents: each runs as one SQLite transaction.
WRITE_COMMANDS = frozenset({"insert", "update", "delete", "findAndModify", "bulkWrite"})


def _command_of(msg: Any) -> dict[str, Any] | None:
    for section_type, doc in msg.get("sections", ()) if isinstance(msg, dict) else ():
        if section_type == "body" and isinstance(doc, dict):
            return doc
    return None


def _one_transaction(handle: Callable[..., Any]) -> Callable[..., Any]:
    """``handle`` with a write command's statements in one SQLite transaction, committed
    however the command ends (see above)."""

    @functools.wraps(handle)
    def handled(self: Any, msg: Any, *args: Any, **kwargs: Any) -> Any:
        command = _command_of(msg)
        if (
            not command
            or next(iter(command)) not in WRITE_COMMANDS
            or "autocommit" in command  # part of a client transaction
            or "startTransaction" in command
        ):
            return handle(self, msg, *args, **kwargs)
        db_name = command.get("$db", "test")
        with self._lock_for(db_name):  # the lock ``handle`` takes: one command at a time
            connection = self.get_database(db_name).db
            if connection.in_transaction:
                return handle(self, msg, *args, **kwargs)
            connection.execute("BEGIN IMMEDIATE")
            try:
                return handle(self, msg, *args, **kwargs)
            finally:
                if connection.in_transaction:
                    connection.execute("COMMIT")

    return handled


#: nx-27017 runs commands in asyncio's default pool (6 threads on 2 cores): 8 slow ones for
#: one database kept a read of another waiting 250 ms, 2 ms with these (MongoDB runs each
#: connection on a thread of its own).
COMMAND_THREADS = int(os.environ.get("NX_COMMAND_THREADS", "128"))
_run_server = nx_server.run_server


async def _run_server_with_threads(*args: Any, **kwargs: Any) -> Any:
    pool = ThreadPoolExecutor(COMMAND_THREADS, thread_name_prefix="command")
    asyncio.get_running_loop().set_default_executor(pool)
    return await _run_server(*args, **kwargs)


if __name__ == "__main__":
    nx_server.run_server = _run_server_with_threads
    QueryEngineCRUD.update_many = _update_many_in_one_statement
    Connection._configure_connection = _configure_storage
    NeoSQLiteHandler.handle_insert = _one_transaction(NeoSQLiteHandler.handle_insert)
    NeoSQLiteHandler.handle_command = _one_transaction(NeoSQLiteHandler.handle_command)
    Collection._auto_purge_ttl = _purge_at_mongodb_cadence
    CRUDOperationsMixin._internal_insert = _insert_without_deep_copy
    NeoSQLiteHandler._first_batch_size = staticmethod(_getmore_batch_size)
    serve_indexed_fields_by_index()
    sys.argv[0] = "nx-27017"
    sys.exit(main())
