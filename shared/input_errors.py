"""The 422 answer to a body that fails validation, safe whatever the body held.

FastAPI echoes each offending input back; an input of ``NaN`` or ``Infinity`` (which
Python's JSON parser accepts), a lone surrogate, or 100 KB of text cannot or should not
be echoed, and the stock handler then fails with a 500. Here every echoed input is made
JSON-safe and short, so a bad body always gets its 422 naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: The longest echo of an offending input (longer text is cut and marked).
MAX_ECHO = 200


def validation_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's error list with each ``input`` and ``ctx`` value made safe to encode."""
    details = []
    for error in errors:
        detail = {key: _safe(value) for key, value in dict(error).items() if key != "url"}
        details.append(detail)
    return details


def _safe(value: Any, depth: int = 0) -> Any:
    if depth > 4:
        return "..."
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        text = value.encode("utf-8", "replace").decode("utf-8")
        return text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "..."
    if isinstance(value, bytes):
        return _safe(value.decode("utf-8", "replace"), depth)
    if isinstance(value, dict):
        items = list(value.items())[:20]
        return {str(_safe(k, depth + 1)): _safe(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple | set | frozenset):
        return [_safe(v, depth + 1) for v in list(value)[:20]]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _safe(str(value), depth)
