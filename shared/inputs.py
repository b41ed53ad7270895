"""One strict input policy for every API body: the types a request model is built from.

What it guarantees, whatever a client sends: numbers are finite (Python's JSON parser
accepts ``NaN`` and ``Infinity``), every string and list has a stated maximum, an id is
short and plain, a time zone is a name of the IANA database (checked against the list,
never by opening a file named by the client), a time of day is ``HH:MM`` text, a date
lies in a sane window, and unknown fields are refused. A violation is a 422 naming the
field, never a 500.
"""

from __future__ import annotations

from datetime import date, time
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

__all__ = [
    "EARLIEST_DATE",
    "ID_PATTERN",
    "LATEST_DATE",
    "MAX_ID_LENGTH",
    "MAX_LIST_ITEMS",
    "MAX_NAME_LENGTH",
    "MAX_TEXT_LENGTH",
    "Identifier",
    "Name",
    "PathIdentifier",
    "SaneDate",
    "StrictBody",
    "TEXT_PATTERN",
    "Text",
    "TimeOfDay",
    "TimeZoneName",
    "as_time",
    "bounded",
    "is_time_zone",
    "number",
    "whole_number",
]

MAX_ID_LENGTH = 128
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
MAX_LIST_ITEMS = 1_000
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class StrictBody(BaseModel):
    """The base of every request body: unknown fields refused, floats finite, and no
    string longer than ``MAX_TEXT_LENGTH`` even where a field forgot its own bound."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=MAX_TEXT_LENGTH)


#: What an opaque id may hold: letters, digits and ``._:@-``.
ID_PATTERN = r"^[A-Za-z0-9._:@-]+$"

#: An opaque id (a person, a program, a meeting) in a body.
Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)
]
#: The same id as a path parameter (``program_id: PathIdentifier``): a malformed id is a
#: 422 naming the parameter, a well-formed unknown one the route's 404.
PathIdentifier = Annotated[str, Path(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)]
#: Text holds no control characters but tab and line breaks (a NUL or an escape sequence
#: in a note would travel on into calendars, mails and chat messages).
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

#: A title or a display name: one line (no control characters at all), trimmed, not empty.
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        pattern=r"^[^\x00-\x1f\x7f]*$",
    ),
]


def _json_number(value: Any) -> Any:
    # pydantic's lax mode reads ``false`` as 0 and ``"3"`` as 3; strict mode refuses the
    # ``93.0`` that JSON Schema calls an integer. A number field wants a JSON number.
    if isinstance(value, bool | str | bytes):
        raise ValueError("must be a JSON number")
    return value


def number(*, ge: float | None = None, gt: float | None = None, le: float) -> Any:
    """A number in a body within bounds, a JSON number only (not ``true``, not ``"3"``);
    finite by ``StrictBody``: ``number(ge=0, le=100)``. The bounds sit before the check
    so the OpenAPI states them as minimum/maximum (also inside ``... | None``)."""
    return Annotated[float, Field(ge=ge, gt=gt, le=le), BeforeValidator(_json_number)]


def whole_number(*, ge: int, le: int) -> Any:
    """A whole number in a body within bounds: ``3`` or ``3.0``, not ``true``, not ``"3"``."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_json_number)]


#: Free text (a note, a comment, an agenda item).
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH, pattern=TEXT_PATTERN)]


#: Files a system's zone directory may hold that are not zones of the IANA database.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def is_time_zone(name: str) -> bool:
    """Whether ``name`` is a zone of the IANA database (never touches the file system)."""
    return name in _zones()


def _known_zone(name: str) -> str:
    if not is_time_zone(name):
        raise ValueError("unknown time zone: use an IANA name such as Europe/Berlin")
    return name


TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_zone),
    Field(examples=["Europe/Berlin"]),
]
#: A wall-clock time of day as text, ``HH:MM`` (a number is refused, not read as seconds).
TimeOfDay = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(examples=["09:30"]),
]


def as_time(value: str) -> time:
    """A ``TimeOfDay`` as a ``datetime.time``."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _sane(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"date must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


SaneDate = Annotated[date, AfterValidator(_sane)]


def bounded(item: Any, max_items: int = MAX_LIST_ITEMS) -> Any:
    """A list type of at most ``max_items`` items: ``bounded(Identifier, 50)``."""
    return Annotated[list[item], Field(max_length=max_items)]
