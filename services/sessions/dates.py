"""The dates and instants a sessions request may name, with their window in the schema.

``shared.inputs.SaneDate`` refuses a date outside 2000-01-01..2100-12-31, but a JSON
schema's ``format: date`` cannot say so: a client (or a fuzzer) reading the published
document would take year 1 for valid. Here the same window is stated as a pattern that
matches exactly the calendar dates of the window (leap days included), and the raw text
is held to it, so what the schema calls valid is what the API accepts, and nothing else
(no timestamps, no space for ``T``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, WithJsonSchema

from shared.inputs import EARLIEST_DATE, LATEST_DATE, SaneDate

__all__ = ["DATE_PATTERN", "INSTANT_PATTERN", "Day", "Instant"]

_YEAR = r"(?:20[0-9]{2}|2100)"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = r"20(?:0[048]|[2468][048]|[13579][26])-02-29"
_DAY = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"

#: ``YYYY-MM-DD``, a real calendar date from 2000-01-01 to 2100-12-31.
DATE_PATTERN = rf"^{_DAY}$"
#: An ISO 8601 instant with its offset, on such a date (local to the offset): the pattern
#: alone keeps it in the window.
INSTANT_PATTERN = rf"^{_DAY}T{_CLOCK}{_OFFSET}$"
_WINDOW = f"{EARLIEST_DATE}..{LATEST_DATE}"


def _text_matching(pattern: str, what: str) -> Callable[[object], object]:
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"must be {what} in {_WINDOW}")
        return value

    return check


Day = Annotated[
    SaneDate,
    BeforeValidator(_text_matching(DATE_PATTERN, "a date YYYY-MM-DD")),
    WithJsonSchema({"type": "string", "pattern": DATE_PATTERN, "examples": ["2030-06-01"]}),
]
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_text_matching(INSTANT_PATTERN, "an instant YYYY-MM-DDTHH:MM[:SS]+HH:MM")),
    WithJsonSchema(
        {"type": "string", "pattern": INSTANT_PATTERN, "examples": ["2030-06-01T09:30:00+02:00"]}
    ),
]
