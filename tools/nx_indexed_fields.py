"""Equality and ``$in`` on an indexed field, served by its index in the local server.

neosqlite indexes a field ``f`` as ``json_extract(data, '$.f')``, but translates
``{f: v}`` to ``json_extract(data, '$.f') = ? OR EXISTS (... json_each ...)`` (an array
holding ``v`` matches too, as in MongoDB) and ``{f: {"$in": [...]}}`` to an ``EXISTS``
over ``json_each``: SQLite can use the index for neither, so each such query reads and
parses every document of the collection. The notifier withdraws a stream's pending items
by ``{"stream": {"$in": [...]}}`` once per planned event; at 20k queued items that was
17 ms a statement against 0.03 ms by the index, and it grew with the queue.

Here such a term becomes ``id IN (<by the index> UNION ALL <arrays holding a value>)``:
the first part searches the field's index for scalar values, the second scans a partial
index of only the documents where the field is an array (``companion_index``, created
beside every single-field index), which MongoDB would match through its multikey index.
The answer is MongoDB's: a value matches an equal string or number, or an array holding
one (never ``true`` for ``1``, never an object's JSON text for a string); neosqlite's own
``find`` missed the arrays and took ``true`` for ``1``. Only fields whose two indexes
exist are rewritten; any other term stays neosqlite's. Companions are not listed among a
collection's indexes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

#: A translated filter: its ``WHERE ...`` (or ``""``), parameters and temporary tables.
Translated = tuple[str, list[Any], list[str]]

#: What a stored scalar may be to equal a string or number value (not true/false/null,
#: not an object or array).
_SCALAR_TYPES = "('integer', 'real', 'text')"
#: The companion index of an indexed field: its array-valued documents only.
_COMPANION_PREFIX = "nx_arrays_"
_COMPANION = _COMPANION_PREFIX + "{table}_{field}"


def companion_index(table: str, field: str) -> str:
    """The statement creating ``field``'s partial index of array-valued documents."""
    name = _COMPANION.format(table=table, field=field)
    return (
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}"(id) '
        f"WHERE json_type(data, '$.{field}') = 'array'"
    )


def single_field(key: Any) -> str | None:
    """The field of an ascending or descending single-field index key (``"f"``, ``["f"]``,
    ``[("f", 1)]``) if it is a plain top-level name, else None (text, compound, nested)."""
    if isinstance(key, list) and len(key) == 1:
        if isinstance(key[0], tuple | list):
            key = key[0][0] if key[0][1] in (1, -1) else None
        else:
            key = key[0]
    if isinstance(key, str) and key.isidentifier() and key != "_id":
        return key
    return None


def indexed_fields(db: sqlite3.Connection, table: str) -> frozenset[str]:
    """The fields of ``table`` with both their ``json_extract`` index and its companion."""
    indexes = dict(
        db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
        ).fetchall()
    )
    fields = set()
    for name, sql in indexes.items():
        field = name.removeprefix(f"idx_{table}_")
        if (
            field != name
            and (sql or "").endswith(f"(json_extract(data, '$.{field}'))")
            and _COMPANION.format(table=table, field=field) in indexes
        ):
            fields.add(field)
    return frozenset(fields)


def _values(condition: Any) -> list[str | int] | None:
    """The values an equality or ``$in`` condition accepts, if all are strings or numbers."""
    values = (
        condition["$in"]
        if isinstance(condition, dict) and list(condition) == ["$in"]
        else [condition]
    )
    if not isinstance(values, list) or not values:
        return None
    if all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
        return [v if isinstance(v, str) else int(v) for v in values]
    return None


def by_index(
    table: str, filter: dict[str, Any], fields: frozenset[str]
) -> tuple[list[str], list[Any], dict[str, Any]]:
    """Split ``filter`` into SQL conditions served by ``fields``' indexes (with their
    parameters, in order) and the rest of the filter, for neosqlite to translate."""
    conditions: list[str] = []
    params: list[Any] = []
    rest: dict[str, Any] = {}
    for field, condition in filter.items():
        values = _values(condition) if field in fields else None
        if values is None:
            rest[field] = condition
            continue
        marks = ", ".join("?" * len(values))
        path = f"'$.{field}'"
        conditions.append(
            f'id IN (SELECT id FROM "{table}" WHERE json_extract(data, {path}) IN ({marks}) '
            f"AND json_type(data, {path}) IN {_SCALAR_TYPES} "
            f"UNION ALL SELECT id FROM \"{table}\" WHERE json_type(data, {path}) = 'array' "
            f"AND EXISTS (SELECT 1 FROM json_each(data, {path}) "
            f"WHERE value IN ({marks}) AND type IN {_SCALAR_TYPES}))"
        )
        params += [*values, *values]
    return conditions, params, rest


