"""Domain dataclasses <-> MongoDB documents, driven by the dataclasses' type hints.

Calendar dates and wall-clock times are kept as ISO strings (BSON has no date type),
datetimes as BSON dates (written whole by insert/replace, read back aware UTC),
enums as their value, tuples and frozensets as arrays, nested dataclasses as
sub-documents. The document ``_id`` is the aggregate id.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from shared.mongo import Document

T = TypeVar("T")


_PLAIN = (str, int, float, bool, type(None))


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def to_value(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if hasattr(kind, "__dataclass_fields__"):
        return {name: to_value(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(to_value(v) for v in value)
    if isinstance(value, tuple | list):
        return [to_value(v) for v in value]
    return value


def key_of(*ids: str) -> str:
    """The id of a document that exists once per combination of ``ids`` (a person's
    feedback on a meeting, their survey answer for a relationship)."""
    return ":".join(ids)


def to_doc(obj: Any, *, doc_id: str | None = None) -> Document:
    """The document of a domain object; its ``id`` field becomes ``_id``."""
    body = to_value(obj)
    key = doc_id if doc_id is not None else body.pop("id")
    return {"_id": key, **body}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_value(hint: Any, value: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return from_value(inner[0], value)
    if origin is tuple:
        return tuple(from_value(args[0], v) for v in value)
    if origin is frozenset:
        return frozenset(from_value(args[0], v) for v in value)
    if value is None:
        return None
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            return from_doc(hint, value)
        if issubclass(hint, Enum):
            return hint(value)
        if issubclass(hint, datetime):
            return value
        if issubclass(hint, date):
            return date.fromisoformat(value)
        if issubclass(hint, time):
            return time.fromisoformat(value)
    return value


def from_doc(cls: type[T], doc: Document) -> T:
    """Rebuild a domain object from its document (extra keys such as ``version`` ignored)."""
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for name in _field_names(cls):
        key = "_id" if name == "id" and "_id" in doc and "id" not in doc else name
        if key in doc:
            values[name] = from_value(hints[name], doc[key])
    return cls(**values)


#: What a rewritten document keeps of the stored one: the version it was read at (the
#: replace is guarded on it) and what still waits in its outbox.
KEPT = ("version", "pending_events", "pending_audit", "outbox_pending")


def stored(obj: Any, base: Document | None = None, **extra: Any) -> Document:
    """The document of ``obj`` (``extra`` fields added) over ``base``, the stored one."""
    doc = {**to_doc(obj, doc_id=extra.pop("_id", None)), **extra}
    for key in KEPT:
        if base is not None and key in base:
            doc[key] = base[key]
    return doc


#: The summary of a meeting each participant's agenda row repeats.
AGENDA_FIELDS = (
    "relationship_id",
    "program_id",
    "organiser_id",
    "participant_ids",
    "time_zone",
    "starts_at",
    "duration_minutes",
    "status",
    "sequence",
    "series_id",
)


def agenda_row(meeting: Document, person_id: str) -> Document:
    return {
        "_id": f"{meeting['_id']}:{person_id}",
        "person_id": person_id,
        "meeting_id": meeting["_id"],
        **{k: meeting.get(k) for k in AGENDA_FIELDS},
    }