def joined(conditions: list[str], rest_where: str) -> str:
    """``WHERE`` of the conditions and the rest's own ``WHERE ...`` (or ``""``)."""
    parts = [*conditions, *([rest_where.removeprefix("WHERE ")] if rest_where else [])]
    return "WHERE " + " AND ".join(f"({p})" for p in parts) if parts else ""


_fields: dict[tuple[int, str], frozenset[str]] = {}


def fields_of(collection: Any) -> frozenset[str]:
    """``indexed_fields`` of a neosqlite collection, read once until an index is created
    (a stale answer only costs speed: a rewritten term is right with or without indexes)."""
    key = (id(collection.db), collection.name)
    fields = _fields.get(key)
    if fields is None:  # (another thread may clear the cache meanwhile: keep our own)
        fields = _fields[key] = indexed_fields(collection.db, collection.name)
    return fields


def where_by_index(
    collection: Any, filter: Any, translate: Callable[[dict[str, Any]], Translated | None]
) -> Translated | None:
    """``filter``'s ``WHERE`` with its index-served terms rewritten and the rest translated
    by ``translate`` (neosqlite's, as ``(where, params, temporary tables)``), or None if the
    rest cannot be (then neosqlite matches in Python)."""
    conditions, params, rest = (
        by_index(collection.name, filter, fields_of(collection))
        if isinstance(filter, dict)
        else ([], [], filter)
    )
    if not conditions:
        return translate(rest)
    translated = translate(rest) if rest else ("", [], [])
    if translated is None:
        return None
    rest_where, rest_params, tables = translated
    return joined(conditions, rest_where), [*params, *rest_params], tables


def update_where(crud: Any, filter: Any) -> tuple[str | None, list[Any]]:
    """``filter`` as the ``WHERE`` of an ``update_many`` (None: not translatable): an
    indexed field's equality or ``$in`` by its index, the rest by ``update_many``'s own
    translator, else by ``find``'s, which takes ``$in`` on any field (neosqlite's
    ``update_many`` matches such a filter against every document in Python)."""

    def translate(rest: dict[str, Any]) -> Translated | None:
        where, params = crud.sql_translator.translate_match(crud.helpers._normalize_id_query(rest))
        if where is not None:
            return where, list(params), []
        found = crud.helpers._build_simple_where_clause(rest)
        return None if found is None or found[2] else found  # none, or temporary tables

    translated = where_by_index(crud.collection, filter, translate)
    return (None, []) if translated is None else (translated[0], translated[1])


def install() -> None:
    """Create the companion with every single-field index; rewrite ``find``'s filters."""
    from neosqlite.collection.index_manager import IndexManager
    from neosqlite.collection.query_helper import QueryHelper

    create_index, build_where = IndexManager.create_index, QueryHelper._build_simple_where_clause
    information = IndexManager.index_information

    def create_with_companion(self: Any, key: Any, *args: Any, **kwargs: Any) -> Any:
        created = create_index(self, key, *args, **kwargs)
        field = single_field(key)
        if field is not None and not kwargs.get("fts"):
            self.collection.db.execute(companion_index(self.collection.name, field))
        _fields.clear()
        return created

    def where_served_by_indexes(self: Any, query: Any) -> Any:
        return where_by_index(self.collection, query, lambda rest: build_where(self, rest))

    def information_without_companions(self: Any) -> Any:
        listed = information(self)
        return {k: v for k, v in listed.items() if not k.startswith(_COMPANION_PREFIX)}

    IndexManager.create_index = create_with_companion
    IndexManager.index_information = information_without_companions
    QueryHelper._build_simple_where_clause = where_served_by_indexes
